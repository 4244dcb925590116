package sqlite

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

var wib = time.FixedZone("WIB", 7*3600)

// engineDecisions are decisions as gate's engine makes them: compliant, and
// denied with arrears (an int64 detail) and workers not registered or
// inactive (lists of maps), and unavailable with a review.
func engineDecisions() []gate.Decision {
	now := time.Now() // with a monotonic reading, in the local zone
	p := gate.DefaultPolicy()
	app := gate.Application{ID: "OSS-1", NIB: "9120001234567", RegionCode: "1275",
		PermitType: gate.PermitBusinessLicense, DeclaredWorkers: 3, BusinessScale: "kecil",
		KBLI: []string{"47111"}, CallbackURL: "https://licensing.example/cb",
		Workers: []gate.Worker{{NIK: "1275014101900001"}, {NIK: "1275014101900002"}, {NIK: "1275014101900003"}}}
	emp := func(active, arrears int) gate.EmployerLookup {
		return gate.EmployerLookup{Found: true, Fetch: gate.Fetch{Source: gate.SourceCache, AsOf: now.Add(-time.Hour)},
			Employer: gate.Employer{Code: "01020304", NIB: app.NIB, Name: "PT Contoh", Status: gate.EmployerActive,
				RegisteredWorkers: active, ActiveWorkers: active, ArrearsMonths: arrears, ArrearsAmount: int64(arrears) * 1_000_000}}
	}
	worker := func(i int, found bool, status string) gate.WorkerFinding {
		nik := app.Workers[i].NIK
		return gate.WorkerFinding{Position: i, NIK: nik, Lookup: gate.ParticipantLookup{Found: found,
			Participant: gate.Participant{NIK: nik, Status: status, Segment: "13"}}}
	}
	unavailable := gate.Errorf(gate.KindUnavailable, "bpjs_timeout", "timeout")
	findings := []gate.Findings{
		{Employer: emp(3, 0), WorkersListed: 3, Workers: []gate.WorkerFinding{worker(0, true, "0"), worker(1, true, "0"), worker(2, true, "0")}},
		{Employer: emp(1, 4), WorkersListed: 3, Workers: []gate.WorkerFinding{worker(0, false, ""), worker(1, true, "9"), worker(2, true, "2")}},
		{EmployerErr: unavailable, WorkersListed: 3, Workers: []gate.WorkerFinding{worker(0, true, "0"), {Position: 1, NIK: app.Workers[1].NIK, Err: unavailable}}},
	}
	var ds []gate.Decision
	for i, f := range findings {
		d := gate.Evaluate(app, f, p, now)
		d.ID, d.ClientID, d.WebhookID = gate.NewDecisionID(now), "oss", "msg_"+string(rune('a'+i))
		if d.Outcome != gate.OutcomeAllow {
			d.Review = &gate.Review{State: gate.ReviewOpen, DueAt: now.Add(72 * time.Hour)}
			d.RecheckAt, d.RecheckUntil = now.Add(time.Minute), now.Add(time.Hour)
		}
		ds = append(ds, d)
	}
	return ds
}

// oddDecision holds every kind of value a detail can hold, times out of
// UTC, empty lists and maps, and an application without an id.
func oddDecision() gate.Decision {
	d := storetest.NewDecision("client-a", "msg_odd", "OSS-9")
	d.Reasons = append(d.Reasons,
		gate.Reason{Code: "X", Details: map[string]any{
			"i8": int8(-3), "i16": int16(300), "i32": int32(-70000), "i64": int64(math.MaxInt64),
			"u8": uint8(7), "u16": uint16(65535), "u32": uint32(math.MaxUint32),
			"f_int": 2.0, "f_negzero": math.Copysign(0, -1), "f_53": float64(1<<53 - 1),
			"f_frac": 0.5, "f_tiny": 1e-9, "nil_list": []any(nil), "nil_map": map[string]any(nil),
			"empty_list": []any{}, "empty_map": map[string]any{}, "null": nil,
			"nested": map[string]any{"list": []any{int64(1), 2.5, "s", true, map[string]any{"n": int32(4)}}},
		}},
		gate.Reason{Code: "EMPTY", Details: map[string]any{}},
		gate.Reason{Code: "UNCHANGED", Details: map[string]any{"n": 1, "s": "x", "b": false}},
	)
	d.ValidUntil = time.Time{}
	d.Evidence = gate.Evidence{Source: gate.SourceLive, AsOf: time.Date(2026, 1, 2, 10, 4, 5, 123456789, wib),
		WorkersListed: 3, WorkersChecked: 2, Employer: &gate.Employer{Code: "E1", Name: "PT Ã"}}
	d.Review = &gate.Review{State: gate.ReviewClosed, Action: "override", By: "officer", At: time.Date(2026, 1, 3, 1, 2, 3, 4, wib)}
	d.Application = gate.Application{NIB: "9120001234567", KBLI: []string{}, Workers: []gate.Worker{}}
	d.Supersedes = "dec_ignored"
	return d
}

// TestColumnTime: storesql.AsStored's column times are in UTC, and a year
// the fixed-width layout cannot hold sends RecordDecision to decoding.
// storesql's TestAsStoredIsDecode checks the documents, and the test below
// the whole answer.
func TestColumnTime(t *testing.T) {
	at := time.Date(2026, 1, 2, 10, 4, 5, 123456789, wib)
	if got, ok := columnTime(at); !ok || got != at.UTC() {
		t.Errorf("columnTime(%v) = %v, %v; want %v, true", at, got, ok, at.UTC())
	}
	if _, ok := columnTime(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)); ok {
		t.Error("columnTime accepted year 10000")
	}
}

// TestRecordDecisionAnswersAsItReadsBack: what RecordDecision returns is
// exactly what Decision reads back, for the engine's decisions and an odd
// one, which storesql.AsStored builds without decoding.
func TestRecordDecisionAnswersAsItReadsBack(t *testing.T) {
	s, _ := openTemp(t)
	for _, d := range append(engineDecisions(), oddDecision()) {
		if _, ok := storesql.AsStored(d, "", columnTime); !ok {
			t.Errorf("decision %s: storesql.AsStored refused it, so RecordDecision decodes it", d.ID)
		}
		stored, created, err := s.RecordDecision(t.Context(), d)
		if err != nil || !created {
			t.Fatalf("RecordDecision: %v, %v", created, err)
		}
		byID, err := s.Decision(t.Context(), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(stored, byID) {
			t.Errorf("RecordDecision returned what Decision does not read (-read +returned):\n%s", cmp.Diff(byID, stored))
		}
		replayed, created, err := s.RecordDecision(t.Context(), d)
		if err != nil || created || !reflect.DeepEqual(replayed, byID) {
			t.Errorf("replay: created %v, err %v, diff (-read +replayed):\n%s", created, err, cmp.Diff(byID, replayed))
		}
	}
}
