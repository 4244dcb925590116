package main

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// defaultGCPercent is the garbage collector's target (GOGC) that serve
// keeps at least, unless GOGC is set. The gate's live heap is a few
// megabytes (its caches of BPJS answers included) and each decision
// allocates some tens of kilobytes, so at Go's default of 100 the collector
// ran every 70-90 ms under load, its marking alone some 15% of the server's
// CPU. At 400 it runs a quarter as often: about 60 µs less server CPU per
// decision (of about 320) in the side-by-side run.
const defaultGCPercent = 400

// gcHeapFloor is the heap the collector lets the gate reach before it runs,
// however small the live heap: while the live heap is under a fifth of it,
// the target is raised so that the heap grows to gcHeapFloor between
// collections (4 MB live: GOGC 1500). A small heap gains nothing from being
// collected often; a live heap above gcHeapFloor/5 (the cache filling) is
// collected at defaultGCPercent, so memory stays about five times the live
// heap, as before.
const gcHeapFloor = 64 << 20

// gcPercentFor is the target for a live heap of live bytes: the larger of
// defaultGCPercent and the percent that puts the heap goal at gcHeapFloor.
func gcPercentFor(live uint64) int {
	if live == 0 {
		return defaultGCPercent
	}
	return max(defaultGCPercent, int(gcHeapFloor*100/live)-100)
}

// tuneGC keeps the collector's target at gcPercentFor the live heap, set
// again after every collection, unless GOGC is set (an operator's GOGC rules;
// so does a GOMEMLIMIT, which caps the heap whatever the target). It returns
// a function that stops the tuning, for tests.
func tuneGC(lookupEnv func(string) (string, bool)) (stop func()) {
	if _, set := lookupEnv("GOGC"); set {
		return func() {}
	}
	t := &gcTuner{sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	t.adjust()
	t.arm()
	return func() { t.stopped.Store(true) }
}

// gcTuner sets the target after each collection. It learns of one from a
// finalizer: the runtime runs it once the object it is set on has been
// found unreachable, that is after the next collection; it then arms a new
// one.
type gcTuner struct {
	sample  []metrics.Sample // touched by the finalizer goroutine only
	percent int
	stopped atomic.Bool
}

// gcSentinel is the object whose finalizer reports a collection. It holds a
// pointer, so that it is never packed with other small objects (a tiny
// allocation may be kept alive by its neighbours).
type gcSentinel struct{ t *gcTuner }

func (t *gcTuner) arm() {
	runtime.SetFinalizer(&gcSentinel{t: t}, func(s *gcSentinel) {
		if s.t.stopped.Load() {
			return
		}
		s.t.adjust()
		s.t.arm()
	})
}

func (t *gcTuner) adjust() {
	metrics.Read(t.sample)
	var live uint64
	if t.sample[0].Value.Kind() == metrics.KindUint64 {
		live = t.sample[0].Value.Uint64()
	}
	if p := gcPercentFor(live); p != t.percent {
		debug.SetGCPercent(p)
		t.percent = p
	}
}
