package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	official "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func TestWebhookErrors(t *testing.T) {
	valid := func(t *testing.T) []byte { return event(t, nil) }
	tests := []struct {
		name       string
		req        func(t *testing.T) *http.Request
		status     int
		code       string
		fields     []string
		storeFails bool
	}{
		{name: "unknown client", status: 404, code: "unknown_client", req: func(t *testing.T) *http.Request {
			return webhookRequest(t, "nobody", secret1, "msg_1", now, valid(t))
		}},
		{name: "missing webhook-id", status: 401, code: "missing_signature_headers", req: func(t *testing.T) *http.Request {
			r := webhookRequest(t, clientID, secret1, "msg_1", now, valid(t))
			r.Header.Del("webhook-id")
			return r
		}},
		{name: "missing webhook-timestamp", status: 401, code: "missing_signature_headers", req: func(t *testing.T) *http.Request {
			r := webhookRequest(t, clientID, secret1, "msg_1", now, valid(t))
			r.Header.Del("webhook-timestamp")
			return r
		}},
		{name: "missing webhook-signature", status: 401, code: "missing_signature_headers", req: func(t *testing.T) *http.Request {
			r := webhookRequest(t, clientID, secret1, "msg_1", now, valid(t))
			r.Header.Del("webhook-signature")
			return r
		}},
		{name: "timestamp too old", status: 401, code: "timestamp_out_of_tolerance", req: func(t *testing.T) *http.Request {
			return webhookRequest(t, clientID, secret1, "msg_1", now.Add(-5*time.Minute-time.Second), valid(t))
		}},
		{name: "timestamp too new", status: 401, code: "timestamp_out_of_tolerance", req: func(t *testing.T) *http.Request {
			return webhookRequest(t, clientID, secret1, "msg_1", now.Add(5*time.Minute+time.Second), valid(t))
		}},
		{name: "malformed timestamp", status: 401, code: "invalid_signature", req: func(t *testing.T) *http.Request {
			r := webhookRequest(t, clientID, secret1, "msg_1", now, valid(t))
			r.Header.Set("webhook-timestamp", now.Format(time.RFC3339))
			return r
		}},
		{name: "unknown secret", status: 401, code: "invalid_signature", req: func(t *testing.T) *http.Request {
			return webhookRequest(t, clientID, "whsec_b3RoZXI=", "msg_1", now, valid(t))
		}},
		{name: "tampered body", status: 401, code: "invalid_signature", req: func(t *testing.T) *http.Request {
			r := webhookRequest(t, clientID, secret1, "msg_1", now, valid(t))
			r.Body = io.NopCloser(bytes.NewReader(bytes.Replace(valid(t), []byte("52"), []byte("12"), 1)))
			return r
		}},
		{name: "signature checked before JSON", status: 401, code: "invalid_signature", req: func(t *testing.T) *http.Request {
			r := webhookRequest(t, clientID, secret1, "msg_1", now, []byte(`{"type":`))
			r.Header.Set("webhook-id", "msg_2")
			return r
		}},
		{name: "malformed JSON", status: 400, code: "malformed_json", req: func(t *testing.T) *http.Request {
			return webhookRequest(t, clientID, secret1, "msg_1", now, []byte(`{"type": "application.submitted",`))
		}},
		{name: "JSON array", status: 400, code: "malformed_json", req: func(t *testing.T) *http.Request {
			return webhookRequest(t, clientID, secret1, "msg_1", now, []byte(`[]`))
		}},
		{name: "trailing garbage", status: 400, code: "malformed_json", req: func(t *testing.T) *http.Request {
			return webhookRequest(t, clientID, secret1, "msg_1", now, append(valid(t), '}'))
		}},
		{name: "body over 1 MiB", status: 413, code: "payload_too_large", req: func(t *testing.T) *http.Request {
			return webhookRequest(t, clientID, secret1, "msg_1", now, oversized(t))
		}},
		{name: "body over 1 MiB without Content-Length", status: 413, code: "payload_too_large", req: func(t *testing.T) *http.Request {
			r := webhookRequest(t, clientID, secret1, "msg_1", now, oversized(t))
			r.ContentLength = -1
			r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(oversized(t)))) // not a *bytes.Reader
			return r
		}},
		{name: "unsupported event type", status: 422, code: "unsupported_event_type", fields: []string{"type"}, req: func(t *testing.T) *http.Request {
			return webhookRequest(t, clientID, secret1, "msg_1", now, bytes.Replace(valid(t), []byte("application.submitted"), []byte("application.withdrawn"), 1))
		}},
		{name: "missing type", status: 422, code: "invalid_application", fields: []string{"type"}, req: func(t *testing.T) *http.Request {
			return webhookRequest(t, clientID, secret1, "msg_1", now, bytes.Replace(valid(t), []byte(`,"type":"application.submitted"`), nil, 1))
		}},
		{name: "store unavailable", status: 503, code: "store_unavailable", storeFails: true, req: func(t *testing.T) *http.Request {
			return webhookRequest(t, clientID, secret1, "msg_1", now, valid(t))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAPI(t)
			a.store.fail = tt.storeFails
			rec := a.do(tt.req(t))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.status, rec.Body)
			}
			e := errorBody(t, rec)
			if e.Code != tt.code {
				t.Errorf("code %q, want %q", e.Code, tt.code)
			}
			if got := fieldNames(e.Fields); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v", got, tt.fields)
			}
			if tt.status == 401 && rec.Header().Get("WWW-Authenticate") != "" {
				t.Errorf("a signature failure must not ask for a bearer token")
			}
			if got := rec.Header().Get("Retry-After"); (tt.status == 503) != (got == "5") {
				t.Errorf("Retry-After %q with status %d", got, tt.status)
			}
			if tt.status != 200 && a.store.recorded != 0 {
				t.Errorf("a failed request recorded a decision")
			}
		})
	}
}

