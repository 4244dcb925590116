package gate

import (
	"strings"
	"testing"
)

// Every id gate makes has the form its validator accepts, and sorts by
// the time it was made; the validators refuse other prefixes, lengths and
// letters outside the ULID alphabet.
func TestIDsAndTheirForms(t *testing.T) {
	for _, tt := range []struct {
		name  string
		make  func() string
		valid func(string) bool
		other func(string) bool
	}{
		{"decision", func() string { return NewDecisionID(t0) }, ValidDecisionID, ValidCallbackID},
		{"callback", func() string { return NewCallbackID(t0) }, ValidCallbackID, ValidAuditID},
		{"audit", func() string { return NewAuditID(t0) }, ValidAuditID, ValidDecisionID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, b := tt.make(), tt.make()
			if !tt.valid(a) || !tt.valid(b) || !(a < b) {
				t.Errorf("ids %q, %q: want valid and in the order made", a, b)
			}
			if tt.other(a) {
				t.Errorf("%q passes as another kind of id", a)
			}
			prefix := a[:strings.IndexByte(a, '_')+1]
			for _, bad := range []string{"", prefix, a + "0", a[:len(a)-1], prefix + strings.Repeat("U", 26),
				prefix + strings.ToLower(a[len(prefix):]), strings.ToUpper(prefix) + a[len(prefix):]} {
				if tt.valid(bad) {
					t.Errorf("%q is accepted", bad)
				}
			}
		})
	}
	if u := NewULID(t0); !validULID(u) || ValidDecisionID(u) {
		t.Errorf("NewULID = %q, want a bare ULID", u)
	}
}

func TestParseReviewStateAndAction(t *testing.T) {
	for _, s := range []string{"open", "closed"} {
		if st, ok := ParseReviewState(s); !ok || string(st) != s {
			t.Errorf("ParseReviewState(%q) = %q, %v", s, st, ok)
		}
	}
	for _, s := range []string{"uphold", "override", "reevaluate", "withdraw"} {
		if a, ok := ParseReviewAction(s); !ok || string(a) != s {
			t.Errorf("ParseReviewAction(%q) = %q, %v", s, a, ok)
		}
	}
	for _, s := range []string{"", "Open", "pending", "approve", "UPHOLD"} {
		if _, ok := ParseReviewState(s); ok {
			t.Errorf("ParseReviewState(%q) accepted", s)
		}
		if _, ok := ParseReviewAction(s); ok {
			t.Errorf("ParseReviewAction(%q) accepted", s)
		}
	}
}

func TestIsMaskedNIK(t *testing.T) {
	for nik, want := range map[string]bool{
		"1275014101900001":          false,
		MaskNIK("1275014101900001"): true,
		MaskNIK("12345"):            true,
		"":                          false,
	} {
		if got := IsMaskedNIK(nik); got != want {
			t.Errorf("IsMaskedNIK(%q) = %v, want %v", nik, got, want)
		}
	}
}
