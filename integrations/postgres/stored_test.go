package postgres

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// decoded is what RecordDecision returned before asStored: the encoded row,
// with Supersedes, decoded.
func decoded(t *testing.T, d gate.Decision, supersedes *string) gate.Decision {
	t.Helper()
	row, err := encodeDecision(d)
	if err != nil {
		t.Fatal(err)
	}
	row.Supersedes = supersedes
	got, err := decodeRow(row)
	if err != nil {
		t.Fatal(err)
	}
	return got
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
			v.Set(reflect.ValueOf(time.Date(2026, 11, 22, 17, 0, *n, 123_456_789, time.FixedZone("WIB", 7*3600))))
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

func TestAsStoredIsTheDecodedRow(t *testing.T) {
	prev := "dec_01JD3Z0000000000000000001"
	var full gate.Decision
	n := 0
	fill(reflect.ValueOf(&full).Elem(), &n)
	full.Review.State = gate.ReviewClosed
	full.Review.Action = gate.ActionOverride // a stored review holds a known action

	withReview := storetest.NewDecision("client-a", "msg_2", "OSS-2")
	withReview.Review = &gate.Review{State: gate.ReviewOpen, DueAt: time.Now()}
	withReview.ValidUntil = time.Time{}
	withReview.RecheckAt, withReview.RecheckUntil = time.Now(), time.Now().Add(time.Hour)

	details := storetest.NewDecision("client-a", "msg_3", "OSS-3")
	type status string
	details.Reasons[0].Details = map[string]any{
		"int8": int8(-3), "uint16": uint16(7), "uint64": uint64(math.MaxUint64), "int64": int64(math.MinInt64),
		"integral": 52.0, "minus_zero": math.Copysign(0, -1), "big": 1e21, "huge_integral": 9.3e18,
		"fraction": 0.1, "typed": status("AKTIF"), "html": "<a&b>", "nil": nil,
		"empty_map": map[string]any{}, "empty_list": []any{}, "nil_map": map[string]any(nil),
		"nested": []any{map[string]any{"x": []any{1, "2", false}}},
	}
	details.Reasons[1].Details = map[string]any{}
	noReasons := storetest.NewDecision("client-a", "msg_4", "OSS-4")
	noReasons.Reasons = nil
	noReasons.Application = gate.Application{}
	noReasons.Evidence = gate.Evidence{Source: gate.SourceNone}

	for name, tc := range map[string]struct {
		d          gate.Decision
		supersedes *string
	}{
		"storetest":                    {storetest.NewDecision("client-a", "msg_1", "OSS-1"), &prev},
		"every field":                  {full, &prev},
		"review, recheck, no validity": {withReview, nil},
		"detail kinds":                 {details, nil},
		"no reasons, no application":   {noReasons, nil},
	} {
		got, ok := asStored(tc.d, tc.supersedes)
		storetest.CheckMirror(t, "asStored", name, decoded(t, tc.d, tc.supersedes), got, ok)
	}
}

func TestAsStoredDoesNotShareTheCallersValues(t *testing.T) {
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	d.Review = &gate.Review{State: gate.ReviewOpen}
	got, ok := asStored(d, nil)
	if !ok {
		t.Fatal("asStored refused")
	}
	got.Reasons[0].Details["declared"] = 1
	got.Evidence.Employer.Name = "changed"
	got.Review.Note = "changed"
	if d.Reasons[0].Details["declared"] != 52 || d.Evidence.Employer.Name == "changed" || d.Review.Note == "changed" {
		t.Error("changing the returned decision changed the caller's")
	}
}

// Values whose JSON round trip asStored does not mirror send the caller to
// decodeRow.
func TestAsStoredRefusesWhatItCannotMirror(t *testing.T) {
	storetest.CheckMirrorRefuses(t, "asStored", func(d gate.Decision) bool {
		_, ok := asStored(d, nil)
		return ok
	}, map[string]func(d *gate.Decision){
		"float32 detail":      func(d *gate.Decision) { d.Reasons[0].Details["x"] = float32(0.1) },
		"struct detail":       func(d *gate.Decision) { d.Reasons[0].Details["x"] = struct{ A int }{1} },
		"[]string detail":     func(d *gate.Decision) { d.Reasons[0].Details["x"] = []string{"a"} },
		"time detail":         func(d *gate.Decision) { d.Reasons[0].Details["x"] = time.Now() },
		"invalid UTF-8":       func(d *gate.Decision) { d.Reasons[0].Message = "bad \xff" },
		"invalid UTF-8 key":   func(d *gate.Decision) { d.Reasons[0].Details["\xff"] = 1 },
		"year 10000 evidence": func(d *gate.Decision) { d.Evidence.AsOf = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
}
