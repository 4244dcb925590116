package sqlite

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
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

// columnTime is t as a time column reads back, for storesql.AsStored: in
// UTC, no monotonic reading; false for a year the fixed-width layout cannot
// hold.
func columnTime(t time.Time) (time.Time, bool) {
	t = t.UTC()
	return t, t.Year() >= 0 && t.Year() <= 9999
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(timeLayout, s)
}

// The reasons, evidence, review and application columns hold the JSON
// documents of package decisiondoc, as text (storesql.Documents).

// decodeApplication reads the application column; NULL is the zero
// application.
func decodeApplication(s sql.NullString) (gate.Application, error) {
	return storesql.DecodeApplication(pointer(s))
}

// nullable is the column value of p: NULL for nil.
func nullable(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

// pointer is s as storesql holds a nullable text: nil for NULL.
func pointer(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// decisionColumns lists the columns decisionRow.scan reads, in order.
const decisionColumns = storesql.DecisionColumns

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

// encodeDecision turns d into its stored form. It fails as
// storesql.EncodeDocuments does (a *gate.Error of KindInternal).
func encodeDecision(d gate.Decision) (decisionRow, error) {
	docs, err := storesql.EncodeDocuments(d)
	if err != nil {
		return decisionRow{}, err
	}
	return decisionRow{
		ID: d.ID, ApplicationID: d.ApplicationID, NIB: d.NIB, RegionCode: d.RegionCode,
		PermitType: string(d.PermitType), Outcome: string(d.Outcome),
		Reasons: docs.Reasons, Evidence: docs.Evidence, PolicyVersion: d.PolicyVersion,
		DecidedAt: formatTime(d.DecidedAt), ValidUntil: nullString(formatOptionalTime(d.ValidUntil)),
		Supersedes: nullString(d.Supersedes), Review: nullable(docs.Review),
		ClientID: d.ClientID, WebhookID: d.WebhookID, CallbackURL: d.CallbackURL,
		DeclaredWorkers: d.DeclaredWorkers, Application: nullable(docs.Application),
	}, nil
}

// decode turns a stored row back into a decision. Times come back in UTC.
// Numbers in reason details come back as int when they are integers and as
// float64 otherwise (see decisiondoc.DecodeReasons).
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
	docs := storesql.Documents{Reasons: r.Reasons, Evidence: r.Evidence,
		Review: pointer(r.Review), Application: pointer(r.Application)}
	if err := docs.Decode(r.ID, &d); err != nil {
		return gate.Decision{}, err
	}
	return d, nil
}
