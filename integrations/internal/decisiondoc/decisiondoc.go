// Package decisiondoc is the stored form of a decision's JSON documents: the
// reasons, evidence, review and application columns of the decisions table.
// The SQLite and PostgreSQL stores share it, so that a decision moves
// between the two unchanged. gate's types carry no JSON tags, and the stored
// form must not change when a Go field is renamed, so the documents have
// their own types here, with the field names fixed by their tags.
//
// The encoders are deterministic: the same value always gives the same
// bytes (encoding/json order: struct fields in declaration order, map keys
// sorted). Times inside documents (evidence as_of, review at) are written in
// UTC with nanoseconds, in timeLayout; the zero time is left out (or written
// as ""), so that it reads back as the zero time rather than as year 1 UTC.
package decisiondoc

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// timeLayout is the layout of times inside documents: fixed-width UTC text
// with nanoseconds, so that no precision is lost. It was the SQLite store's
// column layout when the documents were first written; changing it would
// change what both stores hold.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(timeLayout, s)
}

type reasonDoc struct {
	Code       string         `json:"code"`
	Outcome    string         `json:"outcome"`
	Message    string         `json:"message"`
	MessageEN  string         `json:"message_en"`
	LegalBasis string         `json:"legal_basis"`
	Remedy     string         `json:"remedy"`
	Details    map[string]any `json:"details,omitempty"`
}

type evidenceDoc struct {
	Source         string       `json:"source"`
	AsOf           string       `json:"as_of,omitempty"`
	WorkersListed  int          `json:"workers_listed"`
	WorkersChecked int          `json:"workers_checked"`
	Employer       *employerDoc `json:"employer,omitempty"`
	PolicyRegion   string       `json:"policy_region,omitempty"`
}

type employerDoc struct {
	Code              string `json:"code"`
	NIB               string `json:"nib"`
	NPWP              string `json:"npwp"`
	Name              string `json:"name"`
	Status            string `json:"status"`
	StatusText        string `json:"status_text"`
	RegisteredWorkers int    `json:"registered_workers"`
	ActiveWorkers     int    `json:"active_workers"`
	ArrearsMonths     int    `json:"arrears_months"`
	ArrearsAmount     int64  `json:"arrears_amount"`
	LastPaidPeriod    string `json:"last_paid_period"`
	DataDate          string `json:"data_date"`
}

type reviewDoc struct {
	State  string `json:"state"`
	Action string `json:"action,omitempty"`
	Note   string `json:"note,omitempty"`
	By     string `json:"by,omitempty"`
	At     string `json:"at,omitempty"`
	// DueAt is in timeLayout: fixed-width UTC text, so the stores can
	// compare and sort it as text (review_due_at).
	DueAt string `json:"due_at,omitempty"`
}

// applicationDoc is the submitted application. Workers hold NIKs: personal
// data, erased by the retention job.
type applicationDoc struct {
	ID              string   `json:"application_id"`
	NIB             string   `json:"nib"`
	NPWP            string   `json:"npwp,omitempty"`
	CompanyName     string   `json:"company_name,omitempty"`
	RegionCode      string   `json:"region_code"`
	PermitType      string   `json:"permit_type"`
	KBLI            []string `json:"kbli,omitempty"`
	RiskLevel       string   `json:"risk_level,omitempty"`
	BusinessScale   string   `json:"business_scale,omitempty"`
	DeclaredWorkers int      `json:"declared_workers"`
	Workers         []string `json:"workers,omitempty"`
	CallbackURL     string   `json:"callback_url,omitempty"`
	// BPJSEmployerCode is the application's bpjs_employer_code.
	BPJSEmployerCode string `json:"bpjs_employer_code,omitempty"`
}

