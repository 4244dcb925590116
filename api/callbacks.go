package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/gate"
)

// CallbackListJSON is a page of outbound deliveries, newest first.
type CallbackListJSON = ListJSON[CallbackJSON]

// CallbackJSON is one outbound delivery as admins see it. URL carries no
// user information and no query values (they may hold the receiver's
// secrets). NextAttemptAt is null unless the delivery is pending;
// DeliveredAt is null until it is delivered.
type CallbackJSON struct {
	ID            string  `json:"id"`
	DecisionID    string  `json:"decision_id"`
	ApplicationID string  `json:"application_id"`
	Kind          string  `json:"kind"`
	URL           string  `json:"url"`
	State         string  `json:"state"`
	Attempts      int     `json:"attempts"`
	LastError     *string `json:"last_error"`
	NextAttemptAt *string `json:"next_attempt_at"`
	DeliveredAt   *string `json:"delivered_at"`
	CreatedAt     string  `json:"created_at"`
}

// CallbackResponse maps a delivery to its public document.
func CallbackResponse(c gate.Callback) CallbackJSON {
	kind := c.Kind
	if kind == "" {
		kind = gate.CallbackKindDecisionUpdated
	}
	out := CallbackJSON{ID: c.ID, DecisionID: c.DecisionID, ApplicationID: c.ApplicationID, Kind: kind,
		URL: gate.RedactURL(c.URL), State: string(c.State), Attempts: c.Attempts,
		CreatedAt: c.CreatedAt.UTC().Format(decidedAtLayout)}
	if c.LastError != "" {
		out.LastError = &c.LastError
	}
	if c.State == gate.CallbackPending {
		out.NextAttemptAt = timeJSON(c.NextAttempt)
	}
	out.DeliveredAt = timeJSON(c.DeliveredAt)
	return out
}

func timeJSON(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(decidedAtLayout)
	return &s
}

// listCallbacks is GET /v1/callbacks (admins): filter state, with limit and
// cursor.
func (s *server) listCallbacks(c echo.Context, a gate.Actor) error {
	q := newQuery(c.QueryParams(), "state", "limit", "cursor")
	f := gate.CallbackFilter{
		State: gate.CallbackState(q.check("state", func(v string) bool {
			return v == string(gate.CallbackPending) || v == string(gate.CallbackDelivered) || v == string(gate.CallbackFailed)
		}, "must be pending, delivered or failed")),
		Limit: q.limit(),
		After: q.cursor(gate.ValidCallbackID),
	}
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.peopleSvc.Callbacks(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listJSON(items, next, CallbackResponse))
}

// retryCallback is POST /v1/callbacks/:id/retry (admins): a failed delivery
// is attempted again at once. It answers the delivery, now pending; 404 for
// an unknown id, 409 not_failed when it is pending or delivered.
func (s *server) retryCallback(c echo.Context, a gate.Actor) error {
	id := c.Param("id")
	if !gate.ValidCallbackID(id) {
		return &gate.Error{Kind: gate.KindNotFound, Code: gate.CodeNotFound, Message: "callback not found"}
	}
	cb, err := s.peopleSvc.RetryCallback(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, CallbackResponse(cb))
}
