// Package callback delivers the callback outbox: it claims due
// decision.updated callbacks from a gate.Outbox, POSTs each, signed with
// Standard Webhooks, to the licensing system's callback URL, and stores the
// outcome with the retry schedule of README, "The people's API": callbacks.
//
// Callbacks never go to loopback, private, link-local or similar addresses
// unless AllowPrivate is set (JKNGATE_CALLBACK_ALLOW_PRIVATE); the check is
// made on the address actually dialled, so DNS rebinding cannot bypass it.
package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultLease       = time.Minute
	DefaultPoll        = time.Second
	DefaultBatch       = 16
	DefaultConcurrency = 4
	DefaultJitter      = 0.1
)

// NoJitter, as Config.Jitter, turns jitter off (zero means DefaultJitter).
const NoJitter = -1.0

// finishTimeout bounds storing an outcome, which is done even while Run is
// stopping so that a completed delivery is not sent again.
const finishTimeout = 5 * time.Second

// DecisionLoader loads the decision a callback sends. It returns a
// gate.KindNotFound error for an unknown id.
type DecisionLoader interface {
	Decision(ctx context.Context, id string) (gate.Decision, error)
}

// Config configures a Worker. Outbox, Decisions and Encode are required.
type Config struct {
	Outbox gate.Outbox
	// Decisions loads the decision to send.
	Decisions DecisionLoader
	// Encode renders the public decision document (the API's decision
	// response) as JSON; it becomes the callback's "data".
	Encode func(gate.Decision) ([]byte, error)
	// Secrets maps a client id to its first secret, which signs callbacks.
	Secrets map[string]standardwebhooks.Secret
	// AllowPrivate lets callbacks reach loopback and private addresses
	// (JKNGATE_CALLBACK_ALLOW_PRIVATE).
	AllowPrivate bool
	// Timeout bounds one attempt; default DefaultTimeout.
	Timeout time.Duration
	// Lease is how long a claimed callback is reserved; it must exceed
	// Timeout. Default DefaultLease.
	Lease time.Duration
	// Poll is how often Run looks for due callbacks; default DefaultPoll.
	Poll time.Duration
	// Batch is how many callbacks one pass claims; default DefaultBatch.
	Batch int
	// Concurrency is how many deliveries are in flight at once; default
	// DefaultConcurrency.
	Concurrency int
	// Jitter spreads each retry wait by up to +- this fraction, in [0, 1);
	// zero means DefaultJitter, NoJitter (any negative value) none.
	Jitter float64
	// Now is the clock; the system clock when nil.
	Now gate.Clock
	// HTTPClient, optional, is copied; the copy never follows redirects and,
	// unless AllowPrivate, dials through the address guard.
	HTTPClient *http.Client
	// Logger gets one line per attempt; default discards.
	Logger *slog.Logger
	// Senders deliver the outbox kinds other than decision.updated, by
	// kind; a kind with no sender is sent as decision.updated.
	Senders map[string]Sender
	// Metrics, optional, receives jkngate_callback_deliveries_total{result}
	// and jkngate_callback_delivery_duration_seconds.
	Metrics prometheus.Registerer
}

// Worker delivers due callbacks. Its methods are safe for concurrent use;
// several workers (replicas) may share one outbox, whose leases keep them
// from attempting the same callback at the same time.
type Worker struct {
	cfg     Config
	http    *http.Client
	metrics *metrics
	log     *slog.Logger
}

