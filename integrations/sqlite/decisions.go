package sqlite

import (
	"context"
	"database/sql"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// RecordDecision durably records d as the answer to the webhook delivery
// (d.ClientID, d.WebhookID), as gate.Store specifies.
//
// Concurrent calls share a transaction and its fsync (group commit, see
// groupWriter): each decision runs in a savepoint of its own, through
// statements prepared once, and every caller is answered after the COMMIT.
//
// Idempotency rests on webhook_receipts' primary key, not on anything held in
// memory: the receipt is inserted first, and when the key already exists
// (committed, or by an earlier decision of the same batch) nothing is
// written and the decision recorded then is returned with created false.
// Supersession is decided inside the same BEGIN IMMEDIATE transaction, so concurrent re-submissions for one application form a single
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
	row, err := storesql.EncodeNew(d, encodeDecision)
	if err != nil {
		return gate.Decision{}, false, err
	}
	res := s.group.record(&recordReq{ctx: ctx, d: d, row: row, done: make(chan recordResult, 1)})
	if res.err != nil {
		return gate.Decision{}, false, res.err
	}
	if !res.created {
		// The decision recorded first, decoded here rather than on the
		// writer, which every other caller waits for.
		stored, err := decodeRow(res.row)
		if err != nil {
			return gate.Decision{}, false, err
		}
		return stored, false, nil
	}
	// d is what was stored, with the Supersedes the writer chose: no need
	// to decode what encodeDecision has just encoded.
	if stored, ok := storesql.AsStored(d, res.row.Supersedes.String, columnTime); ok {
		return stored, true, nil
	}
	// Decoding what encodeDecision just made cannot fail short of a bug; if
	// it does, the error says so although the decision is committed.
	stored, err := decodeRow(res.row)
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
	err := r.scan(s.readers.QueryRowContext(ctx, storesql.DecisionByID, id))
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
//
// It is the webhook's replay check, run before every evaluation: the
// statement is prepared once per reader connection, not parsed per call.
func (s *Store) DecisionForWebhook(ctx context.Context, clientID, webhookID string) (gate.Decision, error) {
	stmt, err := s.replayStmt(ctx)
	if err != nil {
		return gate.Decision{}, translate("read the decision for a webhook", err)
	}
	var r decisionRow
	if err := r.scan(stmt.QueryRowContext(ctx, clientID, webhookID)); err != nil {
		return gate.Decision{}, translate("read the decision for a webhook", err)
	}
	return decodeRow(r)
}

// replayStmt returns decisionForWebhookSQL prepared on the readers, doing
// so on first use (after Migrate); a failed preparation is tried again.
func (s *Store) replayStmt(ctx context.Context) (*sql.Stmt, error) {
	s.replayMu.Lock()
	defer s.replayMu.Unlock()
	if s.replay == nil {
		stmt, err := s.readers.PrepareContext(ctx, decisionForWebhookSQL)
		if err != nil {
			return nil, err
		}
		s.replay = stmt
	}
	return s.replay, nil
}

const decisionForWebhookSQL = storesql.DecisionForWebhook

func decodeRow(r decisionRow) (gate.Decision, error) {
	d, err := r.decode()
	if err != nil {
		return gate.Decision{}, storesql.CorruptDecision(err)
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
		return decisionRow{}, err
	}
	_, err = tx.ExecContext(ctx, insertDecisionSQL,
		row.ID, row.ApplicationID, row.NIB, row.RegionCode, row.PermitType, row.Outcome,
		row.Reasons, row.Evidence, row.PolicyVersion, row.DecidedAt, row.ValidUntil, row.Supersedes, row.Review,
		row.ClientID, row.WebhookID, row.CallbackURL, row.DeclaredWorkers, row.Application)
	if err != nil {
		return decisionRow{}, translate(what, err)
	}
	if !d.RecheckAt.IsZero() {
		_, err = tx.ExecContext(ctx, insertRecheckSQL, d.ID, formatTime(d.RecheckAt), nullString(formatOptionalTime(d.RecheckUntil)))
		if err != nil {
			return decisionRow{}, translate(what, err)
		}
	}
	return row, nil
}

const (
	insertDecisionSQL = storesql.InsertDecision
	insertRecheckSQL  = storesql.InsertRecheck
)
