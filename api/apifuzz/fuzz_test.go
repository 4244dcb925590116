package apifuzz_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
)

// Whatever the body, the answer is a decision or a clear 4xx in the
// error shape: never a 5xx, a panic, or more than 50 fields.

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

const (
	secret     = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	hs256      = "development-secret-of-at-least-32-bytes!"
	issuer     = "https://idp.example/realms/jkngate"
	validEvent = `{"type":"application.submitted","timestamp":"2026-11-22T10:00:00Z","data":{"application_id":"OSS-1",` +
		`"nib":"9120001234567","region_code":"1275","permit_type":"business_license","kbli":["47111"],` +
		`"declared_workers":52,"workers":[{"nik":"1275014101900001"}],"callback_url":"https://licensing.example/cb"}}`
)

// store is the smallest gate.PeopleStore the targets need: decisions are
// kept by delivery, no decision can be read back (a review finds none),
// and accesses are counted. A method not listed would panic (nil
// embedded interface), which the fuzzer would report as a 500.
type store struct {
	gate.PeopleStore
	accesses atomic.Int64
}

func (*store) DecisionForWebhook(context.Context, string, string) (gate.Decision, error) {
	return gate.Decision{}, &gate.Error{Kind: gate.KindNotFound, Code: "not_found", Message: "none"}
}

func (*store) RecordDecision(_ context.Context, d gate.Decision) (gate.Decision, bool, error) {
	return d, true, nil
}

func (*store) Decision(context.Context, string) (gate.Decision, error) {
	return gate.Decision{}, &gate.Error{Kind: gate.KindNotFound, Code: "not_found", Message: "none"}
}

func (s *store) RecordAccess(context.Context, gate.AuditEntry) error {
	s.accesses.Add(1)
	return nil
}

// registry knows every employer as active with 52 active workers and
// every NIK as active and employer-paid.
type registry struct{}

func (registry) Employer(_ context.Context, nib string) (gate.EmployerLookup, error) {
	return gate.EmployerLookup{Found: true, Employer: gate.Employer{NIB: nib, Status: gate.EmployerActive,
		RegisteredWorkers: 52, ActiveWorkers: 52}, Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: now}}, nil
}

func (registry) Participant(_ context.Context, nik string) (gate.ParticipantLookup, error) {
	return gate.ParticipantLookup{Found: true, Participant: gate.Participant{NIK: nik, Status: gate.ParticipantActive,
		Segment: "13"}, Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: now}}, nil
}

func newAPI(tb testing.TB) *echo.Echo {
	tb.Helper()
	sec, err := standardwebhooks.ParseSecret(secret)
	if err != nil {
		tb.Fatal(err)
	}
	auth, err := api.NewAuthenticator(api.AuthConfig{HS256Secret: []byte(hs256), Issuer: issuer, Audience: "jkngate",
		Now: func() time.Time { return now }})
	if err != nil {
		tb.Fatal(err)
	}
	st := &store{}
	svc := &gate.Service{Registry: registry{}, Store: st, Policy: gate.DefaultPolicy(), Now: func() time.Time { return now }}
	// The fuzzer sends thousands of what-ifs from one person: the rate limit
	// (tested on its own) would answer most of them 429 and hide the parser.
	unlimited := gate.WhatIfLimits{PerMinute: 1_000_000, Burst: 1_000_000, NIKsPerMinute: 1_000_000}
	return api.New(api.Deps{Gate: svc, People: &gate.People{Gate: svc, Store: st, WhatIfLimits: unlimited}, Auth: auth,
		Clients: map[string][]standardwebhooks.Secret{"oss": {sec}}, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return now }})
}

