package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/batch"
)

// maxBatch bounds how many decisions one group commit holds. A batch never
// waits to fill: the writer takes what is queued when it is free, so a lone
// decision is committed at once, and concurrent ones share a commit (and its
// fsync) while the previous commit runs.
const maxBatch = 64

// Request states: queued until the writer takes it into a transaction, or
// abandoned by its caller (context ended) before that.
const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

// recordReq is one RecordDecision call waiting for the group writer.
type recordReq struct {
	ctx   context.Context
	d     gate.Decision
	row   decisionRow
	state atomic.Int32
	done  chan recordResult // buffered: the writer never blocks on it
}

type recordResult struct {
	// row is the new decision as stored when created, else the one
	// recorded first for the delivery (its caller decodes it, off the
	// writer).
	row     decisionRow
	created bool
	err     error
}

// groupWriter batches concurrent RecordDecision calls into one transaction
// and one fsync, each decision in a savepoint of its own, so that one that
// fails (a taken id) fails alone. Callers are answered after COMMIT.
type groupWriter struct {
	db    *sql.DB
	queue chan *recordReq
	quit  chan struct{}
	done  chan struct{}
	stop  sync.Once

	mu    sync.Mutex
	stmts *recordStmts // prepared on first use, after Migrate

	stats batch.Stats // for Store.WriterStats
}

// recordStmts are RecordDecision's statements, prepared once on the writer
// connection, so that SQLite parses none of them per decision.
type recordStmts struct {
	savepoint, release, rollbackTo *sql.Stmt
	receipt, head, supersede       *sql.Stmt
	insert, recheck, replay        *sql.Stmt
}

func newGroupWriter(db *sql.DB) *groupWriter {
	w := &groupWriter{db: db, queue: make(chan *recordReq, maxBatch), quit: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// close stops the writer after the batch in progress; queued calls get
// KindUnavailable errors. It may be called more than once.
func (w *groupWriter) close() {
	w.stop.Do(func() { close(w.quit) })
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stmts != nil {
		for _, s := range w.stmts.all() {
			s.Close() //nolint:errcheck // closing with the database
		}
		w.stmts = nil
	}
}

func (st *recordStmts) all() []*sql.Stmt {
	return []*sql.Stmt{st.savepoint, st.release, st.rollbackTo, st.receipt, st.head, st.supersede, st.insert, st.recheck, st.replay}
}

// record queues r and waits for its result. A caller whose context ends
// before the writer took its decision into a transaction leaves with a
// KindUnavailable error and nothing is recorded; once taken, it waits for
// the commit, which holds the write lock already and so waits for no other
// process.
func (w *groupWriter) record(r *recordReq) recordResult {
	const what = "record the decision"
	if err := batch.Put(r.ctx, w.queue, w.quit, r); err != nil {
		return recordResult{err: unavailable(what, err)}
	}
	select {
	case res := <-r.done:
		return res
	case <-w.done:
		// The writer stopped; r may still be in the queue, never to be taken.
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return recordResult{err: unavailable(what, batch.ErrClosed)}
		}
		return <-r.done
	case <-r.ctx.Done():
		if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			return recordResult{err: unavailable(what, r.ctx.Err())}
		}
		return <-r.done
	}
}

func (w *groupWriter) run() {
	defer close(w.done)
	taken := make([]*recordReq, 0, maxBatch)
	for {
		var ok bool
		if taken, ok = batch.Take(taken, w.queue, w.quit, maxBatch); !ok {
			w.drain()
			return
		}
		start := time.Now()
		w.commit(taken)
		w.stats.Observe(len(taken), time.Since(start))
	}
}

// drain answers the calls still queued at close.
func (w *groupWriter) drain() {
	for {
		select {
		case r := <-w.queue:
			r.done <- recordResult{err: unavailable("record the decision", batch.ErrClosed)}
		default:
			return
		}
	}
}

