package postgres

import (
	"context"
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
// per-backend cache of subtransactions (one per item when a batch goes
// decision by decision); more would overflow it and slow every session's
// snapshots.
const maxBatch = 64

// batchTimeout bounds a batch. A batch does not end with its callers'
// contexts: a caller that gives up leaves at once, but cancelling the
// statement would cost its connection (see groupWriter). Only a server that
// stopped answering holds a batch that long; the calls queued behind it end
// with their callers' contexts.
const batchTimeout = 15 * time.Second

// recordDecisionsSQL calls the record_decisions function of migration
// 0014_record_decisions_arrays (its body replaced by 0016): a batch of
// decisions in one statement, one array per column. The casts pick it
// rather than 0013's JSON form.
const recordDecisionsSQL = `SELECT * FROM record_decisions($1::text[], $2::text[], $3::text[],
	$4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
	$10::timestamptz[], $11::timestamptz[], $12::text[], $13::text[], $14::text[], $15::text[],
	$16::integer[], $17::text[], $18::timestamptz, $19::timestamptz[], $20::timestamptz[])`

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
// (record_decisions), so one transaction and one WAL flush; a decision that
// fails fails alone (see the migration). Callers are answered after the
// commit.
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

	stats batch.Stats // for Store.WriterStats
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

// run takes batches from the queue and commits them, one at a time. A
// request whose application or delivery is already in the batch waits for
// the next batch (see oneEach).
func (w *groupWriter) run() {
	defer close(w.done)
	taken := make([]*recordReq, 0, maxBatch)
	var held, next []*recordReq
	for {
		if len(held) == 0 {
			var ok bool
			if taken, ok = batch.Take(taken, w.queue, w.quit, maxBatch); !ok {
				w.drain()
				return
			}
		} else {
			taken = batch.Fill(append(taken[:0], held...), w.queue, maxBatch)
		}
		taken, next = oneEach(taken, next[:0])
		held, next = next, held
		start := time.Now()
		w.commit(taken)
		w.stats.Observe(len(taken), time.Since(start))
	}
}

// batchKey is what two decisions of one batch must not share: an
// application (its decisions chain, each superseding the one before) or a
// delivery (the second copy is answered with the first's decision).
type batchKey struct{ clientID, id string }

// oneEach keeps in reqs, in order, the first request of each application
// and each delivery, and appends the others to rest, in order, for a later
// batch. record_decisions records a batch of distinct applications and
// deliveries set by set, in a few statements, and a batch that shares them
// decision by decision, several times slower. Their decisions are then
// recorded in arrival order, as in one batch.
func oneEach(reqs, rest []*recordReq) (keep, later []*recordReq) {
	if len(reqs) < 2 {
		return reqs, rest
	}
	seen := make(map[batchKey]struct{}, 2*len(reqs))
	keep = reqs[:0]
	for _, r := range reqs {
		app, delivery := batchKey{r.d.ClientID, "a" + r.d.ApplicationID}, batchKey{r.d.ClientID, "w" + r.d.WebhookID}
		_, sameApp := seen[app]
		_, sameDelivery := seen[delivery]
		if sameApp || sameDelivery {
			rest = append(rest, r)
			continue
		}
		seen[app], seen[delivery] = struct{}{}, struct{}{}
		keep = append(keep, r)
	}
	return keep, rest
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

// batchColumns is record_decisions' arguments: one array per column of the
// batch, element i being item i's.
type batchColumns struct {
	id, applicationID, nib, regionCode, permitType, outcome []string
	reasons, evidence, policyVersion                        []string
	decidedAt                                               []time.Time
	validUntil                                              []*time.Time
	review                                                  []*string
	clientID, webhookID, callbackURL                        []string
	declaredWorkers                                         []int32
	application                                             []*string
	recheckAt, recheckUntil                                 []*time.Time
}

func newBatchColumns(reqs []*recordReq) *batchColumns {
	n := len(reqs)
	c := &batchColumns{
		id: make([]string, n), applicationID: make([]string, n), nib: make([]string, n),
		regionCode: make([]string, n), permitType: make([]string, n), outcome: make([]string, n),
		reasons: make([]string, n), evidence: make([]string, n), policyVersion: make([]string, n),
		decidedAt: make([]time.Time, n), validUntil: make([]*time.Time, n), review: make([]*string, n),
		clientID: make([]string, n), webhookID: make([]string, n), callbackURL: make([]string, n),
		declaredWorkers: make([]int32, n), application: make([]*string, n),
		recheckAt: make([]*time.Time, n), recheckUntil: make([]*time.Time, n),
	}
	for i, r := range reqs {
		row := &r.row
		c.id[i], c.applicationID[i], c.nib[i] = row.ID, row.ApplicationID, row.NIB
		c.regionCode[i], c.permitType[i], c.outcome[i] = row.RegionCode, row.PermitType, row.Outcome
		c.reasons[i], c.evidence[i], c.policyVersion[i] = row.Reasons, row.Evidence, row.PolicyVersion
		c.decidedAt[i], c.validUntil[i], c.review[i] = row.DecidedAt, row.ValidUntil, row.Review
		c.clientID[i], c.webhookID[i], c.callbackURL[i] = row.ClientID, row.WebhookID, row.CallbackURL
		c.declaredWorkers[i], c.application[i] = int32(row.DeclaredWorkers), row.Application
		if !r.d.RecheckAt.IsZero() {
			c.recheckAt[i], c.recheckUntil[i] = optionalTime(r.d.RecheckAt), optionalTime(r.d.RecheckUntil)
		}
	}
	return c
}

// args are the columns in record_decisions' parameter order, receivedAt
// (every item's) in its place.
func (c *batchColumns) args(receivedAt time.Time) []any {
	return []any{c.id, c.applicationID, c.nib, c.regionCode, c.permitType,
		c.outcome, c.reasons, c.evidence, c.policyVersion,
		c.decidedAt, c.validUntil, c.review,
		c.clientID, c.webhookID, c.callbackURL, c.declaredWorkers,
		c.application, receivedAt, c.recheckAt, c.recheckUntil}
}

// recordBatch records reqs with record_decisions and returns one result per
// request, in order. An error means the batch failed as a whole and nothing
// of it is committed (or, when the connection broke during the commit, that
// its outcome is unknown: the deliveries' receipts tell a retry).
func (s *Store) recordBatch(ctx context.Context, reqs []*recordReq) ([]recordResult, error) {
	args := newBatchColumns(reqs).args(dbTime(time.Now()))
	rows, err := s.pool.Query(ctx, recordDecisionsSQL, args...)
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
