package api_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
)

var (
	anyone    = []string{"officer", "reviewer", "admin"}
	reviewers = []string{"reviewer", "admin"}
	admins    = []string{"admin"}
)

// peopleRoute is a route of the people's API, a request to it, and the
// roles that may call it.
type peopleRoute struct {
	method, pattern, path string
	body                  any
	roles                 []string
}

// peopleRoutes lists every route of the people's API (README) and the audit trail.
var peopleRoutes = []peopleRoute{
	{"GET", "/v1/companies/:nib", "/v1/companies/" + nibShared, nil, anyone},
	{"POST", "/v1/companies/:nib/evaluate", "/v1/companies/" + nibShared + "/evaluate", whatIf("1275"), anyone},
	{"POST", "/v1/companies/:nib/refresh", "/v1/companies/" + nibShared + "/refresh", nil, reviewers},
	{"GET", "/v1/decisions", "/v1/decisions", nil, anyone},
	{"GET", "/v1/decisions/export.csv", "/v1/decisions/export.csv", nil, anyone},
	{"GET", "/v1/decisions/:decision_id", "/v1/decisions/dec_01JD3Z0000000000000000000", nil, anyone},
	{"POST", "/v1/decisions/:decision_id/review", "/v1/decisions/dec_01JD3Z0000000000000000000/review",
		map[string]string{"action": "reevaluate"}, reviewers},
	{"GET", "/v1/reviews", "/v1/reviews", nil, reviewers},
	{"GET", "/v1/reports/coverage", "/v1/reports/coverage", nil, anyone},
	{"GET", "/v1/audit", "/v1/audit", nil, admins},
	{"GET", "/v1/callbacks", "/v1/callbacks", nil, admins},
	{"POST", "/v1/callbacks/:id/retry", "/v1/callbacks/cb_01JD3Z0000000000000000000/retry", nil, admins},
	{"GET", "/v1/imports", "/v1/imports", nil, admins},
	{"POST", "/v1/imports", "/v1/imports", nil, admins},
}

func whatIf(region string) map[string]any {
	return map[string]any{"application_id": "WHATIF-1", "region_code": region, "permit_type": "business_license",
		"declared_workers": 52}
}

// TestEveryPeopleRouteIsListed keeps peopleRoutes complete: a route added to
// api.New without being added here would escape the token table below.
func TestEveryPeopleRouteIsListed(t *testing.T) {
	p := newPeopleEnv(t)
	for _, r := range p.e.Routes() {
		if !strings.HasPrefix(r.Path, "/v1/") || strings.HasPrefix(r.Path, "/v1/webhooks/") {
			continue
		}
		if !slices.ContainsFunc(peopleRoutes, func(pr peopleRoute) bool {
			return pr.method == r.Method && pr.pattern == r.Path
		}) {
			t.Errorf("%s %s is not in peopleRoutes", r.Method, r.Path)
		}
	}
}

