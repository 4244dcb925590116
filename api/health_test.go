package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

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
			rec := newTestAPI(t, tt.checks...).do(httptest.NewRequest(http.MethodGet, "/readyz", nil))
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
