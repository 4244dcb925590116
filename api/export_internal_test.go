package api

import (
	"strings"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

// Records kept from before intake refused them must not reach a
// spreadsheet with bidi overrides or zero-width characters in them.
func TestExportRowReplacesInvisibleCharacters(t *testing.T) {
	row := exportRow(gate.Decision{ID: "dec_1", ApplicationID: "APP-\u202e1-\u200b\x00\xff", NIB: "9120001234567"})
	got := row[1]
	if strings.ContainsAny(got, "\u202e\u200b\x00") || !strings.HasPrefix(got, "APP-") ||
		strings.Count(got, "\ufffd") != 4 {
		t.Errorf("application id exported as %q", got)
	}
}
