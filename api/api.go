// Package api is jkngate's HTTP interface (Echo v4): the signed webhook the
// licensing system calls, the people's API (bearer tokens; officers,
// reviewers, admins), and the operational endpoints. Handlers are thin:
// they decode and check the request's shape, call gate, and map the result;
// every error goes through one error handler (errors.go).
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/standardwebhooks"
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
	// Logger receives request logs and internal errors; discarded when nil.
	Logger *slog.Logger
	// Now returns the current time (for signature timestamps); time.Now
	// when nil.
	Now func() time.Time
	// Metrics serves GET /metrics (Prometheus); the route is absent when
	// nil.
	Metrics http.Handler
	// People serves the people's API (contract section 6); its routes are
	// absent when nil.
	People *gate.People
	// Auth verifies the people's API bearer tokens (NewAuthenticator); when
	// nil, every people's API request is answered 401.
	Auth *Authenticator
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
	logger    *slog.Logger
	now       func() time.Time
}

// New returns the HTTP handler with every route of the service.
func New(d Deps) *echo.Echo {
	s := &server{gate: d.Gate, peopleSvc: d.People, auth: d.Auth, clients: d.Clients, checks: d.Checks,
		logger: d.Logger, now: d.Now}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.Use(
		dropUnusableRequestID,
		middleware.RequestIDWithConfig(middleware.RequestIDConfig{
			RequestIDHandler: func(c echo.Context, id string) {
				c.Set(loggerKey, s.logger.With("request_id", id))
			},
		}),
		s.logRequests,
		middleware.RecoverWithConfig(middleware.RecoverConfig{
			DisableStackAll: true,
			LogErrorFunc: func(_ echo.Context, err error, stack []byte) error {
				return &panicError{value: err, stack: stack}
			},
		}),
	)

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if d.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(d.Metrics))
	}
	e.POST("/v1/webhooks/:client_id", s.receiveWebhook)

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
	}
	return e
}

const loggerKey = "jkngate.logger"

// requestLogger returns the logger for this request, carrying its id.
func (s *server) requestLogger(c echo.Context) *slog.Logger {
	if l, ok := c.Get(loggerKey).(*slog.Logger); ok {
		return l
	}
	return s.logger
}

// logRequests writes one line per request. It answers a handler's error
// first (so that the status is known) and never logs bodies.
func (s *server) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		attrs := []slog.Attr{
			slog.String("method", c.Request().Method),
			slog.String("route", c.Path()),
			slog.Int("status", c.Response().Status),
			slog.Duration("latency", time.Since(start)),
		}
		if id := c.Param("client_id"); id != "" {
			attrs = append(attrs, slog.String("client_id", truncate(id, 64)))
		}
		s.requestLogger(c).LogAttrs(c.Request().Context(), slog.LevelInfo, "request", attrs...)
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
