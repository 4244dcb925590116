package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/oss"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
	"github.com/jkngate/jkngate/integrations/simulators/osssim"
)

// Every seeded OSS message is decided, recorded and reported to OSS with
// the status its decision maps to, with the permit's OSS ids.
func TestOSSEveryScenarioReported(t *testing.T) {
	eachOSSStore(t, func(t *testing.T, store ossTestStore) {
		o := newOSSEnv(t, store, "", gate.DefaultPolicy())
		msgs := osssim.Seeded(o.data)
		for _, m := range msgs {
			o.mustReceive(t, m)
		}
		o.deliver(t)
		want := map[gate.Outcome]string{gate.OutcomeAllow: "45", gate.OutcomeDeny: "93", gate.OutcomeReview: "41"}
		seen := map[string]bool{}
		for _, m := range msgs {
			d := o.decisionOf(t, m, 0)
			seen[want[d.Outcome]] = true
			if got := o.codes(m.IDIzin[0]); got != want[d.Outcome] {
				t.Errorf("%s (%s): OSS got %q, want %q", m.Scenario, d.Outcome, got, want[d.Outcome])
				continue
			}
			st := o.sim.Statuses(m.IDIzin[0])[0].Status
			if st.NIB != m.NIB || st.OSSID != "OSS"+m.NIB || st.IDProyek == "" || st.IDProduk != "1000" ||
				st.KdIzin != "I-BPJS" || st.KdInstansi != ossInstansi || st.NIPStatus != oss.System || st.NamaStatus == "" {
				t.Errorf("%s: IZINSTATUS %+v", m.Scenario, st)
			}
			if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`).MatchString(st.TglStatus) {
				t.Errorf("tgl_status %q is not YYYY-MM-DD HH:MM:SS", st.TglStatus)
			}
			if d.Outcome != gate.OutcomeAllow && !strings.Contains(st.Keterangan, string(d.Reasons[0].Code)) {
				t.Errorf("%s: keterangan %q does not give the reason %s", m.Scenario, st.Keterangan, d.Reasons[0].Code)
			}
		}
		for _, code := range []string{"45", "93", "41"} {
			if !seen[code] {
				t.Errorf("no scenario was reported with %s", code)
			}
		}
	})
}

// The mapping, end to end: what the stored application holds.
func TestOSSMappingRecorded(t *testing.T) {
	o := newOSSEnv(t, openSQLiteOSS(t), "", gate.DefaultPolicy())
	e := o.employer(t, bpjssim.ScenarioCompliant)
	m := osssim.Build(e, osssim.Options{})
	o.mustReceive(t, m)
	d := o.decisionOf(t, m, 0)
	a := d.Application
	if d.ApplicationID != m.IDIzin[0] || a.NIB != e.NIB || a.NPWP != e.NPWP || a.CompanyName != e.Name ||
		a.RegionCode != e.RegionCode || a.PermitType != gate.PermitBusinessLicense ||
		a.DeclaredWorkers != e.DeclaredWorkers || a.BusinessScale != "menengah" ||
		strings.Join(a.KBLI, ",") != "47111" || a.BPJSEmployerCode != e.ApplicationCode {
		t.Errorf("recorded application %+v from employer %+v", a, e)
	}
	if d.Outcome != gate.OutcomeAllow {
		t.Errorf("compliant employer: %s %v", d.Outcome, d.Reasons)
	}
}

// 41 -> 42 -> 45 after an override; 41 -> 42 -> 93 after an uphold; the
// reviewer is nip_status.
func TestOSSReviewPaths(t *testing.T) {
	eachOSSStore(t, func(t *testing.T, store ossTestStore) {
		o := newOSSEnv(t, store, "", gate.DefaultPolicy())
		for _, c := range []struct {
			scenario bpjssim.Scenario
			action   gate.ReviewAction
			want     string
		}{
			{bpjssim.ScenarioUnknownStatus, gate.ActionOverride, "41,42,45"},
			{bpjssim.ScenarioEmployerNumberMismatch, gate.ActionUphold, "41,42,93"},
		} {
			m := osssim.Build(o.employer(t, c.scenario), osssim.Options{})
			o.mustReceive(t, m)
			o.deliver(t)
			d := o.decisionOf(t, m, 0)
			if d.Outcome != gate.OutcomeReview {
				t.Fatalf("%s: %s, want review", c.scenario, d.Outcome)
			}
			rec := o.people(t, admin, http.MethodPost, "/v1/decisions/"+d.ID+"/review",
				map[string]string{"action": string(c.action), "note": "Diverifikasi dengan kantor cabang BPJS"})
			if rec.Code != http.StatusOK {
				t.Fatalf("review: %d %s", rec.Code, rec.Body)
			}
			o.deliver(t)
			if got := o.codes(m.IDIzin[0]); got != c.want {
				t.Errorf("%s after %s: OSS got %s, want %s", c.scenario, c.action, got, c.want)
			}
			st := o.sim.Statuses(m.IDIzin[0])
			if last := st[len(st)-1].Status; last.NIPStatus != admin.sub {
				t.Errorf("nip_status after review = %q, want the reviewer %q", last.NIPStatus, admin.sub)
			}
		}
	})
}

// OSS's auth: user_key always, HTTP Basic when configured; failures in
// OSS's envelope, constant answer.
func TestOSSAuth(t *testing.T) {
	o := newOSSEnv(t, openSQLiteOSS(t), "oss:rahasia", gate.DefaultPolicy())
	m := osssim.Build(o.employer(t, bpjssim.ScenarioCompliant), osssim.Options{})
	basic := func(r *http.Request) { r.SetBasicAuth("oss", "rahasia") }
	for name, mut := range map[string][]func(*http.Request){
		"no user_key":    {basic, func(r *http.Request) { r.Header.Del("user_key") }},
		"wrong user_key": {basic, func(r *http.Request) { r.Header.Set("user_key", "nope") }},
		"no basic":       nil,
		"wrong basic":    {func(r *http.Request) { r.SetBasicAuth("oss", "salah") }},
	} {
		code, status, ket := o.receiveNIB(t, m.Body, mut...)
		if code != http.StatusUnauthorized || status != "2" || ket != "User Akses Tidak Valid" {
			t.Errorf("%s: %d %q %q", name, code, status, ket)
		}
	}
	if code, status, _ := o.receiveNIB(t, m.Body, basic); code != http.StatusOK || status != "1" {
		t.Errorf("right credentials: %d %q", code, status)
	}
}

// Bad input is a 400 in OSS's envelope naming the field.
func TestOSSBadInputNamesTheField(t *testing.T) {
	o := newOSSEnv(t, openSQLiteOSS(t), "", gate.DefaultPolicy())
	good := string(osssim.Build(o.employer(t, bpjssim.ScenarioCompliant), osssim.Options{}).Body)
	for _, c := range []struct{ name, body, field string }{
		{"not JSON", `{"dataNIB":`, "body"},
		{"no dataNIB", `{}`, "dataNIB"},
		{"workers not a number", strings.Replace(good, `"jumlah_tka_l":"0"`, `"jumlah_tka_l":"dua"`, 1), "data_proyek[0].jumlah_tka_l"},
		{"bad tipe_dokumen", strings.Replace(good, `"tipe_dokumen":"9"`, `"tipe_dokumen":"7"`, 1), "tipe_dokumen"},
		{"bad skala_usaha", strings.Replace(good, `"skala_usaha":"03","status`, `"skala_usaha":"07","status`, 1), "skala_usaha"},
		{"short nib", strings.ReplaceAll(good, `"nib":"`, `"nib":"1`), "nib"},
		{"too many permits", strings.Replace(good, `"data_checklist":[`, `"data_checklist":[`+strings.Repeat(`{"id_izin":"x"},`, 100), 1), "data_checklist"},
		{"duplicate key", strings.Replace(good, `{"dataNIB":{`, `{"dataNIB":{"nib":"x",`, 1), "body"},
	} {
		code, status, ket := o.receiveNIB(t, []byte(c.body))
		if code != http.StatusBadRequest || status != "2" || !strings.HasPrefix(ket, "Data Parameter Salah: ") ||
			!strings.Contains(ket, c.field) {
			t.Errorf("%s: %d %q %q, want 400 naming %s", c.name, code, status, ket, c.field)
		}
	}
}

// Three permits in one message, one of a type the policy does not gate.
func TestOSSThreeItemsOneNotGated(t *testing.T) {
	policy := gate.DefaultPolicy()
	policy.OSSPermitTypes = map[string]gate.PermitType{"I-LAIN": gate.PermitOther}
	eachOSSStore(t, func(t *testing.T, store ossTestStore) {
		o := newOSSEnv(t, store, "", policy)
		m := osssim.Build(o.employer(t, bpjssim.ScenarioInactive), osssim.Options{Items: 3, KdIzin: []string{"I-BPJS", "I-LAIN", "I-BPJS"}})
		o.mustReceive(t, m)
		o.deliver(t)
		for i, want := range []string{"93", "45", "93"} {
			if got := o.codes(m.IDIzin[i]); got != want {
				t.Errorf("item %d: OSS got %q, want %q", i, got, want)
			}
		}
		if d := o.decisionOf(t, m, 1); !d.HasReason(gate.ReasonPermitNotGated) || d.PermitType != gate.PermitOther {
			t.Errorf("item 1: %s %v", d.PermitType, d.Reasons)
		}
	})
}

// The same message again is the same decision and no new status; a
// changed one (tipe_dokumen 5) is a re-submission.
func TestOSSIdempotentResendAndUpdate(t *testing.T) {
	eachOSSStore(t, func(t *testing.T, store ossTestStore) {
		o := newOSSEnv(t, store, "", gate.DefaultPolicy())
		e := o.employer(t, bpjssim.ScenarioCompliant)
		m := osssim.Build(e, osssim.Options{})
		o.mustReceive(t, m)
		first := o.decisionOf(t, m, 0)
		o.mustReceive(t, m)
		o.deliver(t)
		if again := o.decisionOf(t, m, 0); again.ID != first.ID {
			t.Errorf("resend decided again: %s, then %s", first.ID, again.ID)
		}
		if got := o.codes(m.IDIzin[0]); got != "45" {
			t.Errorf("after a resend OSS got %q, want one 45", got)
		}
		update := osssim.Build(e, osssim.Options{TipeDokumen: "5", ExtraWorkers: 10 * e.DeclaredWorkers})
		o.mustReceive(t, update)
		o.deliver(t)
		d := o.decisionOf(t, update, 0)
		if d.Supersedes != first.ID || d.Outcome != gate.OutcomeDeny {
			t.Errorf("update: %s supersedes %q, want a deny superseding %s", d.Outcome, d.Supersedes, first.ID)
		}
		if got := o.codes(m.IDIzin[0]); got != "45,93" {
			t.Errorf("after the update OSS got %q, want 45,93", got)
		}
	})
}

// tipe_dokumen 3 and 4 withdraw: the open review closes with withdraw,
// and nothing more goes to OSS, not even a status waiting for a retry.
func TestOSSWithdrawal(t *testing.T) {
	eachOSSStore(t, func(t *testing.T, store ossTestStore) {
		o := newOSSEnv(t, store, "", gate.DefaultPolicy())
		e := o.employer(t, bpjssim.ScenarioUnknownStatus)
		m := osssim.Build(e, osssim.Options{})
		if err := o.sim.Fail(osssim.Fail500, 0); err != nil {
			t.Fatal(err)
		}
		o.mustReceive(t, m)
		o.deliver(t) // 500: waits for a retry
		d := o.decisionOf(t, m, 0)
		o.mustReceive(t, osssim.Build(e, osssim.Options{TipeDokumen: "3"}))
		_ = o.sim.Fail(osssim.FailNone, 0)
		o.clock.Add(time.Hour)
		o.deliver(t)
		if got := o.codes(m.IDIzin[0]); got != "" {
			t.Errorf("after the withdrawal OSS got %q, want nothing", got)
		}
		rec := o.people(t, admin, http.MethodGet, "/v1/decisions/"+d.ID, nil)
		doc := decode[api.DecisionJSON](t, rec)
		if doc.Review == nil || doc.Review.State != string(gate.ReviewClosed) || doc.Review.Action == nil || *doc.Review.Action != string(gate.ActionWithdraw) {
			t.Errorf("review after withdrawal: %+v", doc.Review)
		}
		rec = o.people(t, admin, http.MethodPost, "/v1/decisions/"+d.ID+"/review",
			map[string]string{"action": "override", "note": "Diverifikasi dengan kantor cabang BPJS"})
		if rec.Code != http.StatusConflict {
			t.Errorf("review after withdrawal: %d, want 409", rec.Code)
		}
		// A withdrawal of a permit never seen is accepted and does nothing.
		other := osssim.Build(o.employer(t, bpjssim.ScenarioCompliant), osssim.Options{TipeDokumen: "4"})
		o.mustReceive(t, other)
	})
}

// OSS answering 500 then 200: retried on the schedule, delivered once.
func TestOSSRetriedAfter500(t *testing.T) {
	eachOSSStore(t, func(t *testing.T, store ossTestStore) {
		o := newOSSEnv(t, store, "", gate.DefaultPolicy())
		m := o.deliverCompliantWhileOSSFails(t, osssim.Fail500, 1)
		if got, n := o.codes(m.IDIzin[0]), o.sim.Attempts(); got != "" || n != 1 {
			t.Fatalf("after a 500: OSS has %q after %d attempts", got, n)
		}
		o.clock.Add(gate.CallbackRetrySchedule[0] + time.Second)
		o.deliver(t)
		o.clock.Add(time.Hour)
		o.deliver(t)
		if got, n := o.codes(m.IDIzin[0]), o.sim.Attempts(); got != "45" || n != 2 {
			t.Errorf("after the retry: OSS has %q after %d attempts, want 45 after 2", got, n)
		}
	})
}

// OSS answering 400: failed at once, never retried, listed as failed in
// GET /v1/callbacks and counted.
func TestOSS400FailsAtOnce(t *testing.T) {
	eachOSSStore(t, func(t *testing.T, store ossTestStore) {
		o := newOSSEnv(t, store, "", gate.DefaultPolicy())
		m := o.deliverCompliantWhileOSSFails(t, osssim.Fail400, 0)
		o.clock.Add(48 * time.Hour)
		o.deliver(t)
		if n := o.sim.Attempts(); n != 1 {
			t.Errorf("OSS was tried %d times, want once", n)
		}
		page := decode[api.CallbackListJSON](t, o.people(t, admin, http.MethodGet, "/v1/callbacks?state=failed", nil))
		if len(page.Items) != 1 || page.Items[0].Kind != gate.CallbackKindOSSStatus ||
			page.Items[0].ApplicationID != m.IDIzin[0] || page.Items[0].LastError == nil ||
			!strings.Contains(*page.Items[0].LastError, "400") {
			t.Errorf("failed deliveries: %+v", page.Items)
		}
		if got := counterValue(t, o.metrics, "jkngate_callback_deliveries_total", "failed"); got != 1 {
			t.Errorf("failed deliveries counted %v, want 1", got)
		}
	})
}

// Statuses for one id_izin go out in order even when a replica dies
// holding the first one's lease and another takes over after it ends.
func TestOSSOrderUnderRestart(t *testing.T) {
	eachOSSStore(t, func(t *testing.T, store ossTestStore) {
		o := newOSSEnv(t, store, "", gate.DefaultPolicy())
		m := osssim.Build(o.employer(t, bpjssim.ScenarioUnknownStatus), osssim.Options{})
		o.mustReceive(t, m)
		d := o.decisionOf(t, m, 0)
		rec := o.people(t, admin, http.MethodPost, "/v1/decisions/"+d.ID+"/review",
			map[string]string{"action": "override", "note": "Diverifikasi dengan kantor cabang BPJS"})
		if rec.Code != http.StatusOK {
			t.Fatalf("review: %d %s", rec.Code, rec.Body)
		}
		// Three statuses wait (41, 42, 45); a replica claims what it may
		// and dies before sending.
		claimed, err := store.ClaimCallbacks(t.Context(), o.clock.Now(), time.Minute, 16)
		if err != nil {
			t.Fatal(err)
		}
		if len(claimed) != 1 || claimed[0].DecisionID != d.ID {
			t.Fatalf("a claim took %d statuses, want only the first (41): %+v", len(claimed), claimed)
		}
		o.deliver(t) // another replica: the 41 is leased, the rest wait for it
		if got := o.codes(m.IDIzin[0]); got != "" {
			t.Fatalf("while the 41 was leased OSS got %q", got)
		}
		// The restart: the lease ends, and OSS answers 500 once.
		o.clock.Add(2 * time.Minute)
		_ = o.sim.Fail(osssim.Fail500, 1)
		o.deliver(t)
		o.clock.Add(gate.CallbackRetrySchedule[0] + time.Second)
		o.deliver(t)
		if got := o.codes(m.IDIzin[0]); got != "41,42,45" {
			t.Errorf("OSS got %q, want 41,42,45", got)
		}
	})
}
