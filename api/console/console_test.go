package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Every console page refuses framing and script, over HTTP errors too.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, "")
	ck := e.signIn(t, 2)
	for _, path := range []string{"/console/", "/console/login", "/console/decisions", "/console/nope", "/console/audit"} {
		w := e.do(t, http.MethodGet, path, nil, ck)
		csp := w.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'none'") ||
			strings.Contains(csp, "unsafe-inline") || w.Header().Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: CSP %q, X-Frame-Options %q", path, csp, w.Header().Get("X-Frame-Options"))
		}
		if !strings.Contains(w.Body.String(), `<html lang="id">`) {
			t.Errorf("%s: no lang on html", path)
		}
	}
}

// GET / leads to the console; a page asked for while signed out leads to
// the sign-in, and back to the page after it.
func TestRedirects(t *testing.T) {
	e := newEnv(t, "")
	if w := e.do(t, http.MethodGet, "/", nil); w.Code != http.StatusFound || w.Header().Get("Location") != "/console/" {
		t.Errorf("GET /: HTTP %d to %q", w.Code, w.Header().Get("Location"))
	}
	w := e.do(t, http.MethodGet, "/console/decisions?outcome=deny", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/login?next=%2Fconsole%2Fdecisions%3Foutcome%3Ddeny" {
		t.Errorf("signed out: HTTP %d to %q", w.Code, w.Header().Get("Location"))
	}
	w = e.do(t, http.MethodPost, "/console/login", url.Values{"user": {"0"}, "next": {"https://evil.example/"}})
	if w.Header().Get("Location") != "/console/" {
		t.Errorf("a foreign next is followed: %q", w.Header().Get("Location"))
	}
}

// The session cookie is HttpOnly and SameSite=Lax, Secure unless the
// request came over plain HTTP to loopback.
func TestSessionCookieAttributes(t *testing.T) {
	e := newEnv(t, "")
	ck := e.signIn(t, 0)
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure || ck.Path != "/console/" {
		t.Errorf("on loopback: %+v", ck)
	}
	r := newRequestOnHost(t, e, "gate.example.go.id")
	if c := session(r, nil); c == nil || !c.Secure {
		t.Errorf("on a public host the cookie is not Secure: %+v", c)
	}
}

// A session ends after 30 minutes without a request and after 8 hours in
// any case; a request within them slides the idle clock.
func TestSessionTimeouts(t *testing.T) {
	e := newEnv(t, "")
	ck := e.signIn(t, 0)
	e.clock.advance(29 * time.Minute)
	w := e.do(t, http.MethodGet, "/console/decisions", nil, ck)
	if w.Code != http.StatusOK {
		t.Fatalf("after 29 min: HTTP %d", w.Code)
	}
	ck = session(w, ck)
	e.clock.advance(29 * time.Minute) // 58 min after sign-in, 29 after the last request
	if w := e.do(t, http.MethodGet, "/console/decisions", nil, ck); w.Code != http.StatusOK {
		t.Fatalf("idle clock did not slide: HTTP %d", w.Code)
	}
	e.clock.advance(31 * time.Minute)
	if w := e.do(t, http.MethodGet, "/console/decisions", nil, ck); w.Code != http.StatusSeeOther {
		t.Fatalf("after 31 idle minutes: HTTP %d, want the sign-in", w.Code)
	}

	ck = e.signIn(t, 0)
	for i := 1; i <= 17; i++ { // 17 x 29 min = 8 h 13 min, never idle for long
		e.clock.advance(29 * time.Minute)
		w := e.do(t, http.MethodGet, "/console/decisions", nil, ck)
		ck = session(w, ck)
		if w.Code == http.StatusSeeOther {
			if i != 17 {
				t.Fatalf("the session ended after %v", time.Duration(i)*29*time.Minute)
			}
			return
		}
	}
	t.Fatal("a session lasted past 8 hours")
}

// Logging out revokes the session: a copy of its cookie is refused.
func TestLogoutRevokes(t *testing.T) {
	e := newEnv(t, "")
	ck := e.signIn(t, 0)
	if w := e.do(t, http.MethodPost, "/console/logout", url.Values{}, ck); w.Code != http.StatusOK {
		t.Fatalf("logout: HTTP %d", w.Code)
	}
	if w := e.do(t, http.MethodGet, "/console/", nil, ck); w.Code != http.StatusSeeOther {
		t.Fatalf("the signed-out cookie still works: HTTP %d", w.Code)
	}
	tampered := *ck
	tampered.Value = ck.Value[:len(ck.Value)-2] + "AA"
	if w := e.do(t, http.MethodGet, "/console/", nil, &tampered); w.Code != http.StatusSeeOther {
		t.Fatalf("a tampered cookie works: HTTP %d", w.Code)
	}
}