// badTokens are tokens (or Authorization headers) that must never pass.
func badTokens(t *testing.T) []struct {
	name, header string
	invalid      bool // a token was sent: error="invalid_token"
} {
	k := keys(t)
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := admin.claims()
		edit(c)
		return c
	}
	rs := func(c jwt.MapClaims) string { return "Bearer " + sign(t, jwt.SigningMethodRS256, k.rsa, k.rsaKid, c) }
	pubPEM, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubPEM})
	none := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "", admin.claims())
	valid := strings.Split(officer1275.token(t), ".")
	forged := base64.RawURLEncoding.EncodeToString([]byte(
		`{"iss":"` + testIssuer + `","aud":"jkngate","sub":"officer-medan","roles":["admin"],"exp":` +
			strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `}`))
	return []struct {
		name, header string
		invalid      bool
	}{
		{"no Authorization", "", false},
		{"another scheme", "Basic YWRtaW46YWRtaW4=", false},
		{"Bearer without a token", "Bearer ", false},
		{"malformed token", "Bearer not.a.jwt", true},
		{"expired", rs(claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })), true},
		{"not yet valid", rs(claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() })), true},
		{"issued in the future", rs(claims(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Minute).Unix() })), true},
		{"no exp", rs(claims(func(c jwt.MapClaims) { delete(c, "exp") })), true},
		{"wrong iss", rs(claims(func(c jwt.MapClaims) { c["iss"] = "https://evil.example" })), true},
		{"no iss", rs(claims(func(c jwt.MapClaims) { delete(c, "iss") })), true},
		{"wrong aud", rs(claims(func(c jwt.MapClaims) { c["aud"] = []string{"other-service"} })), true},
		{"missing sub", rs(claims(func(c jwt.MapClaims) { delete(c, "sub") })), true},
		{"blank sub", rs(claims(func(c jwt.MapClaims) { c["sub"] = "  " })), true},
		{"alg none", "Bearer " + none, true},
		{"HS256 signed with the RSA public key PEM", "Bearer " + sign(t, jwt.SigningMethodHS256, pemBytes, k.rsaKid, admin.claims()), true},
		{"HS256 with another secret", "Bearer " + sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 40)), "", admin.claims()), true},
		{"RS384 (not accepted)", "Bearer " + sign(t, jwt.SigningMethodRS384, k.rsa, k.rsaKid, admin.claims()), true},
		{"unknown kid", "Bearer " + sign(t, jwt.SigningMethodRS256, k.rsaOther, "kid-nobody-knows", admin.claims()), true},
		{"known kid, another key", "Bearer " + sign(t, jwt.SigningMethodRS256, k.rsaOther, k.rsaKid, admin.claims()), true},
		{"ES256 claiming the RSA kid", "Bearer " + sign(t, jwt.SigningMethodES256, k.ec, k.rsaKid, admin.claims()), true},
		{"tampered payload", "Bearer " + valid[0] + "." + forged + "." + valid[2], true},
		{"exp as a string", rs(claims(func(c jwt.MapClaims) { c["exp"] = strconv.FormatInt(now.Add(time.Hour).Unix(), 10) })), true},
		{"nbf as a string", rs(claims(func(c jwt.MapClaims) { c["nbf"] = strconv.FormatInt(now.Unix(), 10) })), true},
		{"iat as a string", rs(claims(func(c jwt.MapClaims) { c["iat"] = strconv.FormatInt(now.Unix(), 10) })), true},
		{"sub with a NUL", rs(claims(func(c jwt.MapClaims) { c["sub"] = "admin\x00pusat" })), true},
		{"sub with a bidi override", rs(claims(func(c jwt.MapClaims) { c["sub"] = "admin\u202epusat" })), true},
		{"sub with a newline", rs(claims(func(c jwt.MapClaims) { c["sub"] = "admin\nINFO forged line" })), true},
		{"claim names in another case", "Bearer " + signRawHS256(t, `{"Iss":"`+testIssuer+`","aUd":"jkngate","suB":"x","roles":["admin"],"eXp":`+
			strconv.FormatInt(now.Add(time.Hour).Unix(), 10)+`}`), true},
		{"duplicate roles claim", "Bearer " + signRawHS256(t, `{"iss":"`+testIssuer+`","aud":"jkngate","sub":"x","roles":["officer"],"roles":["admin"],"exp":`+
			strconv.FormatInt(now.Add(time.Hour).Unix(), 10)+`}`), true},
		{"invalid UTF-8 in claims", "Bearer " + signRawHS256(t, `{"iss":"`+testIssuer+`","aud":"jkngate","sub":"x\xff","roles":["admin"],"exp":`+
			strconv.FormatInt(now.Add(time.Hour).Unix(), 10)+`}`), true},
	}
}

