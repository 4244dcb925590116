// Package postgres is gate's decision store on PostgreSQL, through pgx/v5 and
// its pool (pgxpool). It implements what the SQLite store does, with the same
// migrations by name and the same semantics, and is safe for several
// replicas of jkngate on one database: every invariant rests on the database
// (keys, unique indexes, row and advisory locks), never on process memory.
//
//   - Webhook idempotency: the webhook_receipts primary key, with INSERT ...
//     ON CONFLICT DO NOTHING; a concurrent copy waits for the first
//     transaction and then reads the decision it stored.
//   - One head per application of a webhook client: a partial unique index
//     on (client_id, application_id), and every change of an application's
//     head (RecordDecision, CloseReview, RecordSuperseding) runs under a
//     transaction-scoped advisory lock on the client and application ids,
//     so that concurrent re-submissions on any replica form one chain.
//   - One review winner: UPDATE ... WHERE review_state = 'open' AND
//     superseded_by IS NULL, and the rows it affected.
//   - Group commit: RecordDecision calls that arrive together are recorded
//     by one statement, one transaction (record_decisions), with the
//     batch's application locks taken in key order first, so that batches
//     of two replicas never deadlock on them. A batch of distinct
//     applications and deliveries is recorded set by set; one that cannot
//     be, or fails, goes decision by decision, each in a subtransaction of
//     its own so that one that fails fails alone; a batch that fails as a
//     whole is recorded call by call.
//   - Outbox and recheck claims: UPDATE ... WHERE id IN (SELECT ... FOR UPDATE
//     SKIP LOCKED LIMIT n) setting lease_until, so each row is leased by one
//     replica at a time and claimable again once its lease has passed.
//
// Statements run in pgx's default QueryExecModeCacheStatement: each pooled
// connection prepares a statement the first time it runs it and reuses the
// prepared statement after that. The store keeps that default on purpose; a
// connection pooler in transaction mode (PgBouncer before 1.21) would need
// QueryExecModeExec instead, set through the URL's default_query_exec_mode.
package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/batch"
)

var (
	_ gate.PeopleStore  = (*Store)(nil)
	_ gate.Outbox       = (*Store)(nil)
	_ gate.RecheckQueue = (*Store)(nil)
)

// Store is a gate.PeopleStore, gate.Outbox and gate.RecheckQueue on a
// PostgreSQL database. It is safe for concurrent use, also by several
// processes (replicas) on the same database.
type Store struct {
	pool  *pgxpool.Pool
	group *groupWriter // RecordDecision's group commit
}

// codeInvalidURL is the code of Open's error for a URL it cannot parse.
const codeInvalidURL = "invalid_store_url"

// Open connects to the PostgreSQL database at url (postgres:// or
// postgresql://; pool settings such as pool_max_conns and session settings
// such as search_path may be given as URL parameters) and returns a store on
// it. It does not migrate: call Migrate before using the store.
//
// Every connection is made with a connect timeout (5 s unless the URL's
// connect_timeout says otherwise) and TCP keepalive, and a query whose
// context ends returns at once even when the server has gone silent, so
// that callers' deadlines hold against a dead or black-holed server.
//
// Errors are *gate.Error: KindInvalid when url cannot be parsed,
// KindUnavailable when the database cannot be reached. opts (WithLogger)
// apply to the parsed pool configuration.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// Not wrapped: the parse error and its causes may quote the URL,
		// whose password pgx can only redact on a best-effort basis.
		return nil, &gate.Error{Kind: gate.KindInvalid, Code: codeInvalidURL,
			Message: "the postgres store needs a valid postgres:// URL; check JKNGATE_DATABASE_URL"}
	}
	harden(cfg, url)
	for _, o := range opts {
		o(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, unavailable("connect to postgres", err)
	}
	// NewWithConfig does not connect: connect now, so that a wrong host or
	// password fails Open rather than the first request.
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, unavailable("connect to postgres", err)
	}
	s := &Store{pool: pool}
	s.group = newGroupWriter(s)
	return s, nil
}

// Close closes the pool, waiting for connections in use to be returned,
// for at most closeWait: a connection broken by a silent server is cleaned
// up by pgx in the background for up to 15 s (a cancel request the server
// never answers), which must not hold up the process's shutdown. After
// closeWait Close returns a KindUnavailable error and the pool finishes
// closing in the background. Calls on a closed store return KindUnavailable
// errors.
func (s *Store) Close() error {
	// The batch in progress, if any, may finish (its callers are answered);
	// queued calls are refused.
	s.group.close(closeWait)
	done := make(chan struct{})
	go func() {
		s.pool.Close()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(closeWait):
		return unavailable("close the pool", errors.New("connections to a silent server are still closing"))
	}
}

// Ping reports whether the database can be reached; it returns a
// KindUnavailable error when it cannot.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return unavailable("ping postgres", err)
	}
	return nil
}

// WriterStats counts what RecordDecision's group writer has done since the
// store opened: batches committed, the decisions they held and the time they
// held the writer (its utilization, over a period, is the busy time's rate).
// ok is always true; storemetrics reports them.
func (s *Store) WriterStats() (stats batch.Snapshot, ok bool) { return s.group.stats.Snapshot(), true }
