package api_test

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
)

// Issue 8 item 12: a callback_url the callback worker refuses was
// answered 200, and its callbacks then failed forever.
func TestPrivateCallbackURLRefusedAtIntake(t *testing.T) {
	a := newTestAPI(t)
	for i, u := range []string{"http://127.0.0.1/cb", "http://localhost:8080/cb", "http://169.254.169.254/latest",
		"http://[::ffff:10.0.0.1]/cb", "http://127.1/cb", "https://", "http://10.0.0.7/cb?token=secret"} {
		body := event(t, map[string]string{"callback_url": `"` + u + `"`})
		rec := a.submit(t, "msg-cb-"+string(rune('a'+i)), body)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422: %s", u, rec.Code, rec.Body)
			continue
		}
		if e := errorBody(t, rec); e.Code != "invalid_application" || fmtFields(e.Fields) != "[data.callback_url]" {
			t.Errorf("%s: %+v", u, e)
		}
		if strings.Contains(rec.Body.String(), "secret") {
			t.Errorf("the answer repeats the query string: %s", rec.Body)
		}
	}
	// Named with the other faults of the same body.
	rec := a.submit(t, "msg-cb-both", event(t, map[string]string{"callback_url": `"http://127.0.0.1/cb"`, "nib": `"1"`}))
	if e := errorBody(t, rec); fmtFields(e.Fields) != "[data.nib data.callback_url]" {
		t.Errorf("fields %s, want nib and callback_url", fmtFields(e.Fields))
	}
	if rec := a.submit(t, "msg-cb-public", event(t, nil)); rec.Code != http.StatusOK {
		t.Errorf("public callback URL: %d %s", rec.Code, rec.Body)
	}
	if a.store.recorded != 1 {
		t.Errorf("%d decisions recorded, want 1", a.store.recorded)
	}

	// JKNGATE_CALLBACK_ALLOW_PRIVATE lets them through, as it does delivery.
	store := newFakeStore()
	e := api.New(api.Deps{
		Gate:                 &gate.Service{Registry: fakeRegistry{}, Store: store, Policy: gate.DefaultPolicy(), Now: func() time.Time { return now }},
		Clients:              map[string][]standardwebhooks.Secret{clientID: {mustSecret(t, secret1)}},
		Logger:               slog.New(slog.DiscardHandler),
		Now:                  func() time.Time { return now },
		CallbackAllowPrivate: true,
	})
	allowing := &testAPI{e: e, store: store}
	if rec := allowing.submit(t, "msg-cb-allowed", event(t, map[string]string{"callback_url": `"http://127.0.0.1:9/cb"`})); rec.Code != http.StatusOK {
		t.Errorf("with private callbacks allowed: %d %s", rec.Code, rec.Body)
	}
}

// The what-if refuses the same callback URLs as the webhook.
func TestWhatIfRefusesPrivateCallbackURL(t *testing.T) {
	p := newPeopleEnv(t)
	rec := p.as(t, officer1275, "POST", "/v1/companies/"+nibShared+"/evaluate",
		`{"application_id":"W-1","region_code":"1275","permit_type":"business_license","declared_workers":52,"callback_url":"http://localhost/cb"}`)
	if e := errorBody(t, rec); rec.Code != http.StatusUnprocessableEntity || fmtFields(e.Fields) != "[callback_url]" {
		t.Errorf("status %d, %+v", rec.Code, e)
	}
}
