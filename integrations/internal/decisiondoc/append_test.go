package decisiondoc

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// The reference encoders: encoding/json over the document types, as the
// encoders were written before they wrote by hand. The hand-written ones
// must give the same bytes.

func referenceReasons(reasons []gate.Reason) ([]byte, error) {
	docs := make([]reasonDoc, len(reasons))
	for i, r := range reasons {
		docs[i] = reasonDoc{Code: string(r.Code), Outcome: string(r.Outcome), Message: r.Message,
			MessageEN: r.MessageEN, LegalBasis: r.LegalBasis, Remedy: r.Remedy, Details: r.Details}
	}
	return json.Marshal(docs)
}

func referenceEvidence(e gate.Evidence) ([]byte, error) {
	doc := evidenceDoc{Source: string(e.Source), AsOf: formatTime(e.AsOf),
		WorkersListed: e.WorkersListed, WorkersChecked: e.WorkersChecked, PolicyRegion: e.PolicyRegion}
	if m := e.Employer; m != nil {
		doc.Employer = &employerDoc{Code: m.Code, NIB: m.NIB, NPWP: m.NPWP, Name: m.Name, Status: m.Status,
			StatusText: m.StatusText, RegisteredWorkers: m.RegisteredWorkers, ActiveWorkers: m.ActiveWorkers,
			ArrearsMonths: m.ArrearsMonths, ArrearsAmount: m.ArrearsAmount, LastPaidPeriod: m.LastPaidPeriod,
			DataDate: m.DataDate}
	}
	return json.Marshal(doc)
}

func referenceReview(r gate.Review) ([]byte, error) {
	return json.Marshal(reviewDoc{State: string(r.State), Action: string(r.Action), Note: r.Note, By: r.By,
		At: formatTime(r.At), DueAt: formatTime(r.DueAt)})
}

func referenceApplication(a gate.Application) ([]byte, error) {
	if a.ID == "" {
		return nil, nil
	}
	doc := applicationDoc{ID: a.ID, NIB: a.NIB, NPWP: a.NPWP, CompanyName: a.CompanyName,
		RegionCode: a.RegionCode, PermitType: string(a.PermitType), KBLI: a.KBLI, RiskLevel: a.RiskLevel,
		BusinessScale: a.BusinessScale, DeclaredWorkers: a.DeclaredWorkers, CallbackURL: a.CallbackURL,
		BPJSEmployerCode: a.BPJSEmployerCode}
	for _, w := range a.Workers {
		doc.Workers = append(doc.Workers, w.NIK)
	}
	return json.Marshal(doc)
}

