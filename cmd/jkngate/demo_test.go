package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer lets the test read what demo writes from other goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDemo runs "jkngate demo" on port 0 with args and waits until it has
// sent its samples. It returns stdout and stderr so far.
func startDemo(t *testing.T, args ...string) (stdout, stderr *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"demo", "-addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, out, errOut)
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("demo returned %v after interrupt", err)
		}
	}
	t.Cleanup(stop)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "serving until interrupted") {
		if time.Now().After(deadline) {
			t.Fatalf("demo did not finish its samples; output:\n%s", out.String())
		}
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("demo returned early: %v\n%s", err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return out, errOut, stop
}

// The demo speaks to a person: its first lines are a short banner, then a
// table of the sample decisions; request logs go to a file it names, and
// nothing reaches stderr when all goes well.
func TestDemoFirstLines(t *testing.T) {
	out, errOut, _ := startDemo(t)
	lines := strings.Split(out.String(), "\n")
	if lines[0] != "jkngate demo: starting the gate, SQLite and the BPJS simulator in this process..." {
		t.Errorf("first line %q", lines[0])
	}
	wantPrefixes := []string{"jkngate listening on http://127.0.0.1:", "  API base URL:    http://", "  console:         http://", "  BPJS simulator:  http://",
		"  database:        ", "  request logs:    ", "  webhook client:  demo-licensing", "  webhook secret:  whsec_", "",
		"sample decisions:", "  APPLICATION        COMPANY                        OUTCOME FIRST REASON"}
	for i, want := range wantPrefixes {
		if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], want) {
			t.Fatalf("line %d: want prefix %q; output:\n%s", i+2, want, out.String())
		}
	}
	if !strings.Contains(lines[2], "/openapi.yaml") {
		t.Errorf("the banner does not give the OpenAPI URL: %q", lines[2])
	}
	// One row per sample, each with an outcome and a first reason code.
	rows := lines[len(wantPrefixes)+1:]
	outcomes := map[string]bool{}
	for i := range samples {
		f := strings.Fields(rows[i])
		if len(f) < 4 || !strings.HasPrefix(f[0], "DEMO-") {
			t.Fatalf("table row %d is %q", i+1, rows[i])
		}
		outcomes[f[len(f)-2]] = true
		if code := f[len(f)-1]; code != strings.ToUpper(code) {
			t.Errorf("row %q does not end in a reason code", rows[i])
		}
	}
	if !outcomes["ALLOW"] || !outcomes["DENY"] || !outcomes["REVIEW"] || len(outcomes) != 3 {
		t.Errorf("outcomes in the table: %v", outcomes)
	}
	if rows[len(samples)] != "" {
		t.Errorf("after the table: %q", rows[len(samples)])
	}
	text := out.String()
	for _, want := range []string{"EMPLOYER_NOT_REGISTERED", "WORKERS_UNDER_REGISTERED"} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	if strings.Contains(text, `"msg"`) || strings.Contains(text, `"level"`) {
		t.Errorf("log lines on stdout:\n%s", text)
	}
	if errOut.String() != "" {
		t.Errorf("stderr is not empty on a good run:\n%s", errOut.String())
	}
	// The request logs are in the file the banner names.
	logPath, _, _ := strings.Cut(lineValue(t, text, "  request logs:    "), " ")
	logs, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(logs), `"msg":"request"`); n < len(samples) {
		t.Errorf("the log file has %d request lines, want at least %d", n, len(samples))
	}
}

// The printed tokens and curl lines work against the running demo.
func TestDemoTokensAndCurlLines(t *testing.T) {
	out, _, stop := startDemo(t, "--log", "off")
	text := out.String()
	if !strings.Contains(text, "request logs:    off") {
		t.Errorf("--log off is not said in the banner")
	}
	base := lineValue(t, text, "  API base URL:    ")
	for _, c := range []struct{ token, path string }{
		{"REVIEWER=", "/v1/reviews"}, {"ADMIN=", "/v1/audit"}, {"OFFICER=", "/v1/companies/" + lineValue(t, text, "/v1/companies/")},
	} {
		req, _ := http.NewRequest(http.MethodGet, base+c.path, nil)
		req.Header.Set("Authorization", "Bearer "+lineValue(t, text, c.token))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with the demo %s token: HTTP %d", c.path, strings.TrimSuffix(c.token, "="), resp.StatusCode)
		}
	}
	for _, want := range []string{"OFFICER=eyJ", `"action":"override"`, "curl -s http://", "jkngate send --url " + base + " --client demo-licensing --secret whsec_"} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	stop()
}

// lineValue returns what follows prefix on the first line that holds it, up
// to the first space.
func lineValue(t *testing.T, text, prefix string) string {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if _, after, ok := strings.Cut(line, prefix); ok {
			v, _, _ := strings.Cut(after, " ")
			return v
		}
	}
	t.Fatalf("no %q in the output", prefix)
	return ""
}
