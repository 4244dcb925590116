package policytest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cases.yaml"), []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunDirReportsFailures(t *testing.T) {
	dir := write(t, `cases:
  - name: passes
    application: {declared_workers: 1}
    findings: {employer: {status: "1", active: 1}}
    expect: {outcome: allow, reasons: [COMPLIANT]}
  - name: wrong outcome, reasons and message
    application: {declared_workers: 52}
    findings: {employer: {status: "1", active: 40}}
    expect: {outcome: allow, reasons: [COMPLIANT], messages: ["no such text"]}
`)
	rs, err := RunDir(dir)
	if err != nil || len(rs) != 2 {
		t.Fatalf("RunDir: %v, %v", rs, err)
	}
	if len(rs[0].Problems) != 0 {
		t.Errorf("first case: %v", rs[0].Problems)
	}
	got := strings.Join(rs[1].Problems, "\n")
	for _, want := range []string{"outcome deny, want allow", "reasons [WORKERS_UNDER_REGISTERED], want [COMPLIANT]", `no reason says "no such text"`} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q lack %q", got, want)
		}
	}
}

func TestRunDirRefusesMalformedCases(t *testing.T) {
	for _, body := range []string{
		"cases:\n  - name: x\n    colour: red\n",
		"cases: []\n",
		"cases:\n  - findings: {employer: maybe}\n",
	} {
		rs, err := RunDir(write(t, body))
		if err == nil && (len(rs) == 0 || len(rs[0].Problems) == 0) {
			t.Errorf("%q: no error and no problem", body)
		}
	}
	if _, err := RunDir(t.TempDir()); err == nil {
		t.Error("an empty directory must be an error")
	}
}
