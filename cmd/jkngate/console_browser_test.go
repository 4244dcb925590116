package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// consoleRig is a running jkngate serve with the console signing in
// against a test OpenID provider, and a licensing system receiving its
// callbacks.
type consoleRig struct {
	g       *gateUnderTest
	idp     *mockoidc.MockOIDC
	hook    *receiver
	hookURL string
}

func startConsoleRig(t *testing.T) *consoleRig {
	t.Helper()
	idp, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Shutdown() })
	rc := &receiver{}
	hook := httptest.NewServer(rc)
	t.Cleanup(hook.Close)
	key := make([]byte, 32)
	rand.Read(key)
	addr, cfg := freePort(t), idp.Config()
	g := startGate(t, "JKNGATE_ADDR", addr, "JKNGATE_OIDC_ISSUER", cfg.Issuer, "JKNGATE_OIDC_CLIENT_ID", cfg.ClientID,
		"JKNGATE_OIDC_CLIENT_SECRET", cfg.ClientSecret, "JKNGATE_OIDC_REDIRECT_URL", "http://"+addr+"/console/callback",
		"JKNGATE_OIDC_ROLES_CLAIM", "realm_access.roles", "JKNGATE_SESSION_KEY", base64.StdEncoding.EncodeToString(key),
		"JKNGATE_CALLBACK_ALLOW_PRIVATE", "true", "JKNGATE_JWT_HS256_SECRET", testHS256)
	return &consoleRig{g: g, idp: idp, hook: rc, hookURL: hook.URL}
}

// denied records a denial for a company of region, with a callback URL.
func (r *consoleRig) denied(t *testing.T, region, appID string) (bpjssim.Employer, decisionDoc) {
	t.Helper()
	for _, s := range []bpjssim.Scenario{bpjssim.ScenarioUnderRegistered, bpjssim.ScenarioInactive,
		bpjssim.ScenarioArrears3Plus, bpjssim.ScenarioSuspended} {
		for _, e := range r.g.sim.Data().EmployersInRegion(s, region) {
			app := applicationOf(e, appID)
			app["callback_url"] = r.hookURL + "/" + appID
			if status, d := r.g.post(t, "msg_"+appID, app); status == http.StatusOK && d.Outcome == "deny" {
				return e, d
			}
		}
	}
	t.Fatalf("no denied company in region %s", region)
	return bpjssim.Employer{}, decisionDoc{}
}

// apiDecision reads a decision through the people's API as an admin.
func (r *consoleRig) apiDecision(t *testing.T, id string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, r.g.base+"/v1/decisions/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+hs256Token(t, "admin-check", []string{"admin"}, nil))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&d)
	return d
}

