package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api"
)

func TestHealthz(t *testing.T) {
	rec := newTestAPI(t).do(httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != 200 || rec.Body.String() != "{\"status\":\"ok\"}\n" {
		t.Errorf("healthz: %d %q", rec.Code, rec.Body)
	}
}

func TestReadyz(t *testing.T) {
	ok := func(context.Context) error { return nil }
	down := func(context.Context) error { return errors.New("dial tcp: connection refused") }
	hang := func(ctx context.Context) error { <-ctx.Done(); select {} }
	tests := []struct {
		name   string
		checks []api.Check
		status int
		want   api.ReadyJSON
	}{
		{"all ok", []api.Check{{Name: "store", Required: true, Check: ok}, {Name: "redis", Required: true, Check: ok}}, 200,
			api.ReadyJSON{Status: "ok", Checks: map[string]string{"store": "ok", "redis": "ok"}}},
		{"required fails", []api.Check{{Name: "store", Required: true, Check: down}, {Name: "redis", Check: ok}}, 503,
			api.ReadyJSON{Status: "unavailable", Checks: map[string]string{"store": "error: dial tcp: connection refused", "redis": "ok"}}},
		{"optional fails", []api.Check{{Name: "store", Required: true, Check: ok}, {Name: "bpjs", Check: down}}, 200,
			api.ReadyJSON{Status: "ok", Checks: map[string]string{"store": "ok", "bpjs": "error: dial tcp: connection refused"}}},
		{"required hangs", []api.Check{{Name: "store", Required: true, Check: hang}}, 503,
			api.ReadyJSON{Status: "unavailable", Checks: map[string]string{"store": "error: context deadline exceeded"}}},
		{"no checks", nil, 200, api.ReadyJSON{Status: "ok", Checks: map[string]string{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A short timeout: the hanging check fails in 20 ms, not 2 s.
			a := &testAPI{e: api.New(api.Deps{Checks: tt.checks, ReadyTimeout: 20 * time.Millisecond})}
			rec := a.do(httptest.NewRequest(http.MethodGet, "/readyz", nil))
			var got api.ReadyJSON
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.status || got.Status != tt.want.Status || len(got.Checks) != len(tt.want.Checks) {
				t.Fatalf("%d %+v, want %d %+v", rec.Code, got, tt.status, tt.want)
			}
			for k, v := range tt.want.Checks {
				if got.Checks[k] != v {
					t.Errorf("check %s = %q, want %q", k, got.Checks[k], v)
				}
			}
		})
	}
}

// Each check runs under the ready timeout: the one given, or
// DefaultReadyTimeout when none is.
func TestReadyzTimeout(t *testing.T) {
	for _, tt := range []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"given", 150 * time.Millisecond, 150 * time.Millisecond},
		{"default", 0, api.DefaultReadyTimeout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var left time.Duration
			check := func(ctx context.Context) error {
				deadline, ok := ctx.Deadline()
				if !ok {
					return errors.New("no deadline")
				}
				left = time.Until(deadline)
				return nil
			}
			a := &testAPI{e: api.New(api.Deps{Checks: []api.Check{{Name: "store", Required: true, Check: check}},
				ReadyTimeout: tt.timeout})}
			if rec := a.do(httptest.NewRequest(http.MethodGet, "/readyz", nil)); rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			// The check starts within moments of the request: its deadline
			// is at most the timeout away, and more than half of it.
			if left > tt.want || left < tt.want/2 {
				t.Fatalf("the check had %v left, want just under %v", left, tt.want)
			}
		})
	}
}
