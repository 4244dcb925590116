package gate

import (
	"context"
	"sync"
)

// Error codes with which a Registry says that it did not call BPJS because
// its own limits left no room in time: the call was throttled, BPJS did not
// fail it.
var throttledCodes = map[string]bool{
	CodeBPJSRateLimited:     true,
	CodeBPJSBusy:            true,
	CodeBPJSLookupAbandoned: true,
}

// memoRegistry remembers every answer, and every error, of the Registry it
// wraps, so that the applications of one company rechecked together look
// each NIB and NIK up once. It also notes whether any lookup failed for
// another reason than throttling. It is safe for concurrent use; lookups of
// one key at once may both reach the wrapped Registry, which coalesces them.
type memoRegistry struct {
	inner Registry

	mu           sync.Mutex
	employers    map[string]memoized[EmployerLookup]
	participants map[string]memoized[ParticipantLookup]
	hardFailure  bool
	throttled    bool
}

type memoized[L any] struct {
	lookup L
	err    error
}

func newMemoRegistry(inner Registry) *memoRegistry {
	return &memoRegistry{inner: inner, employers: map[string]memoized[EmployerLookup]{},
		participants: map[string]memoized[ParticipantLookup]{}}
}

// Employer implements Registry.
func (m *memoRegistry) Employer(ctx context.Context, nib string) (EmployerLookup, error) {
	return memo(m, m.employers, nib, func() (EmployerLookup, error) { return m.inner.Employer(ctx, nib) })
}

// Participant implements Registry.
func (m *memoRegistry) Participant(ctx context.Context, nik string) (ParticipantLookup, error) {
	return memo(m, m.participants, nik, func() (ParticipantLookup, error) { return m.inner.Participant(ctx, nik) })
}

func memo[L any](m *memoRegistry, seen map[string]memoized[L], key string, call func() (L, error)) (L, error) {
	m.mu.Lock()
	r, ok := seen[key]
	m.mu.Unlock()
	if ok {
		return r.lookup, r.err
	}
	l, err := call()
	m.mu.Lock()
	defer m.mu.Unlock()
	seen[key] = memoized[L]{l, err}
	switch {
	case err == nil, CodeOf(err) == CodeEmployerSourceDisabled:
	case throttledCodes[CodeOf(err)]:
		m.throttled = true
	default:
		m.hardFailure = true
	}
	return l, err
}

// onlyThrottled reports whether lookups failed, and only because they were
// throttled: none failed for another reason (BPJS down, a timeout, an open
// circuit breaker).
func (m *memoRegistry) onlyThrottled() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.throttled && !m.hardFailure
}
