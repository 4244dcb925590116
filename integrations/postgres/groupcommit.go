package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/batch"
)

// maxBatch bounds how many decisions one group commit holds. A batch never
// waits to fill: the writer takes what is queued when it is free, so a lone
// decision is recorded at once, and concurrent ones share a transaction
// (and its WAL flush) while the previous one runs. 64 is also PostgreSQL's
// per-backend cache of subtransactions (one per item); more would overflow
// it and slow every session's snapshots.
const maxBatch = 64

// batchTimeout bounds a batch. A batch does not end with its callers'
// contexts: a caller that gives up leaves at once, but cancelling the
// statement would cost its connection (see groupWriter). Only a server that
// stopped answering holds a batch that long; the calls queued behind it end
// with their callers' contexts.
const batchTimeout = 15 * time.Second

// recordDecisionsSQL calls the record_decisions function of migration
// 0013_record_decisions: a batch of decisions in one statement.
const recordDecisionsSQL = `SELECT * FROM record_decisions($1)`

// Request states: queued until the writer takes it into a batch, or
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

// recordResult answers a recordReq. alone asks the caller to record its
// decision by itself through the single-statement path: its batch failed as
// a whole (a deadlock, a lost connection, a schema without
// record_decisions), which says nothing about the decision.
type recordResult struct {
	got   recordedRow
	err   error
	alone bool
}

// groupWriter batches concurrent RecordDecision calls into one statement
// (record_decisions), so one transaction and one WAL flush, each decision in
// a subtransaction of its own so that one that fails fails alone. Callers
// are answered after the commit.
//
// The batches run on the writer's own context, not on a caller's: a caller
// whose context ends leaves at once, but the statement goes on, so the
// connection is not broken (pgx closes a connection whose query's context
// ends: see harden). A batch's context ends after batchTimeout, or when the
// store closes.
type groupWriter struct {
	s      *Store
	queue  chan *recordReq
	ctx    context.Context // ends when the writer must stop at once
	cancel context.CancelFunc
	quit   chan struct{}
	done   chan struct{}
	stop   sync.Once

	// Decisions recorded in batches of two or more, and decisions sent
	// back to record alone because their batch failed: for tests.
	batched, sentAlone atomic.Int64
}

func newGroupWriter(s *Store) *groupWriter {
	ctx, cancel := context.WithCancel(context.Background())
	w := &groupWriter{s: s, queue: make(chan *recordReq, maxBatch), ctx: ctx, cancel: cancel,
		quit: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// close stops the writer after the batch in progress, waiting for it at
// most wait before cancelling it; queued calls get KindUnavailable errors.
// It may be called more than once.
func (w *groupWriter) close(wait time.Duration) {
	w.stop.Do(func() { close(w.quit) })
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-w.done:
	case <-t.C:
		w.cancel()
		<-w.done
	}
	w.cancel()
}

// record queues r and waits for its result. A caller whose context ends
// before the writer took its decision into a batch leaves with a
// KindUnavailable error and nothing is recorded. A caller whose context
// ends after that leaves at once with a KindUnavailable error too, as a
// cancelled statement does: its decision may still be committed, and a
// retry of the delivery will then find it.
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
		r.state.CompareAndSwap(reqQueued, reqAbandoned)
		return recordResult{err: unavailable(what, r.ctx.Err())}
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
		w.commit(taken)
	}
}

// drain answers the calls still queued at close.
func (w *groupWriter) drain() {
	for {
		select {
		case r := <-w.queue:
			if r.state.CompareAndSwap(reqQueued, reqAbandoned) {
				r.done <- recordResult{err: unavailable("record the decision", batch.ErrClosed)}
			}
		default:
			return
		}
	}
}

// commit records the requests of reqs still waiting, in one statement, and
// answers each of them. Requests abandoned before are skipped: their callers
// have left with an error.
func (w *groupWriter) commit(reqs []*recordReq) {
	taken := reqs[:0:0]
	for _, r := range reqs {
		if r.state.CompareAndSwap(reqQueued, reqTaken) {
			taken = append(taken, r)
		}
	}
	if len(taken) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(w.ctx, batchTimeout)
	defer cancel()
	if len(taken) == 1 {
		// Alone: record_decision, without the batch's subtransaction.
		r := taken[0]
		got, err := w.s.recordOne(ctx, r.d, r.row)
		r.done <- recordResult{got: got, err: err}
		return
	}
	results, err := w.s.recordBatch(ctx, taken)
	if err != nil {
		// Nothing of the batch is committed. Unless the store is closing,
		// each caller tries its decision alone, on its own context, so that
		// no decision fails for another's sake.
		closing := w.ctx.Err() != nil
		w.sentAlone.Add(int64(len(taken)))
		for _, r := range taken {
			if closing {
				r.done <- recordResult{err: unavailable("record the decision", batch.ErrClosed)}
			} else {
				r.done <- recordResult{alone: true}
			}
		}
		return
	}
	w.batched.Add(int64(len(taken)))
	for i, r := range taken {
		r.done <- results[i]
	}
}

