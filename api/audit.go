package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/gate"
)

// AuditListJSON is a page of the access trail, newest first.
type AuditListJSON = ListJSON[AuditEntryJSON]

// AuditEntryJSON is one access: who (the token's sub) did what to which
// resource, when, with the query or the review note as detail.
type AuditEntryJSON struct {
	ID         string `json:"id"`
	At         string `json:"at"`
	Actor      string `json:"actor"`
	Action     string `json:"action"`
	Resource   string `json:"resource"`
	ResourceID string `json:"resource_id"`
	Detail     string `json:"detail"`
}

// listAudit is GET /v1/audit (admins): filters actor, action, resource_id,
// since, until, with limit and cursor.
func (s *server) listAudit(c echo.Context, a gate.Actor) error {
	q := newQuery(c.QueryParams(), "actor", "action", "resource_id", "since", "until", "limit", "cursor")
	f := gate.AuditFilter{
		Actor:      q.text("actor", maxSubject),
		Action:     q.text("action", 64),
		ResourceID: q.text("resource_id", 128),
		Limit:      q.limit(),
		After:      q.cursor(gate.ValidAuditID),
	}
	f.Since, f.Until = q.period()
	if err := q.err(); err != nil {
		return err
	}
	items, next, err := s.peopleSvc.Audit(c.Request().Context(), a, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listJSON(items, next, auditEntryResponse))
}

func auditEntryResponse(e gate.AuditEntry) AuditEntryJSON {
	return AuditEntryJSON{ID: e.ID, At: e.At.UTC().Format(decidedAtLayout), Actor: e.Actor,
		Action: e.Action, Resource: e.Resource, ResourceID: e.ResourceID, Detail: e.Detail}
}
