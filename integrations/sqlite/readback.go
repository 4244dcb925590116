package sqlite

import (
	"math"
	"time"
	"unicode/utf8"

	"github.com/jkngate/jkngate/gate"
)

// readBack returns d as decodeRow would read it back after encodeDecision
// stored it with the given Supersedes, without the JSON round trip:
// RecordDecision answers with the decision as it reads back, and decoding
// what it has just encoded cost the group writer's callers more than the
// rest of the record. Times come back in UTC without monotonic readings,
// detail numbers as decisiondoc.DecodeReasons gives them, the application
// as its document keeps it, and what the decisions table does not hold
// (RecheckAt, RecheckUntil) as zero.
//
// ok is false for a decision holding something whose read-back form this
// does not know for sure (a detail of another type, a string that is not
// valid UTF-8, a time outside the years 0000-9999): the caller then decodes
// the row. A test checks the two agree.
func readBack(d gate.Decision, supersedes string) (gate.Decision, bool) {
	out := gate.Decision{
		ID: d.ID, ApplicationID: d.ApplicationID, NIB: d.NIB, RegionCode: d.RegionCode,
		PermitType: d.PermitType, Outcome: d.Outcome, PolicyVersion: d.PolicyVersion,
		Supersedes: supersedes, ClientID: d.ClientID, WebhookID: d.WebhookID, CallbackURL: d.CallbackURL,
		DeclaredWorkers: d.DeclaredWorkers,
	}
	c := checker{ok: true}
	c.strings(d.ID, d.ApplicationID, d.NIB, d.RegionCode, string(d.PermitType), string(d.Outcome),
		d.PolicyVersion, supersedes, d.ClientID, d.WebhookID, d.CallbackURL)
	out.DecidedAt = c.time(d.DecidedAt, false)
	out.ValidUntil = c.time(d.ValidUntil, true)

	out.Reasons = make([]gate.Reason, len(d.Reasons))
	for i, r := range d.Reasons {
		c.strings(string(r.Code), string(r.Outcome), r.Message, r.MessageEN, r.LegalBasis, r.Remedy)
		out.Reasons[i] = gate.Reason{Code: r.Code, Outcome: r.Outcome, Message: r.Message,
			MessageEN: r.MessageEN, LegalBasis: r.LegalBasis, Remedy: r.Remedy}
		if len(r.Details) > 0 { // an empty map is left out of the document
			out.Reasons[i].Details = c.detailMap(r.Details)
		}
	}

	ev := d.Evidence
	c.strings(string(ev.Source), ev.PolicyRegion)
	out.Evidence = gate.Evidence{Source: ev.Source, AsOf: c.time(ev.AsOf, true), WorkersListed: ev.WorkersListed,
		WorkersChecked: ev.WorkersChecked, PolicyRegion: ev.PolicyRegion}
	if m := ev.Employer; m != nil {
		c.strings(m.Code, m.NIB, m.NPWP, m.Name, m.Status, m.StatusText, m.LastPaidPeriod, m.DataDate)
		out.Evidence.Employer = &gate.Employer{Code: m.Code, NIB: m.NIB, NPWP: m.NPWP, Name: m.Name,
			Status: m.Status, StatusText: m.StatusText, RegisteredWorkers: m.RegisteredWorkers,
			ActiveWorkers: m.ActiveWorkers, ArrearsMonths: m.ArrearsMonths, ArrearsAmount: m.ArrearsAmount,
			LastPaidPeriod: m.LastPaidPeriod, DataDate: m.DataDate}
	}

	if rv := d.Review; rv != nil {
		c.strings(string(rv.State), string(rv.Action), rv.Note, rv.By)
		out.Review = &gate.Review{State: rv.State, Action: rv.Action, Note: rv.Note, By: rv.By,
			At: c.time(rv.At, true), DueAt: c.time(rv.DueAt, true)}
	}

	if a := d.Application; a.ID != "" { // without an id there is no document
		c.strings(a.ID, a.NIB, a.NPWP, a.CompanyName, a.RegionCode, string(a.PermitType), a.RiskLevel,
			a.BusinessScale, a.CallbackURL, a.BPJSEmployerCode)
		c.strings(a.KBLI...)
		for _, w := range a.Workers {
			c.strings(w.NIK)
		}
		out.Application = gate.Application{ID: a.ID, NIB: a.NIB, NPWP: a.NPWP, CompanyName: a.CompanyName,
			RegionCode: a.RegionCode, PermitType: a.PermitType, RiskLevel: a.RiskLevel,
			BusinessScale: a.BusinessScale, DeclaredWorkers: a.DeclaredWorkers, CallbackURL: a.CallbackURL,
			BPJSEmployerCode: a.BPJSEmployerCode}
		// Empty lists are left out of the document and read back as nil;
		// workers are stored by NIK only.
		if len(a.KBLI) > 0 {
			out.Application.KBLI = a.KBLI
		}
		if len(a.Workers) > 0 {
			out.Application.Workers = make([]gate.Worker, len(a.Workers))
			for i, w := range a.Workers {
				out.Application.Workers[i] = gate.Worker{NIK: w.NIK}
			}
		}
	}
	if !c.ok {
		return gate.Decision{}, false
	}
	return out, true
}

