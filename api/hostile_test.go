package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/jwks"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/postgres"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

// hostileCase is one request of the hostile table: a webhook delivery
// (webhookID set) or a people's API call as reviewer1275.
type hostileCase struct {
	name      string
	webhookID string // a webhook delivery when set
	method    string
	path      string
	body      string
}

// hostileCases are inputs an attacker or an unlucky integrator sends. Both
// stores must give each the same status and code, and none may be a 5xx:
// a deterministic input refused by one store only is what made PostgreSQL
// answer 503 forever (issue 8 item 2).
func hostileCases(t *testing.T) []hostileCase {
	t.Helper()
	wh := func(name, id string, data map[string]string) hostileCase {
		return hostileCase{name: name, webhookID: id, body: string(event(t, data))}
	}
	raw := func(name, id, body string) hostileCase { return hostileCase{name: name, webhookID: id, body: body} }
	valid := string(event(t, nil))
	q := func(s string) string { return `"` + s + `"` }
	cases := []hostileCase{
		wh("valid", "msg-valid", nil),
		wh("valid again (idempotent)", "msg-valid", nil),
		wh("declared int64 max", "msg-d1", map[string]string{"declared_workers": "9223372036854775807"}),
		wh("declared 2^31", "msg-d2", map[string]string{"declared_workers": "2147483648"}),
		wh("declared 2^31-1", "msg-d3", map[string]string{"declared_workers": "2147483647"}),
		wh("declared at the bound", "msg-d4", map[string]string{"declared_workers": "10000000"}),
		wh("declared past the bound", "msg-d5", map[string]string{"declared_workers": "10000001"}),
		wh("declared 1e400", "msg-d6", map[string]string{"declared_workers": "1e400"}),
		wh("declared negative", "msg-d7", map[string]string{"declared_workers": "-1"}),
		wh("webhook-id 256", strings.Repeat("i", 256), nil),
		wh("webhook-id 257", strings.Repeat("i", 257), nil),
		wh("webhook-id 3000", strings.Repeat("j", 3000), nil),
		wh("webhook-id non-ASCII", "msg-ñ", nil),
		wh("webhook-id NUL", "msg-\x00", nil),
		wh("webhook-id bidi", "msg-\u202e", nil),
		wh("application_id NUL", "msg-a1", map[string]string{"application_id": q(`A\u0000B`)}),
		wh("application_id bidi", "msg-a2", map[string]string{"application_id": q(`A\u202eB`)}),
		wh("application_id zero-width", "msg-a3", map[string]string{"application_id": q(`A\u200bB`)}),
		wh("application_id 129", "msg-a4", map[string]string{"application_id": q(strings.Repeat("a", 129))}),
		wh("application_id 128 multibyte", "msg-a5", map[string]string{"application_id": q(strings.Repeat("é", 128))}),
		wh("application_id 64 multibyte", "msg-a6", map[string]string{"application_id": q(strings.Repeat("é", 64))}),
		wh("company_name NUL", "msg-c1", map[string]string{"company_name": q(`PT \u0000`)}),
		wh("company_name 3000", "msg-c2", map[string]string{"company_name": q(strings.Repeat("x", 3000))}),
		wh("callback_url 3000", "msg-u1", map[string]string{"callback_url": q("https://e.example/" + strings.Repeat("x", 3000))}),
		wh("callback_url private", "msg-u2", map[string]string{"callback_url": q("http://10.0.0.1/cb")}),
		wh("callback_url NUL", "msg-u3", map[string]string{"callback_url": q(`https://e.example/\u0000`)}),
		wh("nik NUL", "msg-n1", map[string]string{"workers": `[{"nik":"1275014101900\u0000"}]`}),
		wh("kbli 101", "msg-k1", map[string]string{"kbli": `[` + strings.Repeat(`"47111",`, 100) + `"47111"]`}),
		wh("kbli 100001", "msg-k2", map[string]string{"kbli": `[` + strings.Repeat(`"x",`, 100_000) + `"x"]`}),
		wh("workers 10001", "msg-w1", map[string]string{"workers": `[` + strings.Repeat(`{"nik":"1275014101900001"},`, 10_000) + `{"nik":"1275014101900001"}]`}),
		raw("invalid UTF-8", "msg-r1", strings.Replace(valid, `"data":{`, "\"data\":{\"company_name\":\"\xff\",", 1)),
		raw("duplicate key", "msg-r2", strings.Replace(valid, `"data":{`, `"data":{"nib":"9120001234568",`, 1)),
		raw("upper-case key", "msg-r3", strings.Replace(valid, `"nib"`, `"NIB"`, 1)),
		raw("deep nesting", "msg-r4", strings.Replace(valid, `"data":{`, `"data":{"x":`+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+`,`, 1)),
		{name: "filter NUL", method: "GET", path: "/v1/decisions?application_id=A%00B"},
		{name: "filter invalid UTF-8", method: "GET", path: "/v1/decisions?application_id=%FF%FE"},
		{name: "filter 129", method: "GET", path: "/v1/decisions?application_id=" + strings.Repeat("a", 129)},
		{name: "export filter NUL", method: "GET", path: "/v1/decisions/export.csv?application_id=%00"},
		{name: "decision id NUL", method: "GET", path: "/v1/decisions/dec_%00"},
		{name: "decision id invalid UTF-8", method: "GET", path: "/v1/decisions/dec_%FF"},
		{name: "decision id 3000", method: "GET", path: "/v1/decisions/dec_" + strings.Repeat("A", 3000)},
		{name: "company NUL", method: "GET", path: "/v1/companies/912000123456%00"},
		{name: "review id NUL", method: "POST", path: "/v1/decisions/dec_%00/review", body: `{"action":"reevaluate"}`},
		{name: "what-if huge declared", method: "POST", path: "/v1/companies/" + validNIB + "/evaluate",
			body: `{"application_id":"W","region_code":"1275","permit_type":"business_license","declared_workers":9223372036854775807}`},
		{name: "what-if kbli 100001", method: "POST", path: "/v1/companies/" + validNIB + "/evaluate",
			body: `{"application_id":"W","region_code":"1275","permit_type":"business_license","declared_workers":1,"kbli":[` + strings.Repeat(`"x",`, 100_000) + `"x"]}`},
	}
	return cases
}

