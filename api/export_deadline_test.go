package api_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// slowRows streams copies of one decision, pausing after each chunk of 500
// as a large export over a slow store would: the whole export takes longer
// than the server's write timeout, each chunk much less.
type slowRows struct {
	gate.PeopleStore
	copies int
	pause  time.Duration
}

func (s slowRows) EachDecision(ctx context.Context, f gate.DecisionFilter, fn func(gate.Decision) error) error {
	var first gate.Decision
	found := false
	err := s.PeopleStore.EachDecision(ctx, f, func(d gate.Decision) error {
		if !found {
			first, found = d, true
		}
		return nil
	})
	if err != nil || !found {
		return err
	}
	for i := range s.copies {
		if i > 0 && i%500 == 0 {
			time.Sleep(s.pause)
		}
		if err := fn(first); err != nil {
			return err
		}
	}
	return nil
}

// A CSV export that takes longer than the server's write timeout, while
// making steady progress, is delivered whole: the write timeout bounds how
// long a chunk may take, not how long the export runs.
func TestExportOutlastsTheWriteTimeout(t *testing.T) {
	const writeTimeout = 200 * time.Millisecond
	p := newPeopleEnvWith(t, func(s gate.PeopleStore) gate.PeopleStore {
		return slowRows{PeopleStore: s, copies: 2000, pause: writeTimeout / 2}
	})
	p.seed(t)
	srv := httptest.NewUnstartedServer(p.e)
	srv.Config.WriteTimeout = writeTimeout
	srv.Start()
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/decisions/export.csv", nil)
	req.Header.Set("Authorization", "Bearer "+officer1275.token(t))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatalf("the export was cut off after %d rows: %v", len(rows), err)
	}
	if resp.StatusCode != http.StatusOK || len(rows) != 2001 {
		t.Fatalf("status %d, %d rows; want 200 and the header plus 2,000 rows", resp.StatusCode, len(rows))
	}
}
