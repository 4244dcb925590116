package storetest

import (
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// listCallbacks lists deliveries or fails the test.
func listCallbacks(t *testing.T, s PeopleStore, f gate.CallbackFilter) []gate.Callback {
	t.Helper()
	return listed(t, "ListCallbacks", s.ListCallbacks, f)
}

// testDeliveries covers the admin's view of the outbox: listing by state,
// newest first, paged by cursor, with the decision's application, the kind
// and the delivery time; and retrying a failed delivery.
func testDeliveries(t *testing.T, s PeopleStore) {
	d := enqueue(t, s, 4, func(int) time.Time { return t0 })
	byURL := map[string]gate.Callback{}
	for _, c := range claimCallbacks(t, s, t0, time.Minute, 10) {
		byURL[c.URL] = c
	}
	finish := func(i int, state gate.CallbackState, next time.Time, lastError string) {
		t.Helper()
		c := byURL[hookURLs(i, i+1)[0]]
		c.State, c.Attempts, c.NextAttempt, c.LastError = state, 1, next, lastError
		if state == gate.CallbackDelivered {
			c.DeliveredAt = t0.Add(time.Second)
		}
		if err := s.FinishCallback(t.Context(), c); err != nil {
			t.Fatalf("FinishCallback(%d): %v", i, err)
		}
	}
	finish(0, gate.CallbackDelivered, t0, "")
	finish(1, gate.CallbackFailed, t0, "HTTP 410")
	finish(2, gate.CallbackPending, t0.Add(5*time.Second), "HTTP 503")
	finish(3, gate.CallbackFailed, t0, "no answer within 10s")

	all := listCallbacks(t, s, gate.CallbackFilter{Limit: 10})
	checkIDs(t, "every delivery, newest first", urls(all), []string{hookURLs(3, 4)[0], hookURLs(2, 3)[0],
		hookURLs(1, 2)[0], hookURLs(0, 1)[0]})
	for _, c := range all {
		if c.ApplicationID != d.ApplicationID || c.DecisionID != d.ID || c.Kind != gate.CallbackKindDecisionUpdated ||
			c.Attempts != 1 || c.CreatedAt.IsZero() {
			t.Errorf("listed %+v, want application %s, decision %s, kind decision.updated, 1 attempt",
				c, d.ApplicationID, d.ID)
		}
		if delivered := c.State == gate.CallbackDelivered; delivered != !c.DeliveredAt.IsZero() ||
			(delivered && !near(c.DeliveredAt, t0.Add(time.Second))) {
			t.Errorf("%s: state %s with DeliveredAt %v, want t0+1s when delivered only", c.URL, c.State, c.DeliveredAt)
		}
	}
	if len(all) == 4 && all[0].LastError != "no answer within 10s" {
		t.Errorf("LastError = %q, want the stored one", all[0].LastError)
	}
	checkIDs(t, "failed", urls(listCallbacks(t, s, gate.CallbackFilter{State: gate.CallbackFailed, Limit: 10})),
		[]string{hookURLs(3, 4)[0], hookURLs(1, 2)[0]})
	checkIDs(t, "pending", urls(listCallbacks(t, s, gate.CallbackFilter{State: gate.CallbackPending, Limit: 10})),
		hookURLs(2, 3))
	checkIDs(t, "delivered", urls(listCallbacks(t, s, gate.CallbackFilter{State: gate.CallbackDelivered, Limit: 10})),
		hookURLs(0, 1))

	// Pages by cursor, without overlap.
	page := listCallbacks(t, s, gate.CallbackFilter{Limit: 3})
	if len(page) == 3 {
		rest := listCallbacks(t, s, gate.CallbackFilter{Limit: 3, After: page[2].ID})
		checkIDs(t, "second page", urls(rest), hookURLs(0, 1))
	} else {
		t.Errorf("first page has %d deliveries, want 3", len(page))
	}

	// Retry: a failed delivery is pending again and due at once.
	failed := byURL[hookURLs(1, 2)[0]]
	at := t0.Add(time.Hour)
	c, err := s.RetryCallback(t.Context(), failed.ID, at)
	if err != nil {
		t.Fatalf("RetryCallback of a failed delivery: %v", err)
	}
	if c.State != gate.CallbackPending || !near(c.NextAttempt, at) || c.Attempts != 1 || c.LastError != "HTTP 410" ||
		c.ApplicationID != d.ApplicationID {
		t.Errorf("retried = %+v, want pending, due at +1h, attempts and last error kept", c)
	}
	checkIDs(t, "claimable after the retry", urls(claimCallbacks(t, s, at, time.Minute, 10)),
		[]string{hookURLs(2, 3)[0], hookURLs(1, 2)[0]}) // the longest due first
	checkIDs(t, "failed after the retry", urls(listCallbacks(t, s, gate.CallbackFilter{State: gate.CallbackFailed, Limit: 10})),
		hookURLs(3, 4))

	_, err = s.RetryCallback(t.Context(), failed.ID, at)
	checkCode(t, "RetryCallback of a pending delivery", err, gate.KindConflict, "not_failed")
	_, err = s.RetryCallback(t.Context(), byURL[hookURLs(0, 1)[0]].ID, at)
	checkCode(t, "RetryCallback of a delivered delivery", err, gate.KindConflict, "not_failed")
	_, err = s.RetryCallback(t.Context(), "cb_01JD0000000000000000000000", at)
	checkCode(t, "RetryCallback of an unknown delivery", err, gate.KindNotFound, "")
}
