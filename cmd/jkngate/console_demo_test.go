package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The demo prints the console's address, and its sign-in page lists the
// demo users: signing in as the Kota Medan officer opens the dashboard.
func TestDemoConsoleSignIn(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	br := newBrowser(t)
	out, _, _ := startDemo(t)
	m := regexp.MustCompile(`console:\s+(http://\S+/console/)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("the demo does not print the console URL:\n%s", out.String())
	}
	br.visit(m[1], "demo-login")
	br.wantText("Petugas DPMPTSP Kota Medan", "Provinsi Sumatera Utara", "Peninjau BPJS Kesehatan", "Admin jkngate")
	br.submit("main form button[type=submit]", "demo-dashboard")
	br.wantText("officer-medan", "Cakupan JKN per wilayah", "1275")
}

// serve never offers the demo's sign-in: with OpenID Connect configured,
// a POST to the sign-in page signs nobody in.
func TestServeHasNoDemoSignIn(t *testing.T) {
	rig := startConsoleRig(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"user": {"0"}}
	req, _ := http.NewRequest(http.MethodPost, rig.g.base+"/console/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || len(resp.Cookies()) != 0 {
		t.Fatalf("demo sign-in under serve: HTTP %d, cookies %v", resp.StatusCode, resp.Cookies())
	}
	// The sign-in page sends the browser to the provider instead.
	resp, err = client.Get(rig.g.base + "/console/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(
		`^http://127\.0\.0\.1:\d+/oidc/authorize\?.*code_challenge_method=S256.*`).MatchString(loc) {
		t.Fatalf("GET /console/login: HTTP %d to %q", resp.StatusCode, loc)
	}
}