// oversized returns a validly shaped body of 1 MiB + 1 byte.
func oversized(t *testing.T) []byte {
	t.Helper()
	b := event(t, map[string]string{"x_padding": `"x"`}) // an unknown field, ignored
	pad := 1<<20 + 1 - len(b)
	return bytes.Replace(b, []byte(`"x"`), []byte(`"x`+strings.Repeat("y", pad)+`"`), 1)
}

func TestWebhookFieldErrors(t *testing.T) {
	workers := func(n int, bad ...int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = `{"nik":"` + validNIK + `"}`
		}
		for _, i := range bad {
			ws[i] = `{"nik":"12345"}`
		}
		return "[" + strings.Join(ws, ",") + "]"
	}
	tests := []struct {
		name   string
		data   map[string]string
		fields []string
	}{
		{"declared_workers 52.5", map[string]string{"declared_workers": "52.5"}, []string{"data.declared_workers"}},
		{"declared_workers as string", map[string]string{"declared_workers": `"52"`}, []string{"data.declared_workers"}},
		{"declared_workers missing", map[string]string{"declared_workers": ""}, []string{"data.declared_workers"}},
		{"declared_workers null", map[string]string{"declared_workers": "null"}, []string{"data.declared_workers"}},
		{"declared_workers negative", map[string]string{"declared_workers": "-1"}, []string{"data.declared_workers"}},
		{"declared_workers overflow", map[string]string{"declared_workers": "99999999999999999999999"}, []string{"data.declared_workers"}},
		{"required fields missing", map[string]string{"application_id": "", "nib": "", "region_code": "", "permit_type": "", "declared_workers": ""},
			[]string{"data.application_id", "data.nib", "data.region_code", "data.permit_type", "data.declared_workers"}},
		{"bad worker NIK", map[string]string{"workers": workers(5, 3)}, []string{"data.workers[3].nik"}},
		{"several bad NIKs, in order", map[string]string{"workers": workers(12, 10, 2)}, []string{"data.workers[2].nik", "data.workers[10].nik"}},
		{"too many workers", map[string]string{"workers": workers(10001)}, []string{"data.workers"}},
		{"worker not an object", map[string]string{"workers": `[{"nik":"` + validNIK + `"}, "` + validNIK + `"]`}, []string{"data.workers[1]"}},
		{"worker NIK a number", map[string]string{"workers": `[{"nik":1275014101900001}]`}, []string{"data.workers[0].nik"}},
		{"workers not an array", map[string]string{"workers": `{"nik":"` + validNIK + `"}`}, []string{"data.workers"}},
		{"wrong JSON types", map[string]string{"nib": "9120001234567", "kbli": `["47111", 47112]`, "risk_level": "true"},
			[]string{"data.nib", "data.kbli[1]", "data.risk_level"}},
		{"values gate rejects", map[string]string{"nib": `"123"`, "region_code": `"12755"`, "permit_type": `"casino"`, "business_scale": `"raksasa"`},
			[]string{"data.nib", "data.region_code", "data.permit_type", "data.business_scale"}},
		{"type errors and value errors together", map[string]string{"application_id": "123", "npwp": `"12"`, "declared_workers": `"52"`},
			[]string{"data.application_id", "data.npwp", "data.declared_workers"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAPI(t)
			rec := a.submit(t, "msg_1", event(t, tt.data))
			if rec.Code != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422; body %.300s", rec.Code, rec.Body)
			}
			e := errorBody(t, rec)
			if e.Code != "invalid_application" {
				t.Errorf("code %q, want invalid_application", e.Code)
			}
			if got := fieldNames(e.Fields); !slices.Equal(got, tt.fields) {
				t.Errorf("fields %v, want %v", e.Fields, tt.fields)
			}
			for _, f := range e.Fields {
				if f.Message == "" {
					t.Errorf("field %s has no message", f.Field)
				}
			}
		})
	}
}

