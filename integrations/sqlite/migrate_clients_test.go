package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// TestMigrateSplitsCrossClientChains: 0007 gives each webhook client its own
// chain where earlier versions let client other supersede client oss's
// decisions of the same application id.
func TestMigrateSplitsCrossClientChains(t *testing.T) {
	path := filepath.Join(t.TempDir(), "jkngate.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := t.Context()
	if _, err := s.writer.ExecContext(ctx, `CREATE TABLE schema_migrations (name TEXT NOT NULL PRIMARY KEY,
		applied_at TEXT NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	for _, name := range MigrationNames() {
		if name >= "0007" {
			break
		}
		if err := s.applyMigration(ctx, name); err != nil {
			t.Fatal(err)
		}
	}
	chain := storetest.CrossedChain(t, s, func(ids ...string) {
		for _, id := range ids {
			for _, q := range []string{`UPDATE decisions SET client_id = 'other' WHERE id = ?`,
				`UPDATE webhook_receipts SET client_id = 'other' WHERE decision_id = ?`} {
				if _, err := s.writer.ExecContext(ctx, q, id); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.CheckSplitChains(t, s, chain)
}