// TestConsoleInBrowser drives the console in headless Chromium through a
// real OpenID Connect sign-in: an officer finds a denied company of her
// region and cannot see another region's; a reviewer overrides a denial by
// keyboard and the licensing system's callback arrives signed; a
// cross-origin POST is refused; a review someone else made first is
// explained; an admin sees deliveries, the audit trail and imports; a
// signed-out browser reaches no page. Every page is checked for the
// accessibility basics (and saved as PNG with JKNGATE_SCREENSHOTS=DIR).
func TestConsoleInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	br := newBrowser(t)
	rig := startConsoleRig(t)
	base := rig.g.base
	medan, medanD := rig.denied(t, "1275", "APP-MEDAN-1")
	malang, malangD := rig.denied(t, "3573", "APP-MALANG-1")
	if e, ok := rig.g.sim.Data().Pick(bpjssim.ScenarioCompliant); ok {
		rig.g.post(t, "msg_compliant", applicationOf(e, "APP-OK-1"))
	}

	t.Run("officer", func(t *testing.T) {
		br.t = t
		rig.idp.QueueUser(oidcUser{sub: "officer-medan", roles: []string{"officer"}, regions: []string{"1275"}})
		// Signed out, a bookmarked page goes through the provider and back.
		if st := br.visit(base+"/console/decisions?outcome=deny", "officer-decisions"); st != http.StatusOK {
			t.Fatalf("decisions: HTTP %d at %s", st, br.location())
		}
		if loc := br.location(); !strings.HasPrefix(loc, base+"/console/decisions?outcome=deny") {
			t.Fatalf("after sign-in at %s", loc)
		}
		br.wantText(medan.NIB, "officer-medan")
		if strings.Contains(br.text(), malang.NIB) {
			t.Fatalf("the officer of 1275 sees a company of 3573")
		}
		br.visit(base+"/", "officer-dashboard")
		br.wantText("1275", "Cakupan JKN per wilayah")
		br.visit(base+"/console/companies/"+medan.NIB, "officer-company")
		br.wantText(medan.NIB, "deny", "Data BPJS Kesehatan")
		if strings.Contains(br.text(), "Ambil ulang") {
			t.Error("an officer is offered the refresh")
		}
		br.visit(base+"/console/decisions/"+medanD.DecisionID, "officer-decision")
		br.wantText("Dasar hukum", "Cara memperbaiki", "Bukti", "Rantai penggantian")
		for _, path := range []string{"/console/companies/" + malang.NIB, "/console/decisions/" + malangD.DecisionID} {
			if st := br.visit(base+path, "officer-other-region"); st != http.StatusNotFound {
				t.Errorf("%s: HTTP %d, want 404", path, st)
			}
			br.wantText("di luar wilayah Anda")
		}
		if st := br.visit(base+"/console/reviews", "officer-forbidden"); st != http.StatusForbidden {
			t.Errorf("reviews for an officer: HTTP %d, want 403", st)
		}
		br.visit(base+"/console/what-if", "officer-whatif")
		br.do(chromedp.SendKeys(chromedp.CSS("#w-nib"), medan.NIB), chromedp.SendKeys(chromedp.CSS("#w-region"), "1275"),
			chromedp.SendKeys(chromedp.CSS("#w-declared"), fmt.Sprint(medan.DeclaredWorkers)),
			chromedp.SendKeys(chromedp.CSS("#w-workers"), strings.Join(medan.Workers, "\n")))
		br.submit("main form button[type=submit]", "officer-whatif-result")
		br.wantText("Hasil simulasi")
		if page := br.text() + br.location(); len(medan.Workers) > 0 && strings.Contains(page, medan.Workers[0]) {
			t.Error("the what-if shows a full NIK")
		}
		br.visit(base+"/console/decisions?lang=en", "officer-decisions-en")
		br.visit(base+"/console/", "officer-dashboard-en") // the choice is remembered
		br.wantText("JKN coverage by region")
		if lang, _ := chromedp.Run(br.ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "en" {
			t.Errorf("lang = %q, want en", lang)
		}
		br.visit(base+"/console/?lang=id", "officer-dashboard-id")
		br.submit("form[action='/console/logout'] button", "officer-logged-out")
		br.wantText("Sesi Anda sudah diakhiri")
		// Signed out, no page is served: the provider is asked again, and
		// its default person has no jkngate role.
		st := br.visit(base+"/console/decisions", "signed-out-refused")
		if strings.HasPrefix(br.location(), base+"/console/decisions") || st != http.StatusForbidden {
			t.Fatalf("after logout: HTTP %d at %s", st, br.location())
		}
	})

	t.Run("reviewer", func(t *testing.T) {
		br.t = t
		rig.idp.QueueUser(oidcUser{sub: "reviewer-bpjs", roles: []string{"reviewer"}, regions: []string{"12", "35"}})
		br.visit(base+"/console/reviews", "reviewer-queue")
		br.wantText(medan.NIB, malang.NIB, "Antrean tinjauan")
		br.visit(base+"/console/decisions/"+medanD.DecisionID, "reviewer-decision")
		// By keyboard alone: to the actions, pick override, write, submit.
		br.tabTo("#a-uphold", 80)
		br.do(chromedp.KeyEvent(kb.ArrowDown))
		if on, _ := chromedp.Run(br.ctx, chromedp.Evaluate[bool](`document.querySelector("#a-override").checked`)); !on {
			t.Fatal("the arrow key did not pick override")
		}
		br.tabTo("#note", 5)
		br.do(chromedp.KeyEvent("Registrasi pekerja sudah diverifikasi di kantor cabang"))
		br.tabTo("#review-submit", 5)
		br.do(chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.leaving = "1"`), chromedp.KeyEvent(kb.Enter))
		br.waitNewPage()
		br.page("reviewer-overridden")
		br.wantText("OVERRIDDEN", "allow", "reviewer-bpjs", "Registrasi pekerja sudah diverifikasi")
		overrideID := strings.TrimPrefix(br.location(), base+"/console/decisions/")

		waitFor(10*time.Second, 50*time.Millisecond, func() bool {
			rig.hook.mu.Lock()
			defer rig.hook.mu.Unlock()
			return len(rig.hook.events) > 0 || rig.hook.bad > 0
		})
		rig.hook.mu.Lock()
		if rig.hook.bad != 0 || len(rig.hook.events) != 1 {
			t.Fatalf("callbacks: %d verified, %d bad; want 1 verified", len(rig.hook.events), rig.hook.bad)
		}
		data, _ := rig.hook.events[0]["data"].(map[string]any)
		rig.hook.mu.Unlock()
		if data["decision_id"] != overrideID || data["supersedes"] != medanD.DecisionID || data["outcome"] != "allow" {
			t.Errorf("callback data = %v", data)
		}

		// A note too short is refused next to the field.
		br.visit(base+"/console/decisions/"+malangD.DecisionID, "reviewer-decision-2")
		br.do(chromedp.Click(chromedp.CSS("#a-override")), chromedp.SendKeys(chromedp.CSS("#note"), "ok"))
		br.submit("#review-submit", "reviewer-note-too-short")
		br.wantText("minimal 10 karakter")
		if inv, _ := chromedp.Run(br.ctx, chromedp.Evaluate[string](`document.querySelector("#note").getAttribute("aria-invalid")`)); inv != "true" {
			t.Error("the note is not marked invalid")
		}

		// A form posted from another origin is refused, and nothing changes.
		attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<!doctype html><html lang="en"><body><h1>Win a prize</h1><form method="post" action="%s/console/decisions/%s/review">
<input type="hidden" name="action" value="override"><input type="hidden" name="note" value="approved by someone else entirely">
<button type="submit">Claim</button></form></body></html>`, base, malangD.DecisionID)
		}))
		defer attacker.Close()
		br.do(chromedp.Navigate(attacker.URL))
		br.submit("button", "cross-origin-refused")
		br.wantText("Permintaan dari situs lain ditolak")
		if rv, _ := rig.apiDecision(t, malangD.DecisionID)["review"].(map[string]any); rv["state"] != "open" {
			t.Fatalf("after the cross-origin POST the review is %v", rv)
		}

		// Someone else upholds while the form is open: the answer names them.
		br.visit(base+"/console/decisions/"+malangD.DecisionID, "reviewer-decision-3")
		body := strings.NewReader(`{"action":"uphold","note":"arrears confirmed by the branch office"}`)
		req, _ := http.NewRequest(http.MethodPost, base+"/v1/decisions/"+malangD.DecisionID+"/review", body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+hs256Token(t, "reviewer-2", []string{"reviewer"}, []string{"35"}))
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("uphold through the API: %v %v", resp, err)
		}
		br.do(chromedp.Click(chromedp.CSS("#a-override")), chromedp.SendKeys(chromedp.CSS("#note"), "workers verified at the branch"))
		br.submit("#review-submit", "reviewer-conflict")
		br.wantText("sudah ditinjau lebih dahulu", "reviewer-2", "uphold")

		br.visit(base+"/console/companies/"+medan.NIB, "reviewer-company")
		br.submit("form[action$='/refresh'] button", "reviewer-company-refreshed")
		br.wantText("Data diambil ulang dari BPJS")
		br.submit("form[action='/console/logout'] button", "reviewer-logged-out")
	})

	t.Run("admin", func(t *testing.T) {
		br.t = t
		rig.idp.QueueUser(oidcUser{sub: "admin-pusat", roles: []string{"admin"}})
		br.visit(base+"/console/deliveries", "admin-deliveries")
		br.wantText("APP-MEDAN-1", "Pengiriman keluar")
		br.tabTo("a[href='/console/audit']", 20) // the navigation works by keyboard
		br.visit(base+"/console/audit", "admin-audit")
		br.wantText("officer-medan", "company.read", "reviewer-bpjs")
		// The admin uploads a BPJS employers file through the form.
		br.visit(base+"/console/imports", "admin-imports")
		br.wantText("Unggah berkas", "Riwayat impor", "Belum ada impor")
		date := time.Now().AddDate(0, 0, -1).Format(time.DateOnly)
		file := filepath.Join(t.TempDir(), "bu-medan.csv")
		csv := "nib,kode_badan_usaha,nama,npwp,status,pekerja_terdaftar,pekerja_aktif,tunggakan_bulan,tunggakan_nominal,iuran_terakhir,tgl_data\n" +
			"9120009990001,09990001,PT UNGGAH SATU,012345678901234,1,20,20,0,0,2026-10," + date + "\n" +
			"9120009990002,09990002,PT UNGGAH DUA,012345678901234,1,8,7,0,0,2026-10," + date + "\n"
		if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
			t.Fatal(err)
		}
		br.do(chromedp.SetUploadFiles(chromedp.CSS("#im-file"), []string{file}))
		br.submit("#import-submit", "admin-import-accepted")
		br.wantText("Berkas diterima dan diterapkan", "bu-medan.csv", "Baris dibaca", "Riwayat impor", "admin-pusat")
		if rows, _ := chromedp.Run(br.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#import-result dd")[1].textContent|0`)); rows != 2 {
			t.Errorf("the summary says %d rows applied, want 2", rows)
		}
		br.visit(base+"/console/decisions/"+medanD.DecisionID, "admin-decision")
		br.wantText("Pengiriman ke sistem perizinan", "OVERRIDDEN")
		if strings.Contains(br.text(), "Tidak ada pengiriman") {
			t.Error("the decision page shows no delivery of the override's callback")
		}
		// On a phone the pages reflow rather than scroll sideways.
		br.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		br.visit(base+"/console/decisions/"+medanD.DecisionID, "phone-decision")
		if wide, _ := chromedp.Run(br.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); wide {
			t.Error("on a phone the decision page is wider than the screen")
		}
		br.do(chromedp.ResetViewport())
		br.visit(base+"/console/decisions?nib="+medan.NIB, "admin-decisions")
		if href, _ := chromedp.Run(br.ctx, chromedp.Evaluate[string](`document.querySelector("a[download]").href`)); !strings.Contains(href, "nib="+medan.NIB) {
			t.Errorf("the CSV link %q does not carry the filters", href)
		}
	})
}
