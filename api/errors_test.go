package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/gate"
)

func TestErrorTable(t *testing.T) {
	tests := []struct {
		err     error
		status  int
		code    string
		headers map[string]string
	}{
		{&gate.Error{Kind: gate.KindInvalid, Code: "invalid_thing", Message: "m"}, 422, "invalid_thing", nil},
		{&gate.Error{Kind: gate.KindInvalid, Code: "malformed_json", Message: "m"}, 400, "malformed_json", nil},
		{&gate.Error{Kind: gate.KindNotFound, Code: "not_found", Message: "m"}, 404, "not_found", nil},
		{&gate.Error{Kind: gate.KindConflict, Code: "already_reviewed", Message: "m"}, 409, "already_reviewed", nil},
		{&gate.Error{Kind: gate.KindUnavailable, Code: "store_unavailable", Message: "m"}, 503, "store_unavailable", map[string]string{"Retry-After": "5"}},
		{&httperr.Error{Kind: httperr.KindUnauthenticated, Code: "unauthenticated", Message: "m"}, 401, "unauthenticated", map[string]string{"WWW-Authenticate": `Bearer realm="jkngate"`}},
		{&httperr.Error{Kind: httperr.KindForbidden, Code: "forbidden", Message: "m"}, 403, "forbidden", nil},
		{&httperr.Error{Kind: httperr.KindTooLarge, Code: "payload_too_large", Message: "m"}, 413, "payload_too_large", nil},
		// An HTTP-layer error is answered as itself, whatever gate error it wraps.
		{&httperr.Error{Kind: httperr.KindUnauthenticated, Code: "unauthenticated", Message: "m",
			Err: &gate.Error{Kind: gate.KindUnavailable, Code: "store_unavailable", Message: "hidden"}}, 401, "unauthenticated", nil},
		{gate.Errorf(gate.KindConflict, "wrapped", "outer: %w", errors.New("inner")), 409, "wrapped", nil},
		{&gate.Error{Kind: gate.KindInternal, Code: "secret_detail", Message: "do not show"}, 500, "internal", nil},
		{errors.New("boom"), 500, "internal", nil},
		{echo.NewHTTPError(http.StatusBadRequest, "bad cursor"), 400, "bad_request", nil},
		{echo.NewHTTPError(http.StatusTeapot), 418, "i'm_a_teapot", nil},
		{echo.NewHTTPError(http.StatusBadGateway, "upstream"), 500, "internal", nil},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			a := newTestAPI(t)
			a.e.GET("/test-error", func(echo.Context) error { return tt.err })
			rec := a.do(httptest.NewRequest(http.MethodGet, "/test-error", nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if e := errorBody(t, rec); e.Code != tt.code {
				t.Errorf("code %q, want %q", e.Code, tt.code)
			}
			for k, v := range tt.headers {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			loggedError := strings.Contains(a.logs.String(), `"level":"ERROR"`)
			if loggedError != (tt.status == 500) {
				t.Errorf("logged at error level: %v, status %d; logs %s", loggedError, tt.status, a.logs)
			}
			if tt.status == 500 && (strings.Contains(rec.Body.String(), "boom") || strings.Contains(rec.Body.String(), "secret")) {
				t.Errorf("500 body reveals the cause: %s", rec.Body)
			}
		})
	}
}

func TestRouterErrors(t *testing.T) {
	a := newTestAPI(t)
	rec := a.do(httptest.NewRequest(http.MethodGet, "/v1/nothing", nil))
	if e := errorBody(t, rec); rec.Code != 404 || e.Code != "not_found" {
		t.Errorf("unknown route: %d %q", rec.Code, e.Code)
	}
	rec = a.do(httptest.NewRequest(http.MethodGet, "/v1/webhooks/oss", nil))
	if e := errorBody(t, rec); rec.Code != 405 || e.Code != "method_not_allowed" {
		t.Errorf("wrong method: %d %q", rec.Code, e.Code)
	}
	rec = a.do(httptest.NewRequest(http.MethodHead, "/v1/nothing", nil))
	if rec.Code != 404 || rec.Body.Len() != 0 {
		t.Errorf("HEAD unknown route: %d with body %q", rec.Code, rec.Body)
	}
}

func TestPanicIsA500(t *testing.T) {
	a := newTestAPI(t)
	a.store.panic = true
	rec := a.submit(t, "msg_1", event(t, nil))
	if e := errorBody(t, rec); rec.Code != 500 || e.Code != "internal" {
		t.Fatalf("status %d, code %q", rec.Code, e.Code)
	}
	if strings.Contains(rec.Body.String(), "exploded") {
		t.Errorf("the body reveals the panic: %s", rec.Body)
	}
	logs := a.logs.String()
	if !strings.Contains(logs, `"level":"ERROR"`) || !strings.Contains(logs, "store exploded") || !strings.Contains(logs, "goroutine") {
		t.Errorf("panic not logged with its stack: %s", logs)
	}
}

func TestRequestLogAndID(t *testing.T) {
	a := newTestAPI(t)
	req := webhookRequest(t, clientID, secret1, "msg_1", now, event(t, map[string]string{"workers": `[{"nik":"` + validNIK + `"}]`}))
	req.Header.Set("X-Request-ID", "req-abc")
	rec := a.do(req)
	if rec.Code != 200 || rec.Header().Get("X-Request-ID") != "req-abc" {
		t.Fatalf("status %d, X-Request-ID %q", rec.Code, rec.Header().Get("X-Request-ID"))
	}
	var line map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(a.logs.Bytes()), &line); err != nil {
		t.Fatalf("want one JSON log line, got %s", a.logs)
	}
	want := map[string]any{"msg": "request", "method": "POST", "route": "/v1/webhooks/:client_id",
		"status": float64(200), "request_id": "req-abc", "client_id": clientID}
	for k, v := range want {
		if line[k] != v {
			t.Errorf("log %s = %v, want %v", k, line[k], v)
		}
	}
	if _, ok := line["latency"]; !ok {
		t.Errorf("log line has no latency: %v", line)
	}
	if strings.Contains(a.logs.String(), validNIK) || strings.Contains(a.logs.String(), "OSS-2026") {
		t.Errorf("the log carries the body: %s", a.logs)
	}

	for _, incoming := range []string{"", strings.Repeat("x", 200), "evil\nline"} {
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.Header.Set("X-Request-ID", incoming)
		id := a.do(req).Header().Get("X-Request-ID")
		if id == "" || id == incoming || len(id) > 128 {
			t.Errorf("incoming %q: request id %q, want a fresh one", incoming, id)
		}
	}
}
