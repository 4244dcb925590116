package storedeadline_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/decorators/storedeadline"
	"github.com/jkngate/jkngate/integrations/decorators/storemetrics"
	"github.com/jkngate/jkngate/integrations/internal/batch"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// hung is a store that never answers: every call waits for its context to
// end and returns its error, as a store behind a black-holed network would.
// rows, when set, are streamed by EachDecision before it hangs; stream
// makes EachDecision return after them instead.
type hung struct {
	deadlines []time.Time // the deadline each call saw
	rows      int
	stream    bool
}

// errNoDeadline is what hung answers a call made without a deadline.
var errNoDeadline = errors.New("the store was called without a deadline")

func (h *hung) wait(ctx context.Context) error {
	d, ok := ctx.Deadline()
	if !ok {
		return errNoDeadline
	}
	h.deadlines = append(h.deadlines, d)
	<-ctx.Done()
	return ctx.Err()
}

func (h *hung) RecordDecision(ctx context.Context, d gate.Decision) (gate.Decision, bool, error) {
	return d, false, h.wait(ctx)
}
func (h *hung) DecisionForWebhook(ctx context.Context, _, _ string) (gate.Decision, error) {
	return gate.Decision{}, h.wait(ctx)
}
func (h *hung) Decision(ctx context.Context, _ string) (gate.Decision, error) {
	return gate.Decision{}, h.wait(ctx)
}
func (h *hung) Ping(ctx context.Context) error { return h.wait(ctx) }
func (h *hung) ListDecisions(ctx context.Context, _ gate.DecisionFilter) ([]gate.Decision, error) {
	return nil, h.wait(ctx)
}
func (h *hung) EachDecision(ctx context.Context, _ gate.DecisionFilter, fn func(gate.Decision) error) error {
	for range h.rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(gate.Decision{}); err != nil {
			return err
		}
	}
	if h.stream {
		return nil
	}
	<-ctx.Done()
	return ctx.Err()
}
func (h *hung) ListReviews(ctx context.Context, _ gate.ReviewFilter) ([]gate.Decision, error) {
	return nil, h.wait(ctx)
}
func (h *hung) DecisionCounts(ctx context.Context, _ gate.DecisionFilter) (map[gate.Outcome]int, error) {
	return nil, h.wait(ctx)
}
func (h *hung) CloseReview(ctx context.Context, _ string, _ gate.Review, _ *gate.Decision, _ []gate.Callback) error {
	return h.wait(ctx)
}
func (h *hung) RecordSuperseding(ctx context.Context, _ string, _ gate.Decision, _ []gate.Callback) error {
	return h.wait(ctx)
}
func (h *hung) RecordAccess(ctx context.Context, _ gate.AuditEntry) error { return h.wait(ctx) }
func (h *hung) ListAudit(ctx context.Context, _ gate.AuditFilter) ([]gate.AuditEntry, error) {
	return nil, h.wait(ctx)
}
func (h *hung) ClaimCallbacks(ctx context.Context, _ time.Time, _ time.Duration, _ int) ([]gate.Callback, error) {
	return nil, h.wait(ctx)
}
func (h *hung) FinishCallback(ctx context.Context, _ gate.Callback) error { return h.wait(ctx) }
func (h *hung) ClaimRechecks(ctx context.Context, _ time.Time, _ time.Duration, _ int) ([]gate.Recheck, error) {
	return nil, h.wait(ctx)
}
func (h *hung) FinishRecheck(ctx context.Context, _ string, _ int, _ time.Time) error {
	return h.wait(ctx)
}
func (h *hung) DueRechecks(ctx context.Context, _ time.Time) (int, error) { return 0, h.wait(ctx) }
func (h *hung) ListCallbacks(ctx context.Context, _ gate.CallbackFilter) ([]gate.Callback, error) {
	return nil, h.wait(ctx)
}
func (h *hung) RetryCallback(ctx context.Context, _ string, _ time.Time) (gate.Callback, error) {
	return gate.Callback{}, h.wait(ctx)
}
func (h *hung) CountReviews(ctx context.Context, _ gate.ReviewFilter) (int, error) {
	return 0, h.wait(ctx)
}
func (h *hung) PendingCallbacks(ctx context.Context) (int, error) { return 0, h.wait(ctx) }
func (h *hung) EraseWorkerData(ctx context.Context, _ time.Time, _ int) (int, error) {
	return 0, h.wait(ctx)
}

// returns runs call and fails the test if it has not returned after a long
// guard: the decorator did not bound it.
func returns(t *testing.T, name string, call func() error) error {
	t.Helper()
	return storetest.Returns(t, name, 10*time.Second, call)
}

