package main

import (
	"strings"
	"testing"
)

// The demo runs oss-sim, sends its messages once, and shows the statuses
// OSS received next to the decisions: each outcome's kd_status.
func TestDemoShowsOSSStatuses(t *testing.T) {
	out, _, _ := startDemo(t)
	text := out.String()
	_, section, ok := strings.Cut(text, "OSS-RBA (oss-sim at http://127.0.0.1:")
	if !ok {
		t.Fatalf("no OSS section:\n%s", text)
	}
	section, _, _ = strings.Cut(section, "\n\n")
	for _, want := range []string{"ALLOW    45 Persyaratan terverifikasi", "DENY     93 Penolakan Persyaratan",
		"REVIEW   41 Konfirmasi Persyaratan"} {
		if !strings.Contains(section, want) {
			t.Errorf("the OSS section lacks %q:\n%s", want, section)
		}
	}
}
