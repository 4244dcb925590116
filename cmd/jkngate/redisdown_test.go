package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// childRedisDown names the environment variable that makes the test binary,
// run again by TestRedisDownLogsStayJSON, be the gate process under test.
const childRedisDown = "JKNGATE_TEST_CHILD_REDIS_DOWN"

// With Redis down, everything the process writes to standard error is JSON
// lines: go-redis's complaints go through slog (and the masking handler)
// instead of its own plain-text logger. The gate runs in a child process
// (this test binary again), because go-redis's default logger writes to the
// real standard error, which only a parent can read.
func TestRedisDownLogsStayJSON(t *testing.T) {
	if redisURL := os.Getenv(childRedisDown); redisURL != "" {
		runGateWithRedisDown(t, redisURL)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // nothing listens there now

	cmd := exec.Command(os.Args[0], "-test.run=^TestRedisDownLogsStayJSON$", "-test.count=1")
	cmd.Env = append(os.Environ(), childRedisDown+"=redis://"+closed+"/6")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the gate process failed: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := strings.TrimSpace(stderr.String())
	redisLines := 0
	for i, line := range strings.Split(out, "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("line %d of standard error is not JSON: %q", i+1, line)
			continue
		}
		if rec["msg"] == "redis client" {
			redisLines++
		}
	}
	if redisLines == 0 {
		t.Errorf("no go-redis line in the output: the test did not exercise the adapter\n%s", out)
	}
}

// runGateWithRedisDown is the child: a gate with an unreachable Redis takes
// webhooks (each lookup tries Redis), then writes what it logged to
// standard error, where go-redis would have written too.
func runGateWithRedisDown(t *testing.T, redisURL string) {
	g := startGate(t, "JKNGATE_REDIS_URL", redisURL, "JKNGATE_LOG_LEVEL", "info",
		"JKNGATE_CACHE_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	data := g.sim.Data()
	for i, s := range []bpjssim.Scenario{bpjssim.ScenarioCompliant, bpjssim.ScenarioWorkerNotRegistered} {
		e, _ := data.Pick(s)
		if status, _ := g.post(t, fmt.Sprintf("msg_redis_down_%d", i), applicationOf(e, fmt.Sprintf("APP-rd-%d", i))); status != http.StatusOK {
			t.Errorf("webhook with Redis down: HTTP %d, want 200", status)
		}
	}
	g.stop(t)
	os.Stderr.WriteString(g.logs.String())
}