// A POST from another site is refused before it reaches gate.
func TestCrossOriginPostRefused(t *testing.T) {
	e := newEnv(t, "")
	d := e.submit(t, "APP-1", "9120000000001", "1275")
	ck := e.signIn(t, 1)
	req := newFormRequest(t, "/console/decisions/"+d.ID+"/review", url.Values{"action": {"override"}, "note": {"approved elsewhere, honestly"}})
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(ck)
	w := serve(e, req)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "situs lain") {
		t.Fatalf("cross-site POST: HTTP %d", w.Code)
	}
	req = newFormRequest(t, "/console/decisions/"+d.ID+"/review", url.Values{"action": {"override"}, "note": {"approved elsewhere, honestly"}})
	req.Header.Set("Origin", "https://evil.example")
	req.AddCookie(ck)
	if w := serve(e, req); w.Code != http.StatusForbidden {
		t.Fatalf("POST with a foreign Origin: HTTP %d", w.Code)
	}
}

// Roles and regions are the people's API's: an officer gets 403 for admin
// pages and 404 for another region's decision; bad filters are named.
func TestScopingAndErrors(t *testing.T) {
	e := newEnv(t, "")
	medan := e.submit(t, "APP-MEDAN", "9120000000001", "1275")
	malang := e.submit(t, "APP-MALANG", "9120000000002", "3573")
	officer := e.signIn(t, 0)
	for path, want := range map[string]int{
		"/console/deliveries":                  http.StatusForbidden,
		"/console/audit":                       http.StatusForbidden,
		"/console/reviews":                     http.StatusForbidden,
		"/console/decisions/" + malang.ID:      http.StatusNotFound,
		"/console/companies/9120000000002":     http.StatusNotFound,
		"/console/decisions/" + medan.ID:       http.StatusOK,
		"/console/companies/9120000000001":     http.StatusOK,
		"/console/decisions?nib=12x":           http.StatusBadRequest,
		"/console/decisions?since=yesterday":   http.StatusBadRequest,
		"/console/companies/not-a-nib":         http.StatusNotFound,
		"/console/decisions/export.csv?nib=1x": http.StatusUnprocessableEntity, // the API's own answer
	} {
		if w := e.do(t, http.MethodGet, path, nil, officer); w.Code != want {
			t.Errorf("%s: HTTP %d, want %d", path, w.Code, want)
		}
	}
	w := e.do(t, http.MethodGet, "/console/decisions?nib=12x", nil, officer)
	if !strings.Contains(w.Body.String(), `id="e-nib"`) || !strings.Contains(w.Body.String(), `aria-invalid="true"`) {
		t.Error("the NIB error is not next to its field")
	}
	csv := e.do(t, http.MethodGet, "/console/decisions/export.csv", nil, officer).Body.String()
	if !strings.Contains(csv, "APP-MEDAN") || strings.Contains(csv, "APP-MALANG") {
		t.Errorf("the CSV is not scoped to the officer's region:\n%s", csv)
	}
}

// The what-if takes NIKs by POST and never shows them back in full.
func TestWhatIfHidesNIKs(t *testing.T) {
	e := newEnv(t, "")
	ck := e.signIn(t, 0)
	nik := "1275010101900001"
	w := e.do(t, http.MethodPost, "/console/what-if", url.Values{"nib": {"9120000000001"}, "region_code": {"1275"},
		"permit_type": {"business_license"}, "declared_workers": {"52"}, "workers": {nik + "\n1275"}}, ck)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="e-workers"`) {
		t.Fatalf("a malformed NIK: HTTP %d", w.Code)
	}
	w = e.do(t, http.MethodPost, "/console/what-if", url.Values{"nib": {"9120000000001"}, "region_code": {"1275"},
		"permit_type": {"business_license"}, "declared_workers": {"52"}, "workers": {nik}}, ck)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "WORKERS_UNDER_REGISTERED") {
		t.Fatalf("what-if: HTTP %d", w.Code)
	}
	for _, body := range []string{w.Body.String()} {
		if strings.Contains(body, nik) {
			t.Fatal("the what-if page shows a full NIK")
		}
	}
	w = e.do(t, http.MethodPost, "/console/what-if", url.Values{"nib": {"9120000000001"}, "region_code": {"3573"},
		"permit_type": {"business_license"}}, ck)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="e-region"`) {
		t.Fatalf("what-if outside the officer's region: HTTP %d", w.Code)
	}
}

// ?lang=en switches to English and is remembered.
func TestLanguage(t *testing.T) {
	e := newEnv(t, "")
	ck := e.signIn(t, 0)
	w := e.do(t, http.MethodGet, "/console/decisions?lang=en", nil, ck)
	if !strings.Contains(w.Body.String(), `<html lang="en">`) {
		t.Fatal("?lang=en did not switch")
	}
	var lang *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "jkngate_lang" {
			lang = c
		}
	}
	if lang == nil {
		t.Fatal("the choice is not remembered")
	}
	if w := e.do(t, http.MethodGet, "/console/", nil, ck, lang); !strings.Contains(w.Body.String(), "JKN coverage by region") {
		t.Error("the remembered language is not used")
	}
}