func TestWebhookDataMissing(t *testing.T) {
	for _, body := range []string{`{"type":"application.submitted"}`, `{"type":"application.submitted","data":null}`, `{"type":"application.submitted","data":[1]}`} {
		a := newTestAPI(t)
		rec := a.submit(t, "msg_1", []byte(body))
		e := errorBody(t, rec)
		if rec.Code != 422 || e.Code != "invalid_application" || fmtFields(e.Fields) != "[data]" {
			t.Errorf("%s: %d %s %v", body, rec.Code, e.Code, e.Fields)
		}
	}
}

// TestWebhookChunkedOverLimit sends an oversized body through a real server
// without a Content-Length.
func TestWebhookChunkedOverLimit(t *testing.T) {
	a := newTestAPI(t)
	srv := httptest.NewServer(a.e)
	defer srv.Close()
	body := oversized(t)
	r := webhookRequest(t, clientID, secret1, "msg_1", now, body)
	req, err := http.NewRequest(http.MethodPost, srv.URL+r.URL.Path, io.MultiReader(bytes.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = r.Header
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct{ Error struct{ Code string } }
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != 413 || e.Error.Code != "payload_too_large" {
		t.Fatalf("status %d, code %q (%v), want 413 payload_too_large", resp.StatusCode, e.Error.Code, err)
	}
}

func TestWebhookExactlyOneMiB(t *testing.T) {
	a := newTestAPI(t)
	body := oversized(t)
	body = bytes.Replace(body, []byte(`xy`), []byte(`x`), 1) // 1 MiB exactly
	if rec := a.submit(t, "msg_1", body); rec.Code != http.StatusOK {
		t.Fatalf("status %d for a body of %d bytes; body %.200s", rec.Code, len(body), rec.Body)
	}
}

func TestWebhookConcurrentCopies(t *testing.T) {
	a := newTestAPI(t)
	body := event(t, nil)
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			rec := a.do(webhookRequest(t, clientID, secret1, "msg_same", now, body))
			var d struct {
				DecisionID string `json:"decision_id"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &d)
			ids[i] = d.DecisionID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id == "" || id != ids[0] {
			t.Fatalf("copies of one delivery got decisions %v", ids)
		}
	}
	if a.store.recorded != 1 {
		t.Errorf("%d decisions recorded, want 1", a.store.recorded)
	}
}

func TestWebhookOfficialLibrarySignature(t *testing.T) {
	a := newTestAPI(t)
	body := event(t, nil)
	wh, err := official.NewWebhook(secret2) // the client's second secret
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign("msg_official", now, body)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/v1/webhooks/"+clientID, bytes.NewReader(body))
	req.Header.Set(official.HeaderWebhookID, "msg_official")
	req.Header.Set(official.HeaderWebhookTimestamp, fmt.Sprint(now.Unix()))
	req.Header.Set(official.HeaderWebhookSignature, "v1,bm90IGl0 "+sig)
	if rec := a.do(req); rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
}

func TestWebhookRotatedSecret(t *testing.T) {
	a := newTestAPI(t)
	rec := a.do(webhookRequest(t, clientID, secret2, "msg_1", now, event(t, nil)))
	if rec.Code != http.StatusOK {
		t.Fatalf("second secret: status %d, body %s", rec.Code, rec.Body)
	}
}
