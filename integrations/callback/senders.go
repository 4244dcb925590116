package callback

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// Sender delivers outbox messages of a kind other than decision.updated
// (OSS's receiveLicenseStatus, for one), under the same leases, retry
// schedule and metrics.
type Sender interface {
	// Send makes one attempt at delivering c, which reports d, within ctx
	// (bounded by the worker's Timeout), and says how it went.
	Send(ctx context.Context, c gate.Callback, d gate.Decision) SendResult
}

// SendResult is the outcome of one Sender attempt.
type SendResult struct {
	Status     int           // HTTP status; 0 without a response
	Err        string        // empty when delivered
	Permanent  bool          // failed at once: never retried
	RetryAfter time.Duration // the receiver asked to wait this long
}

// sendWith makes one attempt at c through s.
func (w *Worker) sendWith(ctx context.Context, c gate.Callback, s Sender) result {
	d, err := w.cfg.Decisions.Decision(ctx, c.DecisionID)
	switch {
	case errors.Is(err, gate.ErrNotFound):
		return result{err: fmt.Sprintf("decision %s not found", c.DecisionID), permanent: true}
	case err != nil:
		return result{err: "loading the decision: " + err.Error()}
	}
	actx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	start := time.Now()
	r := s.Send(actx, c, d)
	w.metrics.duration.Observe(time.Since(start).Seconds())
	return result{status: r.Status, err: r.Err, permanent: r.Permanent, retryAfter: r.RetryAfter}
}
