package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/jwks"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

// The companies of the people's API tests. nibShared has decisions in
// every seeded region.
const (
	nibShared     = "9120000000001" // active, 52 active workers: allow
	nibUnknown    = "9120000000002" // not registered at BPJS: deny
	nibUnder      = "9120000000003" // active, 40 active workers: deny
	nibNoSource   = "9120000000004" // no employer data source: review
	nibDown       = "9120000000005" // BPJS unreachable
	nibNeverSeen  = "9120000000009" // no decision anywhere
	testIssuer    = "https://idp.example/realms/jkngate"
	testAudience  = "jkngate"
	hs256Secret   = "development-secret-of-at-least-32-bytes!"
	webhookClient = "oss"
	otherClient   = "other"
)

// peopleRegistry is BPJS as the people's API tests see it.
type peopleRegistry struct{}

func (peopleRegistry) Employer(_ context.Context, nib string) (gate.EmployerLookup, error) {
	fetch := gate.Fetch{Source: gate.SourceLive, AsOf: now.Add(-time.Minute)}
	emp := gate.Employer{Code: "01020304", NIB: nib, Name: `PT "Maju, Jaya"` + "\nSejahtera", Status: gate.EmployerActive,
		StatusText: "AKTIF", RegisteredWorkers: 52, ActiveWorkers: 52, LastPaidPeriod: "2026-10", DataDate: "2026-11-21"}
	switch nib {
	case nibUnknown:
		return gate.EmployerLookup{Found: false, Fetch: fetch}, nil
	case nibUnder:
		emp.ActiveWorkers = 40
	case nibNoSource:
		return gate.EmployerLookup{}, &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeEmployerSourceDisabled,
			Message: "no employer data source"}
	case nibDown:
		return gate.EmployerLookup{}, &gate.Error{Kind: gate.KindUnavailable, Code: "bpjs_unreachable",
			Message: "dial tcp 10.0.0.7:443: connection refused"}
	}
	return gate.EmployerLookup{Found: true, Employer: emp, Fetch: fetch}, nil
}

func (peopleRegistry) Participant(_ context.Context, nik string) (gate.ParticipantLookup, error) {
	return gate.ParticipantLookup{Found: true, Participant: gate.Participant{NIK: nik, Status: gate.ParticipantActive,
		Segment: "13"}, Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: now.Add(-time.Minute)}}, nil
}

// invalidations counts what the cache was told to drop.
type invalidations struct {
	mu   sync.Mutex
	nibs []string
}

func (i *invalidations) InvalidateEmployer(_ context.Context, nib string, _ ...string) error {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.nibs = append(i.nibs, nib)
	return nil
}

// peopleEnv is the API on the real SQLite store.
type peopleEnv struct {
	e       *echo.Echo
	store   gate.PeopleStore
	svc     *gate.Service
	dropped *invalidations
	logs    *syncBuffer
	ids     map[string]string // application id -> its decision id
}

func newPeopleEnv(t testing.TB) *peopleEnv {
	t.Helper()
	return newPeopleEnvWith(t, nil)
}

// newPeopleEnvWith is newPeopleEnv with the people's service reading
// through wrap(store), when wrap is not nil.
func newPeopleEnvWith(t testing.TB, wrap func(gate.PeopleStore) gate.PeopleStore) *peopleEnv {
	t.Helper()
	ctx := t.Context()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "jkngate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return newPeopleEnvOn(t, store, wrap)
}

