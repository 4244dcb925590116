package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/gate"
)

// maxReviewBody bounds a review action's body; the note is at most 2,000
// characters.
const maxReviewBody = 64 << 10

// listReviews is GET /v1/reviews?state=open|closed&overdue=true: the review
// queue (open, the default, soonest due first; overdue=true keeps those past
// due) or the reviewed decisions (closed, newest first).
func (s *server) listReviews(c echo.Context, a gate.Actor) error {
	q := newQuery(c.QueryParams(), "state", "overdue", "limit", "cursor")
	f := gate.ReviewFilter{
		State: gate.ReviewState(q.check("state", func(v string) bool { _, ok := gate.ParseReviewState(v); return ok },
			"must be open or closed")),
		Overdue: q.check("overdue", func(v string) bool { return v == "true" || v == "false" },
			"must be true or false") == "true",
		Limit: q.limit(),
		After: q.cursor(gate.ValidDecisionID),
	}
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.peopleSvc.Reviews(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	list := decisionList(items, next)
	markOverdue(list.Items, items, s.now())
	return c.JSON(http.StatusOK, list)
}

// reviewDecision is POST /v1/decisions/:decision_id/review with
// {"action":"uphold|override|reevaluate","note":"..."}. It answers the
// decision that now stands; gate answers invalid_review (422), not_found
// and already_reviewed (409).
func (s *server) reviewDecision(c echo.Context, a gate.Actor) error {
	body, err := readBody(c.Request(), maxReviewBody)
	if err != nil {
		return err
	}
	obj, err := decodeJSONObject(body, gate.CodeInvalidReview, "the review action")
	if err != nil {
		return err
	}
	var action, note string
	fields := misspeltKeys(obj, "", []string{"action", "note"})
	for _, f := range []struct {
		name string
		dst  *string
	}{{"action", &action}, {"note", &note}} {
		if raw := obj[f.name]; !isNull(raw) && json.Unmarshal(raw, f.dst) != nil {
			fields = append(fields, gate.FieldError{Field: f.name, Message: "must be a string"})
		}
	}
	if len(fields) > 0 {
		return &gate.Error{Kind: gate.KindInvalid, Code: gate.CodeInvalidReview, Message: "the review action is invalid",
			Fields: fields}
	}
	id, err := decisionIDParam(c)
	if err != nil {
		return err
	}
	d, err := s.peopleSvc.Review(c.Request().Context(), a, id, gate.ReviewAction(action), note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DecisionResponse(d))
}

// markOverdue sets overdue on the open reviews of a listing that are past
// due at now.
func markOverdue(out []DecisionJSON, items []gate.Decision, now time.Time) {
	for i, d := range items {
		if out[i].Review != nil && d.Review.Overdue(now) {
			out[i].Review.Overdue = true
		}
	}
}
