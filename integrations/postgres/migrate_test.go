package postgres

import (
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/sqlite"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// TestMigrationNamesMatchSQLite fails when the two stores' sets of
// migrations differ: a migration added to one must be added to the other,
// under the same name, so that a schema version means the same on both.
func TestMigrationNamesMatchSQLite(t *testing.T) {
	pg, lite := MigrationNames(), sqlite.MigrationNames()
	for _, name := range pg {
		if !slices.Contains(lite, name) {
			t.Errorf("migration %s is in the postgres store only", name)
		}
	}
	for _, name := range lite {
		if !slices.Contains(pg, name) {
			t.Errorf("migration %s is in the sqlite store only", name)
		}
	}
	if !slices.IsSorted(pg) || len(pg) == 0 || pg[0] != "0001_decisions" {
		t.Errorf("MigrationNames = %v, want them sorted, from 0001_decisions", pg)
	}
}

// appliedMigrations returns the names in schema_migrations, in name order,
// repeats included.
func appliedMigrations(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	return storetest.Strings(t, rows)
}

func TestMigrateIsIdempotent(t *testing.T) {
	s := openFresh(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if got := appliedMigrations(t, s); !slices.Equal(got, MigrationNames()) {
		t.Errorf("schema_migrations holds %v, want each of %v once", got, MigrationNames())
	}
}

// TestConcurrentMigrate starts five replicas (five pools) migrating one
// fresh schema at the same moment: under the advisory lock all succeed, and
// each migration is applied once (a second application would fail on the
// tables it creates, and on schema_migrations' key).
func TestConcurrentMigrate(t *testing.T) {
	// The lock key is server-wide, and other test packages migrate their
	// own schemas at the same time: the check below counts only this test's
	// connections, which it names.
	u, err := url.Parse(freshSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	app := "migrate_test_" + strings.TrimPrefix(u.Query().Get("search_path"), "t_")
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	url := u.String()
	const replicas = 5
	stores := make([]*Store, replicas)
	for i := range stores {
		stores[i] = open(t, url)
	}
	errs := make([]error, replicas)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			<-start
			errs[i] = s.Migrate(t.Context())
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Migrate: %v", i, err)
		}
	}
	if got := appliedMigrations(t, stores[0]); !slices.Equal(got, MigrationNames()) {
		t.Errorf("schema_migrations holds %v, want each of %v once", got, MigrationNames())
	}
	// The lock was released: no connection of any replica still holds it.
	var held int
	if err := stores[0].pool.QueryRow(t.Context(), `SELECT count(*) FROM pg_locks l
		JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.objid = ($1::bigint & x'ffffffff'::bigint)::oid
		AND l.classid = ($1::bigint >> 32)::oid AND l.objsubid = 1 AND a.application_name = $2`,
		migrationLockKey, app).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != 0 {
		t.Errorf("the migration lock is still held %d times after Migrate returned", held)
	}
}

// TestAppendOnly checks that the review history and the access trail refuse
// changes, as conflicts.
func TestAppendOnly(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	for _, stmt := range []string{
		`UPDATE review_actions SET note = 'changed'`,
		`DELETE FROM review_actions`,
		`TRUNCATE review_actions`,
		`UPDATE audit SET actor = 'someone'`,
	} {
		// The row triggers fire only on rows: make sure there are some.
		seedReviewAndAudit(t, s)
		_, err := s.pool.Exec(ctx, stmt)
		if err == nil {
			t.Errorf("%s succeeded, want it refused", stmt)
			continue
		}
		if got := translate("change history", err); gate.KindOf(got) != gate.KindConflict {
			t.Errorf("%s: %v, want a KindConflict error", stmt, got)
		}
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM review_actions`).Scan(&n); err != nil || n != 4 {
		t.Errorf("review_actions holds %d rows (%v), want the 4 recorded", n, err)
	}
}

// seedReviewAndAudit records a decision with an open review, closes the
// review (one review_actions row) and records an access.
func seedReviewAndAudit(t *testing.T, s *Store) {
	t.Helper()
	d := storetest.NewDecision("client-a", "", "OSS-"+gate.NewDecisionID(time.Now()))
	d.WebhookID = "msg_" + d.ID
	d.Review = &gate.Review{State: gate.ReviewOpen}
	if _, _, err := s.RecordDecision(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	r := gate.Review{State: gate.ReviewClosed, Action: gate.ActionUphold, Note: "Tunggakan belum dibayar.",
		By: "reviewer-1", At: time.Now()}
	if err := s.CloseReview(t.Context(), d.ID, r, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordAccess(t.Context(), gate.AuditEntry{Actor: "reviewer-1", Action: "review.uphold",
		Resource: "decision", ResourceID: d.ID}); err != nil {
		t.Fatal(err)
	}
}
