package gate

import (
	"fmt"
	"testing"
)

func TestKindOfAndCodeOf(t *testing.T) {
	direct := &Error{Kind: KindInvalid, Code: CodeInvalidWebhookID}
	for name, tt := range map[string]struct {
		err  error
		kind Kind
		code string
	}{
		"nil":          {nil, KindInternal, ""},
		"an *Error":    {direct, KindInvalid, CodeInvalidWebhookID},
		"wrapped":      {fmt.Errorf("submit: %w", direct), KindInvalid, CodeInvalidWebhookID},
		"typed nil":    {(*Error)(nil), KindInternal, ""},
		"another kind": {fmt.Errorf("plain"), KindInternal, ""},
	} {
		if got := KindOf(tt.err); got != tt.kind {
			t.Errorf("%s: KindOf = %v, want %v", name, got, tt.kind)
		}
		if got := CodeOf(tt.err); got != tt.code {
			t.Errorf("%s: CodeOf = %q, want %q", name, got, tt.code)
		}
	}
	// The webhook path asks for the kind of every store answer, mostly nil
	// or an *Error itself: neither may allocate.
	var err error = direct
	if n := testing.AllocsPerRun(100, func() { _ = KindOf(nil); _ = KindOf(err) }); n != 0 {
		t.Errorf("KindOf of nil and of an *Error allocates %v times", n)
	}
}
