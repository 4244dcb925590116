package api

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCheckJSON(t *testing.T) {
	tests := []struct {
		body   string
		ok     bool
		folded bool
	}{
		{`{"a":1,"b":[true,false,null,"x",-0.5e+3,{}]}`, true, false},
		{`{"a":1,"a":2}`, false, false},
		{`{"a":{"b":1},"c":{"b":2}}`, true, false}, // the same key in two objects
		{`{"a\u0062":1,"ab":2}`, false, false},
		{`{"NIB":"x"}`, true, true},
		{`{"\u212abli":[]}`, true, true},
		{`"\ud83d\ude00"`, true, false},
		{`"\ud83d"`, false, false},
		{`"\ude00"`, false, false},
		{"\"\xff\"", false, false},
		{"\"a\x01\"", false, false},
		{`{"a":1} x`, false, false},
		{`{"a":1,}`, false, false},
		{`[01]`, false, false},
		{`nul`, false, false},
		{strings.Repeat("[", 16) + strings.Repeat("]", 16), true, false},
		{strings.Repeat("[", 17) + strings.Repeat("]", 17), false, false},
	}
	for _, tt := range tests {
		shape, err := checkJSON([]byte(tt.body))
		if (err == nil) != tt.ok || (err == nil && shape.foldedKeys != tt.folded) {
			t.Errorf("checkJSON(%.40q) = %+v, %v; want ok %v, folded %v", tt.body, shape, err, tt.ok, tt.folded)
		}
		if err == nil && !json.Valid([]byte(tt.body)) {
			t.Errorf("checkJSON accepted invalid %q", tt.body)
		}
	}
	// Many keys (the map path) still find a duplicate.
	var b strings.Builder
	b.WriteString("{")
	for i := range 100 {
		b.WriteString(`"k` + strings.Repeat("x", i) + `":1,`)
	}
	b.WriteString(`"kxxxxx":2}`)
	if _, err := checkJSON([]byte(b.String())); err == nil {
		t.Error("a duplicate among 101 keys passed")
	}
	_, err := checkJSON([]byte(`{"data":{"kbli":[` + strings.Repeat(`1,`, maxJSONArray) + `1]}}`))
	var le *jsonLimitError
	if !errors.As(err, &le) || le.path != "data.kbli" {
		t.Errorf("long array: %v", err)
	}
}

// BenchmarkParseSubmission is the webhook's parse of a typical body, of one
// listing 25 workers (the BPJS simulator's companies list 25 on average)
// and of one listing 10,000, strict reading included.
func BenchmarkParseSubmission(b *testing.B) {
	small := []byte(`{"type":"application.submitted","data":{"application_id":"OSS-1","nib":"9120001234567",` +
		`"region_code":"1275","permit_type":"business_license","kbli":["47111"],"declared_workers":52,` +
		`"workers":[{"nik":"1275014101900001"}],"callback_url":"https://licensing.example/cb"}}`)
	listing := func(n int) []byte {
		return []byte(strings.Replace(string(small), `[{"nik":"1275014101900001"}]`,
			"["+strings.Repeat(`{"nik":"1275014101900001"},`, n-1)+`{"nik":"1275014101900001"}]`, 1))
	}
	for _, c := range []struct {
		name string
		body []byte
	}{{"typical", small}, {"25-workers", listing(25)}, {"10000-workers", listing(10000)}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.body)))
			for b.Loop() {
				if _, err := parseSubmission(c.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
