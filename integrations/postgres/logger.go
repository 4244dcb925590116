package postgres

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/tracelog"
)

// Option configures Open.
type Option func(*pgxpool.Config)

// WithLogger sends pgx's own log lines through l: failed connects,
// queries and batches, at warn level (the store returns the error too; the
// caller decides how grave it is; a failed prepare is logged with its
// query), with the SQL text but never the query's arguments, which may hold personal data. Failures the store handles
// itself (unique violations, serialization failures and deadlocks, which
// it retries) and cancelled contexts are not logged.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *pgxpool.Config) {
		cfg.ConnConfig.Tracer = &tracelog.TraceLog{
			Logger: tracelog.LoggerFunc(func(ctx context.Context, _ tracelog.LogLevel, msg string, data map[string]any) {
				logPGX(ctx, l, msg, data)
			}),
			LogLevel: tracelog.LogLevelWarn,
		}
	}
}

// expectedSQLStates are failures the store handles: not worth a log line.
var expectedSQLStates = map[string]bool{"23505": true, sqlstateSerializationFailure: true, sqlstateDeadlockDetected: true}

func logPGX(ctx context.Context, l *slog.Logger, msg string, data map[string]any) {
	if msg == "Prepare" {
		return // the query that prepared it fails with the same error and is logged
	}
	attrs := []any{"component", "pgx", "op", msg}
	if err, ok := data["err"].(error); ok {
		var pe *pgconn.PgError
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil ||
			errors.As(err, &pe) && expectedSQLStates[pe.Code] {
			return
		}
		attrs = append(attrs, "error", err.Error())
	}
	if sql, ok := data["sql"].(string); ok {
		if len(sql) > 200 {
			sql = sql[:200] + "..."
		}
		attrs = append(attrs, "sql", sql)
	}
	if d, ok := data["time"].(time.Duration); ok {
		attrs = append(attrs, "duration", d.String())
	}
	l.WarnContext(ctx, "postgres client", attrs...)
}