// newPeopleEnvOn is newPeopleEnvWith on a given, migrated store.
func newPeopleEnvOn(t testing.TB, store gate.PeopleStore, wrap func(gate.PeopleStore) gate.PeopleStore) *peopleEnv {
	t.Helper()
	k := keys(t)
	auth, err := api.NewAuthenticator(api.AuthConfig{
		Keys:        jwks.NewStatic(map[string]any{k.rsaKid: &k.rsa.PublicKey, "ec-1": &k.ec.PublicKey, "ed-1": k.ed.Public()}),
		HS256Secret: []byte(hs256Secret),
		Issuer:      testIssuer, Audience: testAudience,
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := &gate.Service{Registry: peopleRegistry{}, Store: store, Policy: gate.DefaultPolicy(),
		Now: func() time.Time { return now }, Logger: logger}
	dropped := &invalidations{}
	var peopleStore gate.PeopleStore = store
	if wrap != nil {
		peopleStore = wrap(store)
	}
	e := api.New(api.Deps{
		Gate: svc,
		// Two webhook clients, for the tests of applications per client.
		Clients: map[string][]standardwebhooks.Secret{webhookClient: {mustSecret(t, secret1)},
			otherClient: {mustSecret(t, secret2)}},
		People: &gate.People{Gate: svc, Store: peopleStore, Invalidator: dropped, Logger: logger, Importer: importerFor(store)},
		Auth:   auth,
		Logger: logger,
		Now:    func() time.Time { return now },
	})
	return &peopleEnv{e: e, store: store, svc: svc, dropped: dropped, logs: logs, ids: map[string]string{}}
}

// seededApps are submitted by seed: three regions, every outcome.
var seededApps = []struct{ id, nib, region string }{
	{"APP-1275-1", nibShared, "1275"},   // allow
	{"APP-1275-2", nibUnknown, "1275"},  // deny, open review
	{"APP-1275-3", nibNoSource, "1275"}, // review, open review
	{"APP-1272-1", nibShared, "1272"},   // allow
	{"APP-1272-2", nibUnder, "1272"},    // deny, open review
	{"APP-3573-1", nibShared, "3573"},   // allow
	{"APP-3573-2", nibUnknown, "3573"},  // deny, open review
}

// seed submits seededApps through gate, as webhook deliveries would.
func (p *peopleEnv) seed(t testing.TB) {
	t.Helper()
	for _, a := range seededApps {
		p.submit(t, a.id, a.nib, a.region)
	}
}

func (p *peopleEnv) submit(t testing.TB, appID, nib, region string) gate.Decision {
	t.Helper()
	app := gate.Application{ID: appID, NIB: nib, RegionCode: region, PermitType: gate.PermitBusinessLicense,
		DeclaredWorkers: 52, CompanyName: `PT "Maju, Jaya"`}
	// Webhook ids are printable ASCII; application ids need not be.
	msgID := fmt.Sprintf("msg-%x-%d", sha256.Sum256([]byte(appID)), len(p.ids))
	d, err := p.svc.Submit(t.Context(), webhookClient, msgID, app)
	if err != nil {
		t.Fatal(err)
	}
	p.ids[appID] = d.ID
	return d
}

// call sends a request with a bearer token (none when token is "").
func (p *peopleEnv) call(t testing.TB, method, path, token string, body any) *httptest.ResponseRecorder {
	t.Helper()
	var r *bytes.Reader
	switch b := body.(type) {
	case nil:
		r = bytes.NewReader(nil)
	case string:
		r = bytes.NewReader([]byte(b))
	default:
		js, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(js)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	p.e.ServeHTTP(rec, req)
	return rec
}

// as is call with a's token.
func (p *peopleEnv) as(t testing.TB, a actor, method, path string, body any) *httptest.ResponseRecorder {
	t.Helper()
	return p.call(t, method, path, a.token(t), body)
}

// decode decodes a 200 answer into v.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s: %v", rec.Body, err)
	}
	return v
}

func itemIDs(items []api.DecisionJSON) []string {
	return pick(items, func(d api.DecisionJSON) string { return d.ApplicationID })
}

// countDecisions counts every recorded decision.
func (p *peopleEnv) countDecisions(t *testing.T) int {
	t.Helper()
	counts, err := p.store.DecisionCounts(t.Context(), gate.DecisionFilter{Scope: gate.Scope{All: true}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

// callHeader sends a request with a raw Authorization header.
func (p *peopleEnv) callHeader(t *testing.T, method, path, authorization string, body any) *httptest.ResponseRecorder {
	t.Helper()
	var r *bytes.Reader
	if body == nil {
		r = bytes.NewReader(nil)
	} else {
		js, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(js)
	}
	req := httptest.NewRequest(method, path, r)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	p.e.ServeHTTP(rec, req)
	return rec
}

func httptestDo(e *echo.Echo, method, path, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// syncBuffer is a log buffer that a server goroutine may write while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
