package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyCommands(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"policy", "test", "../../gate/testdata"}, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("policy test gate/testdata: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), " passed, 0 failed") {
		t.Errorf("output: %s", out.String())
	}

	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("cases:\n  - name: wrong\n    application: {declared_workers: 1}\n    findings: {employer: not_registered}\n    expect: {outcome: allow}\n"), 0o600)
	out.Reset()
	if err := run(t.Context(), []string{"policy", "test", dir}, func(string) string { return "" }, &out, &errOut); err == nil ||
		!strings.Contains(out.String(), "FAIL bad.yaml: wrong") {
		t.Errorf("a failing case: err %v, output %s", err, out.String())
	}

	policy := filepath.Join(dir, "policy.yaml")
	os.WriteFile(policy, []byte("version: v1\nregions:\n  \"1272\": {min_worker_coverage: 0.9}\n"), 0o600)
	out.Reset()
	if err := run(t.Context(), []string{"policy", "check", policy}, func(string) string { return "" }, &out, &errOut); err != nil ||
		!strings.Contains(out.String(), "region 1272 (version v1/1272)") {
		t.Errorf("check: err %v, output %s", err, out.String())
	}
	os.WriteFile(policy, []byte("min_worker_coverage: 2\nmax_arrears_months: -1\n"), 0o600)
	errOut.Reset()
	err := run(t.Context(), []string{"policy", "check", policy}, func(string) string { return "" }, &out, &errOut)
	if lines := strings.Split(strings.TrimSpace(errOut.String()), "\n"); err == nil || len(lines) != 2 {
		t.Errorf("check of a bad policy: err %v, want one line per problem, got %q", err, errOut.String())
	}
}
