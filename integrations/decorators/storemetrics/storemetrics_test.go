package storemetrics_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/decorators/storemetrics"
	"github.com/jkngate/jkngate/integrations/internal/batch"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

// The real stores are what gets wrapped, and report their writer.
var (
	_ storemetrics.Store       = (*sqlite.Store)(nil)
	_ storemetrics.WriterMeter = (*sqlite.Store)(nil)
)

// fake is a Store that records which methods were called and fails them
// all with err when it is set. A scrape runs the gauges' counts
// concurrently, so the record is locked.
type fake struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fake) call(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op)
	return f.err
}

// called returns the methods called so far, in order.
func (f *fake) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fake) RecordDecision(_ context.Context, d gate.Decision) (gate.Decision, bool, error) {
	return d, true, f.call("record_decision")
}
func (f *fake) DecisionForWebhook(context.Context, string, string) (gate.Decision, error) {
	return gate.Decision{}, f.call("decision_for_webhook")
}
func (f *fake) Decision(context.Context, string) (gate.Decision, error) {
	return gate.Decision{}, f.call("decision")
}
func (f *fake) Ping(context.Context) error { return f.call("ping") }
func (f *fake) ListDecisions(context.Context, gate.DecisionFilter) ([]gate.Decision, error) {
	return nil, f.call("list_decisions")
}
func (f *fake) EachDecision(_ context.Context, _ gate.DecisionFilter, fn func(gate.Decision) error) error {
	if err := f.call("each_decision"); err != nil {
		return err
	}
	for range 2 {
		if err := fn(gate.Decision{}); err != nil {
			return err
		}
	}
	return nil
}
func (f *fake) ListReviews(context.Context, gate.ReviewFilter) ([]gate.Decision, error) {
	return nil, f.call("list_reviews")
}
func (f *fake) CountReviews(context.Context, gate.ReviewFilter) (int, error) {
	return 0, f.call("count_reviews")
}
func (f *fake) DecisionCounts(context.Context, gate.DecisionFilter) (map[gate.Outcome]int, error) {
	return nil, f.call("decision_counts")
}
func (f *fake) CloseReview(context.Context, string, gate.Review, *gate.Decision, []gate.Callback) error {
	return f.call("close_review")
}
func (f *fake) RecordSuperseding(context.Context, string, gate.Decision, []gate.Callback) error {
	return f.call("record_superseding")
}
func (f *fake) RecordAccess(context.Context, gate.AuditEntry) error { return f.call("record_access") }
func (f *fake) ListAudit(context.Context, gate.AuditFilter) ([]gate.AuditEntry, error) {
	return nil, f.call("list_audit")
}
func (f *fake) ClaimCallbacks(context.Context, time.Time, time.Duration, int) ([]gate.Callback, error) {
	return nil, f.call("claim_callbacks")
}
func (f *fake) FinishCallback(context.Context, gate.Callback) error { return f.call("finish_callback") }
func (f *fake) ListCallbacks(context.Context, gate.CallbackFilter) ([]gate.Callback, error) {
	return nil, f.call("list_callbacks")
}
func (f *fake) RetryCallback(context.Context, string, time.Time) (gate.Callback, error) {
	return gate.Callback{}, f.call("retry_callback")
}
func (f *fake) ClaimRechecks(context.Context, time.Time, time.Duration, int) ([]gate.Recheck, error) {
	return nil, f.call("claim_rechecks")
}
func (f *fake) FinishRecheck(context.Context, string, int, time.Time) error {
	return f.call("finish_recheck")
}

// counting is a fake that can also count its outbox.
type counting struct {
	*fake
	pending int
}

func (c *counting) PendingCallbacks(context.Context) (int, error) {
	return c.pending, c.call("pending_callbacks")
}