// TestHostileInputsSameOnBothStores runs hostileCases through the real
// router on SQLite and on PostgreSQL and requires the same answers.
func TestHostileInputsSameOnBothStores(t *testing.T) {
	cases := hostileCases(t)
	sq, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "jkngate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	pg := openTestPostgres(t)
	results := map[string][]string{}
	for name, store := range map[string]gate.PeopleStore{"sqlite": sq, "postgres": pg} {
		if err := store.(interface{ Migrate(context.Context) error }).Migrate(t.Context()); err != nil {
			t.Fatalf("%s: migrate: %v", name, err)
		}
		e := hostileAPI(t, store)
		for _, c := range cases {
			rec := c.send(t, e)
			code := ""
			if rec.Code != http.StatusOK {
				code = errorBody(t, rec).Code
			}
			if rec.Code >= 500 {
				t.Errorf("%s: %s: %d %s, want no 5xx for an input", name, c.name, rec.Code, rec.Body)
			}
			results[name] = append(results[name], fmt.Sprintf("%d %s", rec.Code, code))
		}
	}
	for i, c := range cases {
		if s, p := results["sqlite"][i], results["postgres"][i]; s != p {
			t.Errorf("%s: SQLite answered %s, PostgreSQL %s", c.name, s, p)
		}
	}
	if testing.Verbose() {
		for i, c := range cases {
			t.Logf("%-32s %s", c.name, results["sqlite"][i])
		}
	}
}

func (c hostileCase) send(t *testing.T, e *echo.Echo) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if c.webhookID != "" {
		req = webhookRequest(t, clientID, secret1, c.webhookID, now, []byte(c.body))
	} else {
		req = httptest.NewRequest(c.method, "/", bytes.NewReader([]byte(c.body)))
		// The path is set raw: httptest.NewRequest would refuse some.
		u, err := url.Parse(c.path)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		req.URL = u
		req.RequestURI = c.path
		req.Header.Set("Authorization", "Bearer "+reviewer1275.token(t))
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// hostileAPI is the API on store, with the people's API as in
// newPeopleEnv and the webhook client of the webhook tests.
func hostileAPI(t *testing.T, store gate.PeopleStore) *echo.Echo {
	t.Helper()
	k := keys(t)
	auth, err := api.NewAuthenticator(api.AuthConfig{
		Keys:   jwks.NewStatic(map[string]any{k.rsaKid: &k.rsa.PublicKey}),
		Issuer: testIssuer, Audience: testAudience,
		Now: func() time.Time { return now },
	})
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	svc := &gate.Service{Registry: peopleRegistry{}, Store: store, Policy: gate.DefaultPolicy(),
		Now: func() time.Time { return now }, Logger: logger}
	return api.New(api.Deps{
		Gate:    svc,
		People:  &gate.People{Gate: svc, Store: store, Invalidator: &invalidations{}, Logger: logger},
		Auth:    auth,
		Clients: map[string][]standardwebhooks.Secret{clientID: {mustSecret(t, secret1)}},
		Logger:  logger,
		Now:     func() time.Time { return now },
	})
}

// openTestPostgres opens a store on a fresh schema of the test server
// (JKNGATE_TEST_POSTGRES_URL, else 127.0.0.1:5432 database test), dropped
// when t ends. It skips t when the server cannot be reached, and fails it
// instead when CI=true, so that CI never passes by skipping.
func openTestPostgres(t *testing.T) *postgres.Store {
	t.Helper()
	base := os.Getenv("JKNGATE_TEST_POSTGRES_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		msg := "PostgreSQL is not reachable (%v): start PostgreSQL at 127.0.0.1:5432 or set JKNGATE_TEST_POSTGRES_URL"
		if os.Getenv("CI") == "true" {
			t.Fatalf(msg, err)
		}
		t.Skipf(msg, err)
	}
	defer conn.Close(context.Background())
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_hostile_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, base); err == nil {
			if _, err := c.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				t.Errorf("drop schema %s: %v", schema, err)
			}
			c.Close(ctx)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	qv := u.Query()
	qv.Set("search_path", schema)
	u.RawQuery = qv.Encode()
	s, err := postgres.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() }) // before the schema is dropped
	return s
}
