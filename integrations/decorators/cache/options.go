package cache

import (
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/jkngate/jkngate/gate"
)

// Options configures a Registry. The zero value of every field means its
// default, so Options{} is a working process-only cache.
type Options struct {
	// LocalSize bounds each process-tier cache (one for employers, one for
	// participants), in entries. Default 100000.
	LocalSize int
	// Shared is the tier shared between replicas (Redis); nil keeps the
	// cache in this process only.
	Shared Tier
	// Keys names and seals the shared tier's entries; required with
	// Shared, so that no NIK, and no cached fact in plain text, reaches it.
	Keys *Keys
	// TierTimeout bounds every shared-tier operation, so that a sick shared
	// tier slows a lookup by at most this much. Default 300ms.
	TierTimeout time.Duration

	// Fresh is how long a positive answer (Found) is served as "cache".
	// Default 6h.
	Fresh time.Duration
	// Negative is how long a "not registered" answer is kept. Past it the
	// answer is dropped, never served as stale: a business told to register
	// must see its new registration count soon. Default 15m.
	Negative time.Duration
	// MaxDataAge is the policy's max_data_age: positive entries older than
	// this are never used. Default 72h.
	MaxDataAge time.Duration

	// CallTimeout bounds each call to BPJS. Default 2s.
	CallTimeout time.Duration
	// Rate is the number of calls per second allowed toward BPJS, and Burst
	// how many may go at once after a quiet spell. Defaults 50 and Rate
	// rounded up.
	Rate  float64
	Burst int
	// MaxInFlight caps concurrent calls toward BPJS. Default 32.
	MaxInFlight int

	// BreakerFailures is how many failed calls within BreakerWindow trip a
	// breaker, provided they are at least BreakerFailureRatio of the
	// finished calls in that window. Defaults 5, 60s and 0.5.
	BreakerFailures     int
	BreakerWindow       time.Duration
	BreakerFailureRatio float64
	// BreakerOpenTimeout is how long a tripped breaker fails lookups fast
	// before letting probes through. Default 30s.
	BreakerOpenTimeout time.Duration
	// BreakerHalfOpenRequests is how many probes may run while half-open;
	// that many consecutive successes close the breaker. Default 3.
	BreakerHalfOpenRequests int
	// BreakerStore shares breaker state between replicas; nil keeps the
	// breakers local to this process.
	BreakerStore gobreaker.SharedDataStore

	// Metrics, when set, gets the cache's collectors registered on it.
	Metrics prometheus.Registerer
	// Now is the clock used to age entries; the system clock when nil. Rate
	// limiting, the breakers and timeouts always use the runtime's clock
	// (time.Now and timers; fake inside a testing/synctest bubble), because
	// golang.org/x/time/rate, gobreaker and context deadlines do.
	Now gate.Clock
	// Logger gets shared-tier and breaker-store trouble, rate-limited;
	// nothing is logged when nil.
	Logger *slog.Logger
}

// withDefaults returns o with every zero field set to its default, or a
// KindInvalid error ("invalid_cache_options") naming a field that makes no
// sense.
func (o Options) withDefaults() (Options, error) {
	setDur := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	if o.LocalSize == 0 {
		o.LocalSize = 100_000
	}
	setDur(&o.TierTimeout, 300*time.Millisecond)
	setDur(&o.Fresh, 6*time.Hour)
	setDur(&o.Negative, 15*time.Minute)
	setDur(&o.MaxDataAge, 72*time.Hour)
	setDur(&o.CallTimeout, 2*time.Second)
	if o.Rate == 0 {
		o.Rate = 50
	}
	if o.Burst == 0 {
		o.Burst = int(math.Ceil(o.Rate))
	}
	if o.MaxInFlight == 0 {
		o.MaxInFlight = 32
	}
	if o.BreakerFailures == 0 {
		o.BreakerFailures = 5
	}
	setDur(&o.BreakerWindow, 60*time.Second)
	if o.BreakerFailureRatio == 0 {
		o.BreakerFailureRatio = 0.5
	}
	setDur(&o.BreakerOpenTimeout, 30*time.Second)
	if o.BreakerHalfOpenRequests == 0 {
		o.BreakerHalfOpenRequests = 3
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}

	bad := func(field, format string, args ...any) (Options, error) {
		return o, gate.Errorf(gate.KindInvalid, codeInvalidOptions, "%s %s", field, fmt.Sprintf(format, args...))
	}
	switch {
	case o.Shared != nil && o.Keys == nil:
		return bad("Keys", "are required with a shared tier")
	case o.LocalSize < 0:
		return bad("LocalSize", "must be positive")
	case o.TierTimeout < 0, o.Fresh < 0, o.Negative < 0, o.MaxDataAge < 0, o.CallTimeout < 0,
		o.BreakerWindow < 0, o.BreakerOpenTimeout < 0:
		return bad("durations", "must be positive")
	case o.Fresh > o.MaxDataAge:
		return bad("Fresh", "(%v) must not exceed MaxDataAge (%v)", o.Fresh, o.MaxDataAge)
	case o.Negative > o.MaxDataAge:
		return bad("Negative", "(%v) must not exceed MaxDataAge (%v)", o.Negative, o.MaxDataAge)
	case !(o.Rate > 0) || o.Burst < 1:
		return bad("Rate and Burst", "must be positive")
	case o.MaxInFlight < 1:
		return bad("MaxInFlight", "must be positive")
	case o.BreakerFailures < 1, o.BreakerHalfOpenRequests < 1:
		return bad("BreakerFailures and BreakerHalfOpenRequests", "must be positive")
	case !(o.BreakerFailureRatio > 0 && o.BreakerFailureRatio <= 1):
		return bad("BreakerFailureRatio", "must be in (0, 1]")
	}
	return o, nil
}
