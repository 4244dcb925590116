package cache

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

var staleOpts = Options{Fresh: time.Hour, Negative: 15 * time.Minute, MaxDataAge: 72 * time.Hour}

func TestFreshThenStaleWithOneBackgroundRefresh(t *testing.T) {
	clk := newClock()
	inner := &fakeInner{}
	r, _ := newTestRegistry(t, inner, clk, staleOpts)
	ctx := context.Background()

	first, err := r.Employer(ctx, testNIB)
	if err != nil || first.Fetch.Source != gate.SourceLive || !first.Fetch.AsOf.Equal(clk.Now()) {
		t.Fatalf("first lookup: %+v, %v; want live as of now", first, err)
	}
	fetchedAt := clk.Now()
	clk.Add(30 * time.Minute)
	if got, _ := r.Employer(ctx, testNIB); got.Fetch.Source != gate.SourceCache || !got.Fetch.AsOf.Equal(fetchedAt) {
		t.Fatalf("within Fresh: %+v; want cache as of the fetch", got.Fetch)
	}

	clk.Add(2 * time.Hour) // past Fresh, within MaxDataAge
	release := inner.hold()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			got, err := r.Employer(ctx, testNIB)
			if err != nil || got.Fetch.Source != gate.SourceStale || !got.Fetch.AsOf.Equal(fetchedAt) {
				t.Errorf("stale lookup: %+v, %v; want stale as of %v", got.Fetch, err, fetchedAt)
			}
		})
	}
	wg.Wait()
	release()
	r.wait()
	if n := inner.employerCalls.Load(); n != 2 {
		t.Fatalf("inner calls = %d, want 2: the first fetch and one refresh", n)
	}
	got, err := r.Employer(ctx, testNIB)
	if err != nil || got.Fetch.Source != gate.SourceCache || !got.Fetch.AsOf.Equal(clk.Now()) {
		t.Fatalf("after the refresh: %+v, %v; want cache as of the refresh", got.Fetch, err)
	}
}

func TestStaleIfErrorWithinMaxDataAgeOnly(t *testing.T) {
	clk := newClock()
	inner := &fakeInner{}
	r, _ := newTestRegistry(t, inner, clk, staleOpts)
	ctx := context.Background()
	if _, err := r.Participant(ctx, testNIK); err != nil {
		t.Fatal(err)
	}
	fetchedAt := clk.Now()
	inner.setErr(errBPJSDown)

	clk.Add(71 * time.Hour)
	for i := range 2 { // the failed refresh must leave the entry in place
		got, err := r.Participant(ctx, testNIK)
		if err != nil || !got.Found || got.Fetch.Source != gate.SourceStale || !got.Fetch.AsOf.Equal(fetchedAt) {
			t.Fatalf("lookup %d during the outage: %+v, %v; want stale as of %v", i, got, err, fetchedAt)
		}
		r.wait()
	}

	clk.Add(2 * time.Hour) // beyond MaxDataAge
	_, err := r.Participant(ctx, testNIK)
	wantCode(t, err, gate.KindUnavailable, "bpjs_http_503")
}

func TestNegativeAnswersExpireAfterNegative(t *testing.T) {
	clk := newClock()
	inner := &fakeInner{missing: true}
	r, _ := newTestRegistry(t, inner, clk, staleOpts)
	ctx := context.Background()

	got, err := r.Employer(ctx, testNIB)
	if err != nil || got.Found || got.Fetch.Source != gate.SourceLive {
		t.Fatalf("first lookup: %+v, %v; want a live not-found", got, err)
	}
	clk.Add(10 * time.Minute)
	if got, _ := r.Employer(ctx, testNIB); got.Found || got.Fetch.Source != gate.SourceCache {
		t.Fatalf("within Negative: %+v; want a cached not-found", got)
	}
	if n := inner.employerCalls.Load(); n != 1 {
		t.Fatalf("inner calls = %d, want 1", n)
	}

	// Past Negative the answer is gone, even when BPJS is down: an old
	// "not registered" must not deny anyone.
	clk.Add(10 * time.Minute)
	inner.setErr(errBPJSDown)
	_, err = r.Employer(ctx, testNIB)
	wantCode(t, err, gate.KindUnavailable, "bpjs_http_503")

	inner.setErr(nil)
	inner.setMissing(false)
	if got, err := r.Employer(ctx, testNIB); err != nil || !got.Found || got.Fetch.Source != gate.SourceLive {
		t.Fatalf("after registering: %+v, %v; want a live found", got, err)
	}
	if n := inner.employerCalls.Load(); n != 3 {
		t.Fatalf("inner calls = %d, want 3", n)
	}
}

func TestErrorsAreNeverCached(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"BPJS unavailable", errBPJSDown},
		{"HTML error page", gate.Errorf(gate.KindUnavailable, "bpjs_bad_response", "fake: HTML instead of JSON")},
		{"decryption failure", gate.Errorf(gate.KindUnavailable, "bpjs_decrypt_failed", "fake: bad padding")},
		{"signature rejected", gate.Errorf(gate.KindUnavailable, "bpjs_invalid_signature", "fake: clock drift")},
		{"employer source disabled", gate.Errorf(gate.KindUnavailable, gate.CodeEmployerSourceDisabled, "fake: none")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inner := &fakeInner{err: tt.err}
			tier := newMapTier()
			r, _ := newTestRegistry(t, inner, newClock(), Options{Shared: tier})
			for range 2 {
				_, err := r.Employer(context.Background(), testNIB)
				if gate.KindOf(err) != gate.KindUnavailable {
					t.Fatalf("err = %v, want KindUnavailable", err)
				}
			}
			inner.setErr(nil)
			if got, err := r.Employer(context.Background(), testNIB); err != nil || got.Fetch.Source != gate.SourceLive {
				t.Fatalf("after recovery: %+v, %v; want live", got, err)
			}
			if n := inner.employerCalls.Load(); n != 3 {
				t.Fatalf("inner calls = %d, want 3: every failure goes back to BPJS", n)
			}
			if tier.sets != 1 {
				t.Fatalf("shared tier writes = %d, want 1 (the answer only)", tier.sets)
			}
		})
	}
}

func TestInvalidateEmployerDropsBothTiers(t *testing.T) {
	inner := &fakeInner{}
	tier := newMapTier()
	r, _ := newTestRegistry(t, inner, newClock(), Options{Shared: tier})
	ctx := context.Background()
	other := "1275014101900002"
	for _, nik := range []string{testNIK, other} {
		if _, err := r.Participant(ctx, nik); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Employer(ctx, testNIB); err != nil {
		t.Fatal(err)
	}
	if err := r.InvalidateEmployer(ctx, testNIB, testNIK); err != nil {
		t.Fatalf("InvalidateEmployer: %v", err)
	}
	for _, key := range []string{sharedName(t, "employer", testNIB), sharedName(t, "participant", testNIK)} {
		if _, ok, _ := tier.Get(ctx, key); ok {
			t.Errorf("shared tier still holds %s", key)
		}
	}
	emp, _ := r.Employer(ctx, testNIB)
	par, _ := r.Participant(ctx, testNIK)
	kept, _ := r.Participant(ctx, other)
	if emp.Fetch.Source != gate.SourceLive || par.Fetch.Source != gate.SourceLive || kept.Fetch.Source != gate.SourceCache {
		t.Fatalf("sources after invalidation: employer %s, participant %s, other participant %s; want live, live, cache",
			emp.Fetch.Source, par.Fetch.Source, kept.Fetch.Source)
	}
}
