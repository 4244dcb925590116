package storesql

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

// fakeDB answers every query with its rows (or err), and records the
// statement and whether the rows were closed.
type fakeDB struct {
	rows   *fakeRows
	err    error
	q      string
	args   []any
	closed int
}

func (db *fakeDB) Query(_ context.Context, q string, args ...any) (Rows, func(), error) {
	db.q, db.args = q, args
	if db.err != nil {
		return nil, nil, db.err
	}
	return db.rows, func() { db.closed++ }, nil
}

func (db *fakeDB) QueryRow(_ context.Context, q string, args ...any) Row {
	db.q, db.args = q, args
	return db.rows
}

func fakeDecisions(db *fakeDB) Decisions {
	return Decisions{Dialect: pg, DB: db,
		Scan: func(rows Rows) (gate.Decision, error) {
			var n int
			err := rows.Scan(&n)
			return gate.Decision{ID: "dec_" + string(rune('0'+n))}, err
		},
		Translate: func(what string, err error) error {
			return &gate.Error{Kind: gate.KindUnavailable, Code: "store_unavailable", Message: "could not " + what, Err: err}
		},
	}
}

func TestDecisionsListsThroughTheQuerier(t *testing.T) {
	db := &fakeDB{rows: &fakeRows{n: 2}}
	ds, err := fakeDecisions(db).List(t.Context(), gate.DecisionFilter{Scope: gate.Scope{Regions: []string{"31"}}, Limit: 7})
	if err != nil || len(ds) != 2 || ds[0].ID != "dec_1" || ds[1].ID != "dec_2" {
		t.Fatalf("List = %v, %v; want dec_1, dec_2", ds, err)
	}
	if db.closed != 1 {
		t.Errorf("rows closed %d times, want once", db.closed)
	}
	if !strings.Contains(db.q, "ORDER BY d.id DESC LIMIT $3") || len(db.args) != 3 || db.args[2] != 7 {
		t.Errorf("List ran %q %v, want ListDecisions' statement with limit 7", db.q, db.args)
	}
}

func TestDecisionsTranslatesDriverErrors(t *testing.T) {
	down := errors.New("connection refused")
	db := &fakeDB{err: down}
	_, err := fakeDecisions(db).Reviews(t.Context(), gate.ReviewFilter{Scope: gate.Scope{All: true}, State: gate.ReviewClosed})
	if gate.KindOf(err) != gate.KindUnavailable || !errors.Is(err, down) || !strings.Contains(err.Error(), "list reviews") {
		t.Errorf("Reviews with the database down = %v, want KindUnavailable for list reviews wrapping the cause", err)
	}
	if _, err := fakeDecisions(db).Reviews(t.Context(), gate.ReviewFilter{State: "bogus"}); gate.KindOf(err) != gate.KindInvalid {
		t.Errorf("Reviews(bogus state) = %v, want KindInvalid before any query", err)
	}

	failing := &fakeDB{rows: &fakeRows{n: 1, err: down}}
	stop := errors.New("stop")
	err = fakeDecisions(failing).Each(t.Context(), gate.DecisionFilter{Scope: gate.Scope{All: true}}, func(gate.Decision) error { return nil })
	if gate.KindOf(err) != gate.KindUnavailable || !errors.Is(err, down) || failing.closed != 1 {
		t.Errorf("Each with the rows failing = %v (closed %d), want KindUnavailable and rows closed", err, failing.closed)
	}
	err = fakeDecisions(&fakeDB{rows: &fakeRows{n: 3}}).Each(t.Context(), gate.DecisionFilter{Scope: gate.Scope{All: true}},
		func(gate.Decision) error { return stop })
	if err != stop {
		t.Errorf("Each = %v, want fn's error as is", err)
	}
}

func TestDecisionsTranslatesScanErrorsButNotCorruptRows(t *testing.T) {
	raw := errors.New("scan: converting NULL to string")
	corrupt := CorruptDecision(errors.New("reasons: bad json"))
	for _, c := range []struct {
		scanErr error
		want    gate.Kind
	}{{raw, gate.KindUnavailable}, {corrupt, gate.KindInternal}} {
		ds := fakeDecisions(&fakeDB{rows: &fakeRows{n: 1}})
		ds.Scan = func(Rows) (gate.Decision, error) { return gate.Decision{}, c.scanErr }
		_, err := ds.List(t.Context(), gate.DecisionFilter{Scope: gate.Scope{All: true}})
		if gate.KindOf(err) != c.want || !errors.Is(err, c.scanErr) {
			t.Errorf("List with Scan failing %v = %v, want kind %v wrapping it", c.scanErr, err, c.want)
		}
	}
}
