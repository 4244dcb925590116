package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// RecordDecision durably records d as the answer to the webhook delivery
// (d.ClientID, d.WebhookID), as gate.Store specifies.
//
// Idempotency rests on webhook_receipts' primary key, not on anything held in
// memory: the receipt is inserted first, and when the key already exists the
// transaction is rolled back and the decision recorded then is returned with
// created false. Supersession is decided inside the same BEGIN IMMEDIATE
// transaction, so concurrent re-submissions for one application form a single
// chain; the decisions_head index (one unsuperseded decision per client and
// application) would reject a second head even if that were not so. An
// application id is the client's: the same id from another client starts a
// chain of its own.
//
// A non-zero d.RecheckAt enqueues a recheck in the same transaction, and
// d.Review is stored as given. When it returns without error, the decision
// is committed and fsynced. The returned decision is d as it reads back:
// Supersedes set by the store, times in UTC, detail numbers as
// decisiondoc.DecodeReasons returns them.
//
// Errors are *gate.Error: KindInvalid when d has no ID, ClientID or
// WebhookID; KindConflict when d.ID is already taken by another decision;
// KindUnavailable when the database could not be reached or the commit
// failed (nothing is recorded then); KindInternal for details that cannot be
// encoded as JSON.
func (s *Store) RecordDecision(ctx context.Context, d gate.Decision) (gate.Decision, bool, error) {
	if d.ID == "" || d.ClientID == "" || d.WebhookID == "" {
		return gate.Decision{}, false, gate.Errorf(gate.KindInvalid, "invalid_decision",
			"a decision to record needs an id, a client id and a webhook id")
	}
	const what = "record the decision"
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return gate.Decision{}, false, translate(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	// The primary key decides which copy of a delivery is first. ON CONFLICT
	// DO NOTHING lets the key reject the duplicate without an error that
	// would have to be told apart from other constraint failures.
	res, err := tx.ExecContext(ctx, `INSERT INTO webhook_receipts (client_id, webhook_id, decision_id, received_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (client_id, webhook_id) DO NOTHING`,
		d.ClientID, d.WebhookID, d.ID, formatTime(time.Now()))
	if err != nil {
		return gate.Decision{}, false, translate(what, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return gate.Decision{}, false, translate(what, err)
	} else if n == 0 {
		stored, err := decisionForWebhook(ctx, tx, d.ClientID, d.WebhookID)
		if err != nil {
			return gate.Decision{}, false, err
		}
		return stored, false, nil
	}

	var head string
	err = tx.QueryRowContext(ctx,
		`SELECT id FROM decisions WHERE client_id = ? AND application_id = ? AND superseded_by IS NULL`,
		d.ClientID, d.ApplicationID).Scan(&head)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		d.Supersedes = ""
	case err != nil:
		return gate.Decision{}, false, translate(what, err)
	default:
		d.Supersedes = head
		// Before the insert: the head index allows one unsuperseded decision
		// per client and application at a time (superseded_by's foreign key is deferred
		// to the commit for this).
		if _, err := tx.ExecContext(ctx, `UPDATE decisions SET superseded_by = ? WHERE id = ?`, d.ID, head); err != nil {
			return gate.Decision{}, false, translate(what, err)
		}
	}

	row, err := insertDecision(ctx, tx, what, d)
	if err != nil {
		return gate.Decision{}, false, err
	}
	if err := tx.Commit(); err != nil {
		return gate.Decision{}, false, translate(what, err)
	}

	// Decoding what encodeDecision just made cannot fail short of a bug; if
	// it does, the error says so although the decision is committed.
	stored, err := decodeRow(row)
	if err != nil {
		return gate.Decision{}, false, err
	}
	return stored, true, nil
}

// Decision returns the decision with the given id. Errors are *gate.Error:
// KindNotFound when there is none, KindUnavailable when the database could
// not be read, KindInternal when the stored row cannot be decoded.
func (s *Store) Decision(ctx context.Context, id string) (gate.Decision, error) {
	var r decisionRow
	err := r.scan(s.readers.QueryRowContext(ctx,
		`SELECT `+decisionColumns+` FROM decisions d WHERE d.id = ?`, id))
	if err != nil {
		return gate.Decision{}, translate("read decision "+id, err)
	}
	return decodeRow(r)
}

// DecisionForWebhook returns the decision recorded as the answer to the
// webhook delivery (clientID, webhookID). Errors are *gate.Error:
// KindNotFound when that delivery was not answered, KindUnavailable when the
// database could not be read, KindInternal when the stored row cannot be
// decoded.
func (s *Store) DecisionForWebhook(ctx context.Context, clientID, webhookID string) (gate.Decision, error) {
	return decisionForWebhook(ctx, s.readers, clientID, webhookID)
}

type queryRower interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func decisionForWebhook(ctx context.Context, db queryRower, clientID, webhookID string) (gate.Decision, error) {
	var r decisionRow
	err := r.scan(db.QueryRowContext(ctx, `SELECT `+decisionColumns+`
		FROM webhook_receipts w JOIN decisions d ON d.id = w.decision_id
		WHERE w.client_id = ? AND w.webhook_id = ?`, clientID, webhookID))
	if err != nil {
		return gate.Decision{}, translate("read the decision for a webhook", err)
	}
	return decodeRow(r)
}

func decodeRow(r decisionRow) (gate.Decision, error) {
	d, err := r.decode()
	if err != nil {
		return gate.Decision{}, gate.Errorf(gate.KindInternal, "corrupt_decision", "could not decode a stored decision: %w", err)
	}
	return d, nil
}

// insertDecision inserts d as it is (Supersedes included) and, when
// d.RecheckAt is set, its recheck, in tx. It returns the row as stored.
// Errors are *gate.Error: KindInternal for details that cannot be encoded,
// else as translate says (KindConflict for a taken id or a second head).
func insertDecision(ctx context.Context, tx *sql.Tx, what string, d gate.Decision) (decisionRow, error) {
	row, err := encodeDecision(d)
	if err != nil {
		return decisionRow{}, gate.Errorf(gate.KindInternal, "unencodable_decision",
			"could not encode decision %s: %w", d.ID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO decisions (id, application_id, nib, region_code, permit_type,
		outcome, reasons, evidence, policy_version, decided_at, valid_until, supersedes, review,
		client_id, webhook_id, callback_url, declared_workers, application)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		row.ID, row.ApplicationID, row.NIB, row.RegionCode, row.PermitType, row.Outcome,
		row.Reasons, row.Evidence, row.PolicyVersion, row.DecidedAt, row.ValidUntil, row.Supersedes, row.Review,
		row.ClientID, row.WebhookID, row.CallbackURL, row.DeclaredWorkers, row.Application)
	if err != nil {
		return decisionRow{}, translate(what, err)
	}
	if !d.RecheckAt.IsZero() {
		_, err = tx.ExecContext(ctx, `INSERT INTO rechecks (decision_id, attempts, next_attempt, until)
			VALUES (?, 0, ?, ?)`, d.ID, formatTime(d.RecheckAt), nullString(formatOptionalTime(d.RecheckUntil)))
		if err != nil {
			return decisionRow{}, translate(what, err)
		}
	}
	return row, nil
}
