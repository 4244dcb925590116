package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// startRun runs the binary's run on port 0 with env and args, and returns
// its base URL. The run is stopped, and must return nil, at cleanup.
func startRun(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	env["BPJS_SIM_ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, w)
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not stop")
		}
	})
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		t.Fatalf("run printed nothing: %v", <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	first := lines.Text()
	base, ok := strings.CutPrefix(first, "bpjs-sim listening on ")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q", first)
	}
	return base
}

func TestRunServesSignedRequests(t *testing.T) {
	creds := trustmark.Credentials{ConsID: "c-42", Secret: "s-42", UserKey: "k-42"}
	base := startRun(t, map[string]string{"BPJS_SIM_SEED": "42", "BPJS_SIM_CONS_ID": creds.ConsID,
		"BPJS_SIM_SECRET": creds.Secret, "BPJS_SIM_USER_KEY": creds.UserKey})
	e, _ := bpjssim.Generate(42).Pick(bpjssim.ScenarioCompliant)

	req, _ := http.NewRequest(http.MethodGet, base+"/BadanUsaha/nib/"+e.NIB, nil)
	stamp := trustmark.Sign(req.Header, creds, time.Now())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		MetaData struct{ Code string } `json:"metaData"`
		Response string
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env.MetaData.Code != "200" {
		t.Fatalf("status %d, metaData %+v, %v", resp.StatusCode, env.MetaData, err)
	}
	plain, err := trustmark.Decrypt(env.Response, creds.ConsID, creds.Secret, stamp)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(plain), `"nib":"`+e.NIB+`"`) {
		t.Errorf("decrypted %s, want employer %s", plain, e.NIB)
	}
}

func TestRunFaultsFromEnvAndFlags(t *testing.T) {
	base := startRun(t, map[string]string{"BPJS_SIM_ERROR_RATE": "1", "BPJS_SIM_ERROR_STATUS": "503"},
		"-latency=20ms")
	resp, err := http.Get(base + "/_sim/faults")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var f bpjssim.Faults
	if err := json.NewDecoder(resp.Body).Decode(&f); err != nil {
		t.Fatal(err)
	}
	if f != (bpjssim.Faults{ErrorRate: 1, ErrorStatus: 503, Latency: 20 * time.Millisecond}) {
		t.Errorf("faults in force: %+v", f)
	}
	r, err := http.Get(base + "/BadanUsaha/nib/9120000000000")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 503 {
		t.Errorf("status %d, want the injected 503", r.StatusCode)
	}
}

func TestRunRejectsBadConfig(t *testing.T) {
	tests := map[string]struct {
		env  map[string]string
		args []string
		want string
	}{
		"bad duration": {map[string]string{"BPJS_SIM_LATENCY": "soon"}, nil, "BPJS_SIM_LATENCY"},
		"bad rate":     {map[string]string{"BPJS_SIM_ERROR_RATE": "1.5"}, nil, "error_rate"},
		"bad flag":     {map[string]string{}, []string{"-outage=maybe"}, "outage"},
		"bad address":  {map[string]string{"BPJS_SIM_ADDR": "256.0.0.1:99999"}, nil, "BPJS_SIM_ADDR"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := run(context.Background(), tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("run = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}