// token signs payload exactly as given with the HS256 test secret.
func token(tb testing.TB, payload []byte) string {
	tb.Helper()
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body := base64.RawURLEncoding.EncodeToString(payload)
	sig, err := jwt.SigningMethodHS256.Sign(head+"."+body, []byte(hs256))
	if err != nil {
		tb.Fatal(err)
	}
	return head + "." + body + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func claims(sub string, exp any) []byte {
	b, _ := json.Marshal(map[string]any{"iss": issuer, "aud": "jkngate", "sub": sub, "roles": []string{"reviewer"},
		"regions": []string{"12"}, "exp": exp})
	return b
}

func call(e *echo.Echo, method, path, bearer string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// check holds an answer to the invariants, for a request whose body was
// body.
func check(t *testing.T, rec *httptest.ResponseRecorder, body []byte, allowed ...int) {
	t.Helper()
	ok := false
	for _, s := range allowed {
		ok = ok || rec.Code == s
	}
	if !ok {
		t.Fatalf("status %d: %.500s", rec.Code, rec.Body)
	}
	if rec.Code == http.StatusOK {
		var d map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil || d["outcome"] == nil {
			t.Fatalf("200 without a decision: %.500s", rec.Body)
		}
		// Whatever was accepted was strict JSON.
		if !json.Valid(body) || !utf8.Valid(body) {
			t.Fatalf("accepted a body that is not valid UTF-8 JSON: %q", body)
		}
		return
	}
	var e struct {
		Error struct {
			Code    string            `json:"code"`
			Message string            `json:"message"`
			Fields  []json.RawMessage `json:"fields"`
		} `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("status %d without the error shape: %.500s", rec.Code, rec.Body)
	}
	if len(e.Error.Fields) > 50 {
		t.Fatalf("%d fields listed", len(e.Error.Fields))
	}
}

// seeds are bodies every target starts from.
var seeds = []string{
	validEvent,
	strings.Replace(validEvent, `"declared_workers":52`, `"declared_workers":9223372036854775807`, 1),
	strings.Replace(validEvent, `"nib"`, `"NIB"`, 1),
	strings.Replace(validEvent, `"kbli":["47111"]`, `"kbli":["47111"],"kbli":["x"]`, 1),
	strings.Replace(validEvent, `"OSS-1"`, `"OSS-\u202e1"`, 1),
	strings.Replace(validEvent, `https://licensing.example/cb`, `http://127.0.0.1/cb`, 1),
	strings.Replace(validEvent, `"workers":[{"nik":"1275014101900001"}]`, `"workers":[{"nik":"1"},{},[]]`, 1),
	"{\"type\":\"application.submitted\",\"data\":{\"company_name\":\"\xff\"}}",
}

func FuzzWebhookBody(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	e := newAPI(f)
	sec, _ := standardwebhooks.ParseSecret(secret)
	var n atomic.Int64
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/v1/webhooks/oss", bytes.NewReader(body))
		standardwebhooks.SetHeaders(req.Header, sec, fmt.Sprintf("msg-%d", n.Add(1)), now, body)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		check(t, rec, body, 200, 400, 413, 422)
	})
}

func FuzzWhatIfBody(f *testing.F) {
	for _, s := range seeds {
		var ev struct{ Data json.RawMessage }
		if json.Unmarshal([]byte(s), &ev) == nil {
			f.Add([]byte(ev.Data))
		}
	}
	e := newAPI(f)
	bearer := token(f, claims("officer-sumut", now.Add(time.Hour).Unix()))
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := call(e, http.MethodPost, "/v1/companies/9120001234567/evaluate", bearer, body)
		check(t, rec, body, 200, 400, 404, 413, 422)
	})
}

func FuzzReviewBody(f *testing.F) {
	for _, b := range []string{`{"action":"uphold","note":"checked on file today"}`, `{"action":"reevaluate"}`,
		`{"action":"override","note":"` + strings.Repeat("n", 2001) + `"}`, `{"action":1}`, `[]`, `{"ACTION":"uphold"}`,
		`{"action":"uphold","action":"override"}`, `{"note":"\u0000"}`, `{"action":[` + strings.Repeat("1,", 20) + `1]}`} {
		f.Add([]byte(b))
	}
	e := newAPI(f)
	bearer := token(f, claims("reviewer-sumut", now.Add(time.Hour).Unix()))
	path := "/v1/decisions/dec_01JD3Z8XQ4V7G2M5N6P8R9S0TA/review"
	f.Fuzz(func(t *testing.T, body []byte) {
		rec := call(e, http.MethodPost, path, bearer, body)
		// A valid action finds no decision in the fake store: 404.
		check(t, rec, body, 400, 404, 413, 422)
	})
}

// FuzzBearerClaims signs arbitrary claims: a token is accepted only with a
// numeric exp and a printable sub, and a refusal says a fixed message.
func FuzzBearerClaims(f *testing.F) {
	f.Add(claims("reviewer-sumut", now.Add(time.Hour).Unix()))
	f.Add(claims("reviewer-sumut", fmt.Sprint(now.Add(time.Hour).Unix())))
	f.Add(claims("rev\x00iewer", now.Add(time.Hour).Unix()))
	f.Add([]byte(`{"sub":"a","sub":"b","exp":9999999999,"iss":"` + issuer + `","aud":"jkngate","roles":["admin"]}`))
	e := newAPI(f)
	f.Fuzz(func(t *testing.T, payload []byte) {
		// An empty review body: 422 once the token is accepted.
		rec := call(e, http.MethodPost, "/v1/decisions/dec_01JD3Z8XQ4V7G2M5N6P8R9S0TA/review", token(t, payload), []byte(`{}`))
		switch rec.Code {
		case http.StatusUnprocessableEntity, http.StatusForbidden:
			var c map[string]json.RawMessage
			if err := json.Unmarshal(payload, &c); err != nil {
				t.Fatalf("accepted claims that are not an object: %q", payload)
			}
			var sub string
			if exp := c["exp"]; len(exp) == 0 || exp[0] == '"' || json.Unmarshal(c["sub"], &sub) != nil ||
				gate.TextProblem(sub, false) != "" {
				t.Fatalf("accepted claims %q", payload)
			}
		case http.StatusUnauthorized:
			if !strings.Contains(rec.Body.String(), `"message":"the bearer token is invalid"`) {
				t.Fatalf("401 with another message: %s", rec.Body)
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	})
}
