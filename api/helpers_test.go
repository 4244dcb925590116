package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
)

// now is the fixed clock of every test.
var now = time.Date(2026, 11, 22, 10, 0, 0, 120_000_000, time.UTC)

const (
	clientID    = "oss"
	secret1     = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	secret2     = "whsec_c2Vjb25kLXNlY3JldC1rZXktZm9yLXJvdGF0aW9u"
	validNIK    = "1275014101900001"
	validNIB    = "9120001234567"
	otherPermit = `"other"`
)

// fakeStore is an in-memory gate.Store. It records decisions by delivery
// and sets Supersedes the way the real stores do. fail makes every call
// fail as unavailable; panic makes DecisionForWebhook and RecordDecision
// panic (Submit skips the first when evaluating calls no registry).
type fakeStore struct {
	mu         sync.Mutex
	byDelivery map[[2]string]gate.Decision
	current    map[[2]string]string // (client id, application id) -> current decision id
	recorded   int
	fail       bool
	panic      bool
}

func newFakeStore() *fakeStore {
	return &fakeStore{byDelivery: map[[2]string]gate.Decision{}, current: map[[2]string]string{}}
}

var errStoreDown = &gate.Error{Kind: gate.KindUnavailable, Code: "db_down", Message: "connection refused"}

func (s *fakeStore) RecordDecision(_ context.Context, d gate.Decision) (gate.Decision, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.panic {
		panic("store exploded")
	}
	if s.fail {
		return gate.Decision{}, false, errStoreDown
	}
	key := [2]string{d.ClientID, d.WebhookID}
	if old, ok := s.byDelivery[key]; ok {
		return old, false, nil
	}
	app := [2]string{d.ClientID, d.ApplicationID}
	d.Supersedes = s.current[app]
	s.byDelivery[key] = d
	s.current[app] = d.ID
	s.recorded++
	return d, true, nil
}

func (s *fakeStore) DecisionForWebhook(_ context.Context, clientID, webhookID string) (gate.Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.panic {
		panic("store exploded")
	}
	if s.fail {
		return gate.Decision{}, errStoreDown
	}
	if d, ok := s.byDelivery[[2]string{clientID, webhookID}]; ok {
		return d, nil
	}
	return gate.Decision{}, &gate.Error{Kind: gate.KindNotFound, Code: "not_found", Message: "no such delivery"}
}

func (s *fakeStore) Decision(context.Context, string) (gate.Decision, error) {
	return gate.Decision{}, &gate.Error{Kind: gate.KindNotFound, Code: "not_found", Message: "not implemented"}
}

func (s *fakeStore) Ping(context.Context) error { return nil }

// fakeRegistry knows one active employer with 52 active workers, and every
// NIK as an active, employer-paid participant.
type fakeRegistry struct{}

func (fakeRegistry) Employer(_ context.Context, nib string) (gate.EmployerLookup, error) {
	return gate.EmployerLookup{Found: true, Employer: gate.Employer{NIB: nib, Status: gate.EmployerActive,
		RegisteredWorkers: 52, ActiveWorkers: 52}, Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: now.Add(-time.Minute)}}, nil
}

func (fakeRegistry) Participant(_ context.Context, nik string) (gate.ParticipantLookup, error) {
	return gate.ParticipantLookup{Found: true, Participant: gate.Participant{NIK: nik, Status: gate.ParticipantActive,
		Segment: "13"}, Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: now.Add(-2 * time.Minute)}}, nil
}

type testAPI struct {
	e     *echo.Echo
	store *fakeStore
	logs  *bytes.Buffer
}

func newTestAPI(t testing.TB, checks ...api.Check) *testAPI {
	t.Helper()
	store := newFakeStore()
	var logs bytes.Buffer
	clients := map[string][]standardwebhooks.Secret{clientID: {mustSecret(t, secret1), mustSecret(t, secret2)}}
	e := api.New(api.Deps{
		Gate:    &gate.Service{Registry: fakeRegistry{}, Store: store, Policy: gate.DefaultPolicy(), Now: func() time.Time { return now }},
		Clients: clients,
		Checks:  checks,
		Logger:  slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:     func() time.Time { return now },
	})
	return &testAPI{e: e, store: store, logs: &logs}
}

func mustSecret(t testing.TB, s string) standardwebhooks.Secret {
	t.Helper()
	sec, err := standardwebhooks.ParseSecret(s)
	if err != nil {
		t.Fatal(err)
	}
	return sec
}

// webhookRequest builds a POST to the webhook signed with secret at ts.
func webhookRequest(t testing.TB, client, secret, msgID string, ts time.Time, body []byte) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v1/webhooks/"+client, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	standardwebhooks.SetHeaders(req.Header, mustSecret(t, secret), msgID, ts, body)
	return req
}

func (a *testAPI) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	a.e.ServeHTTP(rec, req)
	return rec
}

// submit sends body as a correctly signed webhook delivery msgID.
func (a *testAPI) submit(t testing.TB, msgID string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	return a.do(webhookRequest(t, clientID, secret1, msgID, now, body))
}

// event returns an application.submitted body whose data is the valid
// default with the given raw JSON fields replaced (or removed, when the
// value is "").
func event(t testing.TB, data map[string]string) []byte {
	t.Helper()
	fields := map[string]json.RawMessage{
		"application_id":   json.RawMessage(`"OSS-2026-000123"`),
		"nib":              json.RawMessage(`"` + validNIB + `"`),
		"region_code":      json.RawMessage(`"1275"`),
		"permit_type":      json.RawMessage(otherPermit),
		"declared_workers": json.RawMessage(`52`),
		"callback_url":     json.RawMessage(`"https://licensing.example/hooks/jkngate"`),
	}
	for k, v := range data {
		if v == "" {
			delete(fields, k)
		} else {
			fields[k] = json.RawMessage(v)
		}
	}
	b, err := json.Marshal(map[string]any{"type": "application.submitted", "timestamp": "2026-11-22T10:00:00Z", "data": fields})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// errorBody decodes an error response, failing on any other shape.
func errorBody(t testing.TB, rec *httptest.ResponseRecorder) api.ErrorDetailJSON {
	t.Helper()
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &raw); err != nil || len(raw) != 1 || raw["error"] == nil {
		t.Fatalf("body %q is not {\"error\":{...}}", rec.Body)
	}
	dec := json.NewDecoder(bytes.NewReader(raw["error"]))
	dec.DisallowUnknownFields()
	var e api.ErrorDetailJSON
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("error object %s: %v", raw["error"], err)
	}
	if e.Code == "" || e.Message == "" {
		t.Errorf("error object %s lacks code or message", raw["error"])
	}
	if bytes.Contains(raw["error"], []byte(`"fields":null`)) || bytes.Contains(raw["error"], []byte(`"fields":[]`)) {
		t.Errorf("empty fields must be omitted: %s", raw["error"])
	}
	return e
}

// pick is f of every item, in order.
func pick[S ~[]T, T, U any](items S, f func(T) U) []U {
	out := make([]U, len(items))
	for i, it := range items {
		out[i] = f(it)
	}
	return out
}

func fieldNames(fs []api.FieldJSON) []string {
	return pick(fs, func(f api.FieldJSON) string { return f.Field })
}

func fmtFields(fs []api.FieldJSON) string { return fmt.Sprint(fieldNames(fs)) }
