package sqlite

import (
	"context"
	"testing"

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

func countDecisions(t *testing.T, s *Store) int {
	t.Helper()
	var n int
	if err := s.readers.QueryRowContext(t.Context(), `SELECT count(*) FROM decisions`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBatchDuplicateWebhookOneDecision: two copies of one delivery in one
// batch (one transaction) yield one decision, and both callers get it.
func TestBatchDuplicateWebhookOneDecision(t *testing.T) {
	s, _ := openTemp(t)
	first := storetest.NewDecision("client-a", "msg_dup", "OSS-1")
	second := storetest.NewDecision("client-a", "msg_dup", "OSS-1")
	a, b := newReq(t, t.Context(), first), newReq(t, t.Context(), second)
	s.group.commit([]*recordReq{a, b})
	ra, rb := <-a.done, <-b.done
	if ra.err != nil || rb.err != nil {
		t.Fatalf("errors: %v, %v", ra.err, rb.err)
	}
	if !ra.created || rb.created {
		t.Fatalf("created = %v, %v; want true, false", ra.created, rb.created)
	}
	if rb.row.ID != first.ID {
		t.Errorf("second copy answered %s, want the first's %s", rb.row.ID, first.ID)
	}
	if n := countDecisions(t, s); n != 1 {
		t.Errorf("%d decisions stored, want 1", n)
	}
}

// TestBatchBadDecisionFailsAlone: a decision whose id is taken fails with
// KindConflict; the others of its batch are committed, the chain intact.
func TestBatchBadDecisionFailsAlone(t *testing.T) {
	s, _ := openTemp(t)
	taken := storetest.NewDecision("client-a", "msg_0", "OSS-0")
	if _, _, err := s.RecordDecision(t.Context(), taken); err != nil {
		t.Fatal(err)
	}
	bad := storetest.NewDecision("client-a", "msg_bad", "OSS-0")
	bad.ID = taken.ID
	good1 := storetest.NewDecision("client-a", "msg_1", "OSS-0")
	good2 := storetest.NewDecision("client-a", "msg_2", "OSS-2")
	reqs := []*recordReq{newReq(t, t.Context(), good1), newReq(t, t.Context(), bad), newReq(t, t.Context(), good2)}
	s.group.commit(reqs)
	r1, rb, r2 := <-reqs[0].done, <-reqs[1].done, <-reqs[2].done
	if gate.KindOf(rb.err) != gate.KindConflict {
		t.Errorf("taken id: err %v, want KindConflict", rb.err)
	}
	if r1.err != nil || r2.err != nil || !r1.created || !r2.created {
		t.Fatalf("good decisions: %v %v, %v %v", r1.created, r1.err, r2.created, r2.err)
	}
	if r1.row.Supersedes.String != taken.ID {
		t.Errorf("good1 supersedes %q, want %s", r1.row.Supersedes.String, taken.ID)
	}
	if n := countDecisions(t, s); n != 3 {
		t.Errorf("%d decisions stored, want 3", n)
	}
	if _, err := s.DecisionForWebhook(t.Context(), "client-a", "msg_bad"); gate.KindOf(err) != gate.KindNotFound {
		t.Errorf("the failed delivery's receipt: %v, want not found (rolled back)", err)
	}
}

// TestBatchAbandonedNotRecorded: a caller that left before the writer took
// its decision into a transaction gets an error, and nothing is recorded.
func TestBatchAbandonedNotRecorded(t *testing.T) {
	s, _ := openTemp(t)
	ctx, cancel := context.WithCancel(t.Context())
	gone := newReq(t, ctx, storetest.NewDecision("client-a", "msg_gone", "OSS-9"))
	stays := newReq(t, t.Context(), storetest.NewDecision("client-a", "msg_stays", "OSS-8"))
	cancel()
	if !gone.state.CompareAndSwap(reqQueued, reqAbandoned) {
		t.Fatal("could not abandon")
	}
	s.group.commit([]*recordReq{gone, stays})
	if r := <-stays.done; r.err != nil || !r.created {
		t.Fatalf("the other decision: %v %v", r.created, r.err)
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

// TestRecordAfterCloseUnavailable: a closed store refuses decisions with
// KindUnavailable instead of hanging.
func TestRecordAfterCloseUnavailable(t *testing.T) {
	s, _ := openTemp(t)
	storetest.CheckRecordAfterClose(t, s, s.Close)
}

// TestWriterKeepsStatementJournalsInMemory: the savepoint of each decision
// in a batch must not write a temporary file per decision.
func TestWriterKeepsStatementJournalsInMemory(t *testing.T) {
	s, _ := openTemp(t)
	var mode int
	if err := s.writer.QueryRowContext(t.Context(), `PRAGMA temp_store`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != 2 {
		t.Errorf("writer temp_store = %d, want 2 (MEMORY)", mode)
	}
}

// TestWriterStats: the writer counts its batches, decisions and busy time.
func TestWriterStats(t *testing.T) { storetest.RunWriterStats(t, openFresh(t)) }
