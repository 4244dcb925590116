package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// contractPolicy is the example of README, "Policy", which is the default.
const contractPolicy = `version: default-2026.11
gated_permit_types: [business_license, building_permit, tender, foreign_worker_permit, outsourcing_license]
exempt_business_scales: []
min_worker_coverage: 1.0
max_arrears_months: 0
employer_paid_segments: ["13"]
on_registry_unavailable: review
max_data_age: 72h
decision_valid_for: 720h
review_due_working_days: 3
`

func TestLoadPolicy(t *testing.T) {
	tests := []struct {
		name string
		yaml string // "-" means no file
		want func(p *gate.Policy)
	}{
		{"no file is the default", "-", func(*gate.Policy) {}},
		{"contract example is the default", contractPolicy, func(*gate.Policy) {}},
		{"empty file is the default", "", func(*gate.Policy) {}},
		{"partial file keeps other defaults", "version: jakarta-2027.01\nmin_worker_coverage: 0.9\nmax_data_age: 3d\nworker_sample_size: 50\n",
			func(p *gate.Policy) {
				p.Version, p.MinWorkerCoverage, p.MaxDataAge, p.WorkerSampleSize = "jakarta-2027.01", 0.9, 72*time.Hour, 50
			}},
		{"lists, outcome, days with hours", "gated_permit_types: [tender]\nexempt_business_scales: [mikro]\nemployer_paid_segments: [10]\n" +
			"on_registry_unavailable: deny\ndecision_valid_for: 1d12h\nmax_arrears_months: 2\n",
			func(p *gate.Policy) {
				p.GatedPermitTypes = []gate.PermitType{gate.PermitTender}
				p.ExemptBusinessScales = []string{"mikro"}
				p.EmployerPaidSegments = []string{"10"}
				p.OnRegistryUnavailable = gate.OutcomeDeny
				p.DecisionValidFor = 36 * time.Hour
				p.MaxArrearsMonths = 2
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "-" {
				path = writeFile(t, "policy.yaml", tt.yaml)
			}
			got, err := LoadPolicy(path)
			if err != nil {
				t.Fatalf("LoadPolicy: %v", err)
			}
			want := gate.DefaultPolicy()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("policy:\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestLoadPolicyRegions(t *testing.T) {
	path := writeFile(t, "policy.yaml", `version: sumut-2026.11
legal_basis:
  regional: "Peraturan Gubernur Sumatera Utara Nomor 9 Tahun 2026"
branch_offices:
  "12": {name: Medan, address: "Jl. Karya No. 1, Medan"}
holidays: ["2026-12-25"]
regions:
  "1272":
    min_worker_coverage: 0.9
    legal_basis: {regional: "Peraturan Wali Kota Tanjungbalai Nomor 7 Tahun 2026"}
  "1275": {version: medan-2026.11, exempt_business_scales: [mikro]}
`)
	p, err := LoadPolicy(path)
	if err != nil {
		t.Fatalf("LoadPolicy: %v", err)
	}
	tb := p.For("1272")
	if tb.MinWorkerCoverage != 0.9 || tb.Version != "sumut-2026.11/1272" || tb.Region != "1272" ||
		tb.LegalBasis.Regional != "Peraturan Wali Kota Tanjungbalai Nomor 7 Tahun 2026" ||
		tb.LegalBasis.Sanction != "PP 86/2013 Pasal 9" || len(tb.Holidays) != 1 {
		t.Errorf("Tanjungbalai's effective policy = %+v", tb)
	}
	if m := p.For("1275"); m.Version != "medan-2026.11" || !m.Exempts("mikro") || m.MinWorkerCoverage != 1 {
		t.Errorf("Medan's effective policy = %+v", m)
	}
	if o := p.For("1201"); o.Version != "sumut-2026.11" || o.Region != "" || o.LegalBasis.Regional != "Peraturan Gubernur Sumatera Utara Nomor 9 Tahun 2026" {
		t.Errorf("another regency gets the base policy, got %+v", o)
	}
	if b, ok := p.For("1272").BranchOfficeFor("1272"); !ok || b.Name != "Medan" {
		t.Errorf("branch office = %+v %v", b, ok)
	}

	for yaml, want := range map[string]string{
		"regions:\n  \"1272\": {colour: red}\n":            `regions: 1272: unknown key "colour"`,
		"regions:\n  \"1272\": {min_worker_coverage: 2}\n": "regions.1272.min_worker_coverage: must be between 0 and 1",
		"regions:\n  \"99x\": {}\n":                        "regions.99x: must be a 2-digit",
		"legal_basis: {sanction: \"\"}\n":                  "legal_basis.sanction: is required",
	} {
		_, err = LoadPolicy(writeFile(t, "bad.yaml", yaml))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v should contain %q", err, want)
		}
	}
}

func TestLoadPolicyErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // whole lines; {file} is the path
	}{
		{"out of range", "min_worker_coverage: 1.5\n", []string{"{file}: min_worker_coverage: must be between 0 and 1"}},
		{"every validation problem", "version: ''\nmax_arrears_months: -1\ngated_permit_types: [tender, visa]\nmax_data_age: 0s\n", []string{
			"{file}: version: is required",
			`{file}: gated_permit_types[1]: unknown permit type "visa"`,
			"{file}: max_arrears_months: must be >= 0",
			"{file}: max_data_age: must be a positive duration",
		}},
		{"unknown outcome", "on_registry_unavailable: maybe\n", []string{"{file}: on_registry_unavailable: must be allow, deny or review"}},
		{"unknown keys", "min_coverage: 1\nversion: x\nextra: 2\n", []string{`{file}: unknown key "extra"`, `{file}: unknown key "min_coverage"`}},
		{"no value", "min_worker_coverage:\n", []string{"{file}: min_worker_coverage: has no value (write [] for an empty list)"}},
		{"not a number", "min_worker_coverage: all\n", []string{"{file}: min_worker_coverage: must be a number"}},
		{"not an integer", "worker_sample_size: 1.5\n", []string{"{file}: worker_sample_size: must be an integer"}},
		{"not a list", "gated_permit_types: tender\n", []string{"{file}: gated_permit_types: must be a list of strings, like [a, b]"}},
		{"bad duration", "max_data_age: 3 days\n", []string{`{file}: max_data_age: must be a duration like 72h or 30d, not "3 days"`}},
		{"not a mapping", "just a string\n", []string{"{file}: the top level must be a mapping of keys to values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "policy.yaml", tt.yaml)
			_, err := LoadPolicy(path)
			if len(errLines(err)) != len(tt.want) {
				t.Errorf("got %d lines, want %d: %v", len(errLines(err)), len(tt.want), err)
			}
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "{file}", path); !hasLine(err, w) {
					t.Errorf("LoadPolicy = %v\nwant a line %q", err, w)
				}
			}
		})
	}
	if _, err := LoadPolicy("/nonexistent/policy.yaml"); !hasSubstring(err, "JKNGATE_POLICY_FILE: open /nonexistent/policy.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestParseDays(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"72h", 72 * time.Hour, true},
		{"30d", 720 * time.Hour, true},
		{"1d12h", 36 * time.Hour, true},
		{"0d", 0, true},
		{"90m", 90 * time.Minute, true},
		{"d", 0, false},
		{"1.5d", 0, false},
		{"-1d", 0, false},
		{"1d-1h", 0, false},
		{"99999999999999d", 0, false},
	}
	for _, tt := range tests {
		got, err := parseDays(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseDays(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
