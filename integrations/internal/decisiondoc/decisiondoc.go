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
	docs := make([]reasonDoc, len(reasons))
	for i, r := range reasons {
		docs[i] = reasonDoc{Code: string(r.Code), Outcome: string(r.Outcome), Message: r.Message,
			MessageEN: r.MessageEN, LegalBasis: r.LegalBasis, Remedy: r.Remedy, Details: r.Details}
	}
	return json.Marshal(docs)
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
	return json.Marshal(reviewDoc{State: string(r.State), Action: string(r.Action), Note: r.Note, By: r.By,
		At: formatTime(r.At), DueAt: formatTime(r.DueAt)})
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
	doc := applicationDoc{ID: a.ID, NIB: a.NIB, NPWP: a.NPWP, CompanyName: a.CompanyName,
		RegionCode: a.RegionCode, PermitType: string(a.PermitType), KBLI: a.KBLI, RiskLevel: a.RiskLevel,
		BusinessScale: a.BusinessScale, DeclaredWorkers: a.DeclaredWorkers, CallbackURL: a.CallbackURL,
		BPJSEmployerCode: a.BPJSEmployerCode}
	for _, w := range a.Workers {
		doc.Workers = append(doc.Workers, w.NIK)
	}
	return json.Marshal(doc)
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
