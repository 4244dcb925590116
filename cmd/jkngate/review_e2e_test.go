package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

const testHS256 = "test-only-hs256-secret-of-at-least-32-bytes"

func hs256Token(t *testing.T, sub string, roles, regions []string) string {
	t.Helper()
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": "jkngate", "aud": "jkngate",
		"sub": sub, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "roles": roles, "regions": regions,
	}).SignedString([]byte(testHS256))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// A reviewer's override through the API reaches the licensing system as a
// signed decision.updated callback, delivered by the running process.
func TestEndToEndOverrideIsCalledBack(t *testing.T) {
	rc := &receiver{}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	g := startGate(t, "JKNGATE_JWT_HS256_SECRET", testHS256, "JKNGATE_CALLBACK_ALLOW_PRIVATE", "true")
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioUnderRegistered)
	app := applicationOf(e, "APP-override")
	app["callback_url"] = hook.URL
	_, d := g.post(t, "msg_override", app)
	if d.Outcome != "deny" {
		t.Fatalf("outcome %s, want deny", d.Outcome)
	}

	body, _ := json.Marshal(map[string]string{"action": "override", "note": "workers verified at the branch office"})
	req, _ := http.NewRequest(http.MethodPost, g.base+"/v1/decisions/"+d.DecisionID+"/review", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+hs256Token(t, "reviewer-1", []string{"reviewer"}, []string{e.RegionCode[:2]}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var next decisionDoc
	_ = json.NewDecoder(resp.Body).Decode(&next)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || next.Outcome != "allow" || next.codes() != "OVERRIDDEN" {
		t.Fatalf("override: HTTP %d %+v", resp.StatusCode, next)
	}

	waitFor(10*time.Second, 50*time.Millisecond, func() bool {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		return len(rc.events) > 0 || rc.bad > 0
	})
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.bad != 0 || len(rc.events) != 1 {
		t.Fatalf("receiver: %d verified callbacks, %d bad; want 1 verified", len(rc.events), rc.bad)
	}
	data, _ := rc.events[0]["data"].(map[string]any)
	if data["decision_id"] != next.DecisionID || data["supersedes"] != d.DecisionID || data["outcome"] != "allow" {
		t.Errorf("callback data = %v", data)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
