package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// opaVersion is the Open Policy Agent release the side-by-side measures,
// fetched through the Go module proxy and built once (go install) into the
// user's cache directory; JKNGATE_LOAD_OPA names an opa binary instead.
const opaVersion = "v1.22.3"

// opaBinary returns the opa binary, building it on first use (about 90 s
// on a 2-core machine; later runs reuse it). An error says why
// there is none: the side-by-side then reports OPA as not measured.
func opaBinary() (string, error) {
	if bin := os.Getenv("JKNGATE_LOAD_OPA"); bin != "" {
		return bin, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "jkngate-load", "opa-"+opaVersion)
	bin := filepath.Join(dir, "opa")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	module := "github.com/open-policy-agent/opa@" + opaVersion
	install := exec.Command("go", "install", module)
	install.Dir = os.TempDir() // outside this module: its go.mod is not touched
	install.Env = append(os.Environ(), "GOBIN="+dir)
	if out, err := install.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s: %v\n%s", module, err, out)
	}
	return bin, nil
}

// opaData is the BPJS data the Rego policy reads (data.bpjs): the
// simulator's employers by NIB and participants by NIK, the fields the
// gate's checks use.
func opaData(d bpjssim.Data) map[string]any {
	employers := map[string]any{}
	for _, e := range d.Employers {
		employers[e.NIB] = map[string]any{"code": e.Code, "status": e.Status, "status_text": e.StatusText,
			"active": e.Active, "registered": e.Registered, "arrears_months": e.ArrearsMonths,
			"arrears_amount": e.ArrearsAmount}
	}
	participants := map[string]any{}
	for _, p := range d.Participants {
		participants[p.NIK] = map[string]any{"status": p.Status, "segment": p.Segment,
			"employer_code": p.EmployerCode}
	}
	return map[string]any{"bpjs": map[string]any{"employers": employers, "participants": participants}}
}

// startOPA runs opa as a server with testdata/opa/jkngate.rego and the
// simulator's data, and returns its base URL and process id. Its decision
// is at POST /v0/data/jkngate/decision, which takes the request body (the
// webhook, unchanged) as the input document.
func startOPA(t *testing.T, bin string, d bpjssim.Data) (string, int) {
	t.Helper()
	dir := t.TempDir()
	raw, err := json.Marshal(opaData(d))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data.json"), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	policy, err := filepath.Abs(filepath.Join("testdata", "opa", "jkngate.rego"))
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(bin, "run", "--server", "--addr", addr, "--log-level", "error",
		policy, filepath.Join(dir, "data.json"))
	base := "http://" + addr
	startServer(t, cmd, "opa", base+"/health")
	return base, cmd.Process.Pid
}

// checkOPA sends every simulated employer's application to the OPA target
// and fails unless its outcome is the scenario's and its reasons include
// the scenario's (bpjssim's Expectation, which jkngate's own tests hold it
// to): the Rego policy decides as the gate does, so the two are compared
// doing the same work.
func checkOPA(t *testing.T, base string, d bpjssim.Data) {
	t.Helper()
	bodies := benchBodies(0, "opa-check", len(d.Employers))
	for i, e := range d.Employers {
		resp, err := http.Post(base+opaPath, "application/json", bytes.NewReader(bodies[i]))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Outcome string `json:"outcome"`
			Reasons []struct {
				Code string `json:"code"`
			} `json:"reasons"`
		}
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("opa, employer %d: %d %v", i, resp.StatusCode, err)
		}
		outcome, codes, _ := e.Scenario.Expectation()
		var gotCodes []string
		for _, r := range got.Reasons {
			gotCodes = append(gotCodes, r.Code)
		}
		for _, c := range codes {
			if !slices.Contains(gotCodes, string(c)) {
				t.Errorf("opa, scenario %s: reasons %v, want %s among them", e.Scenario, gotCodes, c)
			}
		}
		if got.Outcome != string(outcome) {
			t.Errorf("opa, scenario %s: outcome %q (reasons %v), want %q", e.Scenario, got.Outcome, gotCodes, outcome)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// opaPath is where OPA answers the policy's decision with the request body
// as input.
const opaPath = "/v0/data/jkngate/decision"
