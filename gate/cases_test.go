package gate_test

import (
	"strings"
	"testing"

	"github.com/jkngate/jkngate/config/policytest"
)

// TestPolicyCases runs the rule cases in testdata, the same way
// `jkngate policy test gate/testdata` does: the engine's table lives there,
// readable by a region's legal team.
func TestPolicyCases(t *testing.T) {
	results, err := policytest.RunDir("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if len(results) < 40 {
		t.Errorf("only %d cases ran", len(results))
	}
	for _, r := range results {
		if len(r.Problems) > 0 {
			t.Errorf("%s: %s:\n  %s", r.File, r.Name, strings.Join(r.Problems, "\n  "))
		}
	}
}
