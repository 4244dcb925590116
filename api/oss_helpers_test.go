package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/jwks"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/bpjs"
	"github.com/jkngate/jkngate/integrations/callback"
	"github.com/jkngate/jkngate/integrations/decorators/cache"
	"github.com/jkngate/jkngate/integrations/oss"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
	"github.com/jkngate/jkngate/integrations/simulators/osssim"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

const (
	ossUserKey       = "oss-inbound-key-0123456789"
	ossStatusUserKey = "oss-status-key-9876543210"
	ossInstansi      = "DPMPTSP-3273"
)

// ossTestStore is what the OSS tests need of a store: both have it.
type ossTestStore interface {
	gate.PeopleStore
	gate.Outbox
	api.OSSStore
	oss.RefStore
}

// ossClock is the clock of the gate and the delivery worker, moved by the
// tests (it starts at the real time, which the BPJS simulator's data is
// dated by).
type ossClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *ossClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *ossClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ossEnv is the API with the OSS adapter on, on a real store, deciding with
// the real BPJS client against bpjs-sim, reporting to oss-sim through the
// real callback worker.
type ossEnv struct {
	e       *echo.Echo
	store   ossTestStore
	svc     *gate.Service
	data    bpjssim.Data
	sim     *osssim.Server
	clock   *ossClock
	worker  *callback.Worker
	metrics *prometheus.Registry
	policy  gate.Policy
}

func openSQLiteOSS(t testing.TB) ossTestStore {
	t.Helper()
	store, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "jkngate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return store
}

// eachOSSStore runs f on SQLite and, when reachable, PostgreSQL.
func eachOSSStore(t *testing.T, f func(t *testing.T, store ossTestStore)) {
	t.Run("sqlite", func(t *testing.T) { f(t, openSQLiteOSS(t)) })
	t.Run("postgres", func(t *testing.T) {
		pg, _ := openPostgres(t)
		f(t, pg)
	})
}

