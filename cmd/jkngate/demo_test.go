package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
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

func TestDemoPrintsAllowDenyAndReview(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "-addr", "127.0.0.1:0"}, func(string) string { return "" }, out, io.Discard)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), "serving until interrupted") {
		if time.Now().After(deadline) {
			t.Fatalf("demo did not finish its samples; output:\n%s", out.String())
		}
		select {
		case err := <-done:
			t.Fatalf("demo returned early: %v\n%s", err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	text := out.String()
	for _, want := range []string{"webhook client id:   demo-licensing", "webhook secret:      whsec_",
		" ALLOW ", " DENY ", " REVIEW ", "EMPLOYER_NOT_REGISTERED", "WORKERS_UNDER_REGISTERED", "curl -s http://"} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q:\n%s", want, text)
		}
	}
	// The printed tokens and curl lines work against the running demo.
	reviewer := lineValue(t, text, "REVIEWER=")
	base := lineValue(t, text, "jkngate listening on ")
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/reviews", nil)
	req.Header.Set("Authorization", "Bearer "+reviewer)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v1/reviews with the demo reviewer token: HTTP %d", resp.StatusCode)
	}
	for _, want := range []string{"OFFICER=eyJ", "/v1/companies/", "/v1/reviews", `"action":"override"`} {
		if !strings.Contains(text, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("demo returned %v after interrupt", err)
	}
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
