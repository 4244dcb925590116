package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"time"

	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// The migrations, numbered so that name order is application order. A
// migration, once released, is never edited: add a new file instead. A
// PostgreSQL store keeps the same set of names.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// MigrationNames returns the names of the store's migrations (file names
// without ".sql", such as "0001_decisions"), in the order Migrate applies
// them.
func MigrationNames() []string { return storesql.MigrationNames(migrationFiles) }

// Migrate brings the schema up to date: it applies, in order, each migration
// not yet recorded in schema_migrations, each in its own transaction together
// with its schema_migrations row. It is idempotent, and safe when several
// processes migrate the same file at once (each migration's check and apply
// hold the write lock). It returns a KindUnavailable error when a migration
// cannot be applied; the migrations before it stay applied.
func (s *Store) Migrate(ctx context.Context) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT NOT NULL PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`
	if _, err := s.writer.ExecContext(ctx, create); err != nil {
		return unavailable("create schema_migrations", err)
	}
	for _, name := range MigrationNames() {
		if err := s.applyMigration(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, name string) error {
	what := "apply migration " + name
	body, err := migrationFiles.ReadFile("migrations/" + name + ".sql")
	if err != nil {
		return unavailable(what, err)
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return unavailable(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	var applied string
	err = tx.QueryRowContext(ctx, storesql.MigrationApplied, name).Scan(&applied)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return unavailable(what, err)
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return unavailable(what, err)
	}
	if _, err := tx.ExecContext(ctx, storesql.RecordMigration, name, formatTime(time.Now())); err != nil {
		return unavailable(what, err)
	}
	if err := tx.Commit(); err != nil {
		return unavailable(what, err)
	}
	return nil
}
