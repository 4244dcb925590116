package gate_test

import (
	"os/exec"
	"strings"
	"testing"
)

// nonStandardDeps lists the packages pkg depends on, directly or not, that
// are not in Go's standard library, with `go list`.
func nonStandardDeps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
	if err != nil {
		t.Skipf("go list is not available here: %v", err)
	}
	return strings.Fields(string(out))
}

// The domain imports the standard library only: an adapter (Echo, SQL,
// Redis, an HTTP client library) added to gate fails this test, whichever
// file brings it in.
func TestGateImportsTheStandardLibraryOnly(t *testing.T) {
	for _, dep := range nonStandardDeps(t, "github.com/jkngate/jkngate/gate") {
		if dep != "github.com/jkngate/jkngate/gate" {
			t.Errorf("gate depends on %s; it may import the standard library only", dep)
		}
	}
}

// The HTTP layer reaches storage only through gate's interfaces: no package
// under api imports a store, directly or through another package.
func TestAPIDoesNotImportAStore(t *testing.T) {
	for _, dep := range nonStandardDeps(t, "github.com/jkngate/jkngate/api/...") {
		for _, store := range []string{"/integrations/sqlite", "/integrations/postgres", "modernc.org/sqlite",
			"github.com/jackc/pgx"} {
			if strings.Contains(dep, store) {
				t.Errorf("a package under api depends on %s; handlers reach the store through gate", dep)
			}
		}
	}
}