// batchContext ends when every request's context has ended: the batch waits
// for the write lock (another process) as long as one caller still does.
func batchContext(batch []*recordReq) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	left := atomic.Int32{}
	left.Store(int32(len(batch)))
	stops := make([]func() bool, 0, len(batch))
	for _, r := range batch {
		stops = append(stops, context.AfterFunc(r.ctx, func() {
			if left.Add(-1) == 0 {
				cancel()
			}
		}))
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// commit records batch in one transaction and answers each request.
func (w *groupWriter) commit(batch []*recordReq) {
	const what = "record the decision"
	ctx, cancel := batchContext(batch)
	defer cancel()
	failAll := func(err error) {
		for _, r := range batch {
			if r.state.Load() != reqAbandoned {
				r.done <- recordResult{err: err}
			}
		}
	}
	stmts, err := w.prepared(ctx)
	if err != nil {
		failAll(translate(what, err))
		return
	}
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		failAll(translate(what, err))
		return
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	taken := batch[:0:0]
	results := make([]recordResult, 0, len(batch))
	for _, r := range batch {
		if !r.state.CompareAndSwap(reqQueued, reqTaken) {
			continue // abandoned: its caller has left with an error
		}
		taken = append(taken, r)
		results = append(results, w.recordOne(ctx, tx, stmts, r))
		if err := ctx.Err(); err != nil {
			break
		}
	}
	var commitErr error
	if err := ctx.Err(); err != nil {
		commitErr = err
	} else {
		commitErr = tx.Commit()
	}
	for i, r := range taken {
		res := recordResult{err: translate(what, commitErr)}
		if commitErr == nil && i < len(results) {
			res = results[i]
		} else if commitErr == nil {
			res = recordResult{err: unavailable(what, errors.New("the batch ended early"))}
		}
		r.done <- res
	}
	// Abandoned requests are never answered; their callers left.
}

// recordOne records r's decision in a savepoint of tx: on failure the
// savepoint is rolled back, so the rest of the batch is unaffected.
func (w *groupWriter) recordOne(ctx context.Context, tx *sql.Tx, st *recordStmts, r *recordReq) recordResult {
	const what = "record the decision"
	if _, err := tx.StmtContext(ctx, st.savepoint).ExecContext(ctx); err != nil {
		return recordResult{err: translate(what, err)}
	}
	res := recordInTx(ctx, tx, st, r)
	if res.err != nil {
		if _, err := tx.StmtContext(ctx, st.rollbackTo).ExecContext(ctx); err != nil {
			return recordResult{err: translate(what, errors.Join(res.err, err))}
		}
	}
	if _, err := tx.StmtContext(ctx, st.release).ExecContext(ctx); err != nil {
		return recordResult{err: translate(what, err)}
	}
	return res
}

// recordInTx is the work of one decision, as RecordDecision describes it.
func recordInTx(ctx context.Context, tx *sql.Tx, st *recordStmts, r *recordReq) recordResult {
	const what = "record the decision"
	d, row := r.d, r.row
	res, err := tx.StmtContext(ctx, st.receipt).ExecContext(ctx, d.ClientID, d.WebhookID, d.ID, formatTime(time.Now()))
	if err != nil {
		return recordResult{err: translate(what, err)}
	}
	if n, err := res.RowsAffected(); err != nil {
		return recordResult{err: translate(what, err)}
	} else if n == 0 {
		// Committed earlier, or by a request earlier in this batch: the row
		// only; its caller decodes it.
		var stored decisionRow
		if err := stored.scan(tx.StmtContext(ctx, st.replay).QueryRowContext(ctx, d.ClientID, d.WebhookID)); err != nil {
			return recordResult{err: translate("read the decision for a webhook", err)}
		}
		return recordResult{row: stored}
	}
	var head string
	err = tx.StmtContext(ctx, st.head).QueryRowContext(ctx, d.ClientID, d.ApplicationID).Scan(&head)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		row.Supersedes = sql.NullString{}
	case err != nil:
		return recordResult{err: translate(what, err)}
	default:
		row.Supersedes = nullString(head)
		// Before the insert: the head index allows one unsuperseded decision
		// per client and application at a time (superseded_by's foreign key
		// is deferred to the commit for this).
		if _, err := tx.StmtContext(ctx, st.supersede).ExecContext(ctx, d.ID, head); err != nil {
			return recordResult{err: translate(what, err)}
		}
	}
	if _, err := tx.StmtContext(ctx, st.insert).ExecContext(ctx,
		row.ID, row.ApplicationID, row.NIB, row.RegionCode, row.PermitType, row.Outcome,
		row.Reasons, row.Evidence, row.PolicyVersion, row.DecidedAt, row.ValidUntil, row.Supersedes, row.Review,
		row.ClientID, row.WebhookID, row.CallbackURL, row.DeclaredWorkers, row.Application); err != nil {
		return recordResult{err: translate(what, err)}
	}
	if !d.RecheckAt.IsZero() {
		if _, err := tx.StmtContext(ctx, st.recheck).ExecContext(ctx,
			d.ID, formatTime(d.RecheckAt), nullString(formatOptionalTime(d.RecheckUntil))); err != nil {
			return recordResult{err: translate(what, err)}
		}
	}
	return recordResult{row: row, created: true}
}

// prepared returns the statements, preparing them on first use (after
// Migrate has made the tables). A failed preparation is tried again by the
// next batch.
func (w *groupWriter) prepared(ctx context.Context) (*recordStmts, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stmts != nil {
		return w.stmts, nil
	}
	var st recordStmts
	var errs []error
	prep := func(q string) *sql.Stmt {
		s, err := w.db.PrepareContext(ctx, q)
		errs = append(errs, err)
		return s
	}
	st.savepoint = prep(`SAVEPOINT record_decision`)
	st.release = prep(`RELEASE record_decision`)
	st.rollbackTo = prep(`ROLLBACK TO record_decision`)
	st.receipt = prep(`INSERT INTO webhook_receipts (client_id, webhook_id, decision_id, received_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (client_id, webhook_id) DO NOTHING`)
	st.head = prep(`SELECT id FROM decisions WHERE client_id = ? AND application_id = ? AND superseded_by IS NULL`)
	st.supersede = prep(`UPDATE decisions SET superseded_by = ? WHERE id = ?`)
	st.insert = prep(insertDecisionSQL)
	st.recheck = prep(insertRecheckSQL)
	st.replay = prep(decisionForWebhookSQL)
	if err := errors.Join(errs...); err != nil {
		for _, s := range st.all() {
			if s != nil {
				s.Close() //nolint:errcheck // discarding a failed preparation
			}
		}
		return nil, err
	}
	w.stmts = &st
	return w.stmts, nil
}
