// Package integrations holds no code of its own: its folders are the
// adapters to outside systems and, under folders named by their role, the
// decorators, auth helpers, support packages, simulators and test support.
// This test keeps that arrangement (and the README's layout table) true.
package integrations_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// roles are the folders of integrations/ that are not adapters; adapters
// are the outside systems jkngate talks to.
var (
	roles    = []string{"decorators", "auth", "support", "internal", "simulators", "testsupport"}
	adapters = []string{"bpjs", "bpjsfile", "redis", "sqlite", "postgres", "callback", "oss"}
)

// Every folder directly under integrations/ is an adapter or a role folder,
// and the README's layout table names it: a new folder has to be placed and
// described before this passes.
func TestEveryFolderIsAnAdapterOrARole(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, n := range append(append([]string{}, roles...), adapters...) {
		known[n] = true
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if !known[e.Name()] {
			t.Errorf("integrations/%s is neither an adapter nor one of the role folders %v; place it under its role", e.Name(), roles)
		}
		if !strings.Contains(string(readme), "`integrations/"+e.Name()) {
			t.Errorf("README's layout table does not mention integrations/%s", e.Name())
		}
	}
}

// Test support is imported by tests only: no package the binaries are
// built from depends on it.
func TestTestSupportIsNotShipped(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/jkngate/jkngate/cmd/...").Output()
	if err != nil {
		t.Skipf("go list is not available here: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "/integrations/testsupport/") {
			t.Errorf("the binaries depend on %s, which is test support", dep)
		}
	}
}

// Integrations serve the domain, not the HTTP layer: a package under
// integrations may import gate, never api or cmd.
func TestIntegrationsDoNotImportTheAPI(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "github.com/jkngate/jkngate/integrations/...").Output()
	if err != nil {
		t.Skipf("go list is not available here: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/jkngate/jkngate/api") || strings.HasPrefix(dep, "github.com/jkngate/jkngate/cmd") {
			t.Errorf("a package under integrations depends on %s; integrations serve gate, not the HTTP layer", dep)
		}
	}
}
