package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// applicationLockClass is the first key of the transaction-scoped advisory
// locks on applications (pg_advisory_xact_lock(int4, int4)); the second is
// the hash of the client id and the application id (an application id is
// the client's). The two-key form has its own key space, apart from
// Migrate's one-key lock. Two applications whose keys hash alike share a
// lock: their head changes wait for each other, which costs time, not
// correctness.
const applicationLockClass = 0x6a6b6e67 // "jkng"

// lockApplication takes the advisory lock on the client's application
// applicationID until tx ends.
// Every change of an application's head takes it, in a statement of its own
// and before reading the head: under READ COMMITTED each later statement
// reads a fresh snapshot, taken after the previous holder committed, so
// head changes are serialized per application across all replicas (also
// when the application has no head yet, where no row lock could help).
func lockApplication(ctx context.Context, tx pgx.Tx, clientID, applicationID string) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2 || chr(31) || $3))`,
		applicationLockClass, clientID, applicationID)
	return err
}

// RecordDecision durably records d as the answer to the webhook delivery
// (d.ClientID, d.WebhookID), as gate.Store specifies.
//
// Calls are group-committed: the store's writer records the calls that
// arrive while it is busy together, with one statement and so one
// transaction and one WAL flush (record_decisions, migration
// 0014_record_decisions_arrays, as replaced by 0016): set by set when the
// batch's applications and deliveries are distinct (the writer keeps a
// second call for an application or delivery of the batch for its next
// batch), else, or when the set path fails, each decision in a
// subtransaction of its own so that one that fails fails alone. A lone call is one statement of its own
// (record_decision, 0012_record_decision as replaced by 0017). A batch that
// fails as a whole (a deadlock, a lost connection) is recorded call by call,
// on each caller's context.
//
// Both take the applications' advisory locks first (a batch's in ascending
// key order), then insert the receipts: in one order everywhere, so that two
// transactions recording the same delivery never deadlock.
//
// Idempotency rests on webhook_receipts' primary key: the receipt is
// inserted with ON CONFLICT DO NOTHING. When a concurrent transaction
// (on any replica) holds the same key uncommitted, PostgreSQL makes the
// insert wait for it; when the key exists, nothing is inserted, and the
// decision recorded then is returned with created false. Supersession is
// decided under the application's advisory lock (see lockApplication, whose
// key the function takes too), reading the head with SELECT ... FOR NO KEY
// UPDATE in a fresh snapshot, so concurrent re-submissions form a single
// chain; the decisions_head index (one unsuperseded decision per client and
// application) would reject a second head even if that were not so. An
// application id is the client's: the same id from another client starts a
// chain of its own.
//
// A non-zero d.RecheckAt enqueues a recheck in the same transaction, and
// d.Review is stored as given. When it returns without error, the decision
// is committed. When ctx ends first, it returns at once with a
// KindUnavailable error; if the decision was already taken into a batch,
// the batch goes on (its connection is kept) and the decision may be
// committed, as a retry of the delivery will find. The returned decision is
// d as it reads back: Supersedes set by the store, times in UTC truncated
// to microseconds, detail numbers as decisiondoc.DecodeReasons returns
// them.
//
// Errors are *gate.Error: KindInvalid when d has no ID, ClientID or
// WebhookID, or holds a value PostgreSQL cannot store (a NUL character);
// KindConflict when d.ID is already taken by another decision;
// KindUnavailable when the database could not be reached or the commit
// failed (nothing is recorded then); KindInternal for details that cannot be
// encoded as JSON.
func (s *Store) RecordDecision(ctx context.Context, d gate.Decision) (gate.Decision, bool, error) {
	row, err := storesql.EncodeNew(d, encodeDecision)
	if err != nil {
		return gate.Decision{}, false, err
	}
	r := &recordReq{ctx: ctx, d: d, row: row, done: make(chan recordResult, 1)}
	res := s.group.record(r)
	if res.alone {
		res.got, res.err = s.recordOne(ctx, d, row)
	}
	if errors.Is(res.err, errNoRecordFunction) {
		return s.recordDecisionTx(ctx, d)
	}
	if res.err != nil {
		return gate.Decision{}, false, res.err
	}
	got := res.got
	if !got.Created {
		stored, err := got.stored()
		if err != nil {
			return gate.Decision{}, false, err
		}
		return stored, false, nil
	}
	// The new decision is d as the store holds it: built from d, without
	// decoding the documents just encoded from it, unless d holds a value
	// whose JSON round trip storesql.AsStored does not mirror.
	if stored, ok := storesql.AsStored(d, deref(got.Supersedes), columnTime); ok {
		return stored, true, nil
	}
	row.Supersedes = got.Supersedes
	// Decoding what encodeDecision just made cannot fail short of a bug.
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
	err := r.scan(s.pool.QueryRow(ctx, decisionByIDSQL, id))
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
	return decisionForWebhook(ctx, s.pool, clientID, webhookID)
}

// The statements of decisions (see storesql).
var (
	decisionByIDSQL       = dialect.Rebind(storesql.DecisionByID)
	decisionForWebhookSQL = dialect.Rebind(storesql.DecisionForWebhook)
	insertDecisionSQL     = dialect.Rebind(storesql.InsertDecision)
	insertRecheckSQL      = dialect.Rebind(storesql.InsertRecheck)
)

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func decisionForWebhook(ctx context.Context, db queryRower, clientID, webhookID string) (gate.Decision, error) {
	var r decisionRow
	err := r.scan(db.QueryRow(ctx, decisionForWebhookSQL, clientID, webhookID))
	if err != nil {
		return gate.Decision{}, translate("read the decision for a webhook", err)
	}
	return decodeRow(r)
}

// insertDecision inserts d as it is (Supersedes included) and, when
// d.RecheckAt is set, its recheck, in tx. It returns the row as stored.
// Errors are a *gate.Error of KindInternal for details that cannot be
// encoded, else pgx's (a unique violation for a taken id or a second head).
func insertDecision(ctx context.Context, tx pgx.Tx, d gate.Decision) (decisionRow, error) {
	row, err := encodeDecision(d)
	if err != nil {
		return decisionRow{}, err
	}
	_, err = tx.Exec(ctx, insertDecisionSQL, row.args()...)
	if err != nil {
		return decisionRow{}, err
	}
	if !d.RecheckAt.IsZero() {
		_, err = tx.Exec(ctx, insertRecheckSQL, d.ID, dbTime(d.RecheckAt), optionalTime(d.RecheckUntil))
		if err != nil {
			return decisionRow{}, err
		}
	}
	return row, nil
}
