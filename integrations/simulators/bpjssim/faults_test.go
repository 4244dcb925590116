package bpjssim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// employerURL is the URL of a registered employer's lookup.
func employerURL(sim *bpjssim.Server, base string) string {
	return base + "/BadanUsaha/nib/" + sim.Data().Employers[0].NIB
}

func setFaults(t *testing.T, sim *bpjssim.Server, f bpjssim.Faults) {
	t.Helper()
	if err := sim.SetFaults(f); err != nil {
		t.Fatal(err)
	}
}

func TestLatency(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{Faults: bpjssim.Faults{Latency: 150 * time.Millisecond, Jitter: 50 * time.Millisecond}})
	began := time.Now()
	resp, _ := get(t, employerURL(sim, ts.URL), sim.Credentials(), testNow)
	if took := time.Since(began); took < 150*time.Millisecond || resp.StatusCode != 200 {
		t.Errorf("answered %d after %v, want 200 after at least 150ms", resp.StatusCode, took)
	}

	// A client that gives up is let go.
	setFaults(t, sim, bpjssim.Faults{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, employerURL(sim, ts.URL), nil)
	trustmark.Sign(req.Header, sim.Credentials(), testNow)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline", err)
	}
}

func TestErrorRate(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{})
	for _, status := range []int{500, 503} {
		setFaults(t, sim, bpjssim.Faults{ErrorRate: 1, ErrorStatus: status})
		resp, _ := get(t, employerURL(sim, ts.URL), sim.Credentials(), testNow)
		e := decodeEnvelope(t, resp)
		if resp.StatusCode != status || e.MetaData.Code != strconv.Itoa(status) || e.Response != nil {
			t.Errorf("status %d, metaData %+v; want %d", resp.StatusCode, e.MetaData, status)
		}
	}
	// Rate 1 with no status: both kinds show up.
	setFaults(t, sim, bpjssim.Faults{ErrorRate: 1})
	seen := map[int]bool{}
	for range 40 {
		resp, _ := get(t, employerURL(sim, ts.URL), sim.Credentials(), testNow)
		seen[resp.StatusCode] = true
	}
	if len(seen) != 2 || !seen[500] || !seen[503] {
		t.Errorf("statuses seen: %v, want 500 and 503", seen)
	}
	// Rate 0.5: some pass, some fail.
	setFaults(t, sim, bpjssim.Faults{ErrorRate: 0.5, ErrorStatus: 500})
	seen = map[int]bool{}
	for range 40 {
		resp, _ := get(t, employerURL(sim, ts.URL), sim.Credentials(), testNow)
		seen[resp.StatusCode] = true
	}
	if !seen[200] || !seen[500] {
		t.Errorf("statuses seen at rate 0.5: %v", seen)
	}
}

func TestOutageResetsConnections(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{Faults: bpjssim.Faults{Outage: true}})
	req, _ := http.NewRequest(http.MethodGet, employerURL(sim, ts.URL), nil)
	trustmark.Sign(req.Header, sim.Credentials(), testNow)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got status %d during an outage, want a transport error", resp.StatusCode)
	}
	// Go's transport may retry a GET once on a reused connection: >= 1.
	if sim.Stats().EmployerCalls < 1 {
		t.Errorf("Stats() = %+v; a reset call still counts", sim.Stats())
	}
	// /_sim stays reachable, and lifting the outage restores service.
	r, err := http.Get(ts.URL + "/_sim/stats")
	if err != nil {
		t.Fatalf("/_sim/stats during an outage: %v", err)
	}
	r.Body.Close()
	setFaults(t, sim, bpjssim.Faults{})
	if resp, _ := get(t, employerURL(sim, ts.URL), sim.Credentials(), testNow); resp.StatusCode != 200 {
		t.Errorf("after the outage: status %d", resp.StatusCode)
	}
}

func TestHTMLPages(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{})
	for _, status := range []int{200, 502} {
		setFaults(t, sim, bpjssim.Faults{HTMLRate: 1, HTMLStatus: status})
		resp, _ := get(t, employerURL(sim, ts.URL), sim.Credentials(), testNow)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.HasPrefix(string(body), "<!DOCTYPE html>") || json.Valid(body) {
			t.Errorf("status %d, type %q, body %.40q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}

func TestBadSignatures(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{Faults: bpjssim.Faults{BadSignatureRate: 1}})
	resp, stamp := get(t, employerURL(sim, ts.URL), sim.Credentials(), testNow)
	e := decodeEnvelope(t, resp)
	if resp.StatusCode != 200 || e.MetaData.Code != "200" || e.Response == nil {
		t.Fatalf("status %d, metaData %+v", resp.StatusCode, e.MetaData)
	}
	c := sim.Credentials()
	if plain, err := trustmark.Decrypt(*e.Response, c.ConsID, c.Secret, stamp); err == nil && json.Valid(plain) {
		t.Errorf("a wrongly signed response decrypted to JSON: %.60s", plain)
	}
	if _, err := trustmark.Decrypt(*e.Response, c.ConsID, "not-"+c.Secret, stamp); err != nil {
		t.Errorf("the response is not under the simulator's wrong key: %v", err)
	}

	setFaults(t, sim, bpjssim.Faults{BadSignatureRate: 1, BadSignatureMode: bpjssim.BadSignatureReject})
	resp, _ = get(t, employerURL(sim, ts.URL), sim.Credentials(), testNow)
	if e := decodeEnvelope(t, resp); resp.StatusCode != 401 || e.MetaData.Message != bpjssim.MsgBadSignature {
		t.Errorf("reject mode: status %d, metaData %+v", resp.StatusCode, e.MetaData)
	}
}

func TestFaultsControlEndpoint(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{})
	do := func(method, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+"/_sim/faults", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	put := `{"latency_ms":200,"jitter_ms":0,"error_rate":0.1,"outage":false,"html_rate":0,"bad_signature_rate":0}`
	if status, body := do(http.MethodPut, put); status != 200 {
		t.Fatalf("PUT: %d %s", status, body)
	}
	if got := sim.Faults(); got != (bpjssim.Faults{Latency: 200 * time.Millisecond, ErrorRate: 0.1}) {
		t.Errorf("after PUT Faults() = %+v", got)
	}
	if _, body := do(http.MethodGet, ""); !strings.Contains(body, `"latency_ms":200`) || !strings.Contains(body, `"error_rate":0.1`) {
		t.Errorf("GET: %s", body)
	}
	for _, bad := range []string{`{"error_rate":2}`, `{"latencyms":5}`, `{"bad_signature_mode":"maybe"}`, `not json`} {
		if status, body := do(http.MethodPut, bad); status != 400 {
			t.Errorf("PUT %s: %d %s, want 400", bad, status, body)
		}
	}
	if sim.Faults().Latency != 200*time.Millisecond {
		t.Errorf("a rejected PUT changed the faults: %+v", sim.Faults())
	}
	if status, _ := do(http.MethodDelete, ""); status != 200 || sim.Faults() != (bpjssim.Faults{}) {
		t.Errorf("DELETE: %d, faults %+v", status, sim.Faults())
	}
}