// callAll calls every Store method once, in the order of ops.
func callAll(s storemetrics.Store) {
	ctx := context.Background()
	s.RecordDecision(ctx, gate.Decision{})
	s.DecisionForWebhook(ctx, "c", "w")
	s.Decision(ctx, "d")
	s.Ping(ctx)
	s.ListDecisions(ctx, gate.DecisionFilter{})
	s.EachDecision(ctx, gate.DecisionFilter{}, func(gate.Decision) error { return nil })
	s.ListReviews(ctx, gate.ReviewFilter{})
	s.CountReviews(ctx, gate.ReviewFilter{})
	s.DecisionCounts(ctx, gate.DecisionFilter{})
	s.CloseReview(ctx, "d", gate.Review{}, nil, nil)
	s.RecordSuperseding(ctx, "d", gate.Decision{}, nil)
	s.RecordAccess(ctx, gate.AuditEntry{})
	s.ListAudit(ctx, gate.AuditFilter{})
	s.ClaimCallbacks(ctx, time.Now(), time.Minute, 1)
	s.FinishCallback(ctx, gate.Callback{})
	s.ListCallbacks(ctx, gate.CallbackFilter{})
	s.RetryCallback(ctx, "cb", time.Now())
	s.ClaimRechecks(ctx, time.Now(), time.Minute, 1)
	s.FinishRecheck(ctx, "d", 1, time.Time{})
}

var ops = []string{"record_decision", "decision_for_webhook", "decision", "ping", "list_decisions",
	"each_decision", "list_reviews", "count_reviews", "decision_counts", "close_review", "record_superseding",
	"record_access", "list_audit", "claim_callbacks", "finish_callback", "list_callbacks", "retry_callback", "claim_rechecks",
	"finish_recheck"}

// sample is one gathered sample: a counter or gauge value, or a
// histogram's count and sum.
type sample struct{ value, sum float64 }

// gather returns the samples of name by their label values, joined by ",".
func gather(t *testing.T, reg *prometheus.Registry, name string) map[string]sample {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]sample{}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			var key string
			for i, l := range m.GetLabel() {
				if i > 0 {
					key += ","
				}
				key += l.GetValue()
			}
			switch {
			case m.GetHistogram() != nil:
				out[key] = sample{float64(m.GetHistogram().GetSampleCount()), m.GetHistogram().GetSampleSum()}
			case m.GetCounter() != nil:
				out[key] = sample{value: m.GetCounter().GetValue()}
			case m.GetGauge() != nil:
				out[key] = sample{value: m.GetGauge().GetValue()}
			}
		}
	}
	return out
}

func TestEveryMethodIsForwardedAndTimed(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := &fake{}
	s, err := storemetrics.New(f, reg)
	if err != nil {
		t.Fatal(err)
	}
	callAll(s)
	if calls := f.called(); !slices.Equal(calls, ops) {
		t.Errorf("the wrapped store saw %v, want %v", calls, ops)
	}
	durations := gather(t, reg, "jkngate_store_operation_duration_seconds")
	for _, op := range ops {
		if durations[op].value != 1 {
			t.Errorf("op %s timed %v times, want 1", op, durations[op].value)
		}
	}
	if len(durations) != len(ops) {
		t.Errorf("timed ops %v, want %v", durations, ops)
	}
	if errs := gather(t, reg, "jkngate_store_errors_total"); len(errs) != 0 {
		t.Errorf("errors counted without errors: %v", errs)
	}
	if g := gather(t, reg, "jkngate_callback_outbox_pending"); len(g) != 0 {
		t.Errorf("outbox gauge for a store that cannot count: %v", g)
	}
}

func TestErrorsAreCountedByKind(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := &fake{err: gate.Errorf(gate.KindUnavailable, "db_down", "connection refused")}
	s, err := storemetrics.New(f, reg)
	if err != nil {
		t.Fatal(err)
	}
	callAll(s)
	f.err = gate.Errorf(gate.KindNotFound, "not_found", "no such delivery")
	s.DecisionForWebhook(context.Background(), "c", "w")
	errs := gather(t, reg, "jkngate_store_errors_total")
	for _, op := range ops {
		if errs["unavailable,"+op].value != 1 {
			t.Errorf("%s unavailable errors = %v, want 1", op, errs["unavailable,"+op].value)
		}
	}
	if errs["not_found,decision_for_webhook"].value != 1 {
		t.Errorf("not_found errors = %v", errs)
	}
}

func TestEachDecisionLeavesOutTheCallersTime(t *testing.T) {
	// On the bubble's fake clock the consumer's 50 ms are exact and the store's
	// own time is zero, so the timing cannot flake on a loaded machine.
	synctest.Test(t, func(t *testing.T) {
		reg := prometheus.NewRegistry()
		s, err := storemetrics.New(&fake{}, reg)
		if err != nil {
			t.Fatal(err)
		}
		s.EachDecision(context.Background(), gate.DecisionFilter{}, func(gate.Decision) error {
			time.Sleep(50 * time.Millisecond)
			return nil
		})
		if got := gather(t, reg, "jkngate_store_operation_duration_seconds")["each_decision"]; got.value != 1 || got.sum >= 0.05 {
			t.Errorf("each_decision timed %v times, %vs in all; want once, without the 100ms in fn", got.value, got.sum)
		}
	})
}

