package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/jkngate/jkngate/gate"
)

// recordDecisionSQL calls the record_decision function of migration
// 0012_record_decision: receipt, lock, supersession, decision and recheck in
// one statement. The parameters follow the function's; the columns are the
// recordedRow's.
const recordDecisionSQL = `SELECT * FROM record_decision($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
	$11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`

// recordedRow is record_decision's answer: Created, and the decision as
// stored. For a new decision only ID and Supersedes are set (the caller has
// the rest); for a delivery already answered every column of the decision
// recorded then is, so every field is nullable here.
type recordedRow struct {
	Created                                bool
	ID                                     string
	ApplicationID, NIB, RegionCode         *string
	PermitType, Outcome, Reasons, Evidence *string
	PolicyVersion                          *string
	DecidedAt, ValidUntil                  *time.Time
	Supersedes, Review                     *string
	ClientID, WebhookID, CallbackURL       *string
	DeclaredWorkers                        *int32
	Application                            *string
}

func (r *recordedRow) scan(row interface{ Scan(...any) error }) error {
	return row.Scan(r.targets()...)
}

// targets are the scan destinations of record_decision's columns, in order
// (record_decisions answers them too, between its own columns).
func (r *recordedRow) targets() []any {
	return []any{&r.Created, &r.ID, &r.ApplicationID, &r.NIB, &r.RegionCode,
		&r.PermitType, &r.Outcome, &r.Reasons, &r.Evidence, &r.PolicyVersion,
		&r.DecidedAt, &r.ValidUntil, &r.Supersedes, &r.Review,
		&r.ClientID, &r.WebhookID, &r.CallbackURL, &r.DeclaredWorkers, &r.Application}
}

// recordOne records one decision with record_decision, in the statement's
// own transaction, retrying a serialization failure or a deadlock. row is
// d encoded. It returns errNoRecordFunction, untranslated, when the schema
// predates 0012_record_decision.
func (s *Store) recordOne(ctx context.Context, d gate.Decision, row decisionRow) (recordedRow, error) {
	var recheckAt, recheckUntil *time.Time
	if !d.RecheckAt.IsZero() {
		recheckAt, recheckUntil = optionalTime(d.RecheckAt), optionalTime(d.RecheckUntil)
	}
	receivedAt := time.Now()
	var got recordedRow
	err := s.retry(ctx, "record the decision", func() error {
		got = recordedRow{}
		err := got.scan(s.pool.QueryRow(ctx, recordDecisionSQL,
			row.ID, row.ApplicationID, row.NIB, row.RegionCode, row.PermitType,
			row.Outcome, row.Reasons, row.Evidence, row.PolicyVersion,
			row.DecidedAt, row.ValidUntil, row.Review,
			row.ClientID, row.WebhookID, row.CallbackURL, row.DeclaredWorkers,
			row.Application, receivedAt, recheckAt, recheckUntil))
		if undefinedFunction(err) {
			return errNoRecordFunction
		}
		return err
	})
	return got, err
}

// errNoRecordFunction says that the schema has no record_decision function
// yet: RecordDecision then records statement by statement.
var errNoRecordFunction = errors.New("record_decision is not in the schema yet")

// stored decodes the decision of a delivery already answered (Created
// false), whose NOT NULL columns are all set.
func (r *recordedRow) stored() (gate.Decision, error) {
	dr := decisionRow{
		ID: r.ID, ApplicationID: deref(r.ApplicationID), NIB: deref(r.NIB), RegionCode: deref(r.RegionCode),
		PermitType: deref(r.PermitType), Outcome: deref(r.Outcome), Reasons: deref(r.Reasons),
		Evidence: deref(r.Evidence), PolicyVersion: deref(r.PolicyVersion), ValidUntil: r.ValidUntil,
		Supersedes: r.Supersedes, Review: r.Review, ClientID: deref(r.ClientID),
		WebhookID: deref(r.WebhookID), CallbackURL: deref(r.CallbackURL), Application: r.Application,
	}
	if r.DecidedAt != nil {
		dr.DecidedAt = *r.DecidedAt
	}
	if r.DeclaredWorkers != nil {
		dr.DeclaredWorkers = int(*r.DeclaredWorkers)
	}
	return decodeRow(dr)
}

// recordDecisionTx is RecordDecision statement by statement in a
// transaction, for a schema not yet migrated to 0012_record_decision (whose
// function does the same in one statement): a replica that runs before the
// migration, or a test that builds an old schema.
func (s *Store) recordDecisionTx(ctx context.Context, d gate.Decision) (gate.Decision, bool, error) {
	var stored gate.Decision
	var created bool
	err := s.inTx(ctx, "record the decision", func(tx pgx.Tx) error {
		// The lock before the receipt, in the functions' order (see
		// migration 0017): the other order could deadlock with a batch.
		if err := lockApplication(ctx, tx, d.ClientID, d.ApplicationID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO webhook_receipts (client_id, webhook_id, decision_id, received_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (client_id, webhook_id) DO NOTHING`,
			d.ClientID, d.WebhookID, d.ID, time.Now())
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			// This statement's snapshot is taken after the conflicting
			// transaction committed, so it sees the receipt's decision.
			stored, err = decisionForWebhook(ctx, tx, d.ClientID, d.WebhookID)
			created = false
			return err
		}

		var head string
		err = tx.QueryRow(ctx, `SELECT id FROM decisions
			WHERE client_id = $1 AND application_id = $2 AND superseded_by IS NULL FOR NO KEY UPDATE`,
			d.ClientID, d.ApplicationID).Scan(&head)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			d.Supersedes = ""
		case err != nil:
			return err
		default:
			d.Supersedes = head
			// Before the insert: the head index allows one unsuperseded
			// decision per client and application at a time (superseded_by's foreign
			// key is deferred to the commit for this).
			if _, err := tx.Exec(ctx, `UPDATE decisions SET superseded_by = $1 WHERE id = $2`, d.ID, head); err != nil {
				return err
			}
		}
		row, err := insertDecision(ctx, tx, d)
		if err != nil {
			return err
		}
		// Decoding what encodeDecision just made cannot fail short of a bug.
		stored, err = decodeRow(row)
		created = true
		return err
	})
	if err != nil {
		return gate.Decision{}, false, err
	}
	return stored, created, nil
}

// undefinedFunction reports whether err is PostgreSQL's 42883
// undefined_function: record_decision is not there yet.
func undefinedFunction(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42883"
}
