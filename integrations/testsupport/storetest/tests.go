package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

func testRecordAndReadBack(t *testing.T, s gate.Store) {
	want := NewDecision("client-a", "msg_1", "OSS-2026-000123")
	want.Supersedes = "dec_ignored" // the store sets Supersedes, whatever the caller says
	stored := mustRecord(t, s, want)
	want.Supersedes = ""

	byID := mustDecision(t, s, want.ID)
	byWebhook, err := s.DecisionForWebhook(t.Context(), "client-a", "msg_1")
	if err != nil {
		t.Fatalf("DecisionForWebhook: %v", err)
	}
	for name, got := range map[string]gate.Decision{"RecordDecision": stored, "Decision": byID,
		"DecisionForWebhook": byWebhook} {
		if d := diff(want, got); d != "" {
			t.Errorf("%s returned a different decision (-recorded +returned):\n%s", name, d)
		}
		checkUTC(t, got)
		if got.Review != nil {
			t.Errorf("%s: Review = %+v, want nil", name, got.Review)
		}
	}
}

func testReviewRoundTrips(t *testing.T, s gate.Store) {
	want := NewDecision("client-a", "msg_1", "OSS-2026-000123")
	want.Review = &gate.Review{State: "closed", Action: "uphold", Note: "Tunggakan belum dibayar.",
		By: "officer-17", At: time.Date(2026, 11, 23, 9, 30, 15, 987_654_321, wib)}
	mustRecord(t, s, want)
	got := mustDecision(t, s, want.ID)
	if d := diff(want, got); d != "" {
		t.Errorf("Decision returned a different decision (-recorded +returned):\n%s", d)
	}
	checkUTC(t, got)
}

func testDecisionNotFound(t *testing.T, s gate.Store) {
	d, err := s.Decision(t.Context(), "dec_01JD3Z0000000000000000000")
	checkNotFound(t, "Decision of an unknown id", d, err)

	mustRecord(t, s, NewDecision("client-a", "msg_1", "OSS-1"))
	d, err = s.Decision(t.Context(), "dec_01JD3Z0000000000000000000")
	checkNotFound(t, "Decision of an unknown id in a non-empty store", d, err)
}

func testDecisionForWebhook(t *testing.T, s gate.Store) {
	d, err := s.DecisionForWebhook(t.Context(), "client-a", "msg_1")
	checkNotFound(t, "DecisionForWebhook in an empty store", d, err)

	want := mustRecord(t, s, NewDecision("client-a", "msg_1", "OSS-1"))
	got, err := s.DecisionForWebhook(t.Context(), "client-a", "msg_1")
	if err != nil {
		t.Fatalf("DecisionForWebhook: %v", err)
	}
	if got.ID != want.ID {
		t.Errorf("DecisionForWebhook: decision %s, want %s", got.ID, want.ID)
	}
	d, err = s.DecisionForWebhook(t.Context(), "client-a", "msg_2")
	checkNotFound(t, "DecisionForWebhook of another webhook id", d, err)
	d, err = s.DecisionForWebhook(t.Context(), "client-b", "msg_1")
	checkNotFound(t, "DecisionForWebhook of another client", d, err)
}

func testSameDelivery(t *testing.T, s gate.Store) {
	first := mustRecord(t, s, NewDecision("client-a", "msg_1", "OSS-1"))

	again := NewDecision("client-a", "msg_1", "OSS-1")
	again.Outcome = gate.OutcomeAllow
	again.Reasons = []gate.Reason{{Code: gate.ReasonCompliant, Outcome: gate.OutcomeAllow}}
	got, created, err := s.RecordDecision(t.Context(), again)
	if err != nil {
		t.Fatalf("RecordDecision of the same delivery: %v", err)
	}
	if created {
		t.Error("RecordDecision of the same delivery: created = true, want false")
	}
	if d := diff(first, got); d != "" {
		t.Errorf("RecordDecision of the same delivery did not return the first decision (-first +got):\n%s", d)
	}
	d, err := s.Decision(t.Context(), again.ID)
	checkNotFound(t, "Decision of the duplicate's id", d, err)

	// Nothing new recorded: the first decision is still the application's
	// current one, so the next delivery supersedes it.
	next := mustRecord(t, s, NewDecision("client-a", "msg_2", "OSS-1"))
	if next.Supersedes != first.ID {
		t.Errorf("next delivery supersedes %q, want the first decision %s", next.Supersedes, first.ID)
	}
}

func testOtherClient(t *testing.T, s gate.Store) {
	a := mustRecord(t, s, NewDecision("client-a", "msg_1", "OSS-1"))
	b := mustRecord(t, s, NewDecision("client-b", "msg_1", "OSS-2"))
	for client, want := range map[string]string{"client-a": a.ID, "client-b": b.ID} {
		got, err := s.DecisionForWebhook(t.Context(), client, "msg_1")
		if err != nil {
			t.Fatalf("DecisionForWebhook(%s, msg_1): %v", client, err)
		}
		if got.ID != want {
			t.Errorf("DecisionForWebhook(%s, msg_1) = %s, want %s", client, got.ID, want)
		}
	}
}