// batchItem is one decision in record_decisions' argument: the parameters of
// record_decision by name. I is the item's index, returned with its row.
type batchItem struct {
	I               int              `json:"i"`
	ID              string           `json:"id"`
	ApplicationID   string           `json:"application_id"`
	NIB             string           `json:"nib"`
	RegionCode      string           `json:"region_code"`
	PermitType      string           `json:"permit_type"`
	Outcome         string           `json:"outcome"`
	Reasons         json.RawMessage  `json:"reasons"`
	Evidence        json.RawMessage  `json:"evidence"`
	PolicyVersion   string           `json:"policy_version"`
	DecidedAt       time.Time        `json:"decided_at"`
	ValidUntil      *time.Time       `json:"valid_until"`
	Review          *json.RawMessage `json:"review"`
	ClientID        string           `json:"client_id"`
	WebhookID       string           `json:"webhook_id"`
	CallbackURL     string           `json:"callback_url"`
	DeclaredWorkers int              `json:"declared_workers"`
	Application     *json.RawMessage `json:"application"`
	ReceivedAt      time.Time        `json:"received_at"`
	RecheckAt       *time.Time       `json:"recheck_at"`
	RecheckUntil    *time.Time       `json:"recheck_until"`
}

func rawJSON(s *string) *json.RawMessage {
	if s == nil {
		return nil
	}
	m := json.RawMessage(*s)
	return &m
}

// recordBatch records reqs with record_decisions and returns one result per
// request, in order. An error means the batch failed as a whole and nothing
// of it is committed (or, when the connection broke during the commit, that
// its outcome is unknown: the deliveries' receipts tell a retry).
func (s *Store) recordBatch(ctx context.Context, reqs []*recordReq) ([]recordResult, error) {
	receivedAt := dbTime(time.Now())
	items := make([]batchItem, len(reqs))
	for i, r := range reqs {
		row, d := r.row, r.d
		items[i] = batchItem{I: i, ID: row.ID, ApplicationID: row.ApplicationID, NIB: row.NIB,
			RegionCode: row.RegionCode, PermitType: row.PermitType, Outcome: row.Outcome,
			Reasons: json.RawMessage(row.Reasons), Evidence: json.RawMessage(row.Evidence),
			PolicyVersion: row.PolicyVersion, DecidedAt: row.DecidedAt, ValidUntil: row.ValidUntil,
			Review: rawJSON(row.Review), ClientID: row.ClientID, WebhookID: row.WebhookID,
			CallbackURL: row.CallbackURL, DeclaredWorkers: row.DeclaredWorkers,
			Application: rawJSON(row.Application), ReceivedAt: receivedAt}
		if !d.RecheckAt.IsZero() {
			items[i].RecheckAt, items[i].RecheckUntil = optionalTime(d.RecheckAt), optionalTime(d.RecheckUntil)
		}
	}
	arg, err := json.Marshal(items)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, recordDecisionsSQL, json.RawMessage(arg))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	results := make([]recordResult, len(reqs))
	seen := 0
	for rows.Next() {
		var index int32
		var got recordedRow
		var code, message *string
		if err := rows.Scan(append([]any{&index}, append(got.targets(), &code, &message)...)...); err != nil {
			return nil, err
		}
		if index < 0 || int(index) >= len(reqs) {
			return nil, errors.New("record_decisions answered an unknown item")
		}
		res := recordResult{got: got}
		if code != nil {
			msg := ""
			if message != nil {
				msg = *message
			}
			res = recordResult{err: translate("record the decision", &pgconn.PgError{Code: *code, Message: msg})}
		}
		results[index] = res
		seen++
	}
	// The statement's transaction commits before its last message: only
	// now is the batch durable.
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if seen != len(reqs) {
		return nil, errors.New("record_decisions answered fewer items than it was given")
	}
	return results, nil
}
