package sqlite

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// timeLayout stores times as fixed-width UTC text with nanoseconds, so that
// text order is time order (the decided_at indexes rely on it) and no
// precision is lost.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// formatOptionalTime stores the zero time as "" (NULL in columns), so that it
// reads back as the zero time rather than as year 1 UTC.
func formatOptionalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(timeLayout, s)
}

// The JSON shapes of the reasons, evidence and review columns. gate's types
// carry no JSON tags, and the stored form must not change when a Go field is
// renamed, so the store owns these.
type reasonRow struct {
	Code       string         `json:"code"`
	Outcome    string         `json:"outcome"`
	Message    string         `json:"message"`
	MessageEN  string         `json:"message_en"`
	LegalBasis string         `json:"legal_basis"`
	Remedy     string         `json:"remedy"`
	Details    map[string]any `json:"details,omitempty"`
}

type evidenceRow struct {
	Source         string       `json:"source"`
	AsOf           string       `json:"as_of,omitempty"`
	WorkersListed  int          `json:"workers_listed"`
	WorkersChecked int          `json:"workers_checked"`
	Employer       *employerRow `json:"employer,omitempty"`
}

type employerRow struct {
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

// applicationRow is the submitted application. Workers hold NIKs: personal
// data, erased by the retention job.
type applicationRow struct {
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
}

func encodeApplication(a gate.Application) (sql.NullString, error) {
	if a.ID == "" {
		return sql.NullString{}, nil
	}
	row := applicationRow{ID: a.ID, NIB: a.NIB, NPWP: a.NPWP, CompanyName: a.CompanyName,
		RegionCode: a.RegionCode, PermitType: string(a.PermitType), KBLI: a.KBLI, RiskLevel: a.RiskLevel,
		BusinessScale: a.BusinessScale, DeclaredWorkers: a.DeclaredWorkers, CallbackURL: a.CallbackURL}
	for _, w := range a.Workers {
		row.Workers = append(row.Workers, w.NIK)
	}
	b, err := json.Marshal(row)
	if err != nil {
		return sql.NullString{}, err
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

func decodeApplication(s sql.NullString) (gate.Application, error) {
	if !s.Valid {
		return gate.Application{}, nil
	}
	var row applicationRow
	if err := json.Unmarshal([]byte(s.String), &row); err != nil {
		return gate.Application{}, err
	}
	a := gate.Application{ID: row.ID, NIB: row.NIB, NPWP: row.NPWP, CompanyName: row.CompanyName,
		RegionCode: row.RegionCode, PermitType: gate.PermitType(row.PermitType), KBLI: row.KBLI,
		RiskLevel: row.RiskLevel, BusinessScale: row.BusinessScale, DeclaredWorkers: row.DeclaredWorkers,
		CallbackURL: row.CallbackURL}
	for _, nik := range row.Workers {
		a.Workers = append(a.Workers, gate.Worker{NIK: nik})
	}
	return a, nil
}

type reviewRow struct {
	State  string `json:"state"`
	Action string `json:"action,omitempty"`
	Note   string `json:"note,omitempty"`
	By     string `json:"by,omitempty"`
	At     string `json:"at,omitempty"`
}

// decisionColumns lists the columns decisionRow.scan reads, in order.
const decisionColumns = `d.id, d.application_id, d.nib, d.region_code, d.permit_type, d.outcome,
	d.reasons, d.evidence, d.policy_version, d.decided_at, d.valid_until, d.supersedes, d.review,
	d.client_id, d.webhook_id, d.callback_url, d.declared_workers, d.application`

// decisionRow is a decision as stored: times as text, JSON columns as text,
// nullable columns as sql.NullString.
type decisionRow struct {
	ID, ApplicationID, NIB, RegionCode, PermitType, Outcome string
	Reasons, Evidence, PolicyVersion, DecidedAt             string
	ValidUntil, Supersedes, Review                          sql.NullString
	ClientID, WebhookID, CallbackURL                        string
	DeclaredWorkers                                         int
	Application                                             sql.NullString
}

func (r *decisionRow) scan(row interface{ Scan(...any) error }) error {
	return row.Scan(&r.ID, &r.ApplicationID, &r.NIB, &r.RegionCode, &r.PermitType, &r.Outcome,
		&r.Reasons, &r.Evidence, &r.PolicyVersion, &r.DecidedAt, &r.ValidUntil, &r.Supersedes, &r.Review,
		&r.ClientID, &r.WebhookID, &r.CallbackURL, &r.DeclaredWorkers, &r.Application)
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// encodeDecision turns d into its stored form. It fails only for details
// that encoding/json cannot encode, which is a bug in whoever built them.
func encodeDecision(d gate.Decision) (decisionRow, error) {
	reasons := make([]reasonRow, len(d.Reasons))
	for i, r := range d.Reasons {
		reasons[i] = reasonRow{Code: string(r.Code), Outcome: string(r.Outcome), Message: r.Message,
			MessageEN: r.MessageEN, LegalBasis: r.LegalBasis, Remedy: r.Remedy, Details: r.Details}
	}
	reasonsJSON, err := json.Marshal(reasons)
	if err != nil {
		return decisionRow{}, fmt.Errorf("encode reasons: %w", err)
	}
	ev := evidenceRow{Source: string(d.Evidence.Source), AsOf: formatOptionalTime(d.Evidence.AsOf),
		WorkersListed: d.Evidence.WorkersListed, WorkersChecked: d.Evidence.WorkersChecked}
	if e := d.Evidence.Employer; e != nil {
		ev.Employer = &employerRow{Code: e.Code, NIB: e.NIB, NPWP: e.NPWP, Name: e.Name, Status: e.Status,
			StatusText: e.StatusText, RegisteredWorkers: e.RegisteredWorkers, ActiveWorkers: e.ActiveWorkers,
			ArrearsMonths: e.ArrearsMonths, ArrearsAmount: e.ArrearsAmount, LastPaidPeriod: e.LastPaidPeriod,
			DataDate: e.DataDate}
	}
	evidenceJSON, err := json.Marshal(ev)
	if err != nil {
		return decisionRow{}, fmt.Errorf("encode evidence: %w", err)
	}
	var review sql.NullString
	if rv := d.Review; rv != nil {
		b, err := json.Marshal(reviewRow{State: rv.State, Action: rv.Action, Note: rv.Note, By: rv.By,
			At: formatOptionalTime(rv.At)})
		if err != nil {
			return decisionRow{}, fmt.Errorf("encode review: %w", err)
		}
		review = sql.NullString{String: string(b), Valid: true}
	}
	app, err := encodeApplication(d.Application)
	if err != nil {
		return decisionRow{}, fmt.Errorf("encode application: %w", err)
	}
	return decisionRow{
		ID: d.ID, ApplicationID: d.ApplicationID, NIB: d.NIB, RegionCode: d.RegionCode,
		PermitType: string(d.PermitType), Outcome: string(d.Outcome),
		Reasons: string(reasonsJSON), Evidence: string(evidenceJSON), PolicyVersion: d.PolicyVersion,
		DecidedAt: formatTime(d.DecidedAt), ValidUntil: nullString(formatOptionalTime(d.ValidUntil)),
		Supersedes: nullString(d.Supersedes), Review: review,
		ClientID: d.ClientID, WebhookID: d.WebhookID, CallbackURL: d.CallbackURL,
		DeclaredWorkers: d.DeclaredWorkers, Application: app,
	}, nil
}

// decode turns a stored row back into a decision. Times come back in UTC.
// Numbers in reason details come back as int when they are integers and as
// float64 otherwise (see decodeNumbers).
func (r decisionRow) decode() (gate.Decision, error) {
	d := gate.Decision{
		ID: r.ID, ApplicationID: r.ApplicationID, NIB: r.NIB, RegionCode: r.RegionCode,
		PermitType: gate.PermitType(r.PermitType), Outcome: gate.Outcome(r.Outcome),
		PolicyVersion: r.PolicyVersion, Supersedes: r.Supersedes.String,
		ClientID: r.ClientID, WebhookID: r.WebhookID, CallbackURL: r.CallbackURL,
		DeclaredWorkers: r.DeclaredWorkers,
	}
	var err error
	if d.DecidedAt, err = parseTime(r.DecidedAt); err != nil {
		return gate.Decision{}, fmt.Errorf("decision %s: decided_at: %w", r.ID, err)
	}
	if d.ValidUntil, err = parseTime(r.ValidUntil.String); err != nil {
		return gate.Decision{}, fmt.Errorf("decision %s: valid_until: %w", r.ID, err)
	}

	var reasons []reasonRow
	if err := unmarshalNumbers(r.Reasons, &reasons); err != nil {
		return gate.Decision{}, fmt.Errorf("decision %s: reasons: %w", r.ID, err)
	}
	d.Reasons = make([]gate.Reason, len(reasons))
	for i, rr := range reasons {
		details, _ := decodeNumbers(rr.Details).(map[string]any)
		d.Reasons[i] = gate.Reason{Code: gate.ReasonCode(rr.Code), Outcome: gate.Outcome(rr.Outcome),
			Message: rr.Message, MessageEN: rr.MessageEN, LegalBasis: rr.LegalBasis, Remedy: rr.Remedy,
			Details: details}
	}

	var ev evidenceRow
	if err := json.Unmarshal([]byte(r.Evidence), &ev); err != nil {
		return gate.Decision{}, fmt.Errorf("decision %s: evidence: %w", r.ID, err)
	}
	d.Evidence = gate.Evidence{Source: gate.Source(ev.Source), WorkersListed: ev.WorkersListed,
		WorkersChecked: ev.WorkersChecked}
	if d.Evidence.AsOf, err = parseTime(ev.AsOf); err != nil {
		return gate.Decision{}, fmt.Errorf("decision %s: evidence as_of: %w", r.ID, err)
	}
	if e := ev.Employer; e != nil {
		d.Evidence.Employer = &gate.Employer{Code: e.Code, NIB: e.NIB, NPWP: e.NPWP, Name: e.Name,
			Status: e.Status, StatusText: e.StatusText, RegisteredWorkers: e.RegisteredWorkers,
			ActiveWorkers: e.ActiveWorkers, ArrearsMonths: e.ArrearsMonths, ArrearsAmount: e.ArrearsAmount,
			LastPaidPeriod: e.LastPaidPeriod, DataDate: e.DataDate}
	}

	if d.Application, err = decodeApplication(r.Application); err != nil {
		return gate.Decision{}, fmt.Errorf("decision %s: application: %w", r.ID, err)
	}
	if r.Review.Valid {
		var rv reviewRow
		if err := json.Unmarshal([]byte(r.Review.String), &rv); err != nil {
			return gate.Decision{}, fmt.Errorf("decision %s: review: %w", r.ID, err)
		}
		d.Review = &gate.Review{State: rv.State, Action: rv.Action, Note: rv.Note, By: rv.By}
		if d.Review.At, err = parseTime(rv.At); err != nil {
			return gate.Decision{}, fmt.Errorf("decision %s: review at: %w", r.ID, err)
		}
	}
	return d, nil
}

func unmarshalNumbers(s string, v any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	return dec.Decode(v)
}

// decodeNumbers replaces the json.Numbers in v (decoded with UseNumber) by
// int when the number is an integer that fits, and by float64 otherwise.
// Plain encoding/json would turn every number into float64, so that the
// engine's int details (declared: 52) would read back as 52.0 and an int64
// above 2^53 would lose digits; this way an integer detail reads back as the
// int it was recorded as (int64 and other integer types become int).
func decodeNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil && int64(int(i)) == i {
			return int(i)
		}
		f, _ := v.Float64() // valid JSON numbers always parse; huge ones become ±Inf
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = decodeNumbers(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = decodeNumbers(x)
		}
		return v
	default:
		return v
	}
}
