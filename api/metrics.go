package api

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/support/promreg"
)

// routeUnmatched is the route label of requests no route matched, so that
// raw paths (with NIBs and ids in them) never become label values.
const routeUnmatched = "unmatched"

// verificationFailureCodes are the webhook codes counted in
// jkngate_webhook_verification_failures_total.
var verificationFailureCodes = []string{httperr.CodeMissingSignatureHeaders, httperr.CodeInvalidSignature,
	httperr.CodeTimestampOutOfTolerance, httperr.CodeUnknownClient, httperr.CodePayloadTooLarge}

// httpMetrics are the API's collectors; a nil *httpMetrics records nothing.
type httpMetrics struct {
	requests       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	verifyFailures *prometheus.CounterVec
	routes         map[string]bool // the registered route templates
	// requestChildren and durationChildren are the children of requests
	// and duration already used: WithLabelValues hashes its labels and
	// strconv.Itoa allocates, on every request.
	requestChildren  children[requestLabels, prometheus.Counter]
	durationChildren children[routeMethod, prometheus.Observer]
}

type routeMethod struct{ route, method string }

type requestLabels struct {
	routeMethod
	status int
}

// newHTTPMetrics builds the API's collectors and registers them on reg; it
// returns nil when reg is nil. A collector already registered there (a
// second API in the same process) is shared; any other registration error
// is a programming error and panics, as prometheus.MustRegister does.
func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	if reg == nil {
		return nil
	}
	m := &httpMetrics{
		requests: mustRegister(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jkngate_http_requests_total",
			Help: "HTTP requests by route template, method and status.",
		}, []string{"route", "method", "status"})),
		duration: mustRegister(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "jkngate_http_request_duration_seconds",
			Help:    "Duration of HTTP requests by route template and method.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method"})),
		verifyFailures: mustRegister(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jkngate_webhook_verification_failures_total",
			Help: "Webhook deliveries refused before they were read as applications, by error code.",
		}, []string{"code"})),
	}
	for _, code := range verificationFailureCodes {
		m.verifyFailures.WithLabelValues(code) // export zeros, so rate() works from the start
	}
	return m
}

// observeRequests counts and times every request under its route template.
// It runs outside logRequests, which has answered any error by then.
func (m *httpMetrics) observeRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if !m.routes[route] {
			route = routeUnmatched
		}
		rm := routeMethod{route, methodLabel(c.Request().Method)}
		m.requestChildren.get(requestLabels{rm, c.Response().Status}, m.newRequestCounter).Inc()
		m.durationChildren.get(rm, m.newDurationObserver).Observe(time.Since(start).Seconds())
		return nil
	}
}

func (m *httpMetrics) newRequestCounter(l requestLabels) prometheus.Counter {
	return m.requests.WithLabelValues(l.route, l.method, strconv.Itoa(l.status))
}

func (m *httpMetrics) newDurationObserver(l routeMethod) prometheus.Observer {
	return m.duration.WithLabelValues(l.route, l.method)
}

// children hands out the child of a metric vector for a label set, made
// once by the caller's function: afterwards one atomic load and one map
// lookup, no lock and no allocation. Label sets must be bounded (route
// templates, bounded methods, status codes, outcomes, reason codes), as
// they are for the vector itself. The zero value is ready to use.
type children[K comparable, C any] struct {
	m  atomic.Pointer[map[K]C] // copied on write, never modified
	mu sync.Mutex              // serializes writers
}

func (c *children[K, C]) get(k K, newChild func(K) C) C {
	if m := c.m.Load(); m != nil {
		if child, ok := (*m)[k]; ok {
			return child
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil {
		if child, ok := (*old)[k]; ok {
			return child
		}
	}
	next := map[K]C{}
	if old != nil {
		next = maps.Clone(*old)
	}
	child := newChild(k)
	next[k] = child
	c.m.Store(&next)
	return child
}

// webhookRefused counts err when it is one of the verification failures,
// and returns it.
func (m *httpMetrics) webhookRefused(err error) error {
	if m == nil {
		return err
	}
	code := codeOf(err)
	for _, c := range verificationFailureCodes {
		if code == c {
			m.verifyFailures.WithLabelValues(code).Inc()
			break
		}
	}
	return err
}

// methodLabel bounds the method label to the standard methods.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return method
	}
	return "other"
}

// DecisionObserver returns a gate.Service.OnDecision hook that counts newly
// recorded decisions (not replayed deliveries) in
// jkngate_decisions_total{outcome} and their reasons in
// jkngate_decision_reasons_total{code}, registered on reg. A collector
// already registered there is shared; any other registration error is
// returned.
func DecisionObserver(reg prometheus.Registerer) (func(d gate.Decision, created bool), error) {
	decisions := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jkngate_decisions_total",
		Help: "Decisions recorded (webhooks, reviews, rechecks; not replays) by outcome.",
	}, []string{"outcome"})
	reasons := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jkngate_decision_reasons_total",
		Help: "Reasons given in recorded decisions, by reason code.",
	}, []string{"code"})
	decisions, errDecisions := promreg.Register(reg, decisions)
	reasons, errReasons := promreg.Register(reg, reasons)
	if err := cmp.Or(errDecisions, errReasons); err != nil {
		return nil, err
	}
	for _, o := range []gate.Outcome{gate.OutcomeAllow, gate.OutcomeDeny, gate.OutcomeReview} {
		decisions.WithLabelValues(string(o))
	}
	// Children made once per outcome and reason code (both bounded sets),
	// not looked up by label values per decision.
	var byOutcome children[gate.Outcome, prometheus.Counter]
	var byReason children[gate.ReasonCode, prometheus.Counter]
	outcomeCounter := func(o gate.Outcome) prometheus.Counter { return decisions.WithLabelValues(string(o)) }
	reasonCounter := func(c gate.ReasonCode) prometheus.Counter { return reasons.WithLabelValues(string(c)) }
	return func(d gate.Decision, created bool) {
		if !created {
			return
		}
		byOutcome.get(d.Outcome, outcomeCounter).Inc()
		for _, r := range d.Reasons {
			byReason.get(r.Code, reasonCounter).Inc()
		}
	}, nil
}

func mustRegister[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	c, err := promreg.Register(reg, c)
	if err != nil {
		panic(fmt.Sprintf("api: registering metrics: %v", err))
	}
	return c
}
