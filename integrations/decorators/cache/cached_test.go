package cache

import (
	"context"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// TestLookUpCachedAnswersFreshProcessEntriesOnly: LookUpCached answers what
// Employer and Participant would answer from the process tier, counted as
// fresh hits, and misses (counting nothing, calling nothing, refreshing
// nothing) when any key is absent or no longer fresh.
func TestLookUpCachedAnswersFreshProcessEntriesOnly(t *testing.T) {
	clk := newClock()
	inner := &fakeInner{}
	r, reg := newTestRegistry(t, inner, clk, staleOpts)
	ctx := context.Background()
	const otherNIK = "1275014101900002"
	into := []gate.WorkerFinding{{NIK: testNIK}, {NIK: otherNIK}}
	if _, ok := r.LookUpCached(testNIB, into); ok {
		t.Fatal("an empty cache answered")
	}
	if _, err := r.Employer(ctx, testNIB); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Participant(ctx, testNIK); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.LookUpCached(testNIB, into); ok {
		t.Fatal("answered with a NIK not cached")
	}
	if _, err := r.Participant(ctx, otherNIK); err != nil {
		t.Fatal(err)
	}
	fresh := func(kind string) float64 {
		return metricValue(t, reg, "jkngate_lookups_total", "kind", kind, "result", resultHitFresh)
	}
	if fresh("employer") != 0 || fresh("participant") != 0 {
		t.Fatalf("misses counted as hits: %v, %v", fresh("employer"), fresh("participant"))
	}

	clk.Add(time.Minute)
	emp, ok := r.LookUpCached(testNIB, into)
	if !ok {
		t.Fatal("a cache holding every key missed")
	}
	wantEmp, _ := r.Employer(ctx, testNIB)
	if emp != wantEmp {
		t.Errorf("employer = %+v, want %+v as Employer answers", emp, wantEmp)
	}
	for i, nik := range []string{testNIK, otherNIK} {
		want, _ := r.Participant(ctx, nik)
		if into[i].Lookup != want || into[i].Lookup.Participant.NIK != nik {
			t.Errorf("participant %d = %+v, want %+v", i, into[i].Lookup, want)
		}
	}
	// One each by LookUpCached, one each by the comparisons.
	if fresh("employer") != 2 || fresh("participant") != 4 {
		t.Errorf("fresh hits: employer %v, participant %v; want 2 and 4", fresh("employer"), fresh("participant"))
	}

	calls := inner.employerCalls.Load() + inner.participantCalls.Load()
	clk.Add(2 * time.Hour) // past Fresh: stale, which only a real lookup serves
	if _, ok := r.LookUpCached(testNIB, into[:1]); ok {
		t.Fatal("answered with stale entries")
	}
	r.wait()
	if n := inner.employerCalls.Load() + inner.participantCalls.Load(); n != calls {
		t.Errorf("a cached lookup called BPJS (%d calls, want %d)", n, calls)
	}
}
