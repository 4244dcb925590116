// Package storetest is the conformance suite every gate.Store runs: the
// SQLite store always, the PostgreSQL store when a DSN is given. It checks
// what gate's doc comments promise, and nothing a particular database
// happens to do. Run covers gate.Store; RunPeople covers the people's side
// (PeopleStore: queries and their scope, reviews, outbox, rechecks, audit).
//
// Two things are compared loosely, so that the suite is fair to every store:
//   - Times must round-trip to within a millisecond and come back in UTC
//     (PostgreSQL keeps microseconds and rounds; SQLite keeps nanoseconds).
//   - Numbers in reason details are compared by value: a store may return
//     them as float64 (encoding/json's default), as int (the SQLite store
//     does for integers), or as any other integer type. Nil and empty maps
//     and slices are equal.
package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jkngate/jkngate/gate"
)

// Run runs the suite. open must return a fresh, empty, migrated store for
// each subtest, and register its cleanup with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) gate.Store) {
	runSuite(t, open, []suiteTest[gate.Store]{
		{"RecordAndReadBack", testRecordAndReadBack},
		{"ReviewRoundTrips", testReviewRoundTrips},
		{"DecisionNotFound", testDecisionNotFound},
		{"DecisionForWebhook", testDecisionForWebhook},
		{"SameDeliveryRecordsNothingNew", testSameDelivery},
		{"SameWebhookIDOtherClient", testOtherClient},
		{"ConcurrentSameDelivery", testConcurrentSameDelivery},
		{"ResubmissionSupersedes", testResubmission},
		{"ConcurrentResubmissionsFormOneChain", testConcurrentResubmissions},
		{"ApplicationIDsArePerClient", testApplicationsPerClient},
		{"Ping", testPing},
	})
}

// suiteTest is one named test of a suite over stores of type S.
type suiteTest[S any] struct {
	name string
	test func(t *testing.T, s S)
}

// runSuite runs each test as a subtest of t on a store of its own, from open.
func runSuite[S any](t *testing.T, open func(t *testing.T) S, tests []suiteTest[S]) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.test(t, open(t)) })
	}
}

var wib = time.FixedZone("WIB", 7*60*60) // Western Indonesia Time, UTC+7

// NewDecision returns a decision with every field set, as the engine would
// make it, and a fresh id: for the suite, and for stores' benchmarks.
// Its times carry nanoseconds and a non-UTC zone, to test that stores
// normalize them.
func NewDecision(clientID, webhookID, applicationID string) gate.Decision {
	decided := time.Date(2026, 11, 22, 17, 0, 0, 120_456_789, wib)
	return gate.Decision{
		ID:            gate.NewDecisionID(decided),
		ApplicationID: applicationID,
		NIB:           "9120001234567",
		RegionCode:    "1275",
		PermitType:    gate.PermitBusinessLicense,
		Outcome:       gate.OutcomeDeny,
		Reasons: []gate.Reason{{
			Code:       gate.ReasonWorkersUnderRegistered,
			Outcome:    gate.OutcomeDeny,
			Message:    "Baru 40 dari 52 pekerja yang dilaporkan terdaftar aktif di BPJS Kesehatan.",
			MessageEN:  "Only 40 of 52 declared workers are actively registered with BPJS Kesehatan.",
			LegalBasis: "Perpres 82/2018 Pasal 13; PP 86/2013 Pasal 9",
			Remedy:     "Daftarkan 12 pekerja lagi melalui e-Dabu / Register 12 more workers through e-Dabu.",
			Details: map[string]any{
				"declared": 52, "active": 40, "required": 52,
				"arrears_amount": int64(12_345_678_901),
				"coverage":       0.77,
				"sampled":        true,
				"note":           "catatan",
				"workers": []any{
					map[string]any{"position": 3, "nik": "1275********0001", "status": "9"},
					map[string]any{"position": 7, "nik": "1275********0002"},
				},
				"nested": map[string]any{"months": 4, "periods": []any{"2026-09", "2026-10"}},
			},
		}, {
			Code:    gate.ReasonWorkerStatusUnclear,
			Outcome: gate.OutcomeReview,
			Message: "Status kepesertaan perlu diperiksa petugas.",
		}},
		Evidence: gate.Evidence{
			Source:         gate.SourceLive,
			AsOf:           decided.Add(-119 * time.Second),
			WorkersListed:  2,
			WorkersChecked: 2,
			Employer: &gate.Employer{
				Code: "01234567", NIB: "9120001234567", NPWP: "012345678901234",
				Name: "PT Contoh Sejahtera", Status: gate.EmployerActive, StatusText: "AKTIF",
				RegisteredWorkers: 45, ActiveWorkers: 40, ArrearsMonths: 2, ArrearsAmount: 12_345_678_901,
				LastPaidPeriod: "2026-09", DataDate: "2026-11-21",
			},
		},
		PolicyVersion:   "default-2026.11",
		DecidedAt:       decided,
		ValidUntil:      decided.AddDate(0, 0, 30),
		ClientID:        clientID,
		WebhookID:       webhookID,
		CallbackURL:     "https://licensing.example/hooks/jkngate",
		DeclaredWorkers: 52,
		Application: gate.Application{ID: applicationID, NIB: "9120001234567", NPWP: "012345678901234",
			CompanyName: "PT Contoh Sejahtera", RegionCode: "1275", PermitType: gate.PermitBusinessLicense,
			KBLI: []string{"47111", "01111"}, RiskLevel: "menengah_tinggi", BusinessScale: "kecil",
			DeclaredWorkers: 52, Workers: []gate.Worker{{NIK: "1275014101900001"}, {NIK: "1275010202900002"}},
			CallbackURL: "https://licensing.example/hooks/jkngate"},
	}
}

