// Package storemetrics instruments a decision store with Prometheus
// metrics: a decorator times every store operation
// (jkngate_store_operation_duration_seconds{op}) and counts its errors by
// gate error kind (jkngate_store_errors_total{op,kind}), and, when the store
// can count its outbox, a gauge reports the callbacks waiting for delivery
// at scrape time (jkngate_callback_outbox_pending), and when it can count its
// due rechecks, another reports them (jkngate_recheck_backlog). When its
// RecordDecision goes through a group-commit writer, counters report the
// writer's batches, the decisions they held and the time they held it
// (jkngate_store_batches_total, jkngate_store_batched_decisions_total,
// jkngate_store_writer_busy_seconds_total).
package storemetrics

import (
	"cmp"
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/batch"
	"github.com/jkngate/jkngate/integrations/support/promreg"
)

// Store is everything the gate, the people's API, the callback worker and
// the recheck need from a store.
type Store interface {
	gate.PeopleStore
	gate.Outbox
	gate.RecheckQueue
}

// PendingCounter is implemented by stores that can count the callbacks
// waiting for delivery (the SQLite and PostgreSQL stores).
type PendingCounter interface {
	PendingCallbacks(ctx context.Context) (int, error)
}

// WriterMeter is implemented by stores whose RecordDecision goes through a
// single group-commit writer (the SQLite and PostgreSQL stores); ok is false
// when it does not (a decorator over another store).
type WriterMeter interface {
	WriterStats() (stats batch.Snapshot, ok bool)
}

// RecheckCounter is implemented by stores that can count the rechecks due
// at a time (the SQLite and PostgreSQL stores).
type RecheckCounter interface {
	DueRechecks(ctx context.Context, now time.Time) (int, error)
}

// ScrapeTimeout bounds the count of pending callbacks made at scrape time,
// so that a slow store slows a scrape by at most this much.
const ScrapeTimeout = time.Second

// opPending and opDueRechecks are the op labels of PendingCallbacks and
// DueRechecks. The overdue reviews gauge has none: its count is
// CountReviews, timed as such when callers use it.
const (
	opPending     = "pending_callbacks"
	opDueRechecks = "due_rechecks"
)

// overdueReviews counts the open reviews past due now, in every region.
func (s *Instrumented) overdueReviews(ctx context.Context) (int, error) {
	return s.next.CountReviews(ctx, gate.ReviewFilter{Scope: gate.Scope{All: true}, State: gate.ReviewOpen,
		Overdue: true, Now: s.Now.Now()})
}

var _ Store = (*Instrumented)(nil)

// Instrumented is a Store that passes every call to the store it wraps and
// records its duration and error. It is safe for concurrent use when the
// wrapped store is.
type Instrumented struct {
	// Now is the clock of the counts made at scrape time (reviews overdue,
	// rechecks due); the system clock when nil. Set it before the first
	// scrape.
	Now gate.Clock

	next     Store
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
}

