package gate

import (
	"testing"
	"time"
)

func TestWhatIfLimiter(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	l := newWhatIfLimiter(WhatIfLimits{PerMinute: 6, Burst: 2, NIKsPerMinute: 60})
	steps := []struct {
		name    string
		subject string
		at      time.Duration
		niks    int
		wait    time.Duration
	}{
		{"burst 1", "a", 0, 10, 0},
		{"burst 2", "a", 0, 10, 0},
		{"past the burst: one call refills in 10 s", "a", 0, 0, 10 * time.Second},
		{"another person has a bucket of their own", "b", 0, 0, 0},
		{"refused calls spend nothing", "a", 10 * time.Second, 10, 0},
		{"NIKs refill to the cap of 60", "a", 30 * time.Second, 30, 0},
		{"30 left, 40 needs 10 s more", "a", 30 * time.Second, 40, 10 * time.Second},
		{"after the wait", "a", 40 * time.Second, 40, 0},
		{"a quiet hour refills to the cap, not beyond", "a", time.Hour, 60, 0},
		{"the cap is spent", "a", time.Hour, 1, time.Second},
	}
	for _, s := range steps {
		if got := l.take(s.subject, t0.Add(s.at), s.niks); got != s.wait {
			t.Errorf("%s: wait %s, want %s", s.name, got, s.wait)
		}
	}
}

func TestWhatIfLimiterForgetsIdlePeople(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	l := newWhatIfLimiter(WhatIfLimits{PerMinute: 60, Burst: 1, NIKsPerMinute: 60})
	for i := range maxIdleBuckets {
		l.take(string(rune(i)), t0, 0)
	}
	l.take("busy", t0.Add(time.Second), 0)
	l.take("late", t0.Add(time.Minute), 0) // the others have refilled: dropped
	if len(l.buckets) != 2 {
		t.Errorf("%d buckets kept, want 2 (busy and late)", len(l.buckets))
	}
}

func TestWhatIfChecks(t *testing.T) {
	workers := make([]Worker, 7)
	gated := Application{PermitType: PermitBusinessLicense, Workers: workers}
	notGated := Application{PermitType: PermitOther, Workers: workers}
	for _, tt := range []struct {
		name   string
		sample int
		app    Application
		want   int
	}{
		{"every listed worker", 0, gated, 7},
		{"the policy's sample", 3, gated, 3},
		{"a sample larger than the list", 10, gated, 7},
		{"a permit the policy does not gate looks nobody up", 0, notGated, 0},
	} {
		pol := DefaultPolicy()
		pol.WorkerSampleSize = tt.sample
		p := &People{Gate: &Service{Policy: pol}}
		if got := p.whatIfChecks(tt.app); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

// A region's own policy counts, as Evaluate applies it: a region that
// samples fewer workers, or does not gate the permit, is counted so.
func TestWhatIfChecksFollowTheRegionsPolicy(t *testing.T) {
	workers := make([]Worker, 7)
	pol := DefaultPolicy()
	sampled := DefaultPolicy()
	sampled.WorkerSampleSize = 2
	pol.Regions = map[string]Policy{"3171": sampled}
	p := &People{Gate: &Service{Policy: pol}}
	if got := p.whatIfChecks(Application{RegionCode: "3171", PermitType: PermitBusinessLicense, Workers: workers}); got != 2 {
		t.Errorf("in the sampling region: %d, want 2", got)
	}
	if got := p.whatIfChecks(Application{RegionCode: "3273", PermitType: PermitBusinessLicense, Workers: workers}); got != 7 {
		t.Errorf("elsewhere: %d, want 7", got)
	}
}
