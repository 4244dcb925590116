package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jkngate/jkngate/api"
)

// webhook posts a signed application.submitted delivery from client.
func (p *peopleEnv) webhook(t *testing.T, client, secret, msgID string, body []byte) api.DecisionJSON {
	t.Helper()
	rec := httptest.NewRecorder()
	p.e.ServeHTTP(rec, webhookRequest(t, client, secret, msgID, now, body))
	if rec.Code != http.StatusOK {
		t.Fatalf("webhook %s from %s: %d %s", msgID, client, rec.Code, rec.Body)
	}
	var d api.DecisionJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// checkApplicationsPerClient: the same application_id from client other
// never supersedes client oss's decision; each client's re-submission
// supersedes its own; the people's API finds both by application_id.
func checkApplicationsPerClient(t *testing.T, p *peopleEnv) {
	t.Helper()
	body := event(t, map[string]string{"application_id": `"OSS-2026-000777"`})
	oss := p.webhook(t, webhookClient, secret1, "msg-1", body)
	other := p.webhook(t, otherClient, secret2, "msg-1", body)
	if other.Supersedes != nil {
		t.Errorf("client other's decision supersedes %s: it took over oss's application", *other.Supersedes)
	}
	list := decode[api.DecisionListJSON](t, p.as(t, admin, "GET",
		"/v1/decisions?application_id=OSS-2026-000777", nil))
	if got := len(list.Items); got != 2 {
		t.Fatalf("%d decisions for the application id, want both clients' 2", got)
	}
	for _, id := range []string{oss.DecisionID, other.DecisionID} {
		d := decode[api.DecisionJSON](t, p.as(t, admin, "GET", "/v1/decisions/"+id, nil))
		if d.Supersedes != nil {
			t.Errorf("decision %s supersedes %s, want nothing", id, *d.Supersedes)
		}
	}
	ossNext := p.webhook(t, webhookClient, secret1, "msg-2", body)
	if got := deref(ossNext.Supersedes); got != oss.DecisionID {
		t.Errorf("oss's re-submission supersedes %q, want oss's own %s", got, oss.DecisionID)
	}
	otherNext := p.webhook(t, otherClient, secret2, "msg-2", body)
	if got := deref(otherNext.Supersedes); got != other.DecisionID {
		t.Errorf("other's re-submission supersedes %q, want other's own %s", got, other.DecisionID)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestApplicationIDsArePerClient(t *testing.T) {
	checkApplicationsPerClient(t, newPeopleEnv(t))
}

func TestApplicationIDsArePerClientOnPostgres(t *testing.T) {
	store, _ := openPostgres(t)
	checkApplicationsPerClient(t, newPeopleEnvOn(t, store, nil))
}
