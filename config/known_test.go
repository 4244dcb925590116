package config

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

func TestUnknownVariablesNameTheClosestKnownOne(t *testing.T) {
	env := []string{
		"JKNGATE_DATABSE_URL=/tmp/x.db", // misspelt
		"JKNGATE_DATABASE_URL=jkngate.db",
		"JKNGATE_BPJS_SECRET_FILE=/run/secrets/bpjs",
		"JKNGATE_REDIS_URLS=redis://secret-in-value@h",
		"JKNGATE_CACHE_KEY=whatever",          // published; read by newer builds
		"JKNGATE_TEST_REDIS_URL=redis://h/15", // the test suites' own
		"JKNGATE_LOAD=1",
		"PATH=/usr/bin",
		"JKNGATE_LOG_LEVL=debug",
	}
	got := UnknownVariables(env)
	want := []string{
		"JKNGATE_DATABSE_URL is not a jkngate variable and is ignored; did you mean JKNGATE_DATABASE_URL?",
		"JKNGATE_REDIS_URLS is not a jkngate variable and is ignored; did you mean JKNGATE_REDIS_URL?",
		"JKNGATE_LOG_LEVL is not a jkngate variable and is ignored; did you mean JKNGATE_LOG_LEVEL?",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("UnknownVariables:\n got %q\nwant %q", got, want)
	}
	for _, w := range got {
		if strings.Contains(w, "secret-in-value") {
			t.Errorf("a warning quotes a value: %s", w)
		}
	}
}

// The known list comes from the settings table Load reads, so a setting
// added there is known without a second list to keep.
func TestKnownVariablesFollowTheSettingsTable(t *testing.T) {
	known := KnownVariables()
	for _, s := range settings {
		if !slices.Contains(known, s.envName()) {
			t.Errorf("%s is read by Load but not known", s.envName())
		}
		if s.file != slices.Contains(known, s.envName()+"_FILE") {
			t.Errorf("%s_FILE: known is %v, setting takes _FILE is %v", s.envName(), !s.file, s.file)
		}
	}
	for _, name := range []string{FileVar, "JKNGATE_OSS_USER_KEY", "JKNGATE_SESSION_KEY_FILE", "JKNGATE_TRACING",
		"JKNGATE_READ_TIMEOUT", "JKNGATE_OIDC_REGIONS_CLAIM"} {
		if !slices.Contains(known, name) {
			t.Errorf("%s is not known", name)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"DATABSE", "DATABASE", 1}, {"same", "same", 0}} {
		if got := levenshtein(c.a, c.b); got != c.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// Five bad values give five lines, and the policy's faults come in the same
// run: decoding errors and validation errors together.
func TestLoadAllReportsEveryProblemAtOnce(t *testing.T) {
	policy := writeFile(t, "policy.yaml", `version: ""
min_worker_coverage: 2
max_arrears_months: x
on_registry_unavailable: maybe
max_data_age: -1h
`)
	_, _, err := LoadAll(envMap(map[string]string{
		"JKNGATE_ADDR":         "no-port",
		"JKNGATE_CACHE_SIZE":   "many",
		"JKNGATE_BPJS_RATE":    "fast",
		"JKNGATE_LOG_LEVEL":    "loud",
		"JKNGATE_BPJS_TIMEOUT": "soon",
		"JKNGATE_POLICY_FILE":  policy,
	}), ModeDemo)
	want := []string{
		"JKNGATE_ADDR: must be host:port, like :8080",
		`JKNGATE_CACHE_SIZE: must be an integer, not "many"`,
		`JKNGATE_BPJS_RATE: must be a number, not "fast"`,
		`JKNGATE_LOG_LEVEL: must be debug, info, warn or error, not "loud"`,
		`JKNGATE_BPJS_TIMEOUT: must be a duration like 2s, 15m or 6h, not "soon"`,
		policy + ": version: is required",
		policy + ": min_worker_coverage: must be between 0 and 1",
		policy + ": max_arrears_months: must be an integer",
		policy + ": on_registry_unavailable: must be allow, deny or review",
		policy + ": max_data_age: must be a positive duration",
	}
	lines := errLines(err)
	for _, w := range want {
		if !slices.Contains(lines, w) {
			t.Errorf("missing line %q", w)
		}
	}
	if len(lines) != len(want) {
		t.Errorf("got %d lines, want %d:\n%s", len(lines), len(want), err)
	}
}

// A policy file that cannot be read is named once, not twice.
func TestLoadAllMissingPolicyNamesTheVariableOnce(t *testing.T) {
	_, _, err := LoadAll(envMap(map[string]string{"JKNGATE_POLICY_FILE": "/nonexistent/policy.yaml"}), ModeDemo)
	if err == nil || strings.Count(err.Error(), "JKNGATE_POLICY_FILE") != 1 {
		t.Errorf("error = %v, want JKNGATE_POLICY_FILE named exactly once", err)
	}
}

func TestUnknownFileKeySuggestsTheClosest(t *testing.T) {
	path := writeFile(t, "c.yaml", "databse_url: x.db\n")
	_, err := Load(envMap(map[string]string{FileVar: path}))
	if !hasSubstring(err, `unknown key "databse_url"; did you mean database_url?`) {
		t.Errorf("error = %v", err)
	}
}

// The example files shipped at the repository root load without error, and
// the example policy states the built-in default.
func TestExampleFilesLoad(t *testing.T) {
	root := filepath.Join("..")
	cfgPath := filepath.Join(root, "config.example.yaml")
	policyPath := filepath.Join(root, "policy.example.yaml")
	for _, p := range []string{cfgPath, policyPath} {
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _, err := LoadAll(envMap(map[string]string{FileVar: cfgPath, "JKNGATE_POLICY_FILE": policyPath}), ModeServe)
	if err != nil {
		t.Fatalf("the example configuration does not load:\n%v", err)
	}
	if cfg.BPJSURL == "" || len(cfg.WebhookClients) != 1 {
		t.Errorf("example configuration loaded as %+v", cfg)
	}
	p, err := LoadPolicy(policyPath)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, gate.DefaultPolicy()) {
		t.Errorf("policy.example.yaml differs from the built-in default:\n got %+v\nwant %+v", p, gate.DefaultPolicy())
	}
}
