package api_test

import (
	"net/http"
	"testing"
)

// TestAccessTrailFailsClosedOnPostgres is the finding as it was made, on
// PostgreSQL: a token whose sub holds a NUL (which PostgreSQL cannot store
// in the trail) read decisions, listings and the export with no audit row.
// Such a token is now either refused at authentication (401) or, should
// one get through, served nothing because its access cannot be recorded
// (503). Then the same with a trail that PostgreSQL itself refuses to
// write (a trigger): every read answers 503 store_unavailable.
func TestAccessTrailFailsClosedOnPostgres(t *testing.T) {
	store, conn := openPostgres(t)
	p := newPeopleEnvOn(t, store, nil)
	p.seed(t)
	ctx := t.Context()

	nul := actor{"officer\x00medan", []string{"officer", "reviewer"}, []string{"1275"}}
	for _, r := range auditedReads(p) {
		rec := p.as(t, nul, r.method, r.path, r.body)
		what := "NUL sub: " + r.method + " " + r.path
		switch rec.Code {
		case http.StatusUnauthorized:
		case http.StatusServiceUnavailable:
			checkNothingServed(t, p, what, rec.Code, rec, rec.Body.String())
		default:
			t.Errorf("%s: status %d, want 401 or 503; body %.200s", what, rec.Code, rec.Body)
		}
	}
	var rows int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM audit`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 0 {
		t.Errorf("%d audit rows after refused accesses, want 0", rows)
	}

	// The same requests with a printable sub are served and recorded.
	if rec := p.as(t, officer1275, "GET", "/v1/decisions", nil); rec.Code != http.StatusOK {
		t.Fatalf("officer: status %d %s", rec.Code, rec.Body)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM audit`).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("audit rows after one served read: %d, %v; want 1", rows, err)
	}

	// PostgreSQL refuses every new entry of the trail.
	if _, err := conn.Exec(ctx, `CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'the trail is full'; END $$`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE TRIGGER refuse_audit BEFORE INSERT ON audit
		FOR EACH ROW EXECUTE FUNCTION refuse_audit()`); err != nil {
		t.Fatal(err)
	}
	for _, r := range auditedReads(p) {
		rec := p.as(t, r.a, r.method, r.path, r.body)
		checkNothingServed(t, p, "refused trail: "+r.method+" "+r.path, rec.Code, rec, rec.Body.String())
		if rec.Code == http.StatusServiceUnavailable {
			if code := errorBody(t, rec).Code; code != "store_unavailable" {
				t.Errorf("%s %s: code %q, want store_unavailable", r.method, r.path, code)
			}
		}
	}
}
