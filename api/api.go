// Package api is jkngate's HTTP interface (Echo v4): the signed webhook the
// licensing system calls, the people's API (bearer tokens; officers,
// reviewers, admins), and the operational endpoints. Handlers are thin:
// they decode and check the request's shape, call gate, and map the result;
// every error goes through one error handler (errors.go).
package api

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/support/logging"
)

// Deps is what the API needs from the rest of the program.
type Deps struct {
	// Gate decides and records applications.
	Gate *gate.Service
	// Clients maps a webhook client id to its secrets; any of them verifies
	// a webhook, the first signs callbacks.
	Clients map[string][]standardwebhooks.Secret
	// Checks are run by GET /readyz.
	Checks []Check
	// ReadyTimeout bounds the checks of one GET /readyz: a check still
	// running then fails with context.DeadlineExceeded. Zero means
	// DefaultReadyTimeout.
	ReadyTimeout time.Duration
	// Info are reported by GET /readyz besides the checks, never failing it.
	Info []Info
	// Logger receives request logs and internal errors; discarded when nil.
	// Its handler is wrapped in a logging.MaskingHandler unless it is one, so
	// that lines are masked and carry the request-scoped attributes
	// (request_id; client_id on the webhook; sub once a bearer token is
	// verified), also those logged by gate with the request's context.
	Logger *slog.Logger
	// Now is the clock for signature timestamps, OSS status times and
	// review deadlines; the system clock when nil.
	Now gate.Clock
	// Metrics serves GET /metrics (Prometheus); the route is absent when
	// nil.
	Metrics http.Handler
	// Registerer, when set, gets the API's collectors:
	// jkngate_http_requests_total{route,method,status},
	// jkngate_http_request_duration_seconds{route,method} and
	// jkngate_webhook_verification_failures_total{code}. route is the
	// route template, or "unmatched". New panics if it refuses them for
	// another reason than their being registered already (then they are
	// shared).
	Registerer prometheus.Registerer
	// People serves the people's API (README, "The people's API"); its routes are
	// absent when nil.
	People *gate.People
	// Auth verifies the people's API bearer tokens (NewAuthenticator); when
	// nil, every people's API request is answered 401.
	Auth *Authenticator
	// TracerProvider, when set, makes every request a span, and the
	// webhook's signature check and evaluation child spans; nil: no
	// tracing, and no cost.
	TracerProvider trace.TracerProvider
	// CallbackAllowPrivate lets a callback_url point to loopback and
	// private addresses (JKNGATE_CALLBACK_ALLOW_PRIVATE); without it the
	// webhook refuses, with 422, what the callback worker would refuse.
	CallbackAllowPrivate bool
	// Console, when set, serves the web console at /console/ (GET /
	// redirects there); it needs People.
	Console ConsoleHandler
	// OSS, when set, turns POST /oss/receiveNIB (OSS-RBA's receiveNIB) on.
	OSS *OSSConfig
}

// Check is one readiness check. A failing Required check makes /readyz
// answer 503; a failing optional one is only reported.
type Check struct {
	Name     string
	Required bool
	Check    func(ctx context.Context) error
}

type server struct {
	gate      *gate.Service
	peopleSvc *gate.People
	auth      *Authenticator
	clients   map[string][]standardwebhooks.Secret
	checks    []Check
	info      []Info
	logger    *slog.Logger
	now       func() time.Time
	metrics   *httpMetrics // nil without a Registerer
	tracer    trace.Tracer // nil without a TracerProvider
	// callbackAllowPrivate is Deps.CallbackAllowPrivate.
	callbackAllowPrivate bool
	oss                  *OSSConfig // nil: the OSS adapter is off

	readyTimeout time.Duration // Deps.ReadyTimeout, defaulted
}

