package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// bpjs-sim answers --help with exit 0 (run returns nil) and lists its
// flags, without starting to listen.
func TestHelpListsFlags(t *testing.T) {
	for _, h := range []string{"--help", "-h"} {
		var out bytes.Buffer
		err := run(context.Background(), []string{h}, func(string) string { return "" }, &out)
		if err != nil {
			t.Fatalf("bpjs-sim %s: %v", h, err)
		}
		text := out.String()
		for _, want := range []string{"-addr", "-seed", "-latency", "-error-rate", "-outage", "-log-level"} {
			if !strings.Contains(text, want) {
				t.Errorf("bpjs-sim %s does not list %s:\n%s", h, want, text)
			}
		}
		if strings.Contains(text, "listening") {
			t.Errorf("bpjs-sim %s started listening", h)
		}
	}
}