// New validates cfg, fills in defaults and returns a Worker. It returns an
// error when a required field is missing, a value is out of range, Lease
// does not exceed Timeout, HTTPClient cannot be guarded, or the metrics
// cannot be registered.
func New(cfg Config) (*Worker, error) {
	switch {
	case cfg.Outbox == nil:
		return nil, errors.New("callback: Outbox is required")
	case cfg.Decisions == nil:
		return nil, errors.New("callback: Decisions is required")
	case cfg.Encode == nil:
		return nil, errors.New("callback: Encode is required")
	case cfg.Timeout < 0, cfg.Lease < 0, cfg.Poll < 0, cfg.Batch < 0, cfg.Concurrency < 0:
		return nil, errors.New("callback: Timeout, Lease, Poll, Batch and Concurrency must not be negative")
	case cfg.Jitter >= 1:
		return nil, fmt.Errorf("callback: Jitter %v must be below 1", cfg.Jitter)
	}
	cfg.Timeout = orDefault(cfg.Timeout, DefaultTimeout)
	cfg.Lease = orDefault(cfg.Lease, DefaultLease)
	cfg.Poll = orDefault(cfg.Poll, DefaultPoll)
	cfg.Batch = orDefault(cfg.Batch, DefaultBatch)
	cfg.Concurrency = orDefault(cfg.Concurrency, DefaultConcurrency)
	switch {
	case cfg.Jitter == 0:
		cfg.Jitter = DefaultJitter
	case cfg.Jitter < 0:
		cfg.Jitter = 0
	}
	if cfg.Lease <= cfg.Timeout+finishTimeout {
		return nil, fmt.Errorf("callback: Lease %s must exceed Timeout %s by more than %s, or a slow attempt could be claimed again while in flight",
			cfg.Lease, cfg.Timeout, finishTimeout)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	client, err := newHTTPClient(cfg.HTTPClient, cfg.AllowPrivate)
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, fmt.Errorf("callback: registering metrics: %w", err)
	}
	return &Worker{cfg: cfg, http: client, metrics: m, log: cfg.Logger}, nil
}

func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// Run delivers due callbacks until ctx ends, then returns nil once the
// attempts in flight have finished or been abandoned (an abandoned callback
// keeps its lease, which expires, and is attempted again by a later pass of
// this or another worker). Failures to claim or to store outcomes are logged
// and retried on the next poll.
func (w *Worker) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		n, err := w.DeliverDue(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Error("callback pass failed", "err", err)
		}
		if n == w.cfg.Batch && err == nil {
			timer.Reset(0) // a full batch: more may be waiting
		} else {
			timer.Reset(w.cfg.Poll)
		}
	}
}

// DeliverDue makes one pass: it claims up to Batch due callbacks, attempts
// them with at most Concurrency in flight, and stores each outcome. It
// returns how many callbacks it claimed, and an error when claiming failed
// or some outcome could not be stored (those callbacks are attempted again
// when their lease expires). Callbacks still waiting for a slot when ctx
// ends, or so late that their lease could expire mid-attempt, are
// abandoned to their lease.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	claimedAt := w.cfg.Now.Now()
	due, err := w.cfg.Outbox.ClaimCallbacks(ctx, claimedAt, w.cfg.Lease, w.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("claiming callbacks: %w", err)
	}
	// An attempt started after this may not be finished within the lease.
	latestStart := claimedAt.Add(w.cfg.Lease - w.cfg.Timeout - finishTimeout)

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		sem  = make(chan struct{}, w.cfg.Concurrency)
	)
	for _, c := range due {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		if w.cfg.Now.Now().After(latestStart) {
			<-sem
			w.log.Warn("callback left to its lease: claimed too long ago", "callback_id", c.ID)
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := w.attempt(ctx, c); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return len(due), errors.Join(errs...)
}

// attempt delivers c once and stores the outcome, unless ctx ended before
// the receiver answered: then the callback is left to its lease.
func (w *Worker) attempt(ctx context.Context, c gate.Callback) error {
	out, ok := w.deliver(ctx, c)
	if !ok {
		return nil
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if err := w.cfg.Outbox.FinishCallback(fctx, out); err != nil {
		w.log.Error("storing callback outcome failed", "callback_id", c.ID, "state", string(out.State), "err", err)
		return fmt.Errorf("finishing callback %s: %w", c.ID, err)
	}
	return nil
}
