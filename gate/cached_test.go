package gate

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
)

// cachedRegistry is a fakeRegistry that also answers from a cache: the
// keys in held (NIBs and NIKs), without counting a call.
type cachedRegistry struct {
	*fakeRegistry
	held        map[string]bool
	cachedCalls atomic.Int64
}

func (r *cachedRegistry) LookUpCached(nib string, workers []WorkerFinding) (EmployerLookup, bool) {
	r.cachedCalls.Add(1)
	if !r.held[nib] {
		return EmployerLookup{}, false
	}
	for i, w := range workers {
		if !r.held[w.NIK] {
			return EmployerLookup{}, false
		}
		workers[i].Lookup = r.participants[w.NIK]
	}
	return r.employers[nib], true
}

// countingStore counts the replay checks.
type countingStore struct {
	*memStore
	replayChecks atomic.Int64
}

func (s *countingStore) DecisionForWebhook(ctx context.Context, client, webhook string) (Decision, error) {
	s.replayChecks.Add(1)
	return s.memStore.DecisionForWebhook(ctx, client, webhook)
}

// newCachedService is newService with everything the application looks up
// held in the registry's cache, and the replay checks counted.
func newCachedService(t *testing.T, workers int) (*Service, *cachedRegistry, *countingStore, Application) {
	t.Helper()
	svc, reg, st, a := newService(t, workers)
	cr := &cachedRegistry{fakeRegistry: reg, held: map[string]bool{a.NIB: true}}
	for _, w := range a.Workers {
		cr.held[w.NIK] = true
	}
	cs := &countingStore{memStore: st}
	svc.Registry, svc.Store = cr, cs
	return svc, cr, cs, a
}

type onDecision struct {
	ids     []string
	created []bool
}

func (o *onDecision) hook(d Decision, created bool) {
	o.ids, o.created = append(o.ids, d.ID), append(o.created, created)
}

// TestSubmitFromCacheSkipsReplayCheck: with every lookup cached, Submit
// neither checks for a replay first nor calls BPJS, and a replay still gets
// the first decision, unchanged, told to OnDecision as not created.
func TestSubmitFromCacheSkipsReplayCheck(t *testing.T) {
	svc, reg, st, a := newCachedService(t, 3)
	var seen onDecision
	svc.OnDecision = seen.hook
	ctx := context.Background()
	d1, err := svc.Submit(ctx, "oss", "msg_1", a)
	if err != nil || d1.Outcome != OutcomeAllow {
		t.Fatalf("Submit = %v, %v", codes(d1), err)
	}
	if d1.Evidence.WorkersChecked != 3 {
		t.Errorf("evidence = %+v, want 3 workers checked", d1.Evidence)
	}
	d2, err := svc.Submit(ctx, "oss", "msg_1", a)
	if err != nil || !reflect.DeepEqual(d1, d2) {
		t.Fatalf("replay gave %+v, %v; want the first decision %+v", d2, err, d1)
	}
	if n := st.replayChecks.Load(); n != 0 {
		t.Errorf("%d replay checks, want none", n)
	}
	if n := reg.calls.Load(); n != 0 {
		t.Errorf("%d BPJS lookups, want none", n)
	}
	if n := reg.cachedCalls.Load(); n != 2 {
		t.Errorf("%d cached lookups, want 2", n)
	}
	if want := []bool{true, false}; !reflect.DeepEqual(seen.created, want) || seen.ids[0] != seen.ids[1] {
		t.Errorf("OnDecision told %v %v, want one decision created then replayed", seen.ids, seen.created)
	}
	if len(st.decisions) != 1 {
		t.Errorf("%d decisions recorded, want 1", len(st.decisions))
	}
}

// TestSubmitCacheMissChecksReplayFirst: one worker not cached means BPJS
// may be called, so the replay check comes first and a replay calls
// nothing.
func TestSubmitCacheMissChecksReplayFirst(t *testing.T) {
	svc, reg, st, a := newCachedService(t, 3)
	delete(reg.held, a.Workers[1].NIK)
	ctx := context.Background()
	d1, err := svc.Submit(ctx, "oss", "msg_1", a)
	if err != nil || d1.Outcome != OutcomeAllow {
		t.Fatalf("Submit = %v, %v", codes(d1), err)
	}
	if n := st.replayChecks.Load(); n != 1 {
		t.Errorf("%d replay checks, want 1", n)
	}
	if n := reg.calls.Load(); n != 4 {
		t.Errorf("%d BPJS lookups, want the employer and 3 workers", n)
	}
	d2, err := svc.Submit(ctx, "oss", "msg_1", a)
	if err != nil || !reflect.DeepEqual(d1, d2) {
		t.Fatalf("replay gave %+v, %v; want the first decision", d2, err)
	}
	if n := reg.calls.Load(); n != 4 {
		t.Errorf("a replayed webhook looked BPJS up again (%d lookups)", n)
	}

	// The employer not cached: the same.
	reg.held[a.Workers[1].NIK] = true
	delete(reg.held, a.NIB)
	if _, err := svc.Submit(ctx, "oss", "msg_2", a); err != nil {
		t.Fatal(err)
	}
	if n := st.replayChecks.Load(); n != 3 {
		t.Errorf("%d replay checks, want 3", n)
	}
}

