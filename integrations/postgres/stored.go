package postgres

import (
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/jkngate/jkngate/gate"
)

// asStored returns d as it reads back once recorded with supersedes: what
// decodeRow returns for encodeDecision(d) with that Supersedes, built from
// d instead of decoding the documents just encoded from it (RecordDecision's
// answer for a new decision). Times are in UTC, the columns' truncated to
// microseconds; the recheck request is gone; the application keeps its
// workers' NIKs only; detail numbers are int when integral, else float64,
// and detail containers are copies.
//
// ok is false when d holds something whose JSON round trip this does not
// mirror exactly (a detail of another type than strings, booleans, numbers
// other than float32, []any and map[string]any; a string that is not valid
// UTF-8, which encoding/json replaces; a document time outside years
// 1-9999): the caller decodes the row then.
func asStored(d gate.Decision, supersedes *string) (out gate.Decision, ok bool) {
	c := checker{ok: true}
	out = gate.Decision{ID: d.ID, ApplicationID: d.ApplicationID, NIB: d.NIB, RegionCode: d.RegionCode,
		PermitType: d.PermitType, Outcome: d.Outcome, PolicyVersion: d.PolicyVersion,
		DecidedAt: dbTime(d.DecidedAt), ValidUntil: utc(optionalTime(d.ValidUntil)),
		ClientID: d.ClientID, WebhookID: d.WebhookID, CallbackURL: d.CallbackURL,
		DeclaredWorkers: d.DeclaredWorkers}
	if supersedes != nil {
		out.Supersedes = *supersedes
	}

	out.Reasons = make([]gate.Reason, len(d.Reasons))
	for i, r := range d.Reasons {
		c.strings(string(r.Code), string(r.Outcome), r.Message, r.MessageEN, r.LegalBasis, r.Remedy)
		r.Details, _ = c.detail(r.Details).(map[string]any)
		if len(r.Details) == 0 {
			r.Details = nil // omitted when empty
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
		review := gate.Review{State: rv.State, Action: rv.Action, Note: rv.Note, By: rv.By,
			At: c.docTime(rv.At), DueAt: c.docTime(rv.DueAt)}
		out.Review = &review
	}

	if a := d.Application; a.ID != "" {
		c.strings(a.ID, a.NIB, a.NPWP, a.CompanyName, a.RegionCode, string(a.PermitType), a.RiskLevel,
			a.BusinessScale, a.CallbackURL, a.BPJSEmployerCode)
		c.strings(a.KBLI...)
		app := gate.Application{ID: a.ID, NIB: a.NIB, NPWP: a.NPWP, CompanyName: a.CompanyName,
			RegionCode: a.RegionCode, PermitType: a.PermitType, RiskLevel: a.RiskLevel,
			BusinessScale: a.BusinessScale, DeclaredWorkers: a.DeclaredWorkers, CallbackURL: a.CallbackURL,
			BPJSEmployerCode: a.BPJSEmployerCode}
		if len(a.KBLI) > 0 {
			app.KBLI = append([]string(nil), a.KBLI...)
		}
		for _, w := range a.Workers {
			c.strings(w.NIK)
			app.Workers = append(app.Workers, gate.Worker{NIK: w.NIK})
		}
		out.Application = app
	}
	return out, c.ok
}

// checker collects whether every value seen round-trips through
// encoding/json unchanged (as asStored mirrors it).
type checker struct{ ok bool }

func (c *checker) strings(ss ...string) {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			c.ok = false
		}
	}
}

// docTime is t as a document stores it (decisiondoc's layout: UTC,
// nanoseconds, four-digit years).
func (c *checker) docTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		c.ok = false
	}
	return t.UTC()
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// detail returns v as decisiondoc.DecodeReasons reads it back from JSON.
func (c *checker) detail(v any) any {
	switch v := v.(type) {
	case nil:
		return nil
	case map[string]any:
		if v == nil {
			return nil
		}
		m := make(map[string]any, len(v))
		for k, x := range v {
			c.strings(k)
			m[k] = c.detail(x)
		}
		return m
	case []any:
		if v == nil {
			return nil
		}
		s := make([]any, len(v))
		for i, x := range v {
			s[i] = c.detail(x)
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
		// encoding/json writes an integral float below 1e21 without a
		// fraction or an exponent, and such a number reads back as int.
		f := rv.Float()
		if f == math.Trunc(f) && math.Abs(f) < 1e21 && f >= math.MinInt64 && f < math.MaxInt64 {
			return int(f)
		}
		return f
	}
	c.ok = false
	return v
}
