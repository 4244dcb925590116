package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jkngate/jkngate/gate"
)

// fakeInner is a hand-written inner registry. It counts calls and can be
// told to fail, or to block until released.
type fakeInner struct {
	employerCalls, participantCalls atomic.Int64
	started                         chan struct{} // gets a value as each call starts, when not nil

	mu      sync.Mutex
	err     error         // returned by every call when set
	block   chan struct{} // calls wait until it is closed, when not nil
	missing bool          // answer Found false
}

func (f *fakeInner) setErr(err error) { f.mu.Lock(); f.err = err; f.mu.Unlock() }

func (f *fakeInner) setMissing(m bool) { f.mu.Lock(); f.missing = m; f.mu.Unlock() }

// hold makes calls block until the returned function is called.
func (f *fakeInner) hold() (release func()) {
	c := make(chan struct{})
	f.mu.Lock()
	f.block = c
	f.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(c) }) }
}

func (f *fakeInner) answer(ctx context.Context) (found bool, err error) {
	if f.started != nil {
		f.started <- struct{}{}
	}
	f.mu.Lock()
	block := f.block
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return false, gate.Errorf(gate.KindUnavailable, "bpjs_timeout", "fake: %w", ctx.Err())
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.missing, f.err
}

func (f *fakeInner) Employer(ctx context.Context, nib string) (gate.EmployerLookup, error) {
	f.employerCalls.Add(1)
	found, err := f.answer(ctx)
	if err != nil || !found {
		return gate.EmployerLookup{Fetch: gate.Fetch{Source: gate.SourceLive}}, err
	}
	return gate.EmployerLookup{Found: true, Employer: testEmployer(nib), Fetch: gate.Fetch{Source: gate.SourceLive}}, nil
}

func (f *fakeInner) Participant(ctx context.Context, nik string) (gate.ParticipantLookup, error) {
	f.participantCalls.Add(1)
	found, err := f.answer(ctx)
	if err != nil || !found {
		return gate.ParticipantLookup{Fetch: gate.Fetch{Source: gate.SourceLive}}, err
	}
	return gate.ParticipantLookup{Found: true, Participant: testParticipant(nik), Fetch: gate.Fetch{Source: gate.SourceLive}}, nil
}

func testEmployer(nib string) gate.Employer {
	return gate.Employer{Code: "00123456", NIB: nib, NPWP: "0012345678901234", Name: "PT CONTOH MAJU",
		Status: gate.EmployerActive, StatusText: "AKTIF", RegisteredWorkers: 52, ActiveWorkers: 40,
		ArrearsMonths: 2, ArrearsAmount: 12_500_000, LastPaidPeriod: "2026-09", DataDate: "2026-11-20"}
}

func testParticipant(nik string) gate.Participant {
	return gate.Participant{NIK: nik, CardNumber: "0000000000001", Name: "CONTOH PESERTA",
		Status: gate.ParticipantActive, StatusText: "AKTIF", Segment: "13", SegmentText: "PEGAWAI SWASTA"}
}

var errBPJSDown = gate.Errorf(gate.KindUnavailable, "bpjs_http_503", "fake: BPJS answered 503")

// clock is an injectable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// mapTier is a hand-written shared tier for unit tests; the Redis tier is
// tested against a real server in integrations/redis.
type mapTier struct {
	mu   sync.Mutex
	m    map[string][]byte
	sets int
}

func newMapTier() *mapTier { return &mapTier{m: map[string][]byte{}} }

func (t *mapTier) Get(_ context.Context, key string) ([]byte, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, ok := t.m[key]
	return v, ok, nil
}

func (t *mapTier) Set(_ context.Context, key string, val []byte, _ time.Duration) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[key] = val
	t.sets++
	return nil
}

func (t *mapTier) Delete(_ context.Context, keys ...string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.m, k)
	}
	return nil
}

// newTestRegistry wraps inner with opts, a fresh metrics registry and, when
// clk is not nil, the injectable clock.
func newTestRegistry(t testing.TB, inner gate.Registry, clk *clock, opts Options) (*Registry, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	opts.Metrics = reg
	if clk != nil {
		opts.Now = clk.Now
	}
	if opts.Shared != nil && opts.Keys == nil {
		opts.Keys = testKeys(t)
	}
	r, err := New(inner, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(r.wait)
	return r, reg
}

// testKey is a fixed cache key, so that tests can name shared-tier entries.
var testKey = []byte("0123456789abcdef0123456789abcdef")

func testKeys(t testing.TB, previous ...[]byte) *Keys {
	t.Helper()
	k, err := NewKeys(testKey, previous...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// sharedName is the shared-tier name of an entry under testKey.
func sharedName(t testing.TB, kind, id string) string {
	t.Helper()
	return testKeys(t).Name(kind, id)
}

// metricValue returns the value of the counter or gauge name with exactly
// the given labels, or 0 when it has not been touched.
func metricValue(t testing.TB, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatalf("gather: %v", err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue next
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}

// wantCode fails unless err is a *gate.Error of kind and code.
func wantCode(t testing.TB, err error, kind gate.Kind, code string) {
	t.Helper()
	var ge *gate.Error
	if !errors.As(err, &ge) || ge.Kind != kind || ge.Code != code {
		t.Fatalf("err = %v, want %v error with code %q", err, kind, code)
	}
}

const (
	testNIB = "9120001234567"
	testNIK = "1275014101900001"
)
