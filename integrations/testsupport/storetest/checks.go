package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// The checks below pin choices both stores make alike but that the
// conformance suite does not ask of every store (see the package comment).
// Each store's tests call them on a fresh, migrated store of their own.

// CheckDetailIntegersAsInt checks that integer reason details read back as
// int, not float64, also when nested, and that fractions stay float64.
func CheckDetailIntegersAsInt(t *testing.T, s gate.Store) {
	t.Helper()
	d := NewDecision("client-a", "msg_1", "OSS-1")
	if _, _, err := s.RecordDecision(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	got, err := s.Decision(t.Context(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	details := got.Reasons[0].Details
	if v, ok := details["declared"].(int); !ok || v != 52 {
		t.Errorf("declared = %#v, want int 52", details["declared"])
	}
	if v, ok := details["arrears_amount"].(int); !ok || v != 12_345_678_901 {
		t.Errorf("arrears_amount = %#v, want int 12345678901", details["arrears_amount"])
	}
	if v, ok := details["coverage"].(float64); !ok || v != 0.77 {
		t.Errorf("coverage = %#v, want float64 0.77", details["coverage"])
	}
	nested, _ := details["nested"].(map[string]any)
	if v, ok := nested["months"].(int); !ok || v != 4 {
		t.Errorf("nested.months = %#v, want int 4", nested["months"])
	}
}

// CheckCancelledContextUnavailable checks that RecordDecision with a
// cancelled context fails with a KindUnavailable error wrapping
// context.Canceled, and records nothing.
func CheckCancelledContextUnavailable(t *testing.T, s gate.Store) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	d := NewDecision("client-a", "msg_1", "OSS-1")
	if _, _, err := s.RecordDecision(ctx, d); !errors.Is(err, gate.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("RecordDecision with a cancelled context: %v, want KindUnavailable wrapping context.Canceled", err)
	}
	if _, err := s.Decision(t.Context(), d.ID); !errors.Is(err, gate.ErrNotFound) {
		t.Errorf("after a cancelled RecordDecision, Decision: %v, want KindNotFound", err)
	}
}

// Rows is what Strings reads: *sql.Rows and pgx.Rows both have it.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// Strings reads the single text column of every row, in order, failing t on
// any error. The caller closes rows.
func Strings(t testing.TB, rows Rows) []string {
	t.Helper()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Returns runs call and returns its error; it fails t when call has not
// returned within guard (what names the call). The guard ends a hung test
// instead of stalling it; it is not an assertion on speed.
func Returns(t *testing.T, what string, guard time.Duration, call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err
	case <-time.After(guard):
		t.Fatalf("%s hung (no return within %v)", what, guard)
		return nil
	}
}

// CheckRecordAfterClose closes s with closeStore and checks that RecordDecision
// then fails with KindUnavailable instead of hanging.
func CheckRecordAfterClose(t *testing.T, s gate.Store, closeStore func() error) {
	t.Helper()
	closeStore() //nolint:errcheck // what matters is RecordDecision's answer after it
	_, _, err := s.RecordDecision(t.Context(), NewDecision("client-a", "msg_x", "OSS-1"))
	if gate.KindOf(err) != gate.KindUnavailable {
		t.Errorf("after Close: %v, want KindUnavailable", err)
	}
}
