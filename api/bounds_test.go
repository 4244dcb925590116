package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/api"
)

// Issue 8 item 1: a declared count past any real employer overflowed the
// coverage arithmetic into a negative requirement and answered allow.
func TestDeclaredWorkersBounded(t *testing.T) {
	a := newTestAPI(t)
	for i, tt := range []struct {
		declared string
		status   int
	}{
		{"9223372036854775807", http.StatusUnprocessableEntity},
		{"2147483648", http.StatusUnprocessableEntity},
		{"10000001", http.StatusUnprocessableEntity},
		{"10000000", http.StatusOK},
	} {
		body := event(t, map[string]string{"declared_workers": tt.declared, "permit_type": `"business_license"`})
		rec := a.submit(t, "msg-bound-"+tt.declared, body)
		if rec.Code != tt.status {
			t.Fatalf("%d: declared %s: status %d, want %d: %s", i, tt.declared, rec.Code, tt.status, rec.Body)
		}
		if tt.status == http.StatusOK {
			if !strings.Contains(rec.Body.String(), `"outcome":"deny"`) {
				t.Errorf("declared %s with 52 active workers: %s, want deny", tt.declared, rec.Body)
			}
			continue
		}
		e := errorBody(t, rec)
		if e.Code != "invalid_application" || fmtFields(e.Fields) != "[data.declared_workers]" {
			t.Errorf("declared %s: %+v, want invalid_application naming data.declared_workers", tt.declared, e)
		}
	}
}

// Issue 8 item 5: every array is bounded and an error lists at most 50
// fields, with the rest counted.
func TestFieldErrorsCapped(t *testing.T) {
	a := newTestAPI(t)
	kbli := `[` + strings.Repeat(`"x",`, 99) + `"x"]` // 100 codes, each wrong
	workers := `[` + strings.Repeat(`{"nik":"1"},`, 199) + `{"nik":"1"}]`
	rec := a.submit(t, "msg-cap", event(t, map[string]string{"kbli": kbli, "workers": workers}))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	e := errorBody(t, rec)
	if len(e.Fields) != 50 || !strings.Contains(e.Message, "300 invalid") {
		t.Errorf("%d fields, message %q; want 50 listed of 300", len(e.Fields), e.Message)
	}

	rec = a.submit(t, "msg-kbli", event(t, map[string]string{"kbli": `[` + strings.Repeat(`"47111",`, 100) + `"47111"]`}))
	if e := errorBody(t, rec); rec.Code != http.StatusUnprocessableEntity || fmtFields(e.Fields) != "[data.kbli]" {
		t.Errorf("101 kbli codes: %d %+v, want 422 naming data.kbli", rec.Code, e)
	}
	huge := `[` + strings.Repeat(`"x",`, 100_000) + `"x"]`
	rec = a.submit(t, "msg-huge", event(t, map[string]string{"kbli": huge}))
	if rec.Code != http.StatusUnprocessableEntity || rec.Body.Len() > 10_000 {
		t.Errorf("100,001 kbli: status %d, %d bytes; want a short 422", rec.Code, rec.Body.Len())
	}
}

var _ = api.FieldJSON{}

// Issue 8 item 2: a webhook-id PostgreSQL's index could not hold answered
// 503 forever, while SQLite stored a 1 MiB one.
func TestWebhookIDValidated(t *testing.T) {
	a := newTestAPI(t)
	for _, id := range []string{strings.Repeat("a", 257), strings.Repeat("b", 3000), "msg-é", "msg\x00x",
		"msg x", "msg-\u202e", "msg\x7f"} {
		rec := a.submit(t, id, event(t, nil))
		if rec.Code != http.StatusBadRequest || errorBody(t, rec).Code != "invalid_webhook_id" {
			t.Errorf("webhook-id %.20q: %d %s, want 400 invalid_webhook_id", id, rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), id) {
			t.Errorf("the answer repeats the id: %s", rec.Body)
		}
	}
	if a.store.recorded != 0 {
		t.Errorf("%d decisions recorded for refused ids", a.store.recorded)
	}
	if rec := a.submit(t, strings.Repeat("c", 256), event(t, nil)); rec.Code != http.StatusOK {
		t.Errorf("256-character id: %d %s", rec.Code, rec.Body)
	}
}

// A query with thousands of unknown parameters lists 50 and counts the rest.
func TestQueryErrorsCapped(t *testing.T) {
	p := newPeopleEnv(t)
	var q strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&q, "&x%d=1", i)
	}
	rec := p.as(t, admin, "GET", "/v1/decisions?"+q.String()[1:], nil)
	e := errorBody(t, rec)
	if rec.Code != http.StatusUnprocessableEntity || len(e.Fields) != 50 || !strings.Contains(e.Message, "2000 invalid") {
		t.Errorf("status %d, %d fields, message %q", rec.Code, len(e.Fields), e.Message)
	}
}
