package console

import (
	"reflect"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

// Roles and regions come from dotted claim paths (Keycloak's
// realm_access.roles); roles and region codes jkngate does not know are
// dropped, and a person with no jkngate role is refused.
func TestActorFromClaims(t *testing.T) {
	claims := map[string]any{
		"realm_access": map[string]any{"roles": []any{"offline_access", "reviewer", "admin", "reviewer", 7}},
		"regions":      []any{"12", "1275", "127", "ab", "3573"},
		"groups":       "officer",
	}
	a, err := actorFromClaims("user-1", claims, "realm_access.roles", "regions")
	if err != nil {
		t.Fatal(err)
	}
	want := gate.Actor{Subject: "user-1", Roles: []gate.Role{gate.RoleReviewer, gate.RoleAdmin}, Regions: []string{"12", "1275", "3573"}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("actor = %+v, want %+v", a, want)
	}
	if a, err := actorFromClaims("user-2", claims, "groups", "nowhere.at.all"); err != nil || !a.Has(gate.RoleOfficer) || len(a.Regions) != 0 {
		t.Errorf("a single string claim: %+v, %v", a, err)
	}
	if _, err := actorFromClaims("user-3", claims, "roles", "regions"); err == nil {
		t.Error("a person without a jkngate role is signed in")
	}
	if _, err := actorFromClaims("", claims, "realm_access.roles", "regions"); err == nil {
		t.Error("a token without a subject is accepted")
	}
}

// After sign-in the browser goes back only to a console path.
func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/decisions?outcome=deny": "/console/decisions?outcome=deny",
		"https://evil.example/console/":   "/console/",
		"//evil.example/console/":         "/console/",
		"/console/\\evil":                 "/console/",
		"/v1/audit":                       "/console/",
		"":                                "/console/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