// Together runs f(0..n-1) on n goroutines released at the same moment,
// and returns when all have returned: for tests of concurrent calls.
func Together(n int, f func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(n)
	for i := range n {
		done.Go(func() {
			ready.Done()
			<-start
			f(i)
		})
	}
	ready.Wait()
	close(start)
	done.Wait()
}

func testConcurrentSameDelivery(t *testing.T, s gate.Store) {
	const n = 50
	type result struct {
		d       gate.Decision
		created bool
		err     error
	}
	sent := make([]gate.Decision, n)
	for i := range sent {
		sent[i] = NewDecision("client-a", "msg_1", "OSS-1")
	}
	results := make([]result, n)
	Together(n, func(i int) {
		d, created, err := s.RecordDecision(t.Context(), sent[i])
		results[i] = result{d, created, err}
	})

	winner := ""
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("call %d: RecordDecision: %v", i, r.err)
		}
		if r.created {
			if winner != "" {
				t.Errorf("call %d: created = true, but %s was created too", i, winner)
			}
			winner = sent[i].ID
		}
	}
	if winner == "" {
		t.Fatal("no call created the decision")
	}
	for i, r := range results {
		if r.d.ID != winner {
			t.Errorf("call %d returned decision %q, want the created one %s", i, r.d.ID, winner)
		}
		if sent[i].ID != winner {
			d, err := s.Decision(t.Context(), sent[i].ID)
			checkNotFound(t, fmt.Sprintf("call %d: Decision of a losing id", i), d, err)
		}
	}
	got, err := s.DecisionForWebhook(t.Context(), "client-a", "msg_1")
	if err != nil || got.ID != winner {
		t.Errorf("DecisionForWebhook = %q, %v; want %s", got.ID, err, winner)
	}
}

func testResubmission(t *testing.T, s gate.Store) {
	first := mustRecord(t, s, NewDecision("client-a", "msg_1", "OSS-1"))
	other := mustRecord(t, s, NewDecision("client-a", "msg_x", "OSS-2"))
	second := mustRecord(t, s, NewDecision("client-a", "msg_2", "OSS-1"))
	third := mustRecord(t, s, NewDecision("client-a", "msg_3", "OSS-1"))

	for _, c := range []struct {
		name string
		d    gate.Decision
		want string
	}{
		{"first", first, ""},
		{"other application", other, ""},
		{"second", second, first.ID},
		{"third", third, second.ID},
	} {
		if c.d.Supersedes != c.want {
			t.Errorf("%s: RecordDecision returned Supersedes %q, want %q", c.name, c.d.Supersedes, c.want)
		}
		if got := mustDecision(t, s, c.d.ID); got.Supersedes != c.want {
			t.Errorf("%s: Decision returned Supersedes %q, want %q", c.name, got.Supersedes, c.want)
		}
	}
}

func testConcurrentResubmissions(t *testing.T, s gate.Store) {
	const n = 20
	ids := make([]string, n)
	errs := make([]error, n)
	Together(n, func(i int) {
		d := NewDecision("client-a", fmt.Sprintf("msg_%d", i), "OSS-1")
		ids[i] = d.ID
		_, _, errs[i] = s.RecordDecision(t.Context(), d)
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("call %d: RecordDecision: %v", i, err)
		}
	}

	// Read back: exactly one decision supersedes nothing, no decision is
	// superseded twice, and following the chain from the first reaches all.
	supersededBy := map[string]string{}
	var roots []string
	for _, id := range ids {
		d := mustDecision(t, s, id)
		if d.Supersedes == "" {
			roots = append(roots, id)
			continue
		}
		if other, ok := supersededBy[d.Supersedes]; ok {
			t.Errorf("%s is superseded by both %s and %s", d.Supersedes, other, id)
		}
		supersededBy[d.Supersedes] = id
	}
	if len(roots) != 1 {
		t.Fatalf("%d decisions supersede nothing (%v), want 1", len(roots), roots)
	}
	last, length := roots[0], 1
	for next, ok := supersededBy[last]; ok; next, ok = supersededBy[last] {
		last = next
		length++
		if length > n {
			t.Fatal("the supersession chain has a cycle")
		}
	}
	if length != n {
		t.Errorf("the chain from %s has %d decisions, want %d", roots[0], length, n)
	}

	next := mustRecord(t, s, NewDecision("client-a", "msg_next", "OSS-1"))
	if next.Supersedes != last {
		t.Errorf("the next re-submission supersedes %q, want the end of the chain %s", next.Supersedes, last)
	}
}

func testPing(t *testing.T, s gate.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}