// New wraps next and registers the collectors on reg (none when reg is
// nil). A collector already registered there (another Instrumented in the
// same process) is shared; another registration error is returned.
func New(next Store, reg prometheus.Registerer) (*Instrumented, error) {
	s := &Instrumented{
		next: next,
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "jkngate_store_operation_duration_seconds",
			Help:    "Duration of decision store operations by operation (method).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"op"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jkngate_store_errors_total",
			Help: "Errors of decision store operations by operation and gate error kind " +
				"(not_found and conflict are answers, unavailable and internal are failures).",
		}, []string{"op", "kind"}),
	}
	if reg == nil {
		return s, nil
	}
	var errDuration, errErrors, errPending, errBacklog, errOverdue, errWriter error
	s.duration, errDuration = promreg.Register(reg, s.duration)
	s.errors, errErrors = promreg.Register(reg, s.errors)
	if pc, ok := next.(PendingCounter); ok {
		_, errPending = promreg.Register(reg, &pendingCollector{store: s, count: pc.PendingCallbacks, op: opPending,
			desc: prometheus.NewDesc("jkngate_callback_outbox_pending",
				"Callbacks waiting for delivery (pending, including those being retried), counted at scrape time.",
				nil, nil)})
	}
	if rc, ok := next.(RecheckCounter); ok {
		count := func(ctx context.Context) (int, error) { return rc.DueRechecks(ctx, s.Now.Now()) }
		_, errBacklog = promreg.Register(reg, &pendingCollector{store: s, count: count, op: opDueRechecks,
			desc: prometheus.NewDesc("jkngate_recheck_backlog",
				"Rechecks of REGISTRY_UNAVAILABLE decisions that are due (being worked or waiting for a turn), counted at scrape time.",
				nil, nil)})
	}
	if wm, ok := next.(WriterMeter); ok {
		_, errWriter = promreg.Register(reg, newWriterCollector(wm))
	}
	_, errOverdue = promreg.Register(reg, &pendingCollector{store: s, count: s.overdueReviews,
		desc: prometheus.NewDesc("jkngate_reviews_overdue",
			"Open reviews past their due time (review_due_working_days), counted at scrape time: "+
				"past the licensing deadline a permit may be approved automatically.",
			nil, nil)})
	if err := cmp.Or(errDuration, errErrors, errPending, errBacklog, errOverdue, errWriter); err != nil {
		return nil, err
	}
	return s, nil
}

// observe records one operation that started at start and ended with err.
func (s *Instrumented) observe(op string, start time.Time, err error) {
	s.duration.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if err != nil {
		s.errors.WithLabelValues(op, gate.KindOf(err).String()).Inc()
	}
}

// pendingCollector reports a count made at scrape time (the outbox depth,
// the recheck backlog, the overdue reviews). It counts at scrape time, within
// ScrapeTimeout; when the count fails the gauge is left out of that scrape
// (and the error counted), rather than failing the whole scrape.
type pendingCollector struct {
	store *Instrumented
	count func(context.Context) (int, error)
	op    string // the op label of count's duration and errors; "" is not timed
	desc  *prometheus.Desc
}

// Describe implements prometheus.Collector.
func (c *pendingCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *pendingCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), ScrapeTimeout)
	defer cancel()
	start := time.Now()
	n, err := c.count(ctx)
	if c.op != "" { // a count without an op of its own is not timed
		c.store.observe(c.op, start, err)
	}
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}

// writerCollector reports a store's group-commit writer counts, read at
// scrape time. A store without a writer reports nothing.
type writerCollector struct {
	store                    WriterMeter
	batches, decisions, busy *prometheus.Desc
}

func newWriterCollector(store WriterMeter) *writerCollector {
	return &writerCollector{store: store,
		batches: prometheus.NewDesc("jkngate_store_batches_total",
			"Batches the store's group-commit writer recorded (one transaction each; a lone decision is a batch of one).",
			nil, nil),
		decisions: prometheus.NewDesc("jkngate_store_batched_decisions_total",
			"Decisions the store's group-commit writer took into its batches.", nil, nil),
		busy: prometheus.NewDesc("jkngate_store_writer_busy_seconds_total",
			"Time the store's single group-commit writer spent recording batches: its rate is the writer's "+
				"utilization; near 1, webhooks queue for it (see the README's capacity notes).",
			nil, nil),
	}
}

func (c *writerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.batches
	ch <- c.decisions
	ch <- c.busy
}

func (c *writerCollector) Collect(ch chan<- prometheus.Metric) {
	st, ok := c.store.WriterStats()
	if !ok {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.batches, prometheus.CounterValue, float64(st.Batches))
	ch <- prometheus.MustNewConstMetric(c.decisions, prometheus.CounterValue, float64(st.Decisions))
	ch <- prometheus.MustNewConstMetric(c.busy, prometheus.CounterValue, st.Busy.Seconds())
}
