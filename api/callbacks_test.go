package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
)

// callbackURL carries secrets in its user information and its query, which
// the listing must not show.
const callbackURL = "https://hook-user:hook-pass@licensing.example/hooks/jkngate?token=s3cr3t-t0ken"

// seedCallbacks records two deliveries through review overrides of denied
// applications with a callback URL, and makes the first failed: it returns
// the ids of the failed and the pending one.
func (p *peopleEnv) seedCallbacks(t *testing.T) (failed, pending string) {
	t.Helper()
	for _, appID := range []string{"APP-CB-1", "APP-CB-2"} {
		app := gate.Application{ID: appID, NIB: nibUnknown, RegionCode: "1275", PermitType: gate.PermitBusinessLicense,
			DeclaredWorkers: 52, CompanyName: "PT Callback", CallbackURL: callbackURL}
		d, err := p.svc.Submit(t.Context(), webhookClient, "msg-"+appID, app)
		if err != nil {
			t.Fatal(err)
		}
		p.ids[appID] = d.ID
		rec := p.as(t, admin, "POST", "/v1/decisions/"+d.ID+"/review", map[string]string{"action": "override",
			"note": "Registration confirmed by the branch office."})
		if rec.Code != http.StatusOK {
			t.Fatalf("override %s: %d %s", appID, rec.Code, rec.Body)
		}
	}
	outbox := p.store.(gate.Outbox)
	cbs, err := outbox.ClaimCallbacks(t.Context(), now.Add(time.Hour), time.Minute, 10)
	if err != nil || len(cbs) != 2 {
		t.Fatalf("claimed %d callbacks (%v), want 2", len(cbs), err)
	}
	if cbs[0].ID > cbs[1].ID {
		cbs[0], cbs[1] = cbs[1], cbs[0]
	}
	f := cbs[0]
	f.State, f.Attempts, f.LastError = gate.CallbackFailed, 1, "HTTP 410"
	if err := outbox.FinishCallback(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	q := cbs[1]
	q.State, q.Attempts, q.NextAttempt, q.LastError = gate.CallbackPending, 1, now.Add(5*time.Minute), "HTTP 503"
	if err := outbox.FinishCallback(t.Context(), q); err != nil {
		t.Fatal(err)
	}
	return f.ID, q.ID
}

func TestListCallbacks(t *testing.T) {
	p := newPeopleEnv(t)
	failed, pending := p.seedCallbacks(t)

	all := decode[api.CallbackListJSON](t, p.as(t, admin, "GET", "/v1/callbacks", nil))
	if len(all.Items) != 2 || all.Items[0].ID != pending || all.Items[1].ID != failed || all.NextCursor != nil {
		t.Fatalf("GET /v1/callbacks = %+v, want %s then %s, no next cursor", all, pending, failed)
	}
	f := all.Items[1]
	if f.State != "failed" || f.Attempts != 1 || f.LastError == nil || *f.LastError != "HTTP 410" ||
		f.ApplicationID != "APP-CB-1" || f.Kind != "decision.updated" || f.NextAttemptAt != nil || f.DeliveredAt != nil {
		t.Errorf("failed delivery = %+v", f)
	}
	if q := all.Items[0]; q.NextAttemptAt == nil || *q.NextAttemptAt != now.Add(5*time.Minute).UTC().Format("2006-01-02T15:04:05.000Z07:00") {
		t.Errorf("pending delivery's next_attempt_at = %v, want now+5m", q.NextAttemptAt)
	}
	raw := p.as(t, admin, "GET", "/v1/callbacks", nil).Body.String()
	for _, secret := range []string{"hook-user", "hook-pass", "s3cr3t-t0ken"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the listing shows %q: %s", secret, raw)
		}
	}
	if f.URL != "https://licensing.example/hooks/jkngate?token=redacted" {
		t.Errorf("url = %q, want it without user information and query values", f.URL)
	}

	only := decode[api.CallbackListJSON](t, p.as(t, admin, "GET", "/v1/callbacks?state=failed", nil))
	if len(only.Items) != 1 || only.Items[0].ID != failed {
		t.Errorf("state=failed: %+v, want %s only", only.Items, failed)
	}
	page := decode[api.CallbackListJSON](t, p.as(t, admin, "GET", "/v1/callbacks?limit=1", nil))
	if len(page.Items) != 1 || page.NextCursor == nil {
		t.Fatalf("limit=1: %+v, want one item and a cursor", page)
	}
	rest := decode[api.CallbackListJSON](t, p.as(t, admin, "GET", "/v1/callbacks?limit=1&cursor="+*page.NextCursor, nil))
	if len(rest.Items) != 1 || rest.Items[0].ID != failed {
		t.Errorf("second page: %+v, want %s", rest.Items, failed)
	}

	for _, q := range []struct{ query, field string }{
		{"state=gone", "state"},
		{"limit=501", "limit"},
		{"cursor=" + *page.NextCursor + "x", "cursor"},
		{"cursor=ZGVjXzAxSkQzWjhYNFEyVzZFOFIwVDJZNFY2SzhN", "cursor"}, // a decision cursor
		{"outcome=deny", "outcome"},
	} {
		rec := p.as(t, admin, "GET", "/v1/callbacks?"+q.query, nil)
		checkErrorField(t, rec, http.StatusUnprocessableEntity, "invalid_query", q.field)
	}
	if rec := p.as(t, officer1275, "GET", "/v1/callbacks", nil); rec.Code != http.StatusForbidden {
		t.Errorf("an officer listing callbacks: %d, want 403", rec.Code)
	}
}

