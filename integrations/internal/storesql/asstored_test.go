package storesql

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

var wib = time.FixedZone("WIB", 7*3600)

// utcColumn stands in for a store's column times (each store tests its own).
func utcColumn(t time.Time) (time.Time, bool) { return t.UTC(), true }

// decoded is what a store returns without AsStored: d's documents encoded
// and decoded, its columns as utcColumn keeps them.
func decoded(t *testing.T, d gate.Decision, supersedes string) gate.Decision {
	t.Helper()
	docs, err := EncodeDocuments(d)
	if err != nil {
		t.Fatal(err)
	}
	want := gate.Decision{ID: d.ID, ApplicationID: d.ApplicationID, NIB: d.NIB, RegionCode: d.RegionCode,
		PermitType: d.PermitType, Outcome: d.Outcome, PolicyVersion: d.PolicyVersion, Supersedes: supersedes,
		DecidedAt: d.DecidedAt.UTC(), ClientID: d.ClientID, WebhookID: d.WebhookID, CallbackURL: d.CallbackURL,
		DeclaredWorkers: d.DeclaredWorkers}
	if !d.ValidUntil.IsZero() {
		want.ValidUntil = d.ValidUntil.UTC()
	}
	if err := docs.Decode(d.ID, &want); err != nil {
		t.Fatal(err)
	}
	return want
}

// fill sets every exported field of the value v points to, recursively, to
// a value that is not zero, so that a field added to gate's types that the
// documents do (or do not) keep shows up as a difference below.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("v" + string(rune('a'+*n%26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 11, 22, 17, 0, *n, 123_456_789, wib)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	case reflect.Map, reflect.Interface:
		// Details: filled by the cases below.
	}
}

// asStoredCases are the decisions AsStored must give exactly as decoding
// gives them: every field set, every kind of detail value, times out of
// UTC, empty and missing lists, maps and documents.
func asStoredCases() map[string]gate.Decision {
	var full gate.Decision
	n := 0
	fill(reflect.ValueOf(&full).Elem(), &n)
	full.Review.State = gate.ReviewClosed
	full.Review.Action = gate.ActionOverride // a stored review holds a known action

	withReview := storetest.NewDecision("client-a", "msg_2", "OSS-2")
	withReview.Review = &gate.Review{State: gate.ReviewOpen, DueAt: time.Now()} // with a monotonic reading
	withReview.ValidUntil = time.Time{}
	withReview.RecheckAt, withReview.RecheckUntil = time.Now(), time.Now().Add(time.Hour)

	details := storetest.NewDecision("client-a", "msg_3", "OSS-3")
	type status string
	details.Reasons[0].Details = map[string]any{
		"int8": int8(-3), "int16": int16(300), "int32": int32(-70000), "int64": int64(math.MinInt64),
		"int64_max": int64(math.MaxInt64), "uint8": uint8(7), "uint16": uint16(65535),
		"uint32": uint32(math.MaxUint32), "uint64": uint64(math.MaxUint64),
		"integral": 52.0, "minus_zero": math.Copysign(0, -1), "f_53": float64(1<<53 - 1),
		"f_2^60": float64(1 << 60), "f_-2^63": -9223372036854775808.0, "f_1e20": 1e20,
		"huge_integral": 9.3e18, "big": 1e21, "fraction": 0.1, "tiny": 1e-9,
		"typed": status("AKTIF"), "html": "<a&b>", "nil": nil,
		"empty_map": map[string]any{}, "empty_list": []any{}, "nil_map": map[string]any(nil), "nil_list": []any(nil),
		"nested": []any{map[string]any{"x": []any{1, "2", false, int64(1), 2.5, map[string]any{"n": int32(4)}}}},
	}
	details.Reasons = append(details.Reasons,
		gate.Reason{Code: "EMPTY", Details: map[string]any{}},
		gate.Reason{Code: "UNCHANGED", Details: map[string]any{"n": 1, "s": "x", "b": false}})

	noReasons := storetest.NewDecision("client-a", "msg_4", "OSS-4")
	noReasons.Reasons = nil
	noReasons.Application = gate.Application{}
	noReasons.Evidence = gate.Evidence{Source: gate.SourceNone}

	odd := storetest.NewDecision("client-a", "msg_5", "OSS-5")
	odd.Evidence = gate.Evidence{Source: gate.SourceLive, AsOf: time.Date(2026, 1, 2, 10, 4, 5, 123456789, wib),
		WorkersListed: 3, WorkersChecked: 2, Employer: &gate.Employer{Code: "E1", Name: "PT Ã"}}
	odd.Review = &gate.Review{State: gate.ReviewClosed, Action: "override", By: "officer", At: time.Date(2026, 1, 3, 1, 2, 3, 4, wib)}
	odd.Application = gate.Application{NIB: "9120001234567", KBLI: []string{}, Workers: []gate.Worker{}} // no id: no document
	odd.Supersedes = "dec_ignored"                                                                       // the store's to set

	emptyLists := storetest.NewDecision("client-a", "msg_6", "OSS-6")
	emptyLists.Application = gate.Application{ID: "OSS-6", KBLI: []string{}, Workers: []gate.Worker{}}

	return map[string]gate.Decision{
		"storetest":                         storetest.NewDecision("client-a", "msg_1", "OSS-1"),
		"every field":                       full,
		"review, recheck, no validity":      withReview,
		"detail kinds":                      details,
		"no reasons, no application":        noReasons,
		"odd times, application without id": odd,
		"empty lists":                       emptyLists,
	}
}

