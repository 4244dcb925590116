package sqlite

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// openTemp opens and migrates a store on a new file in t's temp directory.
func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jkngate.db")
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s, path
}

// openFresh is openTemp for callers that do not need the file's path, as
// the conformance suites.
func openFresh(t testing.TB) *Store {
	t.Helper()
	s, _ := openTemp(t)
	return s
}

// openMigratedBefore opens a store on a new file in t's temp directory
// with the schema as the migrations before first (a name prefix such as
// "0007") left it: for tests of what a later migration does to older data.
func openMigratedBefore(t *testing.T, first string) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "jkngate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.writer.ExecContext(t.Context(), `CREATE TABLE schema_migrations (name TEXT NOT NULL PRIMARY KEY,
		applied_at TEXT NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	for _, name := range MigrationNames() {
		if name >= first {
			break
		}
		if err := s.applyMigration(t.Context(), name); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) gate.Store { return openFresh(t) })
}

func TestMigrateIsIdempotent(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	rows, err := s.readers.QueryContext(t.Context(), `SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	names := storetest.Strings(t, rows)
	if !slices.Equal(names, MigrationNames()) {
		t.Errorf("schema_migrations holds %v, want each of %v once", names, MigrationNames())
	}
}

func TestMigrationNames(t *testing.T) {
	names := MigrationNames()
	if len(names) == 0 {
		t.Fatal("MigrationNames is empty")
	}
	if !slices.IsSorted(names) {
		t.Errorf("MigrationNames %v is not sorted", names)
	}
	if names[0] != "0001_decisions" {
		t.Errorf("first migration is %q, want 0001_decisions", names[0])
	}
}

func TestClosedStoreIsUnavailable(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx := t.Context()
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	_, _, errRecord := s.RecordDecision(ctx, d)
	_, errByID := s.Decision(ctx, d.ID)
	_, errByWebhook := s.DecisionForWebhook(ctx, "client-a", "msg_1")
	for name, err := range map[string]error{
		"RecordDecision":     errRecord,
		"Decision":           errByID,
		"DecisionForWebhook": errByWebhook,
		"Ping":               s.Ping(ctx),
		"Migrate":            s.Migrate(ctx),
	} {
		if !errors.Is(err, gate.ErrUnavailable) {
			t.Errorf("%s on a closed store: %v, want a KindUnavailable error", name, err)
		}
	}
}

func TestCancelledContextIsUnavailable(t *testing.T) {
	s, _ := openTemp(t)
	storetest.CheckCancelledContextUnavailable(t, s)
}

func TestDuplicateDecisionIDIsConflict(t *testing.T) {
	s, _ := openTemp(t)
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	if _, _, err := s.RecordDecision(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	d.WebhookID = "msg_2" // a new delivery that reuses the decision id
	if _, _, err := s.RecordDecision(t.Context(), d); !errors.Is(err, gate.ErrConflict) {
		t.Errorf("RecordDecision with a taken id: %v, want a KindConflict error", err)
	}
	// The failed call changed nothing: the first decision is still current.
	next := storetest.NewDecision("client-a", "msg_3", "OSS-1")
	stored, _, err := s.RecordDecision(t.Context(), next)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Supersedes != d.ID {
		t.Errorf("next decision supersedes %q, want %s", stored.Supersedes, d.ID)
	}
}

func TestOpenRefusesNonFilePaths(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		if s, err := Open(t.Context(), path); !errors.Is(err, gate.ErrInvalid) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Open(%q): %v, want a KindInvalid error", path, err)
		}
	}
}

func TestDecisionSurvivesReopen(t *testing.T) {
	s, path := openTemp(t)
	want, _, err := s.RecordDecision(t.Context(), storetest.NewDecision("client-a", "msg_1", "OSS-1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s2.Close()
	if err := s2.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate after reopen: %v", err)
	}
	got, err := s2.DecisionForWebhook(t.Context(), "client-a", "msg_1")
	if err != nil {
		t.Fatalf("DecisionForWebhook after reopen: %v", err)
	}
	if got.ID != want.ID || got.Evidence.Employer == nil || len(got.Reasons) != len(want.Reasons) {
		t.Errorf("after reopen got %+v, want %+v", got, want)
	}
}

// TestDetailIntegersReadBackAsInt pins the store's documented choice: integer
// details read back as int, not float64.
func TestDetailIntegersReadBackAsInt(t *testing.T) {
	s, _ := openTemp(t)
	storetest.CheckDetailIntegersAsInt(t, s)
}
