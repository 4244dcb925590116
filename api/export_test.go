package api_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jkngate/jkngate/gate"
)

var exportHeader = []string{"decision_id", "application_id", "nib", "region_code", "permit_type", "outcome",
	"reason_codes", "decided_at", "valid_until", "supersedes", "evidence_source", "evidence_as_of",
	"declared_workers", "review_state", "review_action"}

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("%v in %q", err, body)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], exportHeader) {
		t.Fatalf("header %v", rows)
	}
	return rows[1:]
}

func TestExportCSV(t *testing.T) {
	p := newPeopleEnv(t)
	p.seed(t)
	tricky := "=HYPERLINK(\"http://evil.example\",\"x, y\") Ñandú \"Sejahtera\"" // ids may not hold control characters
	p.submit(t, tricky, nibUnknown, "1275")
	p.submit(t, "-2+3", nibShared, "1275")
	upheld := decode[map[string]any](t, p.as(t, reviewer1275, "POST", reviewPath(p.ids["APP-1275-2"]),
		map[string]string{"action": "uphold", "note": "=1+1, \"no\" registration\non file"}))

	rec := p.as(t, officer1275, "GET", "/v1/decisions/export.csv", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	h := rec.Header()
	if h.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") {
		t.Errorf("headers %v", h)
	}
	if !utf8.Valid(rec.Body.Bytes()) {
		t.Error("not UTF-8")
	}
	rows := readCSV(t, rec.Body.String())
	byApp := map[string][]string{}
	for _, r := range rows {
		if len(r) != len(exportHeader) {
			t.Fatalf("row of %d cells: %q", len(r), r)
		}
		byApp[r[1]] = append(byApp[r[1]], strings.Join(r, "|"))
	}
	if byApp["'"+tricky] == nil {
		t.Errorf("the formula-like application id is not quoted and neutralized: %v", slices.Collect(mapsKeys(byApp)))
	}
	if byApp["'-2+3"] == nil {
		t.Error("an application id starting with - is not neutralized")
	}
	// The upheld decision: UPHELD first, the review columns, supersedes.
	var found bool
	for _, r := range rows {
		if r[0] == upheld["decision_id"] {
			found = true
			want := []string{upheld["decision_id"].(string), "APP-1275-2", nibUnknown, "1275", "business_license", "deny",
				"UPHELD;EMPLOYER_NOT_REGISTERED", now.Format("2006-01-02T15:04:05.000Z"), now.Add(720 * time.Hour).Format(time.RFC3339),
				p.ids["APP-1275-2"], "live", now.Add(-time.Minute).Format(time.RFC3339), "52", "closed", "uphold"}
			if !slices.Equal(r, want) {
				t.Errorf("upheld row\n got %q\nwant %q", r, want)
			}
		}
	}
	if !found || len(rows) != 3+2+1 {
		t.Errorf("%d rows, upheld found %v", len(rows), found)
	}

	// Filters apply.
	rows = readCSV(t, p.as(t, admin, "GET", "/v1/decisions/export.csv?outcome=allow&region=12", nil).Body.String())
	if len(rows) != 3 { // APP-1275-1, -2+3, APP-1272-1
		t.Errorf("allow in 12: %d rows", len(rows))
	}
}

func mapsKeys(m map[string][]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// failingExport streams n synthetic decisions, then fails.
type failingExport struct {
	gate.PeopleStore
	n int
}

func (f failingExport) EachDecision(_ context.Context, _ gate.DecisionFilter, fn func(gate.Decision) error) error {
	for i := range f.n {
		d := gate.Decision{ID: fmt.Sprintf("dec_%026d", i), ApplicationID: fmt.Sprintf("APP-%d", i), NIB: nibShared,
			RegionCode: "1275", Outcome: gate.OutcomeAllow, DecidedAt: now, ValidUntil: now}
		if err := fn(d); err != nil {
			return err
		}
	}
	return &gate.Error{Kind: gate.KindUnavailable, Code: "store_unavailable", Message: "the database went away"}
}

func TestExportFailure(t *testing.T) {
	// Before anything was sent: an ordinary error answer.
	p := newPeopleEnvWith(t, func(s gate.PeopleStore) gate.PeopleStore { return failingExport{s, 0} })
	rec := p.as(t, admin, "GET", "/v1/decisions/export.csv", nil)
	if rec.Code != http.StatusServiceUnavailable || errorBody(t, rec).Code != "store_unavailable" ||
		rec.Header().Get("Content-Disposition") != "" {
		t.Errorf("status %d, headers %v, body %s", rec.Code, rec.Header(), rec.Body)
	}

	// After rows were sent: the download fails visibly instead of ending
	// as if complete.
	p = newPeopleEnvWith(t, func(s gate.PeopleStore) gate.PeopleStore { return failingExport{s, 2000} })
	srv := httptest.NewServer(p.e)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/v1/decisions/export.csv", nil)
	req.Header.Set("Authorization", "Bearer "+admin.token(t))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || err == nil {
		t.Errorf("status %d, read error %v after %d bytes: want 200 and a broken body", resp.StatusCode, err, len(body))
	}
	if !strings.Contains(p.logs.String(), "export failed after it began") {
		t.Errorf("not logged: %s", p.logs)
	}
}
