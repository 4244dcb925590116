package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"
)

// findChromium returns the browser for the console's browser tests. Where
// there is none, the test is skipped with a message, or fails under CI=true
// (the CI installs Debian's chromium).
func findChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; the console's browser tests need it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed: skipping the console's browser tests (apt-get install chromium)")
	return ""
}

// browser is a headless Chromium tab driven through chromedp.
type browser struct {
	t    *testing.T
	ctx  context.Context
	shot atomic.Int32
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(findChromium(t)), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.NoFirstRun, chromedp.WindowSize(1366, 768))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx}
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// visit opens url and checks the page it lands on (see page); it returns
// the HTTP status of that page.
func (b *browser) visit(url, name string) int64 {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(url))
	if err != nil {
		b.t.Fatalf("opening %s: %v", url, err)
	}
	b.page(name)
	if resp == nil {
		return 0
	}
	return resp.Status
}

// submit clicks sel (a submit button) and waits for the next page.
func (b *browser) submit(sel, name string) {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.leaving = "1"`),
		chromedp.Click(chromedp.CSS(sel)))
	b.waitNewPage()
	b.page(name)
}

func (b *browser) waitNewPage() {
	b.t.Helper()
	// While the page changes, the old document's context goes away: those
	// errors mean "not yet".
	var err error
	if waitFor(15*time.Second, 20*time.Millisecond, func() bool {
		var done bool
		done, err = chromedp.Run(b.ctx, chromedp.Evaluate[bool](
			`!document.documentElement.dataset.leaving && document.readyState === "complete"`))
		return err == nil && done
	}) {
		return
	}
	b.t.Fatalf("waiting for the next page: %v", err)
}

func (b *browser) text() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		b.t.Fatalf("reading the page: %v", err)
	}
	return s
}

func (b *browser) location() string {
	s, _ := chromedp.Run(b.ctx, chromedp.Location())
	return s
}

func (b *browser) wantText(parts ...string) {
	b.t.Helper()
	body := b.text()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			b.t.Fatalf("%s: the page does not say %q:\n%s", b.location(), p, body)
		}
	}
}

// a11yProblems lists what the page gets wrong of the accessibility basics:
// lang on html, a label for every form control, headings in order starting
// at h1, and a :focus-visible style in the stylesheet.
const a11yProblems = `(() => {
  const out = [];
  if (!document.documentElement.lang) out.push("html has no lang");
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.type === "hidden" || el.type === "submit") continue;
    if (!(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
      out.push("no label: " + (el.id || el.name));
  }
  let prev = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Number(h.tagName[1]);
    if (prev === 0 && level !== 1) out.push("first heading is " + h.tagName);
    if (prev && level > prev + 1) out.push("heading skips from h" + prev + " to " + h.tagName + ": " + h.textContent);
    prev = level;
  }
  let focus = false;
  for (const sheet of document.styleSheets) {
    for (const rule of sheet.cssRules) if ((rule.selectorText || "").includes(":focus-visible")) focus = true;
  }
  if (!focus) out.push("no :focus-visible style");
  return out;
})()`

// page checks the accessibility basics of the page shown and, with
// JKNGATE_SCREENSHOTS=DIR, saves a PNG of it.
func (b *browser) page(name string) {
	b.t.Helper()
	problems, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](a11yProblems))
	if err != nil {
		b.t.Fatalf("%s: accessibility check: %v", name, err)
	}
	if len(problems) > 0 {
		b.t.Errorf("%s (%s): accessibility: %s", name, b.location(), strings.Join(problems, "; "))
	}
	dir := os.Getenv("JKNGATE_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	file := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", b.shot.Add(1), name))
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// tabTo presses Tab until the focused element matches sel, at most max
// times, and fails when it never does: the page's action is reachable by
// keyboard alone.
func (b *browser) tabTo(sel string, max int) {
	b.t.Helper()
	for range max {
		b.do(chromedp.KeyEvent(kb.Tab))
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](
			fmt.Sprintf(`document.activeElement && document.activeElement.matches(%q)`, sel)))
		if err != nil {
			b.t.Fatal(err)
		}
		if ok {
			return
		}
	}
	b.t.Fatalf("%s: %s is not reached with %d presses of Tab", b.location(), sel, max)
}

// oidcUser is a person of the test identity provider, with roles where
// Keycloak puts them (realm_access.roles) and regions in "regions".
type oidcUser struct {
	sub            string
	roles, regions []string
}

func (u oidcUser) ID() string { return u.sub }

func (u oidcUser) Userinfo([]string) ([]byte, error) {
	return json.Marshal(map[string]string{"sub": u.sub})
}

func (u oidcUser) Claims(_ []string, base *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	type realmAccess struct {
		Roles []string `json:"roles"`
	}
	return &struct {
		*mockoidc.IDTokenClaims
		RealmAccess realmAccess `json:"realm_access"`
		Regions     []string    `json:"regions"`
	}{base, realmAccess{u.roles}, u.regions}, nil
}

// freePort returns a loopback port that was free a moment ago, for a
// redirect URL that must be known before the server starts.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