func newOSSEnv(t testing.TB, store ossTestStore, basicAuth string, policy gate.Policy) *ossEnv {
	t.Helper()
	bsim := bpjssim.New(bpjssim.Config{})
	bsrv := httptest.NewServer(bsim.Handler())
	t.Cleanup(bsrv.Close)
	client, err := bpjs.New(bpjs.Config{BaseURL: bsrv.URL, EmployerBaseURL: bsrv.URL, Credentials: bsim.Credentials()})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := cache.New(client, cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reg.Close)
	sim := osssim.New(osssim.Config{StatusUserKey: ossStatusUserKey, UserKey: ossUserKey})
	ssrv := httptest.NewServer(sim.Handler())
	t.Cleanup(ssrv.Close)

	clock := &ossClock{t: time.Now().UTC()}
	svc := &gate.Service{Registry: reg, Store: store, Policy: policy, Now: clock.Now, OSS: true}
	k := keys(t)
	auth, err := api.NewAuthenticator(api.AuthConfig{Keys: jwks.NewStatic(map[string]any{k.rsaKid: &k.rsa.PublicKey}),
		Issuer: testIssuer, Audience: testAudience, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	statusURL := ssrv.URL + "/receiveLicenseStatus"
	e := api.New(api.Deps{
		Gate:   svc,
		People: &gate.People{Gate: svc, Store: store},
		Auth:   auth,
		Now:    clock.Now,
		// A webhook client too, for comparing receiveNIB with webhooks.
		Clients: map[string][]standardwebhooks.Secret{"licensing": {mustSecret(t, secret1)}},
		OSS:     &api.OSSConfig{UserKey: ossUserKey, BasicAuth: basicAuth, StatusURL: statusURL, Store: store},
	})
	sender := &oss.Sender{URL: statusURL, UserKey: ossStatusUserKey, Instansi: ossInstansi, Refs: store}
	metrics := prometheus.NewRegistry()
	worker, err := callback.New(callback.Config{
		Outbox: store, Decisions: store,
		Encode:  func(d gate.Decision) ([]byte, error) { return json.Marshal(api.DecisionResponse(d)) },
		Senders: map[string]callback.Sender{gate.CallbackKindOSSStatus: sender, gate.CallbackKindOSSConfirmation: sender},
		Timeout: 2 * time.Second, Lease: 30 * time.Second, Jitter: callback.NoJitter, Now: clock.Now,
		Metrics: metrics,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &ossEnv{e: e, store: store, svc: svc, data: bsim.Data(), sim: sim, clock: clock, worker: worker,
		metrics: metrics, policy: policy}
}

// receiveNIB posts body as OSS would, with OSS's user_key.
func (o *ossEnv) receiveNIB(t testing.TB, body []byte, mutate ...func(*http.Request)) (int, string, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/oss/receiveNIB", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("user_key", ossUserKey)
	for _, m := range mutate {
		m(req)
	}
	rec := httptest.NewRecorder()
	o.e.ServeHTTP(rec, req)
	var a struct {
		R struct{ Status, Keterangan string } `json:"responreceiveNIB"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatalf("receiveNIB answered %d with a body outside OSS's envelope: %s", rec.Code, rec.Body)
	}
	return rec.Code, a.R.Status, a.R.Keterangan
}

// mustReceive posts m and fails t unless jkngate answers 200 status "1".
func (o *ossEnv) mustReceive(t testing.TB, m osssim.Message) {
	t.Helper()
	if code, status, ket := o.receiveNIB(t, m.Body); code != http.StatusOK || status != "1" {
		t.Fatalf("receiveNIB for %s: %d %q %q", m.NIB, code, status, ket)
	}
}

// deliver runs the worker until nothing is due.
func (o *ossEnv) deliver(t testing.TB) {
	t.Helper()
	for range 50 {
		n, err := o.worker.DeliverDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox never emptied")
}

// deliverCompliantWhileOSSFails has OSS's status endpoint fail with mode
// for the next count calls (0: every call), receives the permit message of
// a compliant company, runs the worker and returns the message.
func (o *ossEnv) deliverCompliantWhileOSSFails(t testing.TB, mode string, count int) osssim.Message {
	t.Helper()
	m := osssim.Build(o.employer(t, bpjssim.ScenarioCompliant), osssim.Options{})
	if err := o.sim.Fail(mode, count); err != nil {
		t.Fatal(err)
	}
	o.mustReceive(t, m)
	o.deliver(t)
	return m
}

// codes are the kd_status OSS received for idIzin, in order.
func (o *ossEnv) codes(idIzin string) string {
	var out []string
	for _, r := range o.sim.Statuses(idIzin) {
		out = append(out, r.Status.KdStatus)
	}
	return strings.Join(out, ",")
}

// decisionOf returns the decision recorded for item i of m.
func (o *ossEnv) decisionOf(t testing.TB, m osssim.Message, i int) gate.Decision {
	t.Helper()
	d, err := oss.Parse(m.Body)
	if err != nil {
		t.Fatal(err)
	}
	items, faults := oss.Applications(d, o.policy, "https://x.invalid/")
	if len(faults) > 0 {
		t.Fatal(faults)
	}
	dec, err := o.store.DecisionForWebhook(t.Context(), gate.OSSClientID, items[i].WebhookID)
	if err != nil {
		t.Fatal(err)
	}
	return dec
}

// people calls the people's API as a.
func (o *ossEnv) people(t testing.TB, a actor, method, path string, body any) *httptest.ResponseRecorder {
	t.Helper()
	var r *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.token(t))
	rec := httptest.NewRecorder()
	o.e.ServeHTTP(rec, req)
	return rec
}

// employer is bpjs-sim's first employer of scenario s.
func (o *ossEnv) employer(t testing.TB, s bpjssim.Scenario) bpjssim.Employer {
	t.Helper()
	e, ok := o.data.Pick(s)
	if !ok {
		t.Fatalf("no employer in scenario %s", s)
	}
	return e
}

// counterValue is the value of counter name with the one label value
// label, from reg.
func counterValue(t testing.TB, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == label {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
