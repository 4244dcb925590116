package postgres

import (
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// decisionColumns lists the columns decisionRow.scan reads, in order.
const decisionColumns = storesql.DecisionColumns

// decisionRow is a decision as stored: jsonb columns as their text, nullable
// columns as pointers (nil is NULL).
type decisionRow struct {
	ID, ApplicationID, NIB, RegionCode, PermitType, Outcome string
	Reasons, Evidence, PolicyVersion                        string
	DecidedAt                                               time.Time
	ValidUntil                                              *time.Time
	Supersedes, Review                                      *string
	ClientID, WebhookID, CallbackURL                        string
	DeclaredWorkers                                         int
	Application                                             *string
}

func (r *decisionRow) scan(row interface{ Scan(...any) error }) error {
	return row.Scan(&r.ID, &r.ApplicationID, &r.NIB, &r.RegionCode, &r.PermitType, &r.Outcome,
		&r.Reasons, &r.Evidence, &r.PolicyVersion, &r.DecidedAt, &r.ValidUntil, &r.Supersedes, &r.Review,
		&r.ClientID, &r.WebhookID, &r.CallbackURL, &r.DeclaredWorkers, &r.Application)
}

// args returns the row's values in the order of insertDecision's columns.
func (r *decisionRow) args() []any {
	return []any{r.ID, r.ApplicationID, r.NIB, r.RegionCode, r.PermitType, r.Outcome,
		r.Reasons, r.Evidence, r.PolicyVersion, r.DecidedAt, r.ValidUntil, r.Supersedes, r.Review,
		r.ClientID, r.WebhookID, r.CallbackURL, r.DeclaredWorkers, r.Application}
}

func optionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// dbTime returns t as a timestamptz column stores it: UTC, truncated to
// microseconds (pgx truncates too), so that a value the store returns
// without reading it back equals the one it would read.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// optionalTime is nil (NULL) for the zero time, else dbTime(t).
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = dbTime(t)
	return &t
}

// columnTime is t as a timestamptz column reads back (dbTime), for
// storesql.AsStored.
func columnTime(t time.Time) (time.Time, bool) { return dbTime(t), true }

// deref is the text of a nullable column: "" for NULL.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// utc returns t in UTC, or the zero time for nil. pgx returns timestamptz
// values in time.Local.
func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

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
		DecidedAt: dbTime(d.DecidedAt), ValidUntil: optionalTime(d.ValidUntil),
		Supersedes: optionalString(d.Supersedes), Review: docs.Review,
		ClientID: d.ClientID, WebhookID: d.WebhookID, CallbackURL: d.CallbackURL,
		DeclaredWorkers: d.DeclaredWorkers, Application: docs.Application,
	}, nil
}

// decode turns a stored row back into a decision. Times come back in UTC,
// with PostgreSQL's microseconds. Numbers in reason details come back as int
// when they are integers and as float64 otherwise (see
// decisiondoc.DecodeReasons).
func (r decisionRow) decode() (gate.Decision, error) {
	d := gate.Decision{
		ID: r.ID, ApplicationID: r.ApplicationID, NIB: r.NIB, RegionCode: r.RegionCode,
		PermitType: gate.PermitType(r.PermitType), Outcome: gate.Outcome(r.Outcome),
		PolicyVersion: r.PolicyVersion, DecidedAt: r.DecidedAt.UTC(), ValidUntil: utc(r.ValidUntil),
		ClientID: r.ClientID, WebhookID: r.WebhookID, CallbackURL: r.CallbackURL,
		DeclaredWorkers: r.DeclaredWorkers,
	}
	if r.Supersedes != nil {
		d.Supersedes = *r.Supersedes
	}
	docs := storesql.Documents{Reasons: r.Reasons, Evidence: r.Evidence, Review: r.Review, Application: r.Application}
	if err := docs.Decode(r.ID, &d); err != nil {
		return gate.Decision{}, err
	}
	return d, nil
}

func decodeRow(r decisionRow) (gate.Decision, error) {
	d, err := r.decode()
	if err != nil {
		return gate.Decision{}, storesql.CorruptDecision(err)
	}
	return d, nil
}
