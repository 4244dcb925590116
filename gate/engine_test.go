package gate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	t0   = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	live = Fetch{Source: SourceLive, AsOf: t0}
)

func app(permit PermitType, declared int, niks ...string) Application {
	a := Application{ID: "OSS-1", NIB: "9120001234567", RegionCode: "1275", PermitType: permit,
		DeclaredWorkers: declared, BusinessScale: "kecil"}
	for _, n := range niks {
		a.Workers = append(a.Workers, Worker{NIK: n})
	}
	return a
}

func employer(status string, active, arrears int) EmployerLookup {
	return EmployerLookup{Found: true, Fetch: live, Employer: Employer{Code: "01020304",
		NIB: "9120001234567", Status: status, RegisteredWorkers: active, ActiveWorkers: active,
		ArrearsMonths: arrears, ArrearsAmount: int64(arrears) * 1_000_000}}
}

func worker(pos int, found bool, status, segment string) WorkerFinding {
	nik := "127501410190" + string(rune('0'+pos/1000%10)) + string(rune('0'+pos/100%10)) +
		string(rune('0'+pos/10%10)) + string(rune('0'+pos%10))
	return WorkerFinding{Position: pos, NIK: nik, Lookup: ParticipantLookup{Found: found, Fetch: live,
		Participant: Participant{NIK: nik, Status: status, Segment: segment}}}
}

var (
	errDown     = &Error{Kind: KindUnavailable, Code: "bpjs_unavailable", Message: "down"}
	errDisabled = &Error{Kind: KindUnavailable, Code: CodeEmployerSourceDisabled, Message: "no source"}
)

func codes(d Decision) []ReasonCode {
	var cs []ReasonCode
	for _, r := range d.Reasons {
		cs = append(cs, r.Code)
	}
	return cs
}

// The rule table (every reason code and its boundaries) lives in
// testdata/*.yaml as policy test cases, run by TestPolicyCases.

func TestEvaluateDetailsAndMasking(t *testing.T) {
	p := DefaultPolicy()
	a := app(PermitBusinessLicense, 52)
	d := Evaluate(a, Findings{Employer: employer("1", 40, 0)}, p, t0)
	r := d.Reasons[0]
	if r.Details["declared"] != 52 || r.Details["active"] != 40 || r.Details["required"] != 52 {
		t.Errorf("details = %v, want declared 52, active 40, required 52", r.Details)
	}
	if !strings.Contains(r.Remedy, "12") || !strings.Contains(r.Message, "40 dari 52") {
		t.Errorf("message %q / remedy %q should name the numbers", r.Message, r.Remedy)
	}
	if !d.ValidUntil.Equal(t0.Add(720*time.Hour)) || d.PolicyVersion != "default-2026.11" {
		t.Errorf("valid_until %v, policy %q", d.ValidUntil, d.PolicyVersion)
	}

	ws := []WorkerFinding{worker(3, false, "", ""), worker(7, false, "", "")}
	d = Evaluate(app(PermitBusinessLicense, 0), Findings{Employer: employer("1", 0, 0), WorkersListed: 8, Workers: ws}, p, t0)
	for _, r := range d.Reasons {
		for _, w := range ws {
			if strings.Contains(r.Message, w.NIK) || strings.Contains(r.MessageEN, w.NIK) {
				t.Errorf("%s message shows a full NIK", r.Code)
			}
		}
		list, _ := r.Details["workers"].([]any)
		if len(list) != 2 {
			t.Fatalf("workers detail = %v", r.Details["workers"])
		}
		first := list[0].(map[string]any)
		if first["position"] != 3 || first["nik"] != "1275********0003" {
			t.Errorf("first worker = %v, want position 3 and masked NIK", first)
		}
	}
}

