package main

import (
	"bytes"
	"context"
	"io"
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
	cancel()
	if err := <-done; err != nil {
		t.Errorf("demo returned %v after interrupt", err)
	}
}
