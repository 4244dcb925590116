package sqlite

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

func TestPendingCallbacks(t *testing.T) {
	s, _ := openTemp(t)
	ctx := t.Context()
	pending := func(want int) {
		t.Helper()
		if n, err := s.PendingCallbacks(ctx); err != nil || n != want {
			t.Fatalf("PendingCallbacks = %d, %v; want %d", n, err, want)
		}
	}
	pending(0)
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	if _, _, err := s.RecordDecision(ctx, d); err != nil {
		t.Fatal(err)
	}
	next := storetest.NewDecision("client-a", "", "OSS-1")
	now := time.Now()
	cbs := make([]gate.Callback, 3)
	for i := range cbs {
		cbs[i] = gate.Callback{DecisionID: next.ID, ClientID: "client-a", NextAttempt: now,
			URL: fmt.Sprintf("https://licensing.example/hooks/%d", i)}
	}
	if err := s.RecordSuperseding(ctx, d.ID, next, cbs); err != nil {
		t.Fatal(err)
	}
	pending(3)
	claimed, err := s.ClaimCallbacks(ctx, now.Add(time.Second), time.Minute, 2)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("ClaimCallbacks: %d, %v", len(claimed), err)
	}
	pending(3) // leased callbacks are still pending
	claimed[0].State, claimed[1].State = gate.CallbackDelivered, gate.CallbackFailed
	for _, c := range claimed {
		if err := s.FinishCallback(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	pending(1)

	s.Close()
	if _, err := s.PendingCallbacks(ctx); !errors.Is(err, gate.ErrUnavailable) {
		t.Errorf("PendingCallbacks on a closed store: %v, want KindUnavailable", err)
	}
}
