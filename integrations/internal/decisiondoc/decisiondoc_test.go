package decisiondoc

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jkngate/jkngate/gate"
)

// wib is Western Indonesia Time: times in documents are written in UTC
// whatever their zone.
var wib = time.FixedZone("WIB", 7*3600)

// fixedDecision fills every stored field, with times out of UTC and with
// nanoseconds, and details of every kind the engine records.
func fixedDecision() gate.Decision {
	return gate.Decision{
		Reasons: []gate.Reason{
			{Code: "arrears", Outcome: gate.OutcomeDeny, Message: `Tunggakan <4> bulan & "x"`,
				MessageEN: "Arrears", LegalBasis: "PP 44/2015", Remedy: "Bayar",
				Details: map[string]any{"declared": 52, "arrears_amount": int64(12_345_678_901), "coverage": 0.77,
					"nested": map[string]any{"months": 4, "list": []any{1, 2.5, "s"}}, "b": true, "n": nil}},
			{Code: "ok", Outcome: gate.OutcomeAllow},
		},
		Evidence: gate.Evidence{Source: "live", AsOf: time.Date(2026, 1, 2, 10, 4, 5, 123456789, wib),
			WorkersListed: 3, WorkersChecked: 2,
			Employer: &gate.Employer{Code: "E1", NIB: "9120001234567", NPWP: "01.234", Name: "PT Ã", Status: "active",
				StatusText: "Aktif", RegisteredWorkers: 10, ActiveWorkers: 9, ArrearsMonths: 4,
				ArrearsAmount: 12_345_678_901, LastPaidPeriod: "2025-09", DataDate: "2026-01-01"}},
		Review: &gate.Review{State: gate.ReviewClosed, Action: "override", Note: "n", By: "officer",
			At: time.Date(2026, 1, 3, 1, 2, 3, 4, wib)},
		Application: gate.Application{ID: "OSS-1", NIB: "9120001234567", NPWP: "01.234", CompanyName: "PT A",
			RegionCode: "1275", PermitType: "business_license", KBLI: []string{"47111", "10710"},
			RiskLevel: "high", BusinessScale: "micro", DeclaredWorkers: 52,
			Workers: []gate.Worker{{NIK: "3171234567890001"}, {NIK: "3171234567890002"}}, CallbackURL: "https://x/cb"},
	}
}