// TestAsStoredIsDecode: AsStored gives exactly what decoding the stored
// documents gives (reflect.DeepEqual: zones, nil-ness and detail types
// included).
func TestAsStoredIsDecode(t *testing.T) {
	for name, d := range asStoredCases() {
		for _, supersedes := range []string{"", "dec_01JD3Z0000000000000000001"} {
			want := decoded(t, d, supersedes)
			got, ok := AsStored(d, supersedes, utcColumn)
			if !ok {
				t.Errorf("%s: AsStored refused", name)
				continue
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%s: AsStored differs from decoding (-decoded +AsStored):\n%s", name, cmp.Diff(want, got))
			}
		}
	}
}

func TestAsStoredDoesNotShareTheCallersValues(t *testing.T) {
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	d.Review = &gate.Review{State: gate.ReviewOpen}
	d.Application.KBLI = []string{"47111"}
	got, ok := AsStored(d, "", utcColumn)
	if !ok {
		t.Fatal("AsStored refused")
	}
	got.Reasons[0].Details["declared"] = 1
	got.Evidence.Employer.Name = "changed"
	got.Review.Note = "changed"
	got.Application.KBLI[0] = "changed"
	if d.Reasons[0].Details["declared"] != 52 || d.Evidence.Employer.Name == "changed" || d.Review.Note == "changed" ||
		d.Application.KBLI[0] == "changed" {
		t.Error("changing the returned decision changed the caller's")
	}
}

// TestAsStoredRefusesWhatItCannotMirror: values whose stored form it does
// not know for sure send RecordDecision to decoding.
func TestAsStoredRefusesWhatItCannotMirror(t *testing.T) {
	for name, change := range map[string]func(*gate.Decision){
		"float32 detail":       func(d *gate.Decision) { d.Reasons[0].Details["f"] = float32(0.1) },
		"struct detail":        func(d *gate.Decision) { d.Reasons[0].Details["x"] = struct{ A int }{1} },
		"string slice detail":  func(d *gate.Decision) { d.Reasons[0].Details["l"] = []string{"a"} },
		"time detail":          func(d *gate.Decision) { d.Reasons[0].Details["x"] = time.Now() },
		"invalid UTF-8":        func(d *gate.Decision) { d.Reasons[0].Message = "a\xffb" },
		"invalid UTF-8 key":    func(d *gate.Decision) { d.Reasons[0].Details["\xff"] = 1 },
		"invalid UTF-8 nested": func(d *gate.Decision) { d.Reasons[0].Details["m"] = []any{"\xfe"} },
		"invalid UTF-8 NIK":    func(d *gate.Decision) { d.Application.Workers = []gate.Worker{{NIK: "\xff"}} },
		"invalid UTF-8 column": func(d *gate.Decision) { d.PolicyVersion = "\xff" },
		"year 10000 evidence":  func(d *gate.Decision) { d.Evidence.AsOf = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		"year 10000 review": func(d *gate.Decision) {
			d.Review = &gate.Review{State: gate.ReviewOpen, DueAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
		},
	} {
		d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
		change(&d)
		if _, ok := AsStored(d, "", utcColumn); ok {
			t.Errorf("%s: AsStored accepted it", name)
		}
	}
	// A column time the store cannot hold.
	refuse := func(t time.Time) (time.Time, bool) { return t, false }
	if _, ok := AsStored(storetest.NewDecision("client-a", "msg_1", "OSS-1"), "", refuse); ok {
		t.Error("a refused column time: AsStored accepted it")
	}
}
