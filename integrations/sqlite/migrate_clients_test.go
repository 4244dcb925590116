package sqlite

import (
	"testing"

	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// TestMigrateSplitsCrossClientChains: 0007 gives each webhook client its own
// chain where earlier versions let client other supersede client oss's
// decisions of the same application id.
func TestMigrateSplitsCrossClientChains(t *testing.T) {
	s := openMigratedBefore(t, "0007")
	ctx := t.Context()
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
