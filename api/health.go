package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// DefaultReadyTimeout bounds each readiness check when Deps.ReadyTimeout is
// zero, so that a hanging dependency makes /readyz fail rather than hang.
const DefaultReadyTimeout = 2 * time.Second

// HealthJSON is the body of /healthz.
type HealthJSON struct {
	Status string `json:"status"`
}

// ReadyJSON is the body of /readyz: Status is "ok" or "unavailable"; Checks
// maps each check's name to "ok" or "error: ..."; Info maps each Info's
// name to its value (e.g. "bpjs_breakers": {"employer": "closed"}).
type ReadyJSON struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
	Info   map[string]any    `json:"info,omitempty"`
}

// Info is a fact /readyz reports without judging it, such as the state of
// the BPJS circuit breakers: readiness does not depend on it. Value must
// be quick; its result is encoded as JSON.
type Info struct {
	Name  string
	Value func(ctx context.Context) any
}

// healthz is GET /healthz: the process is alive.
func (s *server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, HealthJSON{Status: "ok"})
}

// readyz is GET /readyz: runs every check concurrently, each within
// the ready timeout, and answers 503 when a required one fails.
func (s *server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.readyTimeout)
	defer cancel()
	type result struct {
		i   int
		err error
	}
	done := make(chan result, len(s.checks)) // buffered: late checks never block
	for i, chk := range s.checks {
		go func() {
			defer func() {
				if r := recover(); r != nil {
					done <- result{i, fmt.Errorf("panic: %v", r)}
				}
			}()
			done <- result{i, chk.Check(ctx)}
		}()
	}
	errs := make([]error, len(s.checks))
	for i := range errs {
		errs[i] = context.DeadlineExceeded
	}
collect:
	for range s.checks {
		select {
		case r := <-done:
			errs[r.i] = r.err
		case <-ctx.Done():
			break collect // checks not in yet keep their timeout error
		}
	}

	body := ReadyJSON{Status: "ok", Checks: make(map[string]string, len(s.checks))}
	status := http.StatusOK
	for i, chk := range s.checks {
		if errs[i] == nil {
			body.Checks[chk.Name] = "ok"
			continue
		}
		body.Checks[chk.Name] = "error: " + truncate(errs[i].Error(), 200)
		if chk.Required {
			body.Status, status = "unavailable", http.StatusServiceUnavailable
		}
	}
	if len(s.info) > 0 {
		body.Info = make(map[string]any, len(s.info))
		for _, in := range s.info {
			body.Info[in.Name] = in.Value(c.Request().Context())
		}
	}
	if status != http.StatusOK {
		c.Response().Header().Set("Retry-After", retryAfterSeconds)
	}
	return c.JSON(status, body)
}
