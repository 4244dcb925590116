package cache

import (
	"time"

	"github.com/sony/gobreaker/v2"
)

// The breaker states BreakerStates reports.
const (
	stateClosed   = "closed"
	stateHalfOpen = "half_open"
	stateOpen     = "open"
)

// BreakerStates returns the state of the circuit breaker of each BPJS
// endpoint ("employer", "participant"): "closed", "half_open" or "open".
// With a breaker store the shared state is read, as a lookup would (this
// process's own state while the store fails), so it may wait for the store
// up to its timeout.
func (r *Registry) BreakerStates() map[string]string {
	return map[string]string{
		r.employers.name:    stateName(r.employers.breaker.state()),
		r.participants.name: stateName(r.participants.breaker.state()),
	}
}

// state is the breaker's current state, read where allow reads it.
func (b *breaker) state() gobreaker.State {
	if d := b.shared.Load(); d != nil && time.Now().UnixNano() >= b.storeDownUntil.Load() {
		b.mu.Lock()
		st, err := d.State()
		b.mu.Unlock()
		if err == nil {
			return st
		}
		b.storeFailed(err)
	}
	return b.local.State()
}

func stateName(s gobreaker.State) string {
	switch s {
	case gobreaker.StateHalfOpen:
		return stateHalfOpen
	case gobreaker.StateOpen:
		return stateOpen
	default:
		return stateClosed
	}
}