func TestEvaluateEvidence(t *testing.T) {
	older := t0.Add(-5 * time.Hour)
	f := Findings{Employer: employer("1", 1, 0), WorkersListed: 2, Workers: []WorkerFinding{worker(0, true, "0", "13"), worker(1, true, "0", "13")}}
	f.Workers[1].Lookup.Fetch = Fetch{Source: SourceStale, AsOf: older}
	d := Evaluate(app(PermitBusinessLicense, 1, "1", "2"), f, DefaultPolicy(), t0)
	if d.Evidence.Source != SourceStale || !d.Evidence.AsOf.Equal(older) {
		t.Errorf("evidence = %+v, want the least fresh source (stale) as of the oldest fetch", d.Evidence)
	}
	if d.Evidence.WorkersListed != 2 || d.Evidence.WorkersChecked != 2 || d.Evidence.Employer == nil {
		t.Errorf("evidence counts = %+v", d.Evidence)
	}
	d = Evaluate(app(PermitBusinessLicense, 1), Findings{EmployerErr: errDown}, DefaultPolicy(), t0)
	if d.Evidence.Source != SourceNone || !d.Evidence.AsOf.IsZero() {
		t.Errorf("evidence with no data = %+v, want none", d.Evidence)
	}
}

func TestInsufficientEvidenceDetails(t *testing.T) {
	f := Findings{EmployerErr: errDisabled, WorkersListed: 1, Workers: []WorkerFinding{worker(0, true, "0", "13")}}
	d := Evaluate(app(PermitBusinessLicense, 52), f, DefaultPolicy(), t0)
	r := d.Reasons[0]
	want := map[string]any{"declared": 52, "required": 52, "listed": 1, "active_listed": 1}
	for k, v := range want {
		if r.Details[k] != v {
			t.Errorf("details[%s] = %v, want %v (all: %v)", k, r.Details[k], v, r.Details)
		}
	}
	if d.Outcome != OutcomeReview {
		t.Errorf("outcome = %s, want review: nothing is allowed without evidence", d.Outcome)
	}
}

func TestLegalBasisRegionalFirst(t *testing.T) {
	p := DefaultPolicy()
	p.LegalBasis.Regional = "Peraturan Wali Kota Medan Nomor 1 Tahun 2021"
	d := Evaluate(app(PermitBusinessLicense, 52), Findings{Employer: employer("2", 40, 3)}, p, t0)
	for _, r := range d.Reasons {
		if !strings.HasPrefix(r.LegalBasis, p.LegalBasis.Regional+"; ") {
			t.Errorf("%s legal_basis = %q, want the regional instrument first", r.Code, r.LegalBasis)
		}
	}
	arrears := d.Reasons[1]
	if arrears.Code != ReasonContributionArrears || !strings.Contains(arrears.LegalBasis, "Pasal 39") ||
		strings.Contains(arrears.LegalBasis, "Pasal 13") {
		t.Errorf("arrears cite the contribution duty, not registration: %q", arrears.LegalBasis)
	}
	for _, pt := range []PermitType{PermitOther} {
		d := Evaluate(app(pt, 1), Findings{}, p, t0)
		if d.Reasons[0].LegalBasis != p.LegalBasis.Regional {
			t.Errorf("PERMIT_NOT_GATED cites %q, want the regional policy", d.Reasons[0].LegalBasis)
		}
	}
	if lb := DefaultPolicy().LegalBasis; !strings.Contains(lb.Registration, "Perpres 59/2024") || lb.Sanction != "PP 86/2013 Pasal 9" {
		t.Errorf("default citations = %+v", lb)
	}
}

func TestRequiredWorkers(t *testing.T) {
	tests := []struct {
		declared int
		coverage float64
		want     int
	}{
		{52, 1, 52}, {52, 0.9, 47}, {100, 0.07, 7}, {10, 0.33, 4}, {0, 1, 0}, {1, 0.01, 1}, {7, 0, 0},
	}
	for _, tt := range tests {
		if got := RequiredWorkers(tt.declared, tt.coverage); got != tt.want {
			t.Errorf("RequiredWorkers(%d, %v) = %d, want %d", tt.declared, tt.coverage, got, tt.want)
		}
	}
}

func TestErrorKinds(t *testing.T) {
	err := Errorf(KindUnavailable, "bpjs_unavailable", "lookup: %w", errors.New("connection refused"))
	if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is by kind failed for %v", err)
	}
	if CodeOf(err) != "bpjs_unavailable" || KindOf(errors.New("x")) != KindInternal {
		t.Errorf("CodeOf/KindOf wrong")
	}
}