// Every call to a store that never answers returns, with an error, once the
// decorator's deadline has passed, although the caller gave none. The
// methods are those of storemetrics.Store, found by reflection, so that a
// method added there is checked too (hung must implement it to compile).
func TestEveryCallToAHungStoreReturns(t *testing.T) {
	s := storedeadline.New(&hung{}, 20*time.Millisecond)
	iface := reflect.TypeFor[storemetrics.Store]()
	ctxType := reflect.TypeFor[context.Context]()
	for i := range iface.NumMethod() {
		name := iface.Method(i).Name
		m := reflect.ValueOf(s).MethodByName(name)
		args := make([]reflect.Value, m.Type().NumIn())
		for j := range args {
			if in := m.Type().In(j); in == ctxType {
				args[j] = reflect.ValueOf(context.Background())
			} else {
				args[j] = reflect.Zero(in)
			}
		}
		err := returns(t, name, func() error {
			out := m.Call(args)
			err, _ := out[len(out)-1].Interface().(error)
			return err
		})
		if err == nil || errors.Is(err, errNoDeadline) {
			t.Errorf("%s: %v, want the deadline's error", name, err)
		}
	}
	if err := returns(t, "PendingCallbacks", func() error { _, err := s.PendingCallbacks(context.Background()); return err }); err == nil || errors.Is(err, errNoDeadline) {
		t.Errorf("PendingCallbacks: %v, want the deadline's error", err)
	}
	r := storedeadline.Retention(&hung{}, 20*time.Millisecond)
	if err := returns(t, "EraseWorkerData", func() error {
		_, err := r.EraseWorkerData(context.Background(), time.Now(), 10)
		return err
	}); err == nil || errors.Is(err, errNoDeadline) {
		t.Errorf("EraseWorkerData: %v, want the deadline's error", err)
	}
}

// The caller's deadline, when earlier, is the one the store sees; the
// decorator's applies when the caller's is later.
func TestTheEarlierDeadlineWins(t *testing.T) {
	h := &hung{}
	s := storedeadline.New(h, time.Hour)
	callerDeadline := time.Now().Add(10 * time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), callerDeadline)
	defer cancel()
	if err := s.Ping(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ping = %v", err)
	}
	if len(h.deadlines) != 1 || !h.deadlines[0].Equal(callerDeadline) {
		t.Fatalf("the store saw deadlines %v, want the caller's %v", h.deadlines, callerDeadline)
	}

	h = &hung{}
	s = storedeadline.New(h, 10*time.Millisecond)
	late, cancel2 := context.WithTimeout(context.Background(), time.Hour)
	defer cancel2()
	before := time.Now()
	if err := s.Ping(late); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Ping = %v", err)
	}
	if d := h.deadlines[0]; !d.Before(before.Add(time.Hour)) {
		t.Fatalf("the store saw the caller's late deadline %v, not the decorator's", d)
	}
}

// A streamed export is bounded by the store's progress, not its length:
// time spent in fn (writing to a slow client) does not count, and a store
// that stops sending rows is cut off with a KindUnavailable error.
func TestEachDecisionBoundsProgressNotLength(t *testing.T) {
	// On the bubble's fake clock the slow consumer and the stall take no wall
	// time, and how late the decorator cuts off does not depend on load.
	synctest.Test(t, func(t *testing.T) {
		timeout := 20 * time.Millisecond
		s := storedeadline.New(&hung{rows: 3, stream: true}, timeout)
		n := 0
		err := s.EachDecision(context.Background(), gate.DecisionFilter{}, func(gate.Decision) error {
			n++
			time.Sleep(2 * timeout) // a slow consumer, longer than the timeout
			return nil
		})
		if err != nil || n != 3 {
			t.Fatalf("slow consumer: %d rows, err %v; want all 3 and no error", n, err)
		}

		s = storedeadline.New(&hung{rows: 2}, timeout)
		n = 0
		err = returns(t, "EachDecision", func() error {
			return s.EachDecision(context.Background(), gate.DecisionFilter{}, func(gate.Decision) error { n++; return nil })
		})
		if n != 2 || err == nil {
			t.Fatalf("stalled store: %d rows, err %v; want 2 rows and an error", n, err)
		}
	})
}

// metered is a hung store with a group-commit writer's counts.
type metered struct {
	hung
	stats batch.Snapshot
}

func (m *metered) WriterStats() (batch.Snapshot, bool) { return m.stats, true }

// The writer's counts survive the wrapping, without a call to the store;
// a store without them says so.
func TestWriterStatsForwarded(t *testing.T) {
	want := batch.Snapshot{Batches: 2, Decisions: 5, Busy: time.Second}
	if got, ok := storedeadline.New(&metered{stats: want}, time.Second).WriterStats(); !ok || got != want {
		t.Errorf("WriterStats = %+v, %v; want %+v, true", got, ok, want)
	}
	if got, ok := storedeadline.New(&hung{}, time.Second).WriterStats(); ok {
		t.Errorf("WriterStats of a store without a writer = %+v, true; want false", got)
	}
}