// signRawHS256 signs payload, exactly as given, with the test HS256 secret
// (JSON a claims map could not make: duplicate keys, invalid UTF-8).
func signRawHS256(t *testing.T, payload string) string {
	t.Helper()
	payload = strings.ReplaceAll(payload, `\xff`, "\xff")
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body := base64.RawURLEncoding.EncodeToString([]byte(payload))
	sig, err := jwt.SigningMethodHS256.Sign(head+"."+body, []byte(hs256Secret))
	if err != nil {
		t.Fatal(err)
	}
	return head + "." + body + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestBadTokensOnEveryRoute(t *testing.T) {
	p := newPeopleEnv(t)
	for _, tok := range badTokens(t) {
		t.Run(tok.name, func(t *testing.T) {
			for _, r := range peopleRoutes {
				rec := p.callHeader(t, r.method, r.path, tok.header, r.body)
				if rec.Code != http.StatusUnauthorized {
					t.Errorf("%s %s: status %d, want 401; body %s", r.method, r.path, rec.Code, rec.Body)
					continue
				}
				e := errorBody(t, rec)
				if e.Code != "unauthenticated" {
					t.Errorf("%s %s: code %q", r.method, r.path, e.Code)
				}
				// A fixed message per case: never the sender's kid, never
				// an internal error.
				if e.Message != "the bearer token is invalid" && !strings.HasPrefix(e.Message, "a bearer token is required") {
					t.Errorf("%s %s: message %q is not a fixed one", r.method, r.path, e.Message)
				}
				want := `Bearer realm="jkngate"`
				if tok.invalid {
					want += `, error="invalid_token"`
				}
				if got := rec.Header().Get("WWW-Authenticate"); got != want {
					t.Errorf("%s %s: WWW-Authenticate %q, want %q", r.method, r.path, got, want)
				}
			}
		})
	}
}

// TestRolesOnEveryRoute: each role passes authorization exactly where the
// route allows it (the answer may still be 404 or 422), and 403 elsewhere.
func TestRolesOnEveryRoute(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	for _, a := range []actor{officer1275, reviewer1275, admin, noRole} {
		for _, r := range peopleRoutes {
			rec := p.as(t, a, r.method, r.path, r.body)
			allowed := slices.ContainsFunc(a.roles, func(role string) bool { return slices.Contains(r.roles, role) })
			switch {
			case allowed && (rec.Code == http.StatusUnauthorized || rec.Code == http.StatusForbidden):
				t.Errorf("%s: %s %s: status %d, body %s", a.sub, r.method, r.path, rec.Code, rec.Body)
			case !allowed && rec.Code != http.StatusForbidden:
				t.Errorf("%s: %s %s: status %d, want 403; body %s", a.sub, r.method, r.path, rec.Code, rec.Body)
			case !allowed && errorBody(t, rec).Code != "forbidden":
				t.Errorf("%s: %s %s: code %s", a.sub, r.method, r.path, rec.Body)
			}
		}
	}
}

// TestAcceptedTokens: every configured algorithm works, a kid-less token
// finds the only key of its type, and exp within the 30 s leeway passes.
func TestAcceptedTokens(t *testing.T) {
	p := newPeopleEnv(t)
	k := keys(t)
	c := admin.claims()
	late := admin.claims()
	late["exp"] = now.Add(-20 * time.Second).Unix()
	for name, tok := range map[string]string{
		"RS256":              sign(t, jwt.SigningMethodRS256, k.rsa, k.rsaKid, c),
		"RS256 without kid":  sign(t, jwt.SigningMethodRS256, k.rsa, "", c),
		"ES256":              sign(t, jwt.SigningMethodES256, k.ec, "ec-1", c),
		"ES256 without kid":  sign(t, jwt.SigningMethodES256, k.ec, "", c),
		"EdDSA":              sign(t, jwt.SigningMethodEdDSA, k.ed, "ed-1", c),
		"HS256 (dev secret)": sign(t, jwt.SigningMethodHS256, []byte(hs256Secret), "", c),
		"expired 20 s ago":   sign(t, jwt.SigningMethodRS256, k.rsa, k.rsaKid, late),
	} {
		if rec := p.call(t, "GET", "/v1/decisions", tok, nil); rec.Code != http.StatusOK {
			t.Errorf("%s: status %d, body %s", name, rec.Code, rec.Body)
		}
	}
}

func TestNewAuthenticatorRefusesUnusableConfigs(t *testing.T) {
	for name, cfg := range map[string]api.AuthConfig{
		"no keys":      {Issuer: "i", Audience: "a"},
		"short secret": {HS256Secret: []byte("short"), Issuer: "i", Audience: "a"},
		"no issuer":    {HS256Secret: []byte(hs256Secret), Audience: "a"},
		"no audience":  {HS256Secret: []byte(hs256Secret), Issuer: "i"},
	} {
		if _, err := api.NewAuthenticator(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestWithoutAuthenticator: no verification configured answers 401.
func TestWithoutAuthenticator(t *testing.T) {
	e := api.New(api.Deps{Gate: &gate.Service{}, People: &gate.People{}})
	rec := httptestDo(e, "GET", "/v1/decisions", admin.token(t))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("status %d", rec.Code)
	}
}
