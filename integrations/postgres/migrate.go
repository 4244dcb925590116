package postgres

import (
	"context"
	"embed"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// The migrations, numbered so that name order is application order. A
// migration, once released, is never edited: add a new file instead. The set
// of names is the SQLite store's (TestMigrationNamesMatchSQLite checks it),
// so that a schema version means the same on both.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLockKey is the key of the session-level advisory lock
// (pg_advisory_lock(bigint)) under which Migrate runs, so that replicas
// starting together apply each migration once. It is fixed and shared by
// every schema of the database: migrations of two schemas wait for each
// other, which is harmless.
const migrationLockKey int64 = 0x6a6b6e67617465 // "jkngate"

// MigrationNames returns the names of the store's migrations (file names
// without ".sql", such as "0001_decisions"), in the order Migrate applies
// them.
func MigrationNames() []string { return storesql.MigrationNames(migrationFiles) }

// The statements of schema_migrations (see storesql).
var (
	migrationAppliedSQL = dialect.Rebind(storesql.MigrationApplied)
	recordMigrationSQL  = dialect.Rebind(storesql.RecordMigration)
)

// Migrate brings the schema (the first schema of the connection's
// search_path) up to date: it applies, in order, each migration not yet
// recorded in schema_migrations, each in its own transaction together with
// its schema_migrations row. It is idempotent.
//
// It holds PostgreSQL's advisory lock migrationLockKey throughout, on one
// dedicated connection, and releases it at the end, so that several replicas
// calling Migrate at once apply each migration exactly once: the others wait,
// then find it recorded. If the lock cannot be released cleanly, the
// connection is closed, which releases it. It returns a KindUnavailable
// error when the database cannot be reached or a migration cannot be applied;
// the migrations before it stay applied.
func (s *Store) Migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return unavailable("migrate", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		closeConn(conn)
		return unavailable("take the migration lock", err)
	}
	defer func() {
		// Unlock even when ctx has ended; a connection that cannot unlock
		// is closed, so that it does not return to the pool holding the lock.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		var released bool
		if err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1)`, migrationLockKey).Scan(&released); err != nil || !released {
			closeConn(conn)
		}
	}()

	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       text        NOT NULL PRIMARY KEY,
		applied_at timestamptz NOT NULL
	)`
	if _, err := conn.Exec(ctx, create); err != nil {
		return unavailable("create schema_migrations", err)
	}
	for _, name := range MigrationNames() {
		if err := applyMigration(ctx, conn.Conn(), name); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *pgx.Conn, name string) error {
	what := "apply migration " + name
	body, err := migrationFiles.ReadFile("migrations/" + name + ".sql")
	if err != nil {
		return unavailable(what, err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return unavailable(what, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit

	var applied string
	err = tx.QueryRow(ctx, migrationAppliedSQL, name).Scan(&applied)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, pgx.ErrNoRows):
		return unavailable(what, err)
	}
	// Without arguments pgx sends the file by the simple protocol, which
	// runs its several statements in order, inside tx.
	if _, err := tx.Exec(ctx, string(body)); err != nil {
		return unavailable(what, err)
	}
	if _, err := tx.Exec(ctx, recordMigrationSQL, name, time.Now()); err != nil {
		return unavailable(what, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return unavailable(what, err)
	}
	return nil
}

// closeConn closes the connection under c; the pool then discards it on
// Release instead of reusing it.
func closeConn(c *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.Conn().Close(ctx) //nolint:errcheck // closing a connection that may already be broken
}
