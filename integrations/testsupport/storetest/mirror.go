package storetest

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jkngate/jkngate/gate"
)

// Both stores answer RecordDecision with a copy of the decision made in Go
// (their mirror: postgres's asStored, sqlite's readBack) instead of decoding
// the row they wrote, when they know the copy is what decoding would give.
// These checks hold a mirror to that promise.

// CheckMirror fails t when the mirror refused (ok false) or its answer got
// differs from want, the decoded row. what names the case, mirror the
// function.
func CheckMirror(t *testing.T, mirror, what string, want, got gate.Decision, ok bool) {
	t.Helper()
	if !ok {
		t.Errorf("%s: %s refused", what, mirror)
		return
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s: %s differs from the decoded row (-decoded +%s):\n%s", what, mirror, mirror, cmp.Diff(want, got))
	}
}

// CheckMirrorRefuses fails t for each change that, made to a NewDecision,
// the mirror accepts (accepts returns true): values whose stored form the
// mirror does not know for sure must send the store to decoding.
func CheckMirrorRefuses(t *testing.T, mirror string, accepts func(gate.Decision) bool, changes map[string]func(*gate.Decision)) {
	t.Helper()
	for name, change := range changes {
		d := NewDecision("client-a", "msg_1", "OSS-1")
		change(&d)
		if accepts(d) {
			t.Errorf("%s: %s accepted it", name, mirror)
		}
	}
}