func TestRetryCallback(t *testing.T) {
	p := newPeopleEnv(t)
	failed, pending := p.seedCallbacks(t)

	rec := p.as(t, admin, "POST", "/v1/callbacks/"+failed+"/retry", nil)
	c := decode[api.CallbackJSON](t, rec)
	if c.State != "pending" || c.NextAttemptAt == nil || c.Attempts != 1 || c.LastError == nil {
		t.Errorf("retried = %+v, want pending with next_attempt_at, attempts and last_error kept", c)
	}
	due, err := p.store.(gate.Outbox).ClaimCallbacks(t.Context(), now, time.Minute, 10)
	if err != nil || len(due) != 1 || due[0].ID != failed {
		t.Errorf("due after the retry: %+v (%v), want %s at once", due, err, failed)
	}

	for _, tc := range []struct {
		id     string
		status int
		code   string
	}{
		{failed, http.StatusConflict, "not_failed"},  // pending now
		{pending, http.StatusConflict, "not_failed"}, // never failed
		{"cb_01JD3Z8X4Q2W6E8R0T2Y4V6K8M", http.StatusNotFound, "not_found"},
		{"cb_nonsense", http.StatusNotFound, "not_found"},
		{p.ids["APP-CB-1"], http.StatusNotFound, "not_found"}, // a decision id
	} {
		rec := p.as(t, admin, "POST", "/v1/callbacks/"+tc.id+"/retry", nil)
		checkErrorField(t, rec, tc.status, tc.code, "")
	}
	if rec := p.as(t, reviewer1275, "POST", "/v1/callbacks/"+failed+"/retry", nil); rec.Code != http.StatusForbidden {
		t.Errorf("a reviewer retrying: %d, want 403", rec.Code)
	}

	trail := decode[api.AuditListJSON](t, p.as(t, admin, "GET", "/v1/audit?action=callback.retry", nil))
	if len(trail.Items) != 1 || trail.Items[0].ResourceID != failed || trail.Items[0].Actor != admin.sub {
		t.Errorf("audit of the retry: %+v, want one callback.retry of %s by %s", trail.Items, failed, admin.sub)
	}
}

// checkErrorField checks an error answer's status and code and, when field
// is not empty, that fields names it.
func checkErrorField(t *testing.T, rec interface {
	Result() *http.Response
}, status int, code, field string) {
	t.Helper()
	res := rec.Result()
	var body api.ErrorJSON
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		t.Fatalf("status %d, undecodable body: %v", res.StatusCode, err)
	}
	if res.StatusCode != status || body.Error.Code != code {
		t.Errorf("status %d code %q, want %d %q: %+v", res.StatusCode, body.Error.Code, status, code, body.Error)
		return
	}
	if field == "" {
		return
	}
	for _, f := range body.Error.Fields {
		if f.Field == field {
			return
		}
	}
	t.Errorf("fields %+v do not name %s", body.Error.Fields, field)
}
