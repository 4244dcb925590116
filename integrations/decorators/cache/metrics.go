package cache

import (
	"cmp"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/jkngate/jkngate/integrations/support/promreg"
)

// The lookup results counted in jkngate_lookups_total.
const (
	resultHitFresh    = "hit_fresh"
	resultHitStale    = "hit_stale"
	resultMiss        = "miss"
	resultCoalesced   = "coalesced"
	resultUnavailable = "unavailable"
)

// The outcomes counted in jkngate_bpjs_calls_total. The last three are
// calls the cache refused to make.
const (
	outcomeFound       = "found"
	outcomeNotFound    = "not_found"
	outcomeError       = "error"
	outcomeTimeout     = "timeout"
	outcomeCircuitOpen = "circuit_open"
	outcomeRateLimited = "rate_limited"
	outcomeBusy        = "busy"
)

// Operations counted in jkngate_redis_errors_total.
const (
	opGet     = "get"
	opSet     = "set"
	opDelete  = "delete"
	opDecode  = "decode"
	opBreaker = "breaker"
)

type metrics struct {
	lookups      *prometheus.CounterVec
	bpjsCalls    *prometheus.CounterVec
	bpjsDuration *prometheus.HistogramVec
	breakerState *prometheus.GaugeVec
	redisErrors  *prometheus.CounterVec
}

// kindMetrics holds the children a lookup touches, resolved once so that a
// cache hit does no label hashing and allocates nothing.
type kindMetrics struct {
	hitFresh, hitStale, miss, coalesced, unavailable prometheus.Counter
}

// newMetrics builds the collectors and registers them on reg when it is not
// nil. A collector already registered there (another Registry in the same
// process) is shared rather than rejected.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jkngate_lookups_total",
			Help: "Registry lookups by kind (employer, participant) and result.",
		}, []string{"kind", "result"}),
		bpjsCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jkngate_bpjs_calls_total",
			Help: "Calls toward BPJS by endpoint and outcome, including calls refused by the breaker, rate limiter or in-flight cap.",
		}, []string{"endpoint", "outcome"}),
		bpjsDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "jkngate_bpjs_call_duration_seconds",
			Help:    "Duration of calls made to BPJS.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2, 5},
		}, []string{"endpoint"}),
		breakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "jkngate_breaker_state",
			Help: "BPJS circuit breaker state by endpoint: 0 closed, 1 half-open, 2 open.",
		}, []string{"endpoint"}),
		redisErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jkngate_redis_errors_total",
			Help: "Shared-tier (Redis) errors by operation; lookups carried on without the shared tier.",
		}, []string{"op"}),
	}
	if reg == nil {
		return m, nil
	}
	var errLookups, errCalls, errDuration, errBreaker, errRedis error
	m.lookups, errLookups = promreg.Register(reg, m.lookups)
	m.bpjsCalls, errCalls = promreg.Register(reg, m.bpjsCalls)
	m.bpjsDuration, errDuration = promreg.Register(reg, m.bpjsDuration)
	m.breakerState, errBreaker = promreg.Register(reg, m.breakerState)
	m.redisErrors, errRedis = promreg.Register(reg, m.redisErrors)
	return m, cmp.Or(errLookups, errCalls, errDuration, errBreaker, errRedis)
}

func (m *metrics) forKind(kind string) kindMetrics {
	return kindMetrics{
		hitFresh:    m.lookups.WithLabelValues(kind, resultHitFresh),
		hitStale:    m.lookups.WithLabelValues(kind, resultHitStale),
		miss:        m.lookups.WithLabelValues(kind, resultMiss),
		coalesced:   m.lookups.WithLabelValues(kind, resultCoalesced),
		unavailable: m.lookups.WithLabelValues(kind, resultUnavailable),
	}
}

func stateValue(s gobreaker.State) float64 {
	switch s {
	case gobreaker.StateHalfOpen:
		return 1
	case gobreaker.StateOpen:
		return 2
	default:
		return 0
	}
}
