package gate

import (
	"strings"
	"testing"
)

func TestWorkerSituationsAndRemedies(t *testing.T) {
	p := DefaultPolicy()
	p.BranchOffices = map[string]BranchOffice{"12": {Name: "Medan", Address: "Jl. Karya No. 1"}}
	other := worker(4, true, "0", "13")
	other.Lookup.Participant.EmployerCode = "99999999"
	absent := worker(5, true, "0", "13") // BPJS names no employer: skipped
	unpaid := worker(0, true, "9", "13")
	unpaid.Lookup.Participant.StatusText = "NON AKTIF KARNA PREMI"
	ws := []WorkerFinding{unpaid, worker(1, true, "15", "13"), worker(2, true, "9", "14"),
		worker(3, true, "0", "21"), other, absent, worker(6, false, "", ""), worker(7, true, "0", "14")}
	a := app(PermitBusinessLicense, 0)
	a.BPJSEmployerCode = "01020305"
	d := Evaluate(a, Findings{Employer: employer("1", 0, 0), WorkersListed: len(ws), Workers: ws}, p, t0)
	byCode := map[ReasonCode]Reason{}
	for _, r := range d.Reasons {
		byCode[r.Code] = r
	}
	want := map[ReasonCode][]string{
		ReasonEmployerNumberMismatch: {"01020305", "01020304"},
		ReasonWorkerInactive: {"status 9 NON AKTIF KARNA PREMI", "status 15 NON AKTIF DIAKHIR BULAN",
			"iuran belum dibayar", "akhir bulan", "settles their own mandiri arrears", "pay the outstanding PPU",
			"re-register them as PPU", "Kantor Cabang BPJS Kesehatan Medan, Jl. Karya No. 1"},
		ReasonWorkerNotEmployerPaid: {"PBI membership ends", "segment change from mandiri", "21", "14"},
		ReasonWorkerOtherEmployer:   {"#4 1275********0004", "first deactivates them", "01020304"},
		ReasonWorkerNotRegistered:   {"register them as wage-earner participants (PPU)"},
	}
	for code, subs := range want {
		r, ok := byCode[code]
		if !ok {
			t.Errorf("no %s among %v", code, codes(d))
			continue
		}
		text := r.Message + " | " + r.MessageEN + " | " + r.Remedy
		for _, s := range subs {
			if !strings.Contains(text, s) {
				t.Errorf("%s: %q not in %q", code, s, text)
			}
		}
	}
	if r := byCode[ReasonWorkerInactive]; strings.Contains(r.MessageEN, "15") &&
		strings.Contains(strings.SplitAfter(r.MessageEN, "(status 15")[0], "unpaid (status 15") {
		t.Errorf("status 15 must not read as unpaid contributions: %q", r.MessageEN)
	}
	if r := byCode[ReasonWorkerOtherEmployer]; r.Details["count"] != 1 {
		t.Errorf("only the worker BPJS names under another employer counts: %v", r.Details)
	}
	list := byCode[ReasonWorkerInactive].Details["workers"].([]any)
	if w := list[0].(map[string]any); w["status_text"] != "NON AKTIF KARNA PREMI" || w["situation"] != "employer_arrears" {
		t.Errorf("worker detail = %v", w)
	}
}

func TestReviewWords(t *testing.T) {
	p := DefaultPolicy()
	p.LegalBasis.Regional = "Peraturan Wali Kota Medan Nomor 1 Tahun 2021"
	rv := Review{By: "reviewer-1", Note: "BPJS data checked: 3 workers left in October"}
	denied := Decision{ID: "dec_1", Outcome: OutcomeDeny}
	u := upheld(denied, rv, p)
	if !strings.HasPrefix(u.MessageEN, "BPJS Kesehatan verified the data; the denial stands under "+p.LegalBasis.Regional) ||
		!strings.HasPrefix(u.LegalBasis, p.LegalBasis.Regional) {
		t.Errorf("uphold of a denial: %q / %q", u.MessageEN, u.LegalBasis)
	}
	u = upheld(Decision{ID: "dec_2", Outcome: OutcomeReview}, rv, p)
	if !strings.Contains(u.MessageEN, "on review, the application is denied under") || strings.Contains(u.MessageEN, "denial stands") {
		t.Errorf("uphold of a review case: %q", u.MessageEN)
	}
	o := overridden(denied, rv, p)
	if !strings.HasPrefix(o.MessageEN, "BPJS Kesehatan verified: "+rv.Note) || o.Details["verified_fact"] != rv.Note {
		t.Errorf("override: %q %v", o.MessageEN, o.Details)
	}
}
