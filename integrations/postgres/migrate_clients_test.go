package postgres

import (
	"testing"

	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// TestMigrateSplitsCrossClientChains: 0007 gives each webhook client its own
// chain where earlier versions let client other supersede client oss's
// decisions of the same application id.
func TestMigrateSplitsCrossClientChains(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx := t.Context()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (name text NOT NULL PRIMARY KEY,
		applied_at timestamptz NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range MigrationNames() {
		if name >= "0007" {
			break
		}
		if err := applyMigration(ctx, conn.Conn(), name); err != nil {
			t.Fatal(err)
		}
	}
	conn.Release()
	chain := storetest.CrossedChain(t, s, func(ids ...string) {
		for _, id := range ids {
			for _, q := range []string{`UPDATE decisions SET client_id = 'other' WHERE id = $1`,
				`UPDATE webhook_receipts SET client_id = 'other' WHERE decision_id = $1`} {
				if _, err := s.pool.Exec(ctx, q, id); err != nil {
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
