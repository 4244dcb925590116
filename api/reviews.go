package api

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/gate"
)

// codeInvalidReview is a review action's 422 code (gate uses it too).
const codeInvalidReview = "invalid_review"

// maxReviewBody bounds a review action's body; the note is at most 2,000
// characters.
const maxReviewBody = 64 << 10

// listReviews is GET /v1/reviews?state=open|closed: the review queue (open,
// the default) or the reviewed decisions (closed).
func (s *server) listReviews(c echo.Context, a gate.Actor) error {
	q := newQuery(c.QueryParams(), "state", "limit", "cursor")
	f := gate.ReviewFilter{
		State: q.check("state", func(v string) bool { return v == gate.ReviewOpen || v == gate.ReviewClosed },
			"must be open or closed"),
		Limit: q.limit(),
		After: q.cursor(decisionIDPrefix),
	}
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.peopleSvc.Reviews(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, decisionList(items, next))
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
	obj, err := decodeJSONObject(body, codeInvalidReview, "the review action")
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
		return &gate.Error{Kind: gate.KindInvalid, Code: codeInvalidReview, Message: "the review action is invalid",
			Fields: fields}
	}
	id, err := decisionIDParam(c)
	if err != nil {
		return err
	}
	d, err := s.peopleSvc.Review(c.Request().Context(), a, id, action, note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DecisionResponse(d))
}