// diff reports how got differs from want under the suite's comparison rules
// (see the package doc).
func diff(want, got gate.Decision) string {
	return cmp.Diff(normalize(want), normalize(got),
		cmpopts.EquateEmpty(),
		cmp.Comparer(func(a, b time.Time) bool {
			d := a.Sub(b)
			return d < time.Millisecond && d > -time.Millisecond
		}))
}

// normalize returns a copy of d whose details hold float64 for every number.
func normalize(d gate.Decision) gate.Decision {
	reasons := make([]gate.Reason, len(d.Reasons))
	for i, r := range d.Reasons {
		r.Details, _ = normalizeValue(r.Details).(map[string]any)
		reasons[i] = r
	}
	d.Reasons = reasons
	return d
}

func normalizeValue(v any) any {
	if v == nil {
		return nil
	}
	if n, ok := v.(interface{ Float64() (float64, error) }); ok { // json.Number
		if f, err := n.Float64(); err == nil {
			return f
		}
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalizeValue(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			out[fmt.Sprint(it.Key().Interface())] = normalizeValue(it.Value().Interface())
		}
		return out
	default:
		return v
	}
}

// checkUTC fails t for each time of d that is not in UTC.
func checkUTC(t *testing.T, d gate.Decision) {
	t.Helper()
	times := map[string]time.Time{"DecidedAt": d.DecidedAt, "ValidUntil": d.ValidUntil,
		"Evidence.AsOf": d.Evidence.AsOf}
	if d.Review != nil {
		times["Review.At"] = d.Review.At
	}
	for name, tm := range times {
		if !tm.IsZero() && tm.Location() != time.UTC {
			t.Errorf("%s = %v, want it in UTC", name, tm)
		}
	}
}

func mustRecord(t *testing.T, s gate.Store, d gate.Decision) gate.Decision {
	t.Helper()
	stored, created, err := s.RecordDecision(t.Context(), d)
	if err != nil {
		t.Fatalf("RecordDecision(%s): %v", d.ID, err)
	}
	if !created {
		t.Fatalf("RecordDecision(%s): created = false for a new delivery", d.ID)
	}
	return stored
}

func mustDecision(t *testing.T, s gate.Store, id string) gate.Decision {
	t.Helper()
	d, err := s.Decision(t.Context(), id)
	if err != nil {
		t.Fatalf("Decision(%s): %v", id, err)
	}
	return d
}

func checkNotFound(t *testing.T, what string, d gate.Decision, err error) {
	t.Helper()
	if !errors.Is(err, gate.ErrNotFound) {
		t.Errorf("%s: error = %v (decision %q), want a KindNotFound error", what, err, d.ID)
	}
}
