// Package sqlite is gate's decision store on an SQLite database file, through
// modernc.org/sqlite (pure Go, no cgo).
//
// The store keeps two connection pools on the same file: one writer
// connection, through which every write transaction passes in turn, and a
// pool of read-only connections. With the database in WAL mode readers never
// wait for the writer, and since this process has a single writer, its
// transactions queue in database/sql (honouring the caller's context) instead
// of failing with SQLITE_BUSY. busy_timeout covers the remaining case of
// another process (such as `jkngate migrate`) writing the same file.
//
// Every wait is bounded by the caller's context as well: database/sql's queue
// for the writer ends with it, and the driver interrupts a running statement,
// a busy wait included, when it ends. So a webhook whose deadline passes
// while another process holds the write lock gets a KindUnavailable error at
// its deadline, not after busy_timeout.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"runtime"
	"strings"
	"sync"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/batch"

	// Registers the "sqlite" database/sql driver.
	_ "modernc.org/sqlite"
)

var _ gate.Store = (*Store)(nil)

// busyTimeoutMillis bounds how long a connection waits for a lock held by
// another process before failing with SQLITE_BUSY (KindUnavailable), when
// the caller's deadline (which interrupts the wait) is later or absent. It is
// shorter than the fixed deadline of the stores' callers (10 s), so that a
// lock held too long is reported as such rather than as a timeout.
const busyTimeoutMillis = "5000"

// Store is a gate.Store on an SQLite database file. It is safe for concurrent
// use, also by several processes on the same file.
type Store struct {
	writer  *sql.DB // at most one connection: writes are serialized here
	readers *sql.DB // read-only connections
	group   *groupWriter

	replayMu sync.Mutex
	replay   *sql.Stmt // DecisionForWebhook's, prepared on first use
}

// codeInvalidPath is the code of Open's error for a path it refuses.
const codeInvalidPath = "invalid_store_path"

// Open opens (creating if needed) the SQLite database at path and returns a
// store on it. It does not migrate: call Migrate before using the store.
//
// path must be a file path: ":memory:" and URIs are refused, because the
// writer and the readers must see the same database. Errors are *gate.Error:
// KindInvalid for such a path, KindUnavailable when the file cannot be opened
// or configured.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, gate.Errorf(gate.KindInvalid, codeInvalidPath,
			"the sqlite store needs a plain file path, not %q", path)
	}

	// The writer's pragmas:
	//   - journal_mode=WAL (persistent in the file): readers do not block the
	//     writer nor the writer readers.
	//   - synchronous=FULL: in WAL mode, NORMAL may lose the last committed
	//     transactions on power loss or an OS crash. The contract says a
	//     decision is durably recorded before the webhook is answered, so
	//     every commit is fsynced. The cost is one fsync per decision
	//     (see BenchmarkRecordDecision).
	//   - foreign_keys=1: SQLite leaves them off unless asked, per connection.
	//   - temp_store=MEMORY: group commit runs each decision in a savepoint,
	//     whose statement journal would otherwise be a temporary file
	//     written (pwrite) for every page the decision touches; it is only
	//     needed to roll the savepoint back, never after a crash.
	//   - _txlock=immediate: BEGIN IMMEDIATE takes the write lock when the
	//     transaction starts, so reading the application's current decision
	//     and inserting the new one are atomic, also against another process;
	//     a DEFERRED transaction would fail with SQLITE_BUSY on the read-to-
	//     write upgrade instead of waiting.
	writerQuery := url.Values{
		"_txlock": {"immediate"},
		"_pragma": {
			"busy_timeout(" + busyTimeoutMillis + ")",
			"journal_mode(WAL)",
			"synchronous(FULL)",
			"foreign_keys(1)",
			"temp_store(MEMORY)",
		},
	}
	writer, err := sql.Open("sqlite", path+"?"+writerQuery.Encode())
	if err != nil {
		return nil, unavailable("open the sqlite database", err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	// Connect now: this creates the file and switches it to WAL before any
	// reader opens it.
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, unavailable("open the sqlite database", err)
	}

	readerQuery := url.Values{
		"_query_only": {"1"},
		"_pragma": {
			"busy_timeout(" + busyTimeoutMillis + ")",
			"foreign_keys(1)",
		},
	}
	readers, err := sql.Open("sqlite", path+"?"+readerQuery.Encode())
	if err != nil {
		writer.Close()
		return nil, unavailable("open the sqlite database", err)
	}
	n := max(4, runtime.NumCPU())
	readers.SetMaxOpenConns(n)
	readers.SetMaxIdleConns(n)
	if err := readers.PingContext(ctx); err != nil {
		writer.Close()
		readers.Close()
		return nil, unavailable("open the sqlite database", err)
	}
	return &Store{writer: writer, readers: readers, group: newGroupWriter(writer)}, nil
}

// Close closes the database. Calls on a closed store return KindUnavailable
// errors. Close returns a KindUnavailable error if a pool failed to close.
func (s *Store) Close() error {
	s.group.close()
	s.replayMu.Lock()
	if s.replay != nil {
		s.replay.Close() //nolint:errcheck // closing with the database
		s.replay = nil
	}
	s.replayMu.Unlock()
	err := errors.Join(s.writer.Close(), s.readers.Close())
	if err != nil {
		return unavailable("close the sqlite database", err)
	}
	return nil
}

// Ping reports whether both the writer and the readers can reach the
// database; it returns a KindUnavailable error when they cannot.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return unavailable("ping the sqlite database", err)
	}
	if err := s.readers.PingContext(ctx); err != nil {
		return unavailable("ping the sqlite database", err)
	}
	return nil
}

// WriterStats counts what RecordDecision's group writer has done since the
// store opened: batches committed, the decisions they held and the time they
// held the writer (its utilization, over a period, is the busy time's rate).
// ok is always true; storemetrics reports them.
func (s *Store) WriterStats() (stats batch.Snapshot, ok bool) { return s.group.stats.Snapshot(), true }