// TestSubmitWithoutLookupsSkipsReplayCheck: an ungated permit or an exempt
// scale makes no lookups, so needs no replay check, whatever the registry.
func TestSubmitWithoutLookupsSkipsReplayCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Service, *Application)
		want   ReasonCode
	}{
		{"ungated", func(_ *Service, a *Application) { a.PermitType = PermitOther }, ReasonPermitNotGated},
		{"exempt", func(s *Service, a *Application) {
			s.Policy.ExemptBusinessScales = []string{"mikro"}
			a.BusinessScale = "mikro"
		}, ReasonScaleExempt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, reg, st, a := newService(t, 2)
			cs := &countingStore{memStore: st}
			svc.Store = cs
			tc.change(svc, &a)
			d1, err := svc.Submit(context.Background(), "oss", "msg_1", a)
			if err != nil || d1.Reasons[0].Code != tc.want {
				t.Fatalf("Submit = %v, %v; want %s", codes(d1), err, tc.want)
			}
			d2, err := svc.Submit(context.Background(), "oss", "msg_1", a)
			if err != nil || !reflect.DeepEqual(d1, d2) {
				t.Fatalf("replay gave %+v, %v; want the first decision", d2, err)
			}
			if cs.replayChecks.Load() != 0 || reg.calls.Load() != 0 {
				t.Errorf("replay checks %d, lookups %d; want none", cs.replayChecks.Load(), reg.calls.Load())
			}
		})
	}
}

// TestSubmitInvalidReplayGetsFirstDecision: a replayed delivery is
// answered with its first decision even when its body is now invalid, as
// before the cache path: the replay check still comes first for it.
func TestSubmitInvalidReplayGetsFirstDecision(t *testing.T) {
	svc, _, st, a := newCachedService(t, 2)
	d1, err := svc.Submit(context.Background(), "oss", "msg_1", a)
	if err != nil {
		t.Fatal(err)
	}
	a.NIB = "1"
	d2, err := svc.Submit(context.Background(), "oss", "msg_1", a)
	if err != nil || !reflect.DeepEqual(d1, d2) {
		t.Fatalf("replay with an invalid body gave %+v, %v; want the first decision", d2, err)
	}
	if n := st.replayChecks.Load(); n != 1 {
		t.Errorf("%d replay checks, want 1 (for the invalid body)", n)
	}
	if _, err := svc.Submit(context.Background(), "oss", "msg_2", a); CodeOf(err) != "invalid_application" {
		t.Errorf("a new invalid delivery: err = %v, want invalid_application", err)
	}
}

// TestSubmitFromCacheReplayWhenWritesFail: with the replay check skipped, a
// replayed delivery is still answered with its first decision when the
// store can read but not write, as it was before; a new one is not.
func TestSubmitFromCacheReplayWhenWritesFail(t *testing.T) {
	svc, _, st, a := newCachedService(t, 2)
	var seen onDecision
	svc.OnDecision = seen.hook
	d1, err := svc.Submit(context.Background(), "oss", "msg_1", a)
	if err != nil {
		t.Fatal(err)
	}
	st.failWrite = &Error{Kind: KindUnavailable, Code: "db", Message: "disk full"}
	d2, err := svc.Submit(context.Background(), "oss", "msg_1", a)
	if err != nil || !reflect.DeepEqual(d1, d2) {
		t.Fatalf("replay with failing writes gave %+v, %v; want the first decision", d2, err)
	}
	if want := []bool{true, false}; !reflect.DeepEqual(seen.created, want) {
		t.Errorf("OnDecision told created %v, want %v", seen.created, want)
	}
	if _, err := svc.Submit(context.Background(), "oss", "msg_2", a); CodeOf(err) != "store_unavailable" {
		t.Errorf("a new delivery with failing writes: err = %v, want store_unavailable", err)
	}
}
