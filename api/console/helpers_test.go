package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/api/console"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

// registry is BPJS as these tests see it: every employer is registered
// with fewer active workers than the 52 declared (a denial).
type registry struct{}

func (registry) Employer(_ context.Context, nib string) (gate.EmployerLookup, error) {
	return gate.EmployerLookup{Found: true, Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: time.Now().Add(-time.Hour)},
		Employer: gate.Employer{Code: "01020304", NIB: nib, Name: "PT MAJU JAYA", Status: gate.EmployerActive,
			StatusText: "AKTIF", RegisteredWorkers: 52, ActiveWorkers: 40, LastPaidPeriod: "2026-10", DataDate: "2026-11-21"}}, nil
}

func (registry) Participant(_ context.Context, nik string) (gate.ParticipantLookup, error) {
	return gate.ParticipantLookup{Found: true, Participant: gate.Participant{NIK: nik, Status: gate.ParticipantActive,
		Segment: "PPU"}, Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: time.Now()}}, nil
}

// clock is a test clock that tests move forward.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is the API with the console mounted, on a real SQLite store, signing
// in with demo users: 0 officer of 1275, 1 reviewer of 12, 2 admin.
type env struct {
	h     http.Handler
	store *sqlite.Store
	svc   *gate.Service
	clock *clock
	ids   map[string]string // application id -> decision id
}

var users = []console.DemoUser{
	{Label: "officer 1275", Actor: gate.Actor{Subject: "officer-1275", Roles: []gate.Role{gate.RoleOfficer}, Regions: []string{"1275"}}},
	{Label: "reviewer 12", Actor: gate.Actor{Subject: "reviewer-12", Roles: []gate.Role{gate.RoleReviewer}, Regions: []string{"12"}}},
	{Label: "admin", Actor: gate.Actor{Subject: "admin-1", Roles: []gate.Role{gate.RoleAdmin}}},
}

func newEnv(t testing.TB, path string) *env {
	t.Helper()
	ctx := context.Background()
	if path == "" {
		path = filepath.Join(t.TempDir(), "jkngate.db")
	}
	store, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if err := store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: time.Now()}
	svc := &gate.Service{Registry: registry{}, Store: store, Policy: gate.DefaultPolicy(), Now: clk.now}
	people := &gate.People{Gate: svc, Store: store, Importer: &bpjsfile.Importer{Store: store, Now: clk.now}}
	con, err := console.New(console.Config{People: people, SessionKey: []byte(strings.Repeat("k", 32)),
		DemoUsers: users, Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	h := api.New(api.Deps{Gate: svc, People: people, Console: con, Now: clk.now})
	return &env{h: h, store: store, svc: svc, clock: clk, ids: map[string]string{}}
}

func (e *env) submit(t testing.TB, appID, nib, region string) gate.Decision {
	t.Helper()
	d, err := e.svc.Submit(context.Background(), "oss", "msg-"+appID, gate.Application{ID: appID, NIB: nib,
		RegionCode: region, PermitType: gate.PermitBusinessLicense, DeclaredWorkers: 52})
	if err != nil {
		t.Fatal(err)
	}
	e.ids[appID] = d.ID
	return d
}

// do sends a request from this origin (as a browser would say with
// Sec-Fetch-Site), with the cookies given.
func (e *env) do(t testing.TB, method, target string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	req.Host = "127.0.0.1:8080"
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

// signIn signs demo user i in and returns the session cookie.
func (e *env) signIn(t testing.TB, i int) *http.Cookie {
	t.Helper()
	w := e.do(t, http.MethodPost, "/console/login", url.Values{"user": {fmt.Sprint(i)}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("sign-in: HTTP %d %s", w.Code, w.Body)
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == "jkngate_console" {
			return c
		}
	}
	t.Fatal("sign-in set no session cookie")
	return nil
}

// session returns the refreshed session cookie of a response, or the one
// given when the response did not refresh it.
func session(w *httptest.ResponseRecorder, old *http.Cookie) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == "jkngate_console" {
			return c
		}
	}
	return old
}

func newFormRequest(t testing.TB, target string, form url.Values) *http.Request {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "127.0.0.1:8080"
	return req
}

func serve(e *env, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	return w
}

// newRequestOnHost signs user 0 in on a public host name.
func newRequestOnHost(t testing.TB, e *env, host string) *httptest.ResponseRecorder {
	t.Helper()
	req := newFormRequest(t, "/console/login", url.Values{"user": {"0"}})
	req.Host = host
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return serve(e, req)
}
