package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// SQLSTATEs the store tells apart (PostgreSQL's errcodes appendix).
const (
	sqlstateSerializationFailure = "40001"
	sqlstateDeadlockDetected     = "40P01"
)

// translate turns a pgx error into gate's error kinds, by SQLSTATE (never by
// message text):
//
//   - no rows is KindNotFound;
//   - class 23, integrity constraint violation (23505 unique_violation,
//     foreign key, check, the append-only triggers' 23001), is KindConflict,
//     as any constraint failure is in the SQLite store;
//   - class 22, data exception (such as a NUL character, which PostgreSQL
//     text and jsonb refuse), is KindInvalid: the value cannot be stored;
//   - class 40 (serialization failure and deadlock, once inTx has retried
//     them), 08 connection exception, 53 insufficient resources, 57
//     operator intervention (57P01 admin_shutdown, 57014 query_canceled),
//     58 system error, 55P03 lock_not_available and 25006 read-only
//     transaction (a failover in progress) are KindUnavailable;
//   - any other SQLSTATE (undefined table or column: the schema is not
//     migrated; a syntax error) is KindInternal, since trying again cannot
//     help;
//   - an error without a SQLSTATE (no connection, a closed pool, a cancelled
//     context) is KindUnavailable.
//
// A *gate.Error passes through as is. The cause stays reachable with
// errors.Is/As.
func translate(what string, err error) error {
	var ge *gate.Error
	var pe *pgconn.PgError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ge):
		return err
	case errors.Is(err, pgx.ErrNoRows):
		return &gate.Error{Kind: gate.KindNotFound, Code: gate.CodeDecisionNotFound, Message: "no such decision", Err: err}
	case !errors.As(err, &pe):
		return unavailable(what, err)
	}
	class := pe.Code
	if len(class) > 2 {
		class = class[:2]
	}
	switch {
	case class == "23":
		return &gate.Error{Kind: gate.KindConflict, Code: gate.CodeStoreConflict,
			Message: "could not " + what + ": a constraint was violated", Err: err}
	case class == "22":
		return &gate.Error{Kind: gate.KindInvalid, Code: gate.CodeStoreInvalidValue,
			Message: "could not " + what + ": a value cannot be stored", Err: err}
	case class == "40" || class == "08" || class == "53" || class == "57" || class == "58" ||
		pe.Code == "55P03" || pe.Code == "25006":
		return unavailable(what, err)
	default:
		return &gate.Error{Kind: gate.KindInternal, Code: gate.CodeStoreError,
			Message: "could not " + what + ": unexpected database error", Err: err}
	}
}

func unavailable(what string, err error) error {
	return &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeStoreUnavailable, Message: "could not " + what, Err: err}
}

// retryable reports whether err aborted a transaction that may succeed when
// run again from the start.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) &&
		(pe.Code == sqlstateSerializationFailure || pe.Code == sqlstateDeadlockDetected)
}

// maxTxAttempts bounds how often inTx runs a transaction that keeps failing
// with a serialization failure or a deadlock.
const maxTxAttempts = 4

// retry runs fn, and runs it again when it fails with a serialization
// failure (40001) or a deadlock (40P01), up to maxTxAttempts times with a
// short jittered pause; after that the error is KindUnavailable. fn must
// therefore have no effect when it fails, and set its results afresh on each
// run: a single statement, or a transaction (inTx). Errors are translated (a
// *gate.Error from fn passes through).
func (s *Store) retry(ctx context.Context, what string, fn func() error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = fn()
		if !retryable(err) || attempt == maxTxAttempts {
			break
		}
		pause := time.Duration(attempt)*5*time.Millisecond + rand.N(5*time.Millisecond)
		select {
		case <-ctx.Done():
			return unavailable(what, errors.Join(err, ctx.Err()))
		case <-time.After(pause):
		}
	}
	return translate(what, err)
}

// inTx runs fn in a READ COMMITTED transaction and commits it, through
// retry: a serialization failure or deadlock, in fn or at the commit, rolls
// the transaction back and runs fn again.
func (s *Store) inTx(ctx context.Context, what string, fn func(tx pgx.Tx) error) error {
	return s.retry(ctx, what, func() error { return s.tryTx(ctx, fn) })
}

func (s *Store) tryTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// checkUpdated translates the outcome of an UPDATE or DELETE of one row:
// KindNotFound with code notFound when it touched none.
func checkUpdated(what, notFound string, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return translate(what, err)
	}
	if tag.RowsAffected() == 0 {
		return storesql.NoSuchRow(what, notFound)
	}
	return nil
}
