package postgres

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// replicas returns two stores (two pools: two jkngate replicas) on one fresh,
// migrated schema.
func replicas(t *testing.T) [2]*Store {
	t.Helper()
	url := freshSchema(t)
	r := [2]*Store{open(t, url), open(t, url)}
	if err := r[0].Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return r
}

// checkChains fails t unless s's n decisions form that many supersession
// chains as chains says: as many heads and roots, and every other decision
// superseded exactly once.
func checkChains(t *testing.T, s *Store, chains, n int) {
	t.Helper()
	var heads, roots, links, distinct int
	if err := s.pool.QueryRow(t.Context(), `SELECT
		count(*) FILTER (WHERE superseded_by IS NULL),
		count(*) FILTER (WHERE supersedes IS NULL),
		count(supersedes), count(DISTINCT supersedes) FROM decisions`).Scan(&heads, &roots, &links, &distinct); err != nil {
		t.Fatal(err)
	}
	if heads != chains || roots != chains || links != n-chains || distinct != n-chains {
		t.Errorf("%d heads, %d roots, %d links (%d distinct); want %d, %d, %d, %d",
			heads, roots, links, distinct, chains, chains, n-chains, n-chains)
	}
}

func TestReplicasDuplicateWebhookOneDecision(t *testing.T) {
	r := replicas(t)
	const n = 40
	sent := make([]gate.Decision, n)
	for i := range sent {
		sent[i] = storetest.NewDecision("client-a", "msg_1", "OSS-1")
	}
	stored := make([]gate.Decision, n)
	created := make([]bool, n)
	errs := make([]error, n)
	storetest.Together(n, func(i int) {
		stored[i], created[i], errs[i] = r[i%2].RecordDecision(t.Context(), sent[i])
	})
	winner := ""
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d (replica %d): %v", i, i%2, errs[i])
		}
		if created[i] {
			if winner != "" {
				t.Errorf("call %d created a decision, but %s was created too", i, winner)
			}
			winner = sent[i].ID
		}
	}
	for i := range n {
		if stored[i].ID != winner {
			t.Errorf("call %d (replica %d) returned %s, want the one created, %s", i, i%2, stored[i].ID, winner)
		}
	}
	var count int
	if err := r[0].pool.QueryRow(t.Context(), `SELECT count(*) FROM decisions`).Scan(&count); err != nil || count != 1 {
		t.Errorf("decisions holds %d rows (%v), want 1", count, err)
	}
}

func TestReplicasResubmissionsFormOneChain(t *testing.T) {
	r := replicas(t)
	const n = 30
	errs := make([]error, n)
	storetest.Together(n, func(i int) {
		_, _, errs[i] = r[i%2].RecordDecision(t.Context(),
			storetest.NewDecision("client-a", fmt.Sprintf("msg_%d", i), "OSS-1"))
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("call %d (replica %d): %v", i, i%2, err)
		}
	}
	// One head, one root, and every other decision superseded exactly once.
	checkChains(t, r[1], 1, n)
}

func TestReplicasCloseReviewOneWinner(t *testing.T) {
	r := replicas(t)
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	d.Review = &gate.Review{State: gate.ReviewOpen}
	if _, _, err := r[0].RecordDecision(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	const n = 20
	nexts := make([]gate.Decision, n)
	errs := make([]error, n)
	for i := range nexts {
		nexts[i] = storetest.NewDecision("client-a", "", "OSS-1")
	}
	storetest.Together(n, func(i int) {
		rv := gate.Review{State: gate.ReviewClosed, Action: gate.ActionOverride, Note: "Data BPJS sudah diperbarui.",
			By: fmt.Sprintf("reviewer-%d", i), At: time.Now()}
		cb := gate.Callback{DecisionID: nexts[i].ID, ClientID: "client-a", URL: "https://licensing.example/hooks",
			NextAttempt: time.Now()}
		errs[i] = r[i%2].CloseReview(t.Context(), d.ID, rv, &nexts[i], []gate.Callback{cb})
	})
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("reviews %d and %d both won", winner, i)
		case err == nil:
			winner = i
		case gate.CodeOf(err) != gate.CodeAlreadyReviewed:
			t.Errorf("review %d (replica %d): %v, want %s", i, i%2, err, gate.CodeAlreadyReviewed)
		}
	}
	if winner < 0 {
		t.Fatal("no review won")
	}
	got, err := r[1].Decision(t.Context(), d.ID)
	if err != nil || got.Review == nil || got.Review.By != fmt.Sprintf("reviewer-%d", winner) {
		t.Errorf("Review = %+v (%v), want the winner's, reviewer-%d", got.Review, err, winner)
	}
	var decisions, callbacks, actions int
	if err := r[0].pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM decisions),
		(SELECT count(*) FROM callbacks), (SELECT count(*) FROM review_actions)`).
		Scan(&decisions, &callbacks, &actions); err != nil {
		t.Fatal(err)
	}
	if decisions != 2 || callbacks != 1 || actions != 1 {
		t.Errorf("%d decisions, %d callbacks, %d review actions; want 2, 1, 1", decisions, callbacks, actions)
	}
}

func TestReplicasClaimCallbacksDisjoint(t *testing.T) {
	r := replicas(t)
	ctx := t.Context()
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	prev := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	if _, _, err := r[0].RecordDecision(ctx, prev); err != nil {
		t.Fatal(err)
	}
	const total = 60
	d := storetest.NewDecision("client-a", "", "OSS-1")
	cbs := make([]gate.Callback, total)
	for i := range cbs {
		cbs[i] = gate.Callback{DecisionID: d.ID, ClientID: "client-a", NextAttempt: now,
			URL: fmt.Sprintf("https://licensing.example/hooks/%d", i)}
	}
	if err := r[0].RecordSuperseding(ctx, prev.ID, d, cbs); err != nil {
		t.Fatal(err)
	}

	const claimers = 12
	var mu sync.Mutex
	claimed := map[string]int{}
	storetest.Together(claimers, func(i int) {
		for {
			got, err := r[i%2].ClaimCallbacks(ctx, now, time.Minute, 3)
			if err != nil {
				t.Errorf("claimer %d (replica %d): %v", i, i%2, err)
				return
			}
			if len(got) == 0 {
				return
			}
			mu.Lock()
			for _, c := range got {
				claimed[c.URL]++
			}
			mu.Unlock()
		}
	})
	if len(claimed) != total {
		t.Errorf("claimers got %d distinct callbacks, want all %d", len(claimed), total)
	}
	for u, n := range claimed {
		if n != 1 {
			t.Errorf("%s claimed %d times while leased, want once", u, n)
		}
	}
	if n, err := r[1].PendingCallbacks(ctx); err != nil || n != total {
		t.Errorf("PendingCallbacks = %d, %v; want the %d leased", n, err, total)
	}
	// The leases end: everything is claimable again, by either replica.
	again, err := r[1].ClaimCallbacks(ctx, now.Add(time.Minute), time.Minute, total)
	if err != nil || len(again) != total {
		t.Errorf("after the leases ended: %d callbacks (%v), want %d", len(again), err, total)
	}
}
