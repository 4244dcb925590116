package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// recheckCounter is what the recheck backlog gauge needs from a store.
type recheckCounter interface {
	DueRechecks(ctx context.Context, now time.Time) (int, error)
}

// testDueRechecks: the backlog counts the rechecks due at a time, leased or
// not, and not those waiting for a later attempt or done.
func testDueRechecks(t *testing.T, s PeopleStore) {
	c, ok := s.(recheckCounter)
	if !ok {
		t.Skip("the store cannot count its due rechecks")
	}
	minute := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	var ids []string
	for i := range 3 {
		d := decisionFor(fmt.Sprintf("OSS-due-%d", i), "1275", gate.OutcomeReview)
		d.RecheckAt = minute(i)
		ids = append(ids, mustRecord(t, s, d).ID)
	}
	due := func(at time.Time, want int) {
		t.Helper()
		if n, err := c.DueRechecks(t.Context(), at); err != nil || n != want {
			t.Errorf("DueRechecks(%v) = %d, %v; want %d", at.Sub(t0), n, err, want)
		}
	}
	due(minute(0), 1)
	due(minute(1), 2)
	claimRechecks(t, s, minute(1), time.Minute, 10) // leased: still due
	due(minute(1), 2)
	if err := s.FinishRecheck(t.Context(), ids[0], 1, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRecheck(t.Context(), ids[1], 1, minute(30)); err != nil {
		t.Fatal(err)
	}
	due(minute(2), 1)
}
