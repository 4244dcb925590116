package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/gate"
)

// DecisionListJSON is a page of decisions, newest first: GET /v1/decisions
// and GET /v1/reviews. NextCursor is null on the last page.
type DecisionListJSON = ListJSON[DecisionJSON]

func decisionList(items []gate.Decision, next string) DecisionListJSON {
	return listJSON(items, next, DecisionResponse)
}

// listDecisions is GET /v1/decisions.
func (s *server) listDecisions(c echo.Context, a gate.Actor) error {
	f, err := decisionFilter(c.QueryParams(), true)
	if err != nil {
		return err
	}
	items, next, err := s.peopleSvc.Decisions(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, decisionList(items, next))
}

// getDecision is GET /v1/decisions/:decision_id. A decision outside the
// caller's regions is not_found, like one that does not exist.
func (s *server) getDecision(c echo.Context, a gate.Actor) error {
	id, err := decisionIDParam(c)
	if err != nil {
		return err
	}
	d, err := s.peopleSvc.Decision(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, DecisionResponse(d))
}

// decisionIDParam returns the path's decision id. One that is not of a
// decision id's form (dec_ and a ULID) cannot exist: it is not_found
// before any store sees it, so that every store answers the same (a NUL
// or invalid UTF-8 is an error to PostgreSQL and no match to SQLite).
func decisionIDParam(c echo.Context) (string, error) {
	id := c.Param("decision_id")
	if !gate.ValidDecisionID(id) {
		return "", &gate.Error{Kind: gate.KindNotFound, Code: gate.CodeNotFound, Message: "decision not found"}
	}
	return id, nil
}
