package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, func(string) string { return "" }, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "-status-user-key") {
		t.Errorf("--help does not list the flags:\n%s", out.String())
	}
}

func TestRunListensAndStops(t *testing.T) {
	env := map[string]string{"OSS_SIM_ADDR": "127.0.0.1:0", "OSS_SIM_STATUS_USER_KEY": "k"}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, &out) }()
	out.waitFor("listening on", 10*time.Second) // the assertions below say what came instead
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "oss-sim listening on http://127.0.0.1:") {
		t.Errorf("output: %q", out.String())
	}
}

func TestRequiresStatusUserKey(t *testing.T) {
	err := run(context.Background(), nil, func(string) string { return "" }, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "OSS_SIM_STATUS_USER_KEY") {
		t.Errorf("got %v", err)
	}
}
