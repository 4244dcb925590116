package callback

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
)

// EventType is the type of every callback message.
const EventType = "decision.updated"

// UserAgent identifies jkngate to the receiver.
const UserAgent = "jkngate-callback/1"

// maxResponseBody is how much of a response is read (and discarded), so
// that the connection can be reused without trusting the receiver's size.
const maxResponseBody = 64 << 10

// minWait is the shortest wait before a retry, whatever the jitter.
const minWait = time.Second

// message is the callback body (README, "The people's API": callbacks).
type message struct {
	Type      string          `json:"type"`
	Timestamp string          `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
}

// result is what one attempt came to, before it is applied to the callback.
type result struct {
	status     int           // HTTP status; 0 when there was no response
	retryAfter time.Duration // from Retry-After, when sent
	err        string        // for LastError; "" when delivered
	permanent  bool          // do not retry
}

// deliver makes one attempt at c and returns c updated with its outcome. ok
// is false when ctx ended before an outcome was known: the attempt is then
// abandoned and c left to its lease.
func (w *Worker) deliver(ctx context.Context, c gate.Callback) (out gate.Callback, ok bool) {
	host := hostOf(c.URL)
	res := w.send(ctx, c)
	if res.status == 0 && res.err != "" && !res.permanent && ctx.Err() != nil {
		w.log.Info("callback attempt abandoned: stopping", "callback_id", c.ID, "decision_id", c.DecisionID)
		return c, false
	}

	now := w.cfg.Now.Now()
	c.Attempts++
	c.LastError = res.err
	outcome := resultDelivered
	switch {
	case res.err == "":
		c.State, c.DeliveredAt = gate.CallbackDelivered, now
	case res.status == http.StatusGone:
		c.State, outcome = gate.CallbackFailed, resultGone
	case res.permanent:
		c.State, outcome = gate.CallbackFailed, resultFailed
	default:
		wait, more := gate.NextCallbackAttempt(c.Attempts, res.retryAfter)
		if !more {
			c.State, outcome = gate.CallbackFailed, resultFailed
			break
		}
		c.State, outcome = gate.CallbackPending, resultRetry
		c.NextAttempt = now.Add(w.jitter(wait, res.retryAfter))
	}
	w.metrics.deliveries.WithLabelValues(outcome).Inc()

	attrs := []any{"callback_id", c.ID, "decision_id", c.DecisionID, "client_id", c.ClientID,
		"host", host, "status", res.status, "attempt", c.Attempts, "result", outcome}
	switch outcome {
	case resultDelivered:
		w.log.Info("callback delivered", attrs...)
	case resultRetry:
		w.log.Warn("callback attempt failed; will retry", append(attrs, "next_attempt", c.NextAttempt, "err", res.err)...)
	default:
		w.log.Error("callback failed; giving up", append(attrs, "err", res.err)...)
	}
	return c, true
}

// send builds, signs and POSTs c's message.
func (w *Worker) send(ctx context.Context, c gate.Callback) result {
	if s, ok := w.cfg.Senders[c.Kind]; ok {
		return w.sendWith(ctx, c, s)
	}
	key, ok := w.cfg.Secrets[c.ClientID]
	if !ok || key.IsZero() {
		return result{err: fmt.Sprintf("no signing secret for client %q", c.ClientID), permanent: true}
	}
	if err := CheckURL(c.URL, w.cfg.AllowPrivate); err != nil {
		return result{err: err.Error(), permanent: true}
	}
	d, err := w.cfg.Decisions.Decision(ctx, c.DecisionID)
	switch {
	case errors.Is(err, gate.ErrNotFound):
		return result{err: fmt.Sprintf("decision %s not found", c.DecisionID), permanent: true}
	case err != nil:
		return result{err: "loading the decision: " + err.Error()}
	}
	data, err := w.cfg.Encode(d)
	if err != nil {
		return result{err: "encoding the decision: " + err.Error(), permanent: true}
	}
	now := w.cfg.Now.Now()
	body, err := json.Marshal(message{Type: EventType, Timestamp: now.UTC().Format(time.RFC3339), Data: data})
	if err != nil {
		return result{err: "encoding the decision: " + err.Error(), permanent: true}
	}

	actx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return result{err: "building the request: " + stripURL(err).Error(), permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	// The callback id is the message id, the same on every attempt, so the
	// receiver can recognise a retry of a message it has already handled.
	standardwebhooks.SetHeaders(req.Header, key, c.ID, now, body)

	start := time.Now()
	resp, err := w.http.Do(req)
	w.metrics.duration.Observe(time.Since(start).Seconds())
	if err != nil {
		switch {
		case errors.Is(err, ErrRefusedAddress):
			return result{err: stripURL(err).Error(), permanent: true}
		case errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
			return result{err: fmt.Sprintf("no answer within %s", w.cfg.Timeout)}
		}
		return result{err: stripURL(err).Error()}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBody))
	resp.Body.Close()

	res := result{status: resp.StatusCode}
	switch code := resp.StatusCode; {
	case code >= 200 && code <= 299:
		return res
	case code >= 300 && code <= 399:
		res.err = statusText(code) + " (redirects are not followed)"
	default:
		res.err = statusText(code)
	}
	res.retryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), w.cfg.Now.Now())
	return res
}

// jitter spreads wait by up to +- the configured fraction, so that
// callbacks failed together are not retried together. It never waits less
// than minWait, nor less than what the receiver asked for in Retry-After.
func (w *Worker) jitter(wait, retryAfter time.Duration) time.Duration {
	if j := w.cfg.Jitter; j > 0 {
		wait += time.Duration((rand.Float64()*2 - 1) * j * float64(wait))
	}
	return max(wait, retryAfter, minWait)
}

// parseRetryAfter reads Retry-After as delay seconds or an HTTP date. It
// returns 0 when the header is absent, malformed or in the past, and caps
// the wait at the schedule's longest step, so that a receiver cannot park a
// callback indefinitely.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		d = time.Duration(min(secs, 1<<32)) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	longest := gate.CallbackRetrySchedule[len(gate.CallbackRetrySchedule)-1]
	return min(max(d, 0), longest)
}

// statusText renders a status as "410 Gone".
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return "HTTP " + strconv.Itoa(code)
}

// hostOf returns the host of raw for logs: never the path or query, which
// may carry tokens.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return "(unparsable)"
}

// stripURL drops the URL (and so any token in its query) that net/http puts
// in its errors.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
