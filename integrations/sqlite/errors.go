package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jkngate/jkngate/gate"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// translate turns a database/sql or SQLite error into gate's error kinds: no
// rows is KindNotFound, a constraint violation KindConflict, and anything
// else (busy, disk full, I/O error, closed database, cancelled context)
// KindUnavailable, since none of those say anything about the request and
// trying again may succeed. The cause stays reachable with errors.Is/As.
func translate(what string, err error) error {
	var se *sqlite.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return &gate.Error{Kind: gate.KindNotFound, Code: gate.CodeDecisionNotFound,
			Message: "no such decision", Err: err}
	case errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT:
		return &gate.Error{Kind: gate.KindConflict, Code: gate.CodeStoreConflict,
			Message: "could not " + what + ": a constraint was violated", Err: err}
	default:
		return unavailable(what, err)
	}
}

func unavailable(what string, err error) error {
	return &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeStoreUnavailable,
		Message: "could not " + what, Err: err}
}

// inTx runs fn in a write transaction on the writer (BEGIN IMMEDIATE) and
// commits it. fn's error is returned as it is (fn translates its own); the
// BEGIN's and the COMMIT's are translated as what.
func (s *Store) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return translate(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return translate(what, tx.Commit())
}
