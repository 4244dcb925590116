package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// A full run at debug level — webhooks listing workers, an outage, a bad
// signature, reviews with tokens, callbacks — leaves no NIK, name, token or
// secret in the logs.
func TestLogsNeverShowPersonalDataOrSecrets(t *testing.T) {
	rc := &receiver{}
	hook := httpServer(t, rc)
	g := startGate(t, "JKNGATE_LOG_LEVEL", "debug", "JKNGATE_JWT_HS256_SECRET", testHS256,
		"JKNGATE_CALLBACK_ALLOW_PRIVATE", "true")
	data := g.sim.Data()
	var niks, names []string
	var deny decisionDoc
	for i, s := range bpjssim.Scenarios {
		e, _ := data.Pick(s)
		for _, nik := range e.Workers {
			niks = append(niks, nik)
			if p, ok := data.Participant(nik); ok {
				names = append(names, p.Name)
			}
		}
		app := applicationOf(e, "APP-log-"+string(s))
		app["callback_url"] = hook
		_, d := g.post(t, fmt.Sprintf("msg_log_%d", i), app)
		if d.Outcome == "deny" && deny.DecisionID == "" {
			deny = d
		}
	}
	e, _ := data.Pick(bpjssim.ScenarioWorkerNotRegistered)
	if err := g.sim.SetFaults(bpjssim.Faults{Outage: true}); err != nil {
		t.Fatal(err)
	}
	g.post(t, "msg_log_outage", applicationOf(e, "APP-log-outage"))
	_ = g.sim.SetFaults(bpjssim.Faults{})

	// A request with a bad signature, and people's requests with tokens.
	req, _ := http.NewRequest(http.MethodPost, g.base+"/v1/webhooks/oss", strings.NewReader(`{}`))
	req.Header.Set("webhook-id", "x")
	req.Header.Set("webhook-timestamp", fmt.Sprint(time.Now().Unix()))
	req.Header.Set("webhook-signature", "v1,"+strings.Repeat("A", 44))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	token := hs256Token(t, "reviewer-logs", []string{"admin", "reviewer"}, nil)
	for _, path := range []string{"/v1/decisions", "/v1/reviews", "/v1/decisions/export.csv", "/v1/companies/" + e.NIB} {
		req, _ := http.NewRequest(http.MethodGet, g.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	upheld := review(t, g, deny.DecisionID, "uphold", "the employer must register its workers first")
	// The review's callback is the last thing the run logs: wait for the
	// worker's line about it, delivered or not.
	if !waitFor(10*time.Second, 20*time.Millisecond, func() bool {
		for line := range strings.Lines(g.logs.String()) {
			if strings.Contains(line, `"callback `) && strings.Contains(line, upheld.DecisionID) {
				return true
			}
		}
		return false
	}) {
		t.Errorf("the callback worker logged nothing about decision %s within 10 s", upheld.DecisionID)
	}
	g.stop(t)

	logs := g.logs.String()
	if !strings.Contains(logs, `"request_id"`) || len(logs) < 1000 {
		t.Fatalf("the run logged too little to be a fair test (%d bytes)", len(logs))
	}
	creds := g.sim.Credentials()
	secrets := map[string]string{"webhook secret": strings.TrimPrefix(testSecret, "whsec_"),
		"BPJS secret": creds.Secret, "BPJS user key": creds.UserKey, "HS256 secret": testHS256, "token": token}
	for what, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the logs show the %s", what)
		}
	}
	for _, nik := range niks {
		if strings.Contains(logs, nik) {
			t.Errorf("the logs show NIK %s unmasked", nik)
		}
	}
	for _, name := range names {
		if strings.Contains(logs, name) {
			t.Errorf("the logs show the name %q", name)
		}
	}
	if len(niks) < 20 {
		t.Fatalf("only %d NIKs were used; the test would prove little", len(niks))
	}
}

func httpServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