// TestGolden pins the stored bytes: both stores hold these documents, and
// rows written before a change must read back after it. A change here is a
// change of the stored format, not a refactoring.
func TestGolden(t *testing.T) {
	d := fixedDecision()
	minimal := gate.Decision{Review: &gate.Review{State: gate.ReviewOpen}, Application: gate.Application{ID: "X"}}
	tests := []struct {
		name   string
		encode func() ([]byte, error)
		want   string
	}{
		{"reasons", func() ([]byte, error) { return EncodeReasons(d.Reasons) },
			`[{"code":"arrears","outcome":"deny","message":"Tunggakan \u003c4\u003e bulan \u0026 \"x\"","message_en":"Arrears","legal_basis":"PP 44/2015","remedy":"Bayar","details":{"arrears_amount":12345678901,"b":true,"coverage":0.77,"declared":52,"n":null,"nested":{"list":[1,2.5,"s"],"months":4}}},{"code":"ok","outcome":"allow","message":"","message_en":"","legal_basis":"","remedy":""}]`},
		{"evidence", func() ([]byte, error) { return EncodeEvidence(d.Evidence) },
			`{"source":"live","as_of":"2026-01-02T03:04:05.123456789Z","workers_listed":3,"workers_checked":2,"employer":{"code":"E1","nib":"9120001234567","npwp":"01.234","name":"PT Ã","status":"active","status_text":"Aktif","registered_workers":10,"active_workers":9,"arrears_months":4,"arrears_amount":12345678901,"last_paid_period":"2025-09","data_date":"2026-01-01"}}`},
		{"review", func() ([]byte, error) { return EncodeReview(*d.Review) },
			`{"state":"closed","action":"override","note":"n","by":"officer","at":"2026-01-02T18:02:03.000000004Z"}`},
		{"application", func() ([]byte, error) { return EncodeApplication(d.Application) },
			`{"application_id":"OSS-1","nib":"9120001234567","npwp":"01.234","company_name":"PT A","region_code":"1275","permit_type":"business_license","kbli":["47111","10710"],"risk_level":"high","business_scale":"micro","declared_workers":52,"workers":["3171234567890001","3171234567890002"],"callback_url":"https://x/cb"}`},
		{"no reasons", func() ([]byte, error) { return EncodeReasons(nil) }, `[]`},
		{"empty evidence", func() ([]byte, error) { return EncodeEvidence(minimal.Evidence) },
			`{"source":"","workers_listed":0,"workers_checked":0}`},
		{"evidence without employer or as_of", func() ([]byte, error) {
			return EncodeEvidence(gate.Evidence{Source: "live", WorkersListed: 3, WorkersChecked: 2})
		}, `{"source":"live","workers_listed":3,"workers_checked":2}`},
		{"open review", func() ([]byte, error) { return EncodeReview(*minimal.Review) }, `{"state":"open"}`},
		{"minimal application", func() ([]byte, error) { return EncodeApplication(minimal.Application) },
			`{"application_id":"X","nib":"","region_code":"","permit_type":"","declared_workers":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.encode()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("stored form changed:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestApplicationWithoutIDIsNoDocument(t *testing.T) {
	b, err := EncodeApplication(gate.Application{NIB: "9120001234567", DeclaredWorkers: 3})
	if b != nil || err != nil {
		t.Errorf("EncodeApplication without id = %q, %v; want nil, nil (NULL)", b, err)
	}
}

// TestRoundTrip encodes and decodes each document: what comes back is what
// went in, with times in UTC and detail integers as int.
func TestRoundTrip(t *testing.T) {
	d := fixedDecision()

	b, err := EncodeReasons(d.Reasons)
	if err != nil {
		t.Fatal(err)
	}
	reasons, err := DecodeReasons(b)
	if err != nil {
		t.Fatal(err)
	}
	want := fixedDecision().Reasons
	want[0].Details["arrears_amount"] = 12_345_678_901 // int64 comes back as int
	if diff := cmp.Diff(want, reasons); diff != "" {
		t.Errorf("reasons (-want +got):\n%s", diff)
	}

	if b, err = EncodeEvidence(d.Evidence); err != nil {
		t.Fatal(err)
	}
	ev, err := DecodeEvidence(b)
	if err != nil {
		t.Fatal(err)
	}
	wantEv := d.Evidence
	wantEv.AsOf = wantEv.AsOf.UTC()
	if diff := cmp.Diff(wantEv, ev); diff != "" {
		t.Errorf("evidence (-want +got):\n%s", diff)
	}
	if ev.AsOf.Location() != time.UTC {
		t.Errorf("evidence as_of in %v, want UTC", ev.AsOf.Location())
	}

	if b, err = EncodeReview(*d.Review); err != nil {
		t.Fatal(err)
	}
	rv, err := DecodeReview(b)
	if err != nil {
		t.Fatal(err)
	}
	wantRv := *d.Review
	wantRv.At = wantRv.At.UTC()
	if diff := cmp.Diff(wantRv, rv); diff != "" {
		t.Errorf("review (-want +got):\n%s", diff)
	}

	if b, err = EncodeApplication(d.Application); err != nil {
		t.Fatal(err)
	}
	app, err := DecodeApplication(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Application, app); diff != "" {
		t.Errorf("application (-want +got):\n%s", diff)
	}
}

func TestZeroTimesRoundTripAsZero(t *testing.T) {
	b, err := EncodeEvidence(gate.Evidence{Source: "none"})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := DecodeEvidence(b)
	if err != nil || !ev.AsOf.IsZero() {
		t.Errorf("evidence as_of = %v, %v; want the zero time", ev.AsOf, err)
	}
	if b, err = EncodeReview(gate.Review{State: gate.ReviewOpen}); err != nil {
		t.Fatal(err)
	}
	rv, err := DecodeReview(b)
	if err != nil || !rv.At.IsZero() {
		t.Errorf("review at = %v, %v; want the zero time", rv.At, err)
	}
}

// TestDetailNumbers pins the documented choice: integers come back as int,
// other numbers as float64, at any depth. An integer is what the document
// spells as one: 2.0 and 1e3 stay float64.
func TestDetailNumbers(t *testing.T) {
	b := []byte(`[{"code":"c","details":{"declared":52,"amount":12345678901,"coverage":0.77,"whole":2.0,
		"exp":1e3,"neg":-4,"big":123456789012345678901234567890,
		"nested":{"months":4,"list":[1,2.5,{"deep":7}]}}}]`)
	reasons, err := DecodeReasons(b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"declared": 52, "amount": 12_345_678_901, "coverage": 0.77, "whole": 2.0,
		"exp": 1000.0, "neg": -4, "big": 1.2345678901234568e29,
		"nested": map[string]any{"months": 4, "list": []any{1, 2.5, map[string]any{"deep": 7}}}}
	if diff := cmp.Diff(want, reasons[0].Details); diff != "" {
		t.Errorf("details (-want +got):\n%s", diff)
	}
	if _, ok := reasons[0].Details["declared"].(int); !ok {
		t.Errorf("declared is %T, want int", reasons[0].Details["declared"])
	}
	if _, ok := reasons[0].Details["coverage"].(float64); !ok {
		t.Errorf("coverage is %T, want float64", reasons[0].Details["coverage"])
	}
}

func TestDecodeNumbersOutOfRangeIsInf(t *testing.T) {
	reasons, err := DecodeReasons([]byte(`[{"details":{"huge":1e400}}]`))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := reasons[0].Details["huge"].(float64); !ok || !math.IsInf(v, 1) {
		t.Errorf("huge = %#v, want float64 +Inf", reasons[0].Details["huge"])
	}
}

func TestDecodeReasonsEmpty(t *testing.T) {
	for _, doc := range []string{`[]`, `null`} {
		reasons, err := DecodeReasons([]byte(doc))
		if err != nil || reasons == nil || len(reasons) != 0 {
			t.Errorf("DecodeReasons(%s) = %#v, %v; want an empty non-nil slice", doc, reasons, err)
		}
	}
	reasons, err := DecodeReasons([]byte(`[{"code":"c"}]`))
	if err != nil || reasons[0].Details != nil {
		t.Errorf("reason without details: %#v, %v; want nil details", reasons, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		decode func() error
	}{
		{"reasons not json", func() error { _, err := DecodeReasons([]byte(`{`)); return err }},
		{"reasons not an array", func() error { _, err := DecodeReasons([]byte(`{"code":"c"}`)); return err }},
		{"evidence not json", func() error { _, err := DecodeEvidence([]byte(`[`)); return err }},
		{"evidence as_of", func() error { _, err := DecodeEvidence([]byte(`{"as_of":"2026-01-02"}`)); return err }},
		{"review not json", func() error { _, err := DecodeReview([]byte(``)); return err }},
		{"review at", func() error { _, err := DecodeReview([]byte(`{"state":"closed","at":"yesterday"}`)); return err }},
		{"review state", func() error { _, err := DecodeReview([]byte(`{"state":"pending"}`)); return err }},
		{"review action", func() error { _, err := DecodeReview([]byte(`{"state":"closed","action":"approve"}`)); return err }},
		{"application not json", func() error { _, err := DecodeApplication([]byte(`"x"`)); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.decode(); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestEncodeReasonsFailsForUnencodableDetails(t *testing.T) {
	_, err := EncodeReasons([]gate.Reason{{Code: "c", Details: map[string]any{"nan": math.NaN()}}})
	if err == nil {
		t.Error("EncodeReasons with a NaN detail: no error")
	}
}
