package postgres

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// newReq builds a queued request for d, as RecordDecision would.
func newReq(t *testing.T, ctx context.Context, d gate.Decision) *recordReq {
	t.Helper()
	row, err := encodeDecision(d)
	if err != nil {
		t.Fatal(err)
	}
	return &recordReq{ctx: ctx, d: d, row: row, done: make(chan recordResult, 1)}
}

func countTx(t *testing.T, tx pgx.Tx, query string, args ...any) int {
	t.Helper()
	var n int
	if err := tx.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func countRows(t *testing.T, s *Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBatchDuplicateWebhookOneDecision: two copies of one delivery in one
// batch (one transaction) yield one decision; the second copy is answered
// with the first's.
func TestBatchDuplicateWebhookOneDecision(t *testing.T) {
	s := openFresh(t)
	first := storetest.NewDecision("client-a", "msg_dup", "OSS-1")
	second := storetest.NewDecision("client-a", "msg_dup", "OSS-1")
	a, b := newReq(t, t.Context(), first), newReq(t, t.Context(), second)
	s.group.commit([]*recordReq{a, b})
	ra, rb := <-a.done, <-b.done
	if ra.err != nil || rb.err != nil || ra.alone || rb.alone {
		t.Fatalf("results: %+v, %+v; want both recorded in the batch", ra, rb)
	}
	if !ra.got.Created || rb.got.Created {
		t.Fatalf("created = %v, %v; want true, false", ra.got.Created, rb.got.Created)
	}
	stored, err := rb.got.stored()
	if err != nil || stored.ID != first.ID {
		t.Errorf("second copy answered %s (%v), want the first's %s", stored.ID, err, first.ID)
	}
	if n := countRows(t, s, `SELECT count(*) FROM decisions`); n != 1 {
		t.Errorf("%d decisions stored, want 1", n)
	}
}

// TestBatchBadDecisionFailsAlone: a decision whose id is taken fails with
// KindConflict; the others of its batch are committed, the chain intact,
// and the failed one leaves no receipt. In a batch that shares an
// application (decision by decision from the start) and in one of distinct
// applications (the set path fails, then the batch goes decision by
// decision).
func TestBatchBadDecisionFailsAlone(t *testing.T) {
	for _, c := range []struct {
		name             string
		good1App, badApp string // shared: good1 supersedes taken, bad shares good1's application
	}{{"shared application", "OSS-0", "OSS-0"}, {"distinct applications", "OSS-1", "OSS-9"}} {
		t.Run(c.name, func(t *testing.T) {
			s := openFresh(t)
			taken := storetest.NewDecision("client-a", "msg_0", "OSS-0")
			if _, _, err := s.RecordDecision(t.Context(), taken); err != nil {
				t.Fatal(err)
			}
			bad := storetest.NewDecision("client-a", "msg_bad", c.badApp)
			bad.ID = taken.ID
			good1 := storetest.NewDecision("client-a", "msg_1", c.good1App)
			good2 := storetest.NewDecision("client-a", "msg_2", "OSS-2")
			good2.RecheckAt = good2.DecidedAt
			reqs := []*recordReq{newReq(t, t.Context(), good1), newReq(t, t.Context(), bad), newReq(t, t.Context(), good2)}
			s.group.commit(reqs)
			r1, rb, r2 := <-reqs[0].done, <-reqs[1].done, <-reqs[2].done
			if gate.KindOf(rb.err) != gate.KindConflict {
				t.Errorf("taken id: %+v, want a KindConflict error", rb)
			}
			if r1.err != nil || r2.err != nil || !r1.got.Created || !r2.got.Created {
				t.Fatalf("good decisions: %+v, %+v", r1, r2)
			}
			wantSupersedes := ""
			if c.good1App == taken.ApplicationID {
				wantSupersedes = taken.ID
			}
			if got := deref(r1.got.Supersedes); got != wantSupersedes {
				t.Errorf("good1 supersedes %q, want %q", got, wantSupersedes)
			}
			if r2.got.Supersedes != nil {
				t.Errorf("good2 supersedes %v, want nothing", *r2.got.Supersedes)
			}
			if n := countRows(t, s, `SELECT count(*) FROM decisions`); n != 3 {
				t.Errorf("%d decisions stored, want 3", n)
			}
			if n := countRows(t, s, `SELECT count(*) FROM rechecks WHERE decision_id = $1`, good2.ID); n != 1 {
				t.Errorf("good2 has %d rechecks, want 1", n)
			}
			if _, err := s.DecisionForWebhook(t.Context(), "client-a", "msg_bad"); gate.KindOf(err) != gate.KindNotFound {
				t.Errorf("the failed delivery's receipt: %v, want not found (rolled back)", err)
			}
		})
	}
}

// TestBatchFailedAsAWholeGoesAlone: a batch the server refuses as a whole
// (here a NUL character, which PostgreSQL refuses in any text argument) asks
// each caller to record alone, and RecordDecision then records the good
// decisions and refuses the bad one only.
func TestBatchFailedAsAWholeGoesAlone(t *testing.T) {
	s := openFresh(t)
	bad := storetest.NewDecision("client-a", "msg_bad", "OSS-1\x00")
	good := storetest.NewDecision("client-a", "msg_good", "OSS-2")
	reqs := []*recordReq{newReq(t, t.Context(), good), newReq(t, t.Context(), bad)}
	s.group.commit(reqs)
	for i, r := range reqs {
		if res := <-r.done; !res.alone || res.err != nil {
			t.Errorf("request %d: %+v, want to be sent alone", i, res)
		}
	}
	if n := countRows(t, s, `SELECT count(*) FROM decisions`); n != 0 {
		t.Errorf("%d decisions stored by the failed batch, want 0", n)
	}

	// Through RecordDecision, concurrently, so that they may share a batch.
	errs := make([]error, 2)
	storetest.Together(2, func(i int) {
		_, _, errs[i] = s.RecordDecision(t.Context(), []gate.Decision{good, bad}[i])
	})
	if errs[0] != nil {
		t.Errorf("good decision: %v", errs[0])
	}
	if gate.KindOf(errs[1]) != gate.KindInvalid {
		t.Errorf("decision with a NUL: %v, want KindInvalid", errs[1])
	}
	if n := countRows(t, s, `SELECT count(*) FROM decisions`); n != 1 {
		t.Errorf("%d decisions stored, want 1", n)
	}
}

// TestBatchSetPath: a batch of distinct applications and deliveries is
// recorded set by set (record_decision, the decision-by-decision path, is
// not called), with each item's answer: a new decision, one superseding
// its application's head, one with a recheck, and a delivery answered
// before, answered again with its decision.
func TestBatchSetPath(t *testing.T) {
	s := openFresh(t)
	head := storetest.NewDecision("client-a", "msg_head", "OSS-1")
	replayed := storetest.NewDecision("client-a", "msg_replayed", "OSS-2")
	for _, d := range []gate.Decision{head, replayed} {
		if _, _, err := s.RecordDecision(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	fresh := storetest.NewDecision("client-a", "msg_fresh", "OSS-3")
	superseding := storetest.NewDecision("client-a", "msg_superseding", "OSS-1")
	recheck := storetest.NewDecision("client-b", "msg_fresh", "OSS-3") // another client's OSS-3
	recheck.RecheckAt, recheck.RecheckUntil = recheck.DecidedAt.Add(time.Hour), recheck.DecidedAt.Add(24*time.Hour)
	again := storetest.NewDecision("client-a", "msg_replayed", "OSS-2")
	reqs := []*recordReq{newReq(t, t.Context(), fresh), newReq(t, t.Context(), superseding),
		newReq(t, t.Context(), recheck), newReq(t, t.Context(), again)}

	tx, err := s.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(t.Context())
	if _, err := tx.Exec(t.Context(), `SET LOCAL track_functions = 'pl'`); err != nil {
		t.Skipf("cannot count function calls (track_functions needs a superuser): %v", err)
	}
	rows, err := tx.Query(t.Context(), recordDecisionsSQL, newBatchColumns(reqs).args(time.Now())...)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int32]recordedRow{}
	for rows.Next() {
		var index int32
		var r recordedRow
		var code, message *string
		if err := rows.Scan(append([]any{&index}, append(r.targets(), &code, &message)...)...); err != nil {
			t.Fatal(err)
		}
		if code != nil {
			t.Errorf("item %d failed: %s %s", index, *code, deref(message))
		}
		got[index] = r
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if calls := countTx(t, tx, `SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions
		WHERE funcname = 'record_decision'`); calls != 0 {
		t.Errorf("record_decision called %d times: the batch went decision by decision", calls)
	}
	if err := tx.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}

	if len(got) != 4 {
		t.Fatalf("%d answers, want 4: %+v", len(got), got)
	}
	for i, want := range []struct {
		created    bool
		id         string
		supersedes string
	}{{true, fresh.ID, ""}, {true, superseding.ID, head.ID}, {true, recheck.ID, ""}, {false, replayed.ID, ""}} {
		r := got[int32(i)]
		if r.Created != want.created || r.ID != want.id || deref(r.Supersedes) != want.supersedes {
			t.Errorf("item %d: created %v, id %s, supersedes %q; want %v, %s, %q",
				i, r.Created, r.ID, deref(r.Supersedes), want.created, want.id, want.supersedes)
		}
	}
	replay := got[3]
	if stored, err := replay.stored(); err != nil || stored.WebhookID != "msg_replayed" || stored.ApplicationID != "OSS-2" {
		t.Errorf("replayed delivery answered %+v (%v), want the decision recorded before", stored, err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM decisions WHERE id = $1 AND superseded_by = $2`, head.ID, superseding.ID); n != 1 {
		t.Errorf("the head is not superseded by the new decision")
	}
	if n := countRows(t, s, `SELECT count(*) FROM rechecks WHERE decision_id = $1`, recheck.ID); n != 1 {
		t.Errorf("the recheck of %s: %d rows, want 1", recheck.ID, n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM rechecks`); n != 1 {
		t.Errorf("%d rechecks, want 1", n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM decisions`); n != 5 {
		t.Errorf("%d decisions, want 5 (2 before, 3 new)", n)
	}
	for _, d := range []gate.Decision{fresh, superseding, recheck} {
		if stored, err := s.DecisionForWebhook(t.Context(), d.ClientID, d.WebhookID); err != nil || stored.ID != d.ID {
			t.Errorf("delivery %s/%s answers %s (%v), want %s", d.ClientID, d.WebhookID, stored.ID, err, d.ID)
		}
	}
}

// TestOneEach: a batch keeps the first request of each application and
// delivery; the others wait, in order, for the next batch.
func TestOneEach(t *testing.T) {
	req := func(client, webhook, app string) *recordReq {
		return &recordReq{d: gate.Decision{ClientID: client, WebhookID: webhook, ApplicationID: app}}
	}
	a1, a2 := req("c", "w1", "A"), req("c", "w2", "A")     // one application
	b1, b1Copy := req("c", "w3", "B"), req("c", "w3", "B") // one delivery
	other := req("d", "w1", "A")                           // another client's
	c := req("c", "w4", "C")
	keep, later := oneEach([]*recordReq{a1, a2, b1, b1Copy, other, c}, nil)
	if !slices.Equal(keep, []*recordReq{a1, b1, other, c}) || !slices.Equal(later, []*recordReq{a2, b1Copy}) {
		t.Errorf("oneEach kept %d and left %d; want a1 b1 other c, then a2 b1Copy", len(keep), len(later))
	}
}

// TestBatchAbandonedNotRecorded: a caller that left before the writer took
// its decision into a batch is not answered and nothing is recorded for it.
func TestBatchAbandonedNotRecorded(t *testing.T) {
	s := openFresh(t)
	ctx, cancel := context.WithCancel(t.Context())
	gone := newReq(t, ctx, storetest.NewDecision("client-a", "msg_gone", "OSS-9"))
	stays := newReq(t, t.Context(), storetest.NewDecision("client-a", "msg_stays", "OSS-8"))
	stays2 := newReq(t, t.Context(), storetest.NewDecision("client-a", "msg_stays2", "OSS-8"))
	cancel()
	if !gone.state.CompareAndSwap(reqQueued, reqAbandoned) {
		t.Fatal("could not abandon")
	}
	s.group.commit([]*recordReq{gone, stays, stays2})
	for _, r := range []*recordReq{stays, stays2} {
		if res := <-r.done; res.err != nil || !res.got.Created {
			t.Fatalf("the other decisions: %+v", res)
		}
	}
	select {
	case r := <-gone.done:
		t.Errorf("abandoned request answered: %+v", r)
	default:
	}
	if _, err := s.DecisionForWebhook(t.Context(), "client-a", "msg_gone"); gate.KindOf(err) != gate.KindNotFound {
		t.Errorf("abandoned delivery: %v, want not found", err)
	}
}

// TestRecordCancelledCallerLeavesAtOnce: a caller whose context has ended
// gets a KindUnavailable error, and its delivery is not recorded.
func TestRecordCancelledCallerLeavesAtOnce(t *testing.T) {
	s := openFresh(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := s.RecordDecision(ctx, storetest.NewDecision("client-a", "msg_x", "OSS-1"))
	if gate.KindOf(err) != gate.KindUnavailable {
		t.Errorf("cancelled caller: %v, want KindUnavailable", err)
	}
}

// TestRecordAfterCloseUnavailable: a closed store refuses decisions with
// KindUnavailable instead of hanging.
func TestRecordAfterCloseUnavailable(t *testing.T) {
	s := openFresh(t)
	storetest.CheckRecordAfterClose(t, s, s.Close)
}

// TestBatchWithoutRecordDecisions: on a schema before 0013 (a replica
// running ahead of the migration), a batch fails as a whole and every
// decision is still recorded, alone.
func TestBatchWithoutRecordDecisions(t *testing.T) {
	s := openFresh(t)
	if _, err := s.pool.Exec(t.Context(), `DROP FUNCTION record_decisions(jsonb)`); err != nil {
		t.Fatal(err)
	}
	const n = 12
	errs := make([]error, n)
	storetest.Together(n, func(i int) {
		_, _, errs[i] = s.RecordDecision(t.Context(),
			storetest.NewDecision("client-a", fmt.Sprintf("msg_%d", i), fmt.Sprintf("OSS-%d", i%3)))
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if got := countRows(t, s, `SELECT count(*) FROM decisions`); got != n {
		t.Errorf("%d decisions, want %d", got, n)
	}
	if heads := countRows(t, s, `SELECT count(*) FROM decisions WHERE superseded_by IS NULL`); heads != 3 {
		t.Errorf("%d heads, want 3", heads)
	}
}

// TestReplicasBatchesOneHeadPerApplication: many writers on two replicas
// (two stores, two group writers) re-submit a few applications, with
// copies of deliveries sent to both: batches of both replicas share
// applications, and still each application has one chain and one head, and
// each delivery one decision.
func TestReplicasBatchesOneHeadPerApplication(t *testing.T) {
	r := replicas(t)
	const writers, perWriter, apps = 32, 6, 5
	type answer struct {
		id      string
		created bool
		err     error
	}
	answers := make([][]answer, writers)
	storetest.Together(writers, func(w int) {
		for k := range perWriter {
			// Writers w and w+1 (on the other replica) send the same
			// deliveries: one of each pair creates, the other replays.
			msg := fmt.Sprintf("msg_%d_%d", w/2, k)
			d := storetest.NewDecision("client-a", msg, fmt.Sprintf("OSS-%d", (w/2+k)%apps))
			got, created, err := r[w%2].RecordDecision(t.Context(), d)
			answers[w] = append(answers[w], answer{got.ID, created, err})
		}
	})
	for w := 0; w < writers; w += 2 {
		for k := range perWriter {
			a, b := answers[w][k], answers[w+1][k]
			if a.err != nil || b.err != nil {
				t.Fatalf("delivery msg_%d_%d: %v, %v", w/2, k, a.err, b.err)
			}
			if a.created == b.created || a.id != b.id {
				t.Errorf("delivery msg_%d_%d: created %v, %v; ids %s, %s; want one creation, one decision",
					w/2, k, a.created, b.created, a.id, b.id)
			}
		}
	}
	for i, s := range r {
		if n := s.group.sentAlone.Load(); n != 0 {
			t.Errorf("replica %d: %d decisions sent alone, want 0 (no batch failed)", i, n)
		}
	}
	if r[0].group.batched.Load()+r[1].group.batched.Load() == 0 {
		t.Error("no decision was recorded in a batch")
	}
	want := writers / 2 * perWriter
	if n := countRows(t, r[0], `SELECT count(*) FROM decisions`); n != want {
		t.Errorf("%d decisions, want %d", n, want)
	}
	checkChains(t, r[1], apps, want)
}

// blockApplication holds the advisory lock of the client's application on a
// connection of its own until the returned func is called, and returns a
// func that waits until some session waits for that lock.
func blockApplication(t *testing.T, s *Store, clientID, applicationID string) (waited func(), release func()) {
	t.Helper()
	tx, err := s.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := lockApplication(t.Context(), tx, clientID, applicationID); err != nil {
		t.Fatal(err)
	}
	waited = func() {
		t.Helper()
		// Each query is a round trip to the server: no sleep is needed.
		for {
			var waiting int
			if err := tx.QueryRow(t.Context(), `SELECT count(*) FROM pg_locks
				WHERE locktype = 'advisory' AND NOT granted`).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting > 0 {
				return
			}
		}
	}
	return waited, func() { tx.Commit(t.Context()) } //nolint:errcheck // only releases the lock
}

// A query whose context ends costs its connection: the store's context
// watcher sets a past deadline on the socket, and pgx closes the
// connection. Through the group writer, a caller that gives up leaves at
// once, but the batch goes on: its connection stays in the pool, and the
// decision is recorded, as a retry of the delivery will find.
func TestCallerGivingUpKeepsTheConnection(t *testing.T) {
	s := openFresh(t)
	if _, _, err := s.RecordDecision(t.Context(), storetest.NewDecision("client-a", "msg_0", "OSS-0")); err != nil {
		t.Fatal(err)
	}

	// The single statement on the caller's context: the connection goes.
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	row, err := encodeDecision(d)
	if err != nil {
		t.Fatal(err)
	}
	waited, release := blockApplication(t, s, "client-a", "OSS-1")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { _, err := s.recordOne(ctx, d, row); done <- err }()
	waited()
	total := s.pool.Stat().TotalConns()
	cancel()
	if err := <-done; gate.KindOf(err) != gate.KindUnavailable {
		t.Fatalf("cancelled single statement: %v, want KindUnavailable", err)
	}
	// pgxpool destroys a closed connection in the background.
	for deadline := time.Now().Add(guard); s.pool.Stat().TotalConns() != total-1; runtime.Gosched() {
		if time.Now().After(deadline) {
			t.Fatalf("after a cancelled statement: %d connections, want %d (one closed)",
				s.pool.Stat().TotalConns(), total-1)
		}
	}
	release()
	if _, err := s.DecisionForWebhook(t.Context(), "client-a", "msg_1"); gate.KindOf(err) != gate.KindNotFound {
		t.Errorf("cancelled single statement: %v, want nothing recorded", err)
	}

	// Through the group writer.
	d2 := storetest.NewDecision("client-a", "msg_2", "OSS-2")
	waited, release = blockApplication(t, s, "client-a", "OSS-2")
	ctx, cancel = context.WithCancel(t.Context())
	go func() { _, _, err := s.RecordDecision(ctx, d2); done <- err }()
	waited()
	total, before := s.pool.Stat().TotalConns(), s.pool.Stat().NewConnsCount()
	cancel()
	if err := <-done; gate.KindOf(err) != gate.KindUnavailable {
		t.Fatalf("caller that gave up: %v, want KindUnavailable", err)
	}
	release()
	// The next call waits for the writer's batch in progress to end.
	if _, _, err := s.RecordDecision(t.Context(), storetest.NewDecision("client-a", "msg_3", "OSS-3")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.DecisionForWebhook(t.Context(), "client-a", "msg_2"); err != nil || got.ID != d2.ID {
		t.Errorf("decision of the caller that gave up: %s, %v; want %s recorded", got.ID, err, d2.ID)
	}
	if st := s.pool.Stat(); st.NewConnsCount() != before || st.TotalConns() != total {
		t.Errorf("after a caller gave up: %d connections, %d made; want still %d, %d",
			st.TotalConns(), st.NewConnsCount(), total, before)
	}
}

// TestWriterStats: the writer counts its batches, decisions and busy time.
func TestWriterStats(t *testing.T) { storetest.RunWriterStats(t, openFresh(t)) }

// TestLoneDecisionTakesTheLockFirst: a decision recorded alone waits for its
// application's lock before it writes anything, as a batch does (migration
// 0017). In the other order a lone call that held the delivery's receipt
// while it waited for the lock, and a batch that held the lock while it
// inserted the same receipt, deadlocked until PostgreSQL failed one of them
// (after deadlock_timeout, a second by default).
func TestLoneDecisionTakesTheLockFirst(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	// An application id of its own: advisory locks are shared by the whole
	// database, other tests' schemas included.
	app := fmt.Sprintf("OSS-lock-first-%d", time.Now().UnixNano())
	first := storetest.NewDecision("client-a", "msg_1", app)
	again := storetest.NewDecision("client-a", "msg_1", app) // the same delivery, another decision
	row, err := encodeDecision(again)
	if err != nil {
		t.Fatal(err)
	}

	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // committed below
	if err := lockApplication(ctx, tx, "client-a", app); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		got recordedRow
		err error
	}
	done := make(chan answer, 1)
	go func() { got, err := s.recordOne(ctx, again, row); done <- answer{got, err} }()

	// Once the lone call waits for the lock: has it written, that is been
	// given a transaction id (whose lock it would hold)? pg_locks is read
	// afresh by each query (pg_stat_activity would be a snapshot taken once
	// per transaction), and each query is a round trip: no sleep is needed.
	var wrote bool
	for {
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_locks x
				WHERE x.pid = l.pid AND x.locktype = 'transactionid' AND x.granted)
			FROM pg_locks l
			WHERE l.locktype = 'advisory' AND NOT l.granted AND l.classid = 1785425511
			  AND l.objid::text::bigint = hashtext('client-a' || chr(31) || $1)::bigint & 4294967295`,
			app).Scan(&wrote)
		if err == nil {
			break
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
	}
	if wrote {
		t.Error("the lone call waits for the application's lock holding a transaction id: it wrote first")
	}

	// The batch's order: the lock (held), then the receipt and the decision.
	rows, err := tx.Query(ctx, recordDecisionsSQL, newBatchColumns([]*recordReq{newReq(t, ctx, first)}).args(time.Now())...)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatalf("batch: %v", err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if a := <-done; a.err != nil || a.got.Created || a.got.ID != first.ID {
		t.Errorf("lone call: created %v, %s, %v; want the batch's %s, not created", a.got.Created, a.got.ID, a.err, first.ID)
	}
}