// New returns the HTTP handler with every route of the service.
func New(d Deps) *echo.Echo {
	s := &server{gate: d.Gate, peopleSvc: d.People, auth: d.Auth, clients: d.Clients, checks: d.Checks,
		info: d.Info, logger: d.Logger, now: d.Now.Now, metrics: newHTTPMetrics(d.Registerer),
		callbackAllowPrivate: d.CallbackAllowPrivate, oss: d.OSS}
	s.readyTimeout = cmp.Or(d.ReadyTimeout, DefaultReadyTimeout)
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	} else if _, ok := s.logger.Handler().(*logging.MaskingHandler); !ok {
		s.logger = slog.New(logging.NewMaskingHandler(s.logger.Handler()))
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(
		dropUnusableRequestID,
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{
			RequestIDHandler: func(c echo.Context, id string) {
				// Routing is done: the webhook's client_id is known. The
				// array keeps attrs off the heap: WithLogAttrs copies them.
				var buf [2]slog.Attr
				attrs := append(buf[:0], slog.String("request_id", id))
				if client := c.Param("client_id"); client != "" {
					attrs = append(attrs, slog.String("client_id", truncate(client, 64)))
				}
				addLogAttrs(c, attrs...)
			},
		}),
	)
	if d.TracerProvider != nil {
		s.tracer = d.TracerProvider.Tracer("github.com/jkngate/jkngate/api")
		e.Use(s.traceRequests)
	}
	if s.metrics != nil {
		e.Use(s.metrics.observeRequests)
	}
	e.Use(
		s.logRequests,
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			DisableStackAll: true,
			LogErrorFunc: func(_ echo.Context, err error, stack []byte) error {
				return &panicError{value: err, stack: stack}
			},
		}),
	)

	e.GET("/healthz", s.healthz)
	e.GET("/openapi.yaml", serveOpenAPI)
	e.GET("/docs", serveDocs)
	e.GET("/readyz", s.readyz)
	if d.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(d.Metrics))
	}
	e.POST("/v1/webhooks/:client_id", s.receiveWebhook)
	if d.OSS != nil {
		e.POST("/oss/receiveNIB", s.receiveNIB)
	}

	// The people's API: who may call each route is listed here and checked
	// nowhere else; which regions they see, gate and the store decide.
	if d.People != nil {
		officer, reviewer, admin := gate.RoleOfficer, gate.RoleReviewer, gate.RoleAdmin
		s.people(e.GET, "/v1/companies/:nib", s.getCompany, officer, reviewer, admin)
		s.people(e.POST, "/v1/companies/:nib/evaluate", s.evaluateCompany, officer, reviewer, admin)
		s.people(e.POST, "/v1/companies/:nib/refresh", s.refreshCompany, reviewer, admin)
		s.people(e.GET, "/v1/decisions", s.listDecisions, officer, reviewer, admin)
		// Echo matches static segments before parameters, whatever the
		// order; export.csv is listed first all the same.
		s.people(e.GET, "/v1/decisions/export.csv", s.exportDecisions, officer, reviewer, admin)
		s.people(e.GET, "/v1/decisions/:decision_id", s.getDecision, officer, reviewer, admin)
		s.people(e.POST, "/v1/decisions/:decision_id/review", s.reviewDecision, reviewer, admin)
		s.people(e.GET, "/v1/reviews", s.listReviews, reviewer, admin)
		s.people(e.GET, "/v1/reports/coverage", s.coverageReport, officer, reviewer, admin)
		s.people(e.GET, "/v1/audit", s.listAudit, admin)
		s.people(e.GET, "/v1/callbacks", s.listCallbacks, admin)
		s.people(e.POST, "/v1/callbacks/:id/retry", s.retryCallback, admin)
		s.people(e.POST, "/v1/imports", s.uploadImport, admin)
		s.people(e.GET, "/v1/imports", s.listImports, admin)
		if d.Console != nil {
			s.mountConsole(e, d.Console)
		}
	}
	if s.metrics != nil {
		s.metrics.routes = make(map[string]bool)
		for _, r := range e.Routes() {
			s.metrics.routes[r.Path] = true
		}
	}
	return e
}

// addLogAttrs adds attrs to the request's context, so that every line
// logged with it (the ...Context logging methods) carries them.
func addLogAttrs(c echo.Context, attrs ...slog.Attr) {
	req := c.Request()
	c.SetRequest(req.WithContext(logging.WithLogAttrs(req.Context(), attrs...)))
}

// logRequests writes one line per request, with the request-scoped
// attributes of its context. It answers a handler's error first (so that
// the status is known) and never logs bodies.
func (s *server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		// Nothing is built for a level that is off (JKNGATE_LOG_LEVEL=warn
		// under load).
		if ctx := c.Request().Context(); s.logger.Enabled(ctx, slog.LevelInfo) {
			s.logger.LogAttrs(ctx, slog.LevelInfo, "request",
				slog.String("method", c.Request().Method),
				slog.String("route", c.Path()),
				slog.Int("status", c.Response().Status),
				slog.Duration("latency", time.Since(start)))
		}
		return nil
	}
}

// dropUnusableRequestID removes an incoming X-Request-ID that is too long or
// not printable ASCII, so that a fresh one is generated instead of a hostile
// value being echoed and logged.
func dropUnusableRequestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header
		if id := h.Get(echo.HeaderXRequestID); id != "" && !usableRequestID(id) {
			h.Del(echo.HeaderXRequestID)
		}
		return next(c)
	}
}

func usableRequestID(id string) bool {
	if len(id) > 128 {
		return false
	}
	for _, r := range id {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) || r == ' ' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
