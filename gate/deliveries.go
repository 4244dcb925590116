package gate

import (
	"context"
	"net/url"
	"time"
)

// CallbackFilter selects outbound deliveries for the admin's listing.
type CallbackFilter struct {
	State CallbackState // empty: every state
	Limit int
	// After is a keyset cursor: only deliveries with an ID smaller than
	// After (that is, created earlier) are returned. Empty means from the
	// newest.
	After string
}

// DeliveryStore lets admins inspect and retry outbound deliveries.
type DeliveryStore interface {
	// ListCallbacks returns the deliveries matching f, newest first (by
	// ID, which sorts by creation time), at most f.Limit, each with its
	// decision's ApplicationID.
	ListCallbacks(ctx context.Context, f CallbackFilter) ([]Callback, error)
	// RetryCallback puts the failed delivery id back in the queue, due at
	// now (pending, NextAttempt now, no lease), and returns it. Its
	// Attempts and LastError are kept: they are its history.
	//
	// Errors: KindNotFound when there is no such delivery; KindConflict
	// with code "not_failed" when it is not failed (pending or delivered),
	// also when a concurrent retry won.
	RetryCallback(ctx context.Context, id string, now time.Time) (Callback, error)
}

// Callbacks lists outbound deliveries (admins only; the API enforces the
// role), newest first; next is the cursor of the following page, empty on
// the last. Errors: KindInvalid for an unknown state.
func (p *People) Callbacks(ctx context.Context, a Actor, f CallbackFilter) (items []Callback, next string, err error) {
	switch f.State {
	case "", CallbackPending, CallbackDelivered, CallbackFailed:
	default:
		return nil, "", &Error{Kind: KindInvalid, Code: CodeInvalidQuery, Message: "state must be pending, delivered or failed",
			Fields: []FieldError{{Field: "state", Message: "must be pending, delivered or failed"}}}
	}
	f.Limit = pageSize(f.Limit)
	items, err = p.Store.ListCallbacks(ctx, f)
	if err != nil {
		return nil, "", err
	}
	if len(items) == f.Limit {
		next = items[len(items)-1].ID
	}
	if err := p.audit(ctx, a, "callbacks.list", "callbacks", "", string(f.State)); err != nil {
		return nil, "", err
	}
	return items, next, nil
}

// RetryCallback re-queues a failed delivery to be attempted at once (admins
// only; the API enforces the role). Errors: KindNotFound for an unknown
// delivery, KindConflict "not_failed" when it is pending or delivered.
func (p *People) RetryCallback(ctx context.Context, a Actor, id string) (Callback, error) {
	c, err := p.Store.RetryCallback(ctx, id, p.gate().now())
	if KindOf(err) == KindNotFound {
		return Callback{}, notFound("callback")
	}
	if err != nil {
		return Callback{}, err
	}
	// The retry is done: a trail row that cannot be written is logged (by
	// audit) rather than undoing it, as for a committed review.
	_ = p.audit(ctx, a, "callback.retry", "callback", id, "")
	return c, nil
}

// RedactURL returns u fit to be shown: without user information, and with
// every query value replaced by "redacted" (a receiver's token often rides
// in the query). An unparsable URL is shown as "(unparsable URL)".
func RedactURL(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	parsed.User = nil
	parsed.Fragment, parsed.RawFragment = "", ""
	if parsed.RawQuery != "" {
		q := parsed.Query()
		for k, vs := range q {
			for i := range vs {
				vs[i] = "redacted"
			}
			q[k] = vs
		}
		parsed.RawQuery = q.Encode()
	}
	return parsed.String()
}