// checker clears ok at the first value whose read-back form readBack does
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

// time gives t as stored times read back: in UTC, no monotonic reading;
// optional ones store the zero time as nothing, which reads back as zero.
func (c *checker) time(t time.Time, optional bool) time.Time {
	if optional && t.IsZero() {
		return time.Time{}
	}
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 { // the fixed-width layout cannot hold it
		c.ok = false
	}
	return t
}

// detailMap gives m as decisiondoc.DecodeReasons reads it back: m itself
// when every value reads back unchanged, else a copy.
func (c *checker) detailMap(m map[string]any) map[string]any {
	same := true
	for k, v := range m {
		c.strings(k)
		if !c.same(v) {
			same = false
		}
	}
	if same || !c.ok {
		return m
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = c.detail(v)
	}
	return out
}

// same reports whether v reads back as itself (setting ok false when it
// cannot read back at all).
func (c *checker) same(v any) bool {
	switch v := v.(type) {
	case nil, bool, int:
		return true
	case string:
		c.strings(v)
		return true
	case float64:
		if bigIntegral(v) {
			c.ok = false // written as digits that may or may not fit an int
		}
		return !isIntegral(v)
	case map[string]any:
		if v == nil {
			return false // null reads back as nil
		}
		all := true
		for k, x := range v {
			c.strings(k)
			if !c.same(x) {
				all = false
			}
		}
		return all
	case []any:
		if v == nil {
			return false
		}
		all := true
		for _, x := range v {
			if !c.same(x) {
				all = false
			}
		}
		return all
	case int8, int16, int32, int64, uint8, uint16, uint32:
		return false // reads back as int
	default:
		c.ok = false // another type: decode the row instead
		return false
	}
}

// detail gives v as it reads back: integers (also integral float64s within
// int64, which encoding/json writes without a fraction) as int.
func (c *checker) detail(v any) any {
	switch v := v.(type) {
	case int8:
		return int(v)
	case int16:
		return int(v)
	case int32:
		return int(v)
	case int64:
		return int(v)
	case uint8:
		return int(v)
	case uint16:
		return int(v)
	case uint32:
		return int(v)
	case float64:
		if isIntegral(v) {
			return int(v)
		}
		return v
	case map[string]any:
		if v == nil {
			return nil
		}
		return c.detailMap(v)
	case []any:
		if v == nil {
			return nil
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = c.detail(x)
		}
		return out
	}
	return v
}

// isIntegral reports whether encoding/json writes f as an integer that
// decisiondoc reads back as an int: integral and exactly so in its shortest
// decimal form, which holds below 2^53 (bigIntegral ones are refused).
func isIntegral(f float64) bool {
	return f == math.Trunc(f) && math.Abs(f) < 1<<53
}

// bigIntegral reports an integral float64 of 2^53 or more, which
// encoding/json writes as its shortest digits padded with zeros: whether
// those fit an int64 is not worth mirroring here.
func bigIntegral(f float64) bool {
	return f == math.Trunc(f) && math.Abs(f) >= 1<<53 && !math.IsInf(f, 0)
}
