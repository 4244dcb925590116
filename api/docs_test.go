package api_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// GET /docs renders the whole document on the server: every operation
// under its tag with its parameters, responses and error codes, and every
// schema; it loads nothing from elsewhere and runs no script, under a CSP
// that allows only its own style, by hash.
func TestDocsPage(t *testing.T) {
	doc := loadOpenAPI(t)
	rec := newTestAPI(t).do(httptest.NewRequest(http.MethodGet, "/docs", nil))
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /docs: %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	page := rec.Body.String()

	csp := rec.Header().Get("Content-Security-Policy")
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindAllStringSubmatch(page, -1)
	if len(style) != 1 {
		t.Fatalf("the page has %d style elements, want 1", len(style))
	}
	sum := sha256.Sum256([]byte(style[0][1]))
	wantCSP := "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	if !strings.HasPrefix(csp, wantCSP) || strings.Contains(csp, "unsafe") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q, want it to start %q, allow nothing unsafe and forbid framing", csp, wantCSP)
	}
	if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("no X-Content-Type-Options: nosniff")
	}
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "src=", "@import", "url("} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("the page contains %q: it must load nothing", bad)
		}
	}
	for _, href := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(href[1], "#") && href[1] != "/openapi.yaml" {
			t.Errorf("link to %q: the page links only within itself and to /openapi.yaml", href[1])
		}
	}

	// Every operation, by anchor and with its path, under its first tag's
	// section; every schema by anchor; every link lands on an anchor.
	tagPos := func(name string) int { return strings.Index(page, `id="tag-`+name+`"`) }
	for route, item := range doc.root["paths"].(map[string]any) {
		for method, o := range item.(map[string]any) {
			op := o.(map[string]any)
			id := op["operationId"].(string)
			at := strings.Index(page, `id="op-`+id+`"`)
			if at < 0 {
				t.Errorf("%s %s (%s) is not on the page", method, route, id)
				continue
			}
			if !strings.Contains(page[at:min(at+300, len(page))], route) {
				t.Errorf("%s's heading does not show its path %s", id, route)
			}
			tag := op["tags"].([]any)[0].(string)
			if tp := tagPos(tag); tp < 0 || tp > at {
				t.Errorf("%s is not under its tag %s", id, tag)
			}
		}
	}
	for name := range doc.root["components"].(map[string]any)["schemas"].(map[string]any) {
		if !strings.Contains(page, `id="schema-`+name+`"`) {
			t.Errorf("schema %s is not on the page", name)
		}
	}
	anchors := map[string]bool{}
	for _, m := range regexp.MustCompile(`id="([^"]+)"`).FindAllStringSubmatch(page, -1) {
		anchors[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(page, -1) {
		if !anchors[m[1]] {
			t.Errorf("link to #%s, which is not on the page", m[1])
		}
	}

	// Details: a parameter, error codes, roles, the webhook jkngate sends.
	retry := page[strings.Index(page, `id="op-retryCallback"`):]
	retry = retry[:strings.Index(retry[1:], `<h3`)+1]
	for _, want := range []string{"<code>id</code>", "<code>not_failed</code>", "<code>not_found</code>",
		"bearer token with a role: admin", `href="#schema-Callback"`} {
		if !strings.Contains(retry, want) {
			t.Errorf("POST /v1/callbacks/{id}/retry's section lacks %q:\n%s", want, retry)
		}
	}
	for _, want := range []string{`id="op-decisionUpdated"`, "<code>already_reviewed</code>", "<code>invalid_query</code>",
		"one of <code>allow</code>, <code>review</code>, <code>deny</code>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// Text from the document is escaped, not interpreted: its example
	// Error body appears as text.
	if !strings.Contains(page, `{&#34;error&#34;:{&#34;code&#34;`) {
		t.Errorf("the description's JSON is not escaped text")
	}
}