// EncodeReasons returns the reasons document: a JSON array, "[]" for none
// (nil included). It fails only for details that encoding/json cannot
// encode (a channel, a NaN), which is a bug in whoever built them.
func EncodeReasons(reasons []gate.Reason) ([]byte, error) {
	b := make([]byte, 0, 1024*len(reasons)+2)
	b = append(b, '[')
	for i, r := range reasons {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendField(append(b, '{'), true, "code", string(r.Code))
		b = appendField(b, false, "outcome", string(r.Outcome))
		b = appendField(b, false, "message", r.Message)
		b = appendField(b, false, "message_en", r.MessageEN)
		b = appendField(b, false, "legal_basis", r.LegalBasis)
		b = appendField(b, false, "remedy", r.Remedy)
		if len(r.Details) > 0 { // omitempty
			var err error
			if b, err = appendObject(appendName(b, false, "details"), r.Details); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// DecodeReasons reads a reasons document. It returns a non-nil slice, empty
// for "[]" or "null". Numbers in details come back as int when they are
// integers that fit in an int, and as float64 otherwise (see decodeNumbers),
// so that a detail recorded as an int (or int64) reads back as int. It fails
// when b does not start with a JSON array of reasons; what follows that
// value is not read.
func DecodeReasons(b []byte) ([]gate.Reason, error) {
	var docs []reasonDoc
	if err := unmarshalNumbers(b, &docs); err != nil {
		return nil, err
	}
	reasons := make([]gate.Reason, len(docs))
	for i, r := range docs {
		details, _ := decodeNumbers(r.Details).(map[string]any)
		reasons[i] = gate.Reason{Code: gate.ReasonCode(r.Code), Outcome: gate.Outcome(r.Outcome),
			Message: r.Message, MessageEN: r.MessageEN, LegalBasis: r.LegalBasis, Remedy: r.Remedy,
			Details: details}
	}
	return reasons, nil
}

// EncodeEvidence returns the evidence document, with the employer record
// when there is one. It does not fail for any gate.Evidence; the error is
// encoding/json's.
func EncodeEvidence(e gate.Evidence) ([]byte, error) {
	b := make([]byte, 0, 512)
	b = appendField(append(b, '{'), true, "source", string(e.Source))
	if asOf := formatTime(e.AsOf); asOf != "" {
		b = appendField(b, false, "as_of", asOf)
	}
	b = strconv.AppendInt(appendName(b, false, "workers_listed"), int64(e.WorkersListed), 10)
	b = strconv.AppendInt(appendName(b, false, "workers_checked"), int64(e.WorkersChecked), 10)
	if m := e.Employer; m != nil {
		b = appendField(append(appendName(b, false, "employer"), '{'), true, "code", m.Code)
		b = appendField(b, false, "nib", m.NIB)
		b = appendField(b, false, "npwp", m.NPWP)
		b = appendField(b, false, "name", m.Name)
		b = appendField(b, false, "status", m.Status)
		b = appendField(b, false, "status_text", m.StatusText)
		b = strconv.AppendInt(appendName(b, false, "registered_workers"), int64(m.RegisteredWorkers), 10)
		b = strconv.AppendInt(appendName(b, false, "active_workers"), int64(m.ActiveWorkers), 10)
		b = strconv.AppendInt(appendName(b, false, "arrears_months"), int64(m.ArrearsMonths), 10)
		b = strconv.AppendInt(appendName(b, false, "arrears_amount"), m.ArrearsAmount, 10)
		b = appendField(b, false, "last_paid_period", m.LastPaidPeriod)
		b = append(appendField(b, false, "data_date", m.DataDate), '}')
	}
	if e.PolicyRegion != "" {
		b = appendField(b, false, "policy_region", e.PolicyRegion)
	}
	return append(b, '}'), nil
}

// DecodeEvidence reads an evidence document. AsOf comes back in UTC, or as
// the zero time when the document has none. It fails for invalid JSON and
// for an as_of that is not in the documents' time layout.
func DecodeEvidence(b []byte) (gate.Evidence, error) {
	var doc evidenceDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return gate.Evidence{}, err
	}
	asOf, err := parseTime(doc.AsOf)
	if err != nil {
		return gate.Evidence{}, fmt.Errorf("as_of: %w", err)
	}
	e := gate.Evidence{Source: gate.Source(doc.Source), AsOf: asOf, WorkersListed: doc.WorkersListed,
		WorkersChecked: doc.WorkersChecked, PolicyRegion: doc.PolicyRegion}
	if m := doc.Employer; m != nil {
		e.Employer = &gate.Employer{Code: m.Code, NIB: m.NIB, NPWP: m.NPWP, Name: m.Name,
			Status: m.Status, StatusText: m.StatusText, RegisteredWorkers: m.RegisteredWorkers,
			ActiveWorkers: m.ActiveWorkers, ArrearsMonths: m.ArrearsMonths, ArrearsAmount: m.ArrearsAmount,
			LastPaidPeriod: m.LastPaidPeriod, DataDate: m.DataDate}
	}
	return e, nil
}

// FormatTime writes t as documents do (fixed-width UTC text), for queries
// that compare with a document's times.
func FormatTime(t time.Time) string { return formatTime(t) }

// EncodeReview returns the review document. It does not fail for any
// gate.Review; the error is encoding/json's.
func EncodeReview(r gate.Review) ([]byte, error) {
	b := appendField(append(make([]byte, 0, 128), '{'), true, "state", string(r.State))
	for _, f := range [...]struct{ name, value string }{{"action", string(r.Action)}, {"note", r.Note},
		{"by", r.By}, {"at", formatTime(r.At)}, {"due_at", formatTime(r.DueAt)}} {
		if f.value != "" { // omitempty
			b = appendField(b, false, f.name, f.value)
		}
	}
	return append(b, '}'), nil
}

// DecodeReview reads a review document. At comes back in UTC, or as the
// zero time when the document has none. It fails for invalid JSON, for an
// at that is not in the documents' time layout, and for a state or action
// gate does not know.
func DecodeReview(b []byte) (gate.Review, error) {
	var doc reviewDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return gate.Review{}, err
	}
	at, err := parseTime(doc.At)
	if err != nil {
		return gate.Review{}, fmt.Errorf("at: %w", err)
	}
	due, err := parseTime(doc.DueAt)
	if err != nil {
		return gate.Review{}, fmt.Errorf("due_at: %w", err)
	}
	state, ok := gate.ParseReviewState(doc.State)
	if !ok {
		return gate.Review{}, fmt.Errorf("state: %q is not a review state", doc.State)
	}
	action, ok := gate.ParseReviewAction(doc.Action)
	if !ok && doc.Action != "" {
		return gate.Review{}, fmt.Errorf("action: %q is not a review action", doc.Action)
	}
	return gate.Review{State: state, Action: action, Note: doc.Note, By: doc.By, At: at, DueAt: due}, nil
}

// EncodeApplication returns the application document, or nil when a has no
// ID: a decision without an application stores NULL. Workers are stored by
// NIK only. It does not fail for any gate.Application; the error is
// encoding/json's.
func EncodeApplication(a gate.Application) ([]byte, error) {
	if a.ID == "" {
		return nil, nil
	}
	b := make([]byte, 0, 256+20*len(a.Workers))
	b = appendField(append(b, '{'), true, "application_id", a.ID)
	b = appendField(b, false, "nib", a.NIB)
	b = appendOptional(b, "npwp", a.NPWP)
	b = appendOptional(b, "company_name", a.CompanyName)
	b = appendField(b, false, "region_code", a.RegionCode)
	b = appendField(b, false, "permit_type", string(a.PermitType))
	if len(a.KBLI) > 0 {
		b = appendStrings(appendName(b, false, "kbli"), a.KBLI)
	}
	b = appendOptional(b, "risk_level", a.RiskLevel)
	b = appendOptional(b, "business_scale", a.BusinessScale)
	b = strconv.AppendInt(appendName(b, false, "declared_workers"), int64(a.DeclaredWorkers), 10)
	if len(a.Workers) > 0 {
		b = append(appendName(b, false, "workers"), '[')
		for i, w := range a.Workers {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, w.NIK)
		}
		b = append(b, ']')
	}
	b = appendOptional(b, "callback_url", a.CallbackURL)
	b = appendOptional(b, "bpjs_employer_code", a.BPJSEmployerCode)
	return append(b, '}'), nil
}

// appendOptional appends an omitempty string field (not the first).
func appendOptional(b []byte, name, s string) []byte {
	if s == "" {
		return b
	}
	return appendField(b, false, name, s)
}

// DecodeApplication reads an application document (a NULL column is the
// caller's to map to the zero gate.Application). KBLI and Workers are nil
// when the document has none. It fails for invalid JSON.
func DecodeApplication(b []byte) (gate.Application, error) {
	var doc applicationDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return gate.Application{}, err
	}
	a := gate.Application{ID: doc.ID, NIB: doc.NIB, NPWP: doc.NPWP, CompanyName: doc.CompanyName,
		RegionCode: doc.RegionCode, PermitType: gate.PermitType(doc.PermitType), KBLI: doc.KBLI,
		RiskLevel: doc.RiskLevel, BusinessScale: doc.BusinessScale, DeclaredWorkers: doc.DeclaredWorkers,
		CallbackURL: doc.CallbackURL, BPJSEmployerCode: doc.BPJSEmployerCode}
	for _, nik := range doc.Workers {
		a.Workers = append(a.Workers, gate.Worker{NIK: nik})
	}
	return a, nil
}