func TestOverdueReviewsGauge(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := &fake{}
	if _, err := storemetrics.New(f, reg); err != nil {
		t.Fatal(err)
	}
	g := gather(t, reg, "jkngate_reviews_overdue")
	if len(g) != 1 {
		t.Fatalf("jkngate_reviews_overdue = %v, want one sample", g)
	}
	if calls := f.called(); !slices.Contains(calls, "count_reviews") {
		t.Errorf("the gauge did not count reviews: %v", calls)
	}
}

func TestOutboxGauge(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := &counting{fake: &fake{}, pending: 7}
	if _, err := storemetrics.New(c, reg); err != nil {
		t.Fatal(err)
	}
	if g := gather(t, reg, "jkngate_callback_outbox_pending"); g[""].value != 7 {
		t.Errorf("outbox gauge = %v, want 7", g)
	}
	c.err = gate.Errorf(gate.KindUnavailable, "db_down", "connection refused")
	if g := gather(t, reg, "jkngate_callback_outbox_pending"); len(g) != 0 {
		t.Errorf("outbox gauge while the store fails = %v, want it left out", g)
	}
	// Each gather counts again, the last one perhaps before or after
	// reading the counter.
	if e := gather(t, reg, "jkngate_store_errors_total")["unavailable,pending_callbacks"]; e.value < 1 {
		t.Errorf("pending_callbacks errors = %v, want at least 1", e.value)
	}
	// A second instance on the same registry shares the collectors.
	if _, err := storemetrics.New(c, reg); err != nil {
		t.Errorf("second New on one registry: %v", err)
	}
	if _, err := storemetrics.New(c, nil); err != nil {
		t.Errorf("New without a registry: %v", err)
	}
}

// reviewsAt is a fake that keeps the time its last CountReviews counted at.
type reviewsAt struct {
	*fake
	at time.Time
}

func (r *reviewsAt) CountReviews(_ context.Context, f gate.ReviewFilter) (int, error) {
	r.at = f.Now
	return 0, nil
}

// The overdue count is made at the decorator's clock, not the wall clock.
func TestOverdueReviewsGaugeCountsAtTheClock(t *testing.T) {
	reg := prometheus.NewRegistry()
	f := &reviewsAt{fake: &fake{}}
	s, err := storemetrics.New(f, reg)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return t0 }
	gather(t, reg, "jkngate_reviews_overdue")
	if !f.at.Equal(t0) {
		t.Fatalf("reviews counted at %v, want the clock's %v", f.at, t0)
	}
}

// writing is a fake with a group-commit writer's counts.
type writing struct {
	*fake
	stats batch.Snapshot
	ok    bool
}

func (w *writing) WriterStats() (batch.Snapshot, bool) { return w.stats, w.ok }

func TestWriterCounters(t *testing.T) {
	reg := prometheus.NewRegistry()
	w := &writing{fake: &fake{}, ok: true,
		stats: batch.Snapshot{Batches: 3, Decisions: 10, Busy: 1500 * time.Millisecond}}
	if _, err := storemetrics.New(w, reg); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{"jkngate_store_batches_total": 3,
		"jkngate_store_batched_decisions_total": 10, "jkngate_store_writer_busy_seconds_total": 1.5} {
		if g := gather(t, reg, name); g[""].value != want {
			t.Errorf("%s = %v, want %v", name, g, want)
		}
	}
	w.ok = false // a decorator over a store without a writer
	if g := gather(t, reg, "jkngate_store_batches_total"); len(g) != 0 {
		t.Errorf("batches without a writer = %v, want none", g)
	}

	plain := prometheus.NewRegistry()
	if _, err := storemetrics.New(&fake{}, plain); err != nil {
		t.Fatal(err)
	}
	if g := gather(t, plain, "jkngate_store_writer_busy_seconds_total"); len(g) != 0 {
		t.Errorf("a store without WriterStats reports %v, want nothing", g)
	}
}