// checkEncoders fails t unless each encoder gives d's document as the
// reference does.
func checkEncoders(t *testing.T, d gate.Decision) {
	t.Helper()
	same := func(name string, got []byte, gotErr error, want []byte, wantErr error) {
		t.Helper()
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("%s: error %v, encoding/json's %v", name, gotErr, wantErr)
		}
		if string(got) != string(want) {
			t.Fatalf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	got, gotErr := EncodeReasons(d.Reasons)
	want, wantErr := referenceReasons(d.Reasons)
	same("reasons", got, gotErr, want, wantErr)
	got, gotErr = EncodeEvidence(d.Evidence)
	want, wantErr = referenceEvidence(d.Evidence)
	same("evidence", got, gotErr, want, wantErr)
	if d.Review != nil {
		got, gotErr = EncodeReview(*d.Review)
		want, wantErr = referenceReview(*d.Review)
		same("review", got, gotErr, want, wantErr)
	}
	got, gotErr = EncodeApplication(d.Application)
	want, wantErr = referenceApplication(d.Application)
	same("application", got, gotErr, want, wantErr)
}

type named string

type marshaler struct{}

func (marshaler) MarshalJSON() ([]byte, error) { return []byte(`{"own":1}`), nil }

// TestEncodersAreEncodingJSON: every kind of value a document holds, and the
// strings encoding/json escapes, give encoding/json's bytes.
func TestEncodersAreEncodingJSON(t *testing.T) {
	checkEncoders(t, fixedDecision())
	checkEncoders(t, gate.Decision{}) // nothing: no reasons, no employer, no application
	odd := "<a href=\"x\">&amp;</a>\\ \b\f\n\r\t\x00\x1f\x7f é \u2028\u2029 \xff\xfe ok \U0001F600"
	d := fixedDecision()
	d.Reasons = append(d.Reasons, gate.Reason{Code: gate.ReasonCode(odd), Outcome: gate.Outcome(odd),
		Message: odd, MessageEN: odd, LegalBasis: odd, Remedy: odd,
		Details: map[string]any{odd: odd, "float": 1e21, "small": 1e-7, "neg": -0.5, "int8": int8(-3),
			"uint": uint(7), "named": named(odd), "time": time.Date(2026, 1, 2, 3, 4, 5, 6, wib),
			"number": json.Number("12.50"), "own": marshaler{}, "nil map": map[string]any(nil),
			"nil list": []any(nil), "empty": map[string]any{}, "strings": []string{odd},
			"workers": []any{map[string]any{"nik": "3171********0001", "position": 1}, nil, true}}})
	d.Evidence.PolicyRegion, d.Evidence.Employer.Name = odd, odd
	d.Review.Note, d.Review.DueAt = odd, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	d.Application.CompanyName, d.Application.KBLI = odd, []string{}
	d.Application.Workers = append(d.Application.Workers, gate.Worker{NIK: odd})
	d.Application.BPJSEmployerCode = "0100"
	checkEncoders(t, d)

	d.Reasons = []gate.Reason{{Code: "c", Details: map[string]any{"nan": math.NaN()}}}
	checkEncoders(t, d) // both fail
}

// FuzzEncoders holds the hand-written encoders to encoding/json over
// strings and numbers the fuzzer chooses, in every string field and as
// detail keys and values.
//
//	go test ./integrations/internal/decisiondoc -run '^$' -fuzz FuzzEncoders -fuzztime 60s
func FuzzEncoders(f *testing.F) {
	f.Add("Tunggakan <4> bulan & \"x\"", "\u2028\xff", int64(12_345_678_901), 52, 3.5, true)
	f.Add("", "", int64(0), 0, 0.0, false)
	f.Add("\x00\x1f\\", "é\U0001F600", int64(-1), -7, 1e21, true)
	f.Fuzz(func(t *testing.T, s, u string, big int64, n int, x float64, flag bool) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			x = 0 // encoding/json refuses them; TestEncodersAreEncodingJSON checks both fail
		}
		d := gate.Decision{
			Reasons: []gate.Reason{{Code: gate.ReasonCode(s), Outcome: gate.Outcome(u), Message: s + u,
				MessageEN: u, LegalBasis: s, Remedy: u,
				Details: map[string]any{s: u, u: n, "big": big, "x": x, "flag": flag,
					"list": []any{s, n, map[string]any{u: s}}}}},
			Evidence: gate.Evidence{Source: gate.Source(s), WorkersListed: n, WorkersChecked: -n,
				PolicyRegion: u, AsOf: time.Unix(big%1e10, int64(n)).UTC()},
			Review: &gate.Review{State: gate.ReviewState(s), Action: gate.ReviewAction(u), Note: s, By: u},
			Application: gate.Application{ID: s + "1", NIB: u, NPWP: s, CompanyName: u, RegionCode: s,
				PermitType: gate.PermitType(u), KBLI: []string{s, u}, RiskLevel: u, BusinessScale: s,
				DeclaredWorkers: n, Workers: []gate.Worker{{NIK: s}, {NIK: u}}, CallbackURL: u,
				BPJSEmployerCode: s},
		}
		if flag {
			d.Evidence.Employer = &gate.Employer{Code: s, NIB: u, NPWP: s, Name: u, Status: s, StatusText: u,
				RegisteredWorkers: n, ActiveWorkers: -n, ArrearsMonths: n, ArrearsAmount: big,
				LastPaidPeriod: s, DataDate: u}
		}
		checkEncoders(t, d)
	})
}

// BenchmarkEncoders encodes a typical recorded decision's documents: two
// reasons, one listing eight workers, the employer, a review and an
// application of 25 workers.
func BenchmarkEncoders(b *testing.B) {
	d := fixedDecision()
	var list []any
	for i := range 8 {
		list = append(list, map[string]any{"position": i, "nik": "3171********0001", "situation": "not_registered",
			"status": "15", "status_text": "Non Aktif", "segment": "13", "segment_text": "PPU Swasta",
			"employer_code": "01000001"})
	}
	d.Reasons[1].Details = map[string]any{"count": 8, "workers": list}
	for range 23 {
		d.Application.Workers = append(d.Application.Workers, gate.Worker{NIK: "3171234567890003"})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeReasons(d.Reasons); err != nil {
			b.Fatal(err)
		}
		if _, err := EncodeEvidence(d.Evidence); err != nil {
			b.Fatal(err)
		}
		if _, err := EncodeReview(*d.Review); err != nil {
			b.Fatal(err)
		}
		if _, err := EncodeApplication(d.Application); err != nil {
			b.Fatal(err)
		}
	}
}
