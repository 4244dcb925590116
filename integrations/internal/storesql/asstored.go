package storesql

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/jkngate/jkngate/gate"
)

// AsStored returns d as a store reads it back once recorded with the given
// Supersedes, built from d instead of decoding the documents just encoded
// from it: RecordDecision's answer for a new decision, where decoding what
// was just encoded cost the group writer's callers more than the rest of
// the record. columnTime gives a time column (decided_at, and valid_until
// when set) as the store reads it back, and false when it cannot say; a
// zero valid_until is NULL and reads back as the zero time.
//
// Document times come back in UTC without monotonic readings; what the
// decisions table does not hold (RecheckAt, RecheckUntil) is zero; the
// application keeps its workers' NIKs only; detail numbers are as
// decisiondoc.DecodeReasons gives them. Nothing in the result shares memory
// with d.
//
// ok is false when d holds something whose JSON round trip this does not
// mirror exactly (a detail of another type than strings, booleans, numbers
// other than float32, []any and map[string]any; a string that is not valid
// UTF-8, which encoding/json replaces; a document time outside the years
// 0-9999): the caller decodes the row then. A test checks the two agree.
func AsStored(d gate.Decision, supersedes string, columnTime func(time.Time) (time.Time, bool)) (gate.Decision, bool) {
	c := checker{ok: true}
	out := gate.Decision{ID: d.ID, ApplicationID: d.ApplicationID, NIB: d.NIB, RegionCode: d.RegionCode,
		PermitType: d.PermitType, Outcome: d.Outcome, PolicyVersion: d.PolicyVersion,
		Supersedes: supersedes, ClientID: d.ClientID, WebhookID: d.WebhookID, CallbackURL: d.CallbackURL,
		DeclaredWorkers: d.DeclaredWorkers}
	c.strings(d.ID, d.ApplicationID, d.NIB, d.RegionCode, string(d.PermitType), string(d.Outcome),
		d.PolicyVersion, supersedes, d.ClientID, d.WebhookID, d.CallbackURL)
	out.DecidedAt = c.column(columnTime, d.DecidedAt)
	if !d.ValidUntil.IsZero() {
		out.ValidUntil = c.column(columnTime, d.ValidUntil)
	}

	out.Reasons = make([]gate.Reason, len(d.Reasons))
	for i, r := range d.Reasons {
		c.strings(string(r.Code), string(r.Outcome), r.Message, r.MessageEN, r.LegalBasis, r.Remedy)
		r.Details, _ = c.detail(r.Details).(map[string]any)
		if len(r.Details) == 0 {
			r.Details = nil // an empty map is left out of the document
		}
		out.Reasons[i] = r
	}

	e := d.Evidence
	c.strings(string(e.Source), e.PolicyRegion)
	e.AsOf = c.docTime(e.AsOf)
	if m := e.Employer; m != nil {
		c.strings(m.Code, m.NIB, m.NPWP, m.Name, m.Status, m.StatusText, m.LastPaidPeriod, m.DataDate)
		employer := *m
		e.Employer = &employer
	}
	out.Evidence = e

	if rv := d.Review; rv != nil {
		c.strings(string(rv.State), string(rv.Action), rv.Note, rv.By)
		out.Review = &gate.Review{State: rv.State, Action: rv.Action, Note: rv.Note, By: rv.By,
			At: c.docTime(rv.At), DueAt: c.docTime(rv.DueAt)}
	}

	if a := d.Application; a.ID != "" { // without an id there is no document
		c.strings(a.ID, a.NIB, a.NPWP, a.CompanyName, a.RegionCode, string(a.PermitType), a.RiskLevel,
			a.BusinessScale, a.CallbackURL, a.BPJSEmployerCode)
		c.strings(a.KBLI...)
		app := gate.Application{ID: a.ID, NIB: a.NIB, NPWP: a.NPWP, CompanyName: a.CompanyName,
			RegionCode: a.RegionCode, PermitType: a.PermitType, RiskLevel: a.RiskLevel,
			BusinessScale: a.BusinessScale, DeclaredWorkers: a.DeclaredWorkers, CallbackURL: a.CallbackURL,
			BPJSEmployerCode: a.BPJSEmployerCode}
		// Empty lists are left out of the document and read back as nil;
		// workers are stored by NIK only.
		if len(a.KBLI) > 0 {
			app.KBLI = append([]string(nil), a.KBLI...)
		}
		if len(a.Workers) > 0 {
			app.Workers = make([]gate.Worker, len(a.Workers))
			for i, w := range a.Workers {
				c.strings(w.NIK)
				app.Workers[i] = gate.Worker{NIK: w.NIK}
			}
		}
		out.Application = app
	}
	if !c.ok {
		return gate.Decision{}, false
	}
	return out, true
}

// checker clears ok at the first value whose read-back form AsStored does
// not know.
type checker struct{ ok bool }

// strings checks that encoding/json keeps the strings as they are: it
// replaces invalid UTF-8.
func (c *checker) strings(ss ...string) {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			c.ok = false
		}
	}
}

func (c *checker) column(columnTime func(time.Time) (time.Time, bool), t time.Time) time.Time {
	t, ok := columnTime(t)
	if !ok {
		c.ok = false
	}
	return t
}

// docTime is t as a document stores it (decisiondoc's layout: UTC,
// nanoseconds, four-digit years; the zero time left out).
func (c *checker) docTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 { // the fixed-width layout cannot hold it
		c.ok = false
	}
	return t
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// detail returns a copy of v as decisiondoc.DecodeReasons reads it back
// from JSON.
func (c *checker) detail(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case string: // the common kinds first, without reflection or a new box
		c.strings(x)
		return v
	case bool, int:
		return v
	case float64:
		if i, ok := jsonInt(x); ok {
			return i
		}
		return v
	case map[string]any:
		if x == nil {
			return nil // null
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			c.strings(k)
			m[k] = c.detail(e)
		}
		return m
	case []any:
		if x == nil {
			return nil
		}
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = c.detail(e)
		}
		return s
	}
	rv := reflect.ValueOf(v)
	if t := rv.Type(); t.Implements(jsonMarshaler) || t.Implements(textMarshaler) {
		c.ok = false
		return v
	}
	switch rv.Kind() {
	case reflect.String:
		c.strings(rv.String())
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if i := rv.Int(); int64(int(i)) == i {
			return int(i)
		}
		return float64(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 && uint64(int(u)) == u {
			return int(u)
		}
		return float64(rv.Uint())
	case reflect.Float64:
		if i, ok := jsonInt(rv.Float()); ok {
			return i
		}
		return rv.Float()
	}
	c.ok = false
	return v
}

// jsonInt reports whether decisiondoc reads f back as an int, and which:
// when encoding/json writes it as digits that fit an int. encoding/json
// writes an integral float below 1e21 without a fraction or an exponent,
// as its shortest decimal digits padded with zeros, which above 2^53 are
// not f's exact value.
func jsonInt(f float64) (int, bool) {
	if f != math.Trunc(f) || math.Abs(f) >= 1e21 { // also NaN and ±Inf, which encoding/json refuses
		return 0, false
	}
	if math.Abs(f) < 1<<53 {
		return int(f), true
	}
	if i, err := strconv.ParseInt(strconv.FormatFloat(f, 'f', -1, 64), 10, 64); err == nil && int64(int(i)) == i {
		return int(i), true
	}
	return 0, false
}
