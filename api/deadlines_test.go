package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api"
)

// TestReviewDeadlinesThroughRouter: open reviews carry due_at, the queue
// comes soonest due first, and ?overdue=true lists those past due.
func TestReviewDeadlinesThroughRouter(t *testing.T) {
	p := newPeopleEnv(t)
	p.svc.Now = func() time.Time { return now.Add(-10 * 24 * time.Hour) }
	p.submit(t, "APP-OLD", nibUnknown, "1275")
	p.svc.Now = func() time.Time { return now }
	p.submit(t, "APP-NEW", nibUnknown, "1275")

	queue := decode[api.DecisionListJSON](t, p.as(t, admin, "GET", "/v1/reviews", nil))
	if ids := itemIDs(queue.Items); !slices.Equal(ids, []string{"APP-OLD", "APP-NEW"}) {
		t.Fatalf("queue %v, want the soonest due first", ids)
	}
	for _, d := range queue.Items {
		if d.Review == nil || d.Review.DueAt == nil {
			t.Fatalf("%s: open review without due_at: %+v", d.ApplicationID, d.Review)
		}
	}
	if !queue.Items[0].Review.Overdue || queue.Items[1].Review.Overdue {
		t.Errorf("overdue marks: %v, %v", queue.Items[0].Review.Overdue, queue.Items[1].Review.Overdue)
	}
	// 22 Nov 2026 10:00 UTC is Sunday 17:00 in Jakarta: Monday to Wednesday.
	if got := *queue.Items[1].Review.DueAt; got != "2026-11-25T17:00:00Z" {
		t.Errorf("due_at %s, want the end of Wednesday 25 Nov in Jakarta", got)
	}

	overdue := decode[api.DecisionListJSON](t, p.as(t, admin, "GET", "/v1/reviews?overdue=true", nil))
	if ids := itemIDs(overdue.Items); !slices.Equal(ids, []string{"APP-OLD"}) {
		t.Errorf("overdue %v, want only APP-OLD", ids)
	}
	for _, q := range []string{"?state=closed&overdue=true", "?overdue=yes"} {
		if rec := p.as(t, admin, "GET", "/v1/reviews"+q, nil); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", q, rec.Code)
		}
	}
}
