package gate

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	officer = Actor{Subject: "officer-1", Roles: []Role{RoleOfficer}, Regions: []string{"1275"}}
	admin   = Actor{Subject: "admin-1", Roles: []Role{RoleAdmin}}
)

// actions lists the audit trail's actions.
func (s *fakeStore) actions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return each(s.audit, func(e AuditEntry) string { return e.Action })
}

// each is f of every item in order; nil for none.
func each[T, U any](items []T, f func(T) U) []U {
	var out []U
	for _, it := range items {
		out = append(out, f(it))
	}
	return out
}

// An officer sees a company decided in their regions, with BPJS's data,
// its latest decision, counts and open review; outside them it does not
// exist, unless to an admin. Every read is on the trail.
func TestPeopleCompany(t *testing.T) {
	ctx := context.Background()
	w := newWorkflow(t)
	w.submit(t, "wh-1", 0, "", OutcomeAllow)
	w.advance(time.Minute)
	deny := w.submit(t, "wh-2", 2, "", OutcomeDeny)

	v, err := w.people.Company(ctx, officer, deny.NIB)
	if err != nil {
		t.Fatal(err)
	}
	if v.Latest == nil || v.Latest.ID != deny.ID || v.OpenReview == nil || v.OpenReview.ID != deny.ID ||
		v.Counts[OutcomeAllow] != 1 || v.Counts[OutcomeDeny] != 1 || !v.Employer.Found || v.EmployerErr != nil {
		t.Errorf("company view = latest %v, open %v, counts %v, employer %v %v", v.Latest, v.OpenReview, v.Counts,
			v.Employer.Found, v.EmployerErr)
	}
	if _, err := w.people.Company(ctx, outsider, deny.NIB); KindOf(err) != KindNotFound {
		t.Errorf("outside the regions: %v, want not found", err)
	}
	if v, err := w.people.Company(ctx, admin, "9120009999999"); err != nil || v.Latest != nil {
		t.Errorf("admin, company never decided: %+v, %v; want an empty view", v.Latest, err)
	}
	if _, err := w.people.Company(ctx, admin, "91200"); KindOf(err) != KindInvalid {
		t.Errorf("malformed NIB: %v, want invalid", err)
	}

	v, err = w.people.Refresh(ctx, officer, deny.NIB)
	if err != nil || v.Latest == nil || w.inv.nib != deny.NIB || len(w.inv.niks) != 0 {
		t.Errorf("Refresh = %v, invalidated %q %v; want the company's employer dropped", err, w.inv.nib, w.inv.niks)
	}
	want := []string{"company.read", "company.read", "company.read", "company.refresh", "company.read"}
	if got := w.st.actions(); !slices.Equal(got, want) {
		t.Errorf("trail = %v, want %v", got, want)
	}
	if _, err := w.people.Refresh(ctx, outsider, deny.NIB); KindOf(err) != KindNotFound {
		t.Errorf("Refresh outside the regions: %v, want not found", err)
	}
}

// Lists are scoped, paged with a cursor at a full page, and on the trail;
// a trail that cannot be written serves nothing.
func TestPeopleLists(t *testing.T) {
	ctx := context.Background()
	w := newWorkflow(t)
	var ids []string
	for i := range 3 {
		w.advance(time.Minute)
		ids = append(ids, w.submit(t, "wh-"+string(rune('a'+i)), 2, "", OutcomeDeny).ID)
	}
	slices.Reverse(ids) // newest first

	items, next, err := w.people.Decisions(ctx, officer, DecisionFilter{Limit: 2})
	if err != nil || len(items) != 2 || items[0].ID != ids[0] || next != ids[1] {
		t.Errorf("first page = %d items, next %q, %v; want 2, next %s", len(items), next, err, ids[1])
	}
	items, next, _ = w.people.Decisions(ctx, officer, DecisionFilter{Limit: 2, After: next})
	if len(items) != 1 || items[0].ID != ids[2] || next != "" {
		t.Errorf("last page = %d items, next %q", len(items), next)
	}
	if items, _, _ := w.people.Decisions(ctx, outsider, DecisionFilter{}); len(items) != 0 {
		t.Errorf("an outsider sees %d decisions", len(items))
	}
	var streamed []string
	if err := w.people.Export(ctx, officer, DecisionFilter{}, func(d Decision) error {
		streamed = append(streamed, d.ID)
		return nil
	}); err != nil || !slices.Equal(streamed, ids) {
		t.Errorf("Export = %v, %v; want %v", streamed, err, ids)
	}

	// Only the newest decision is current: a superseded decision's open
	// review is not awaiting review.
	open, _, err := w.people.Reviews(ctx, officer, ReviewFilter{})
	if err != nil || len(open) != 1 || open[0].ID != ids[0] {
		t.Errorf("open reviews = %v, %v; want only the current decision", open, err)
	}
	if overdue, _, _ := w.people.Reviews(ctx, officer, ReviewFilter{Overdue: true}); len(overdue) != 0 {
		t.Errorf("%d overdue at once", len(overdue))
	}
	w.advance(30 * 24 * time.Hour)
	if overdue, _, _ := w.people.Reviews(ctx, officer, ReviewFilter{Overdue: true}); len(overdue) != 1 {
		t.Errorf("%d overdue a month later, want 1", len(overdue))
	}
	for _, f := range []ReviewFilter{{State: "pending"}, {State: ReviewClosed, Overdue: true}} {
		if _, _, err := w.people.Reviews(ctx, officer, f); KindOf(err) != KindInvalid {
			t.Errorf("Reviews(%+v) = %v, want invalid", f, err)
		}
	}
	entries, _, err := w.people.Audit(ctx, admin, AuditFilter{})
	if err != nil || len(entries) != 7 {
		t.Errorf("audit = %d entries, %v; want 7 (3 lists, an export, 3 review lists)", len(entries), err)
	}

	w.st.fail["RecordAccess"] = errors.New("disk full")
	if items, _, err := w.people.Decisions(ctx, officer, DecisionFilter{}); CodeOf(err) != "store_unavailable" || items != nil {
		t.Errorf("Decisions without a trail = %d items, %v", len(items), err)
	}
	called := false
	if err := w.people.Export(ctx, officer, DecisionFilter{}, func(Decision) error { called = true; return nil }); CodeOf(err) != "store_unavailable" || called {
		t.Errorf("Export without a trail = %v, streamed %v", err, called)
	}
	if _, _, err := w.people.Reviews(ctx, officer, ReviewFilter{}); CodeOf(err) != "store_unavailable" {
		t.Errorf("Reviews without a trail = %v", err)
	}
	if _, err := w.people.Decision(ctx, officer, ids[0]); CodeOf(err) != "store_unavailable" {
		t.Errorf("Decision without a trail = %v", err)
	}
}

func TestPageSize(t *testing.T) {
	for n, want := range map[int]int{-1: DefaultPageSize, 0: DefaultPageSize, 7: 7, MaxPageSize: MaxPageSize, MaxPageSize + 1: MaxPageSize} {
		if got := pageSize(n); got != want {
			t.Errorf("pageSize(%d) = %d, want %d", n, got, want)
		}
	}
}

// A what-if evaluates without recording, inside the actor's regions and
// the person's limits, and puts the number of workers checked on the
// trail, never their NIKs.
func TestPeopleWhatIf(t *testing.T) {
	ctx := context.Background()
	w := newWorkflow(t)
	w.people.WhatIfLimits = WhatIfLimits{PerMinute: 1, Burst: 1, NIKsPerMinute: 2}
	a := app(PermitBusinessLicense, 2, "1275014101900001", "1275014101900002")
	d, err := w.people.WhatIf(ctx, officer, a)
	if err != nil || d.Outcome != OutcomeAllow || d.ID != "" || len(w.st.decisions) != 0 {
		t.Fatalf("WhatIf = %s %q, %v, %d recorded; want an allow, no id, nothing recorded", d.Outcome, d.ID, err, len(w.st.decisions))
	}
	last := w.st.audit[len(w.st.audit)-1]
	if last.Action != "company.evaluate" || last.Detail != "niks_checked=2" || strings.Contains(last.Detail, "1275014101900001") {
		t.Errorf("trail entry = %+v", last)
	}
	var rl *RateLimited
	if _, err := w.people.WhatIf(ctx, officer, a); CodeOf(err) != CodeRateLimited || !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Errorf("second what-if in the minute = %v, want rate limited with a wait", err)
	}
	if _, err := w.people.WhatIf(ctx, outsider, a); KindOf(err) != KindNotFound {
		t.Errorf("outside the regions = %v, want not found", err)
	}
	a.Workers = append(a.Workers, Worker{NIK: "1275014101900003"})
	a.DeclaredWorkers = 3
	if _, err := w.people.WhatIf(ctx, admin, a); KindOf(err) != KindInvalid {
		t.Errorf("a what-if of more workers than a minute's limit = %v, want invalid", err)
	}
	if _, err := w.people.WhatIf(ctx, admin, Application{}); KindOf(err) != KindInvalid {
		t.Errorf("a malformed application = %v, want invalid", err)
	}
}

// Admins list deliveries and retry failed ones; the retry is on the trail.
func TestPeopleCallbacks(t *testing.T) {
	ctx := context.Background()
	w := newWorkflow(t)
	old := w.submit(t, "wh-1", 2, "", OutcomeDeny)
	if _, err := w.people.Review(ctx, reviewer, old.ID, ActionUphold, "Sudah diperiksa dengan teliti."); err != nil {
		t.Fatal(err)
	}
	items, next, err := w.people.Callbacks(ctx, admin, CallbackFilter{State: CallbackPending, Limit: 1})
	if err != nil || len(items) != 1 || next != items[0].ID {
		t.Errorf("Callbacks = %d, next %q, %v", len(items), next, err)
	}
	if _, _, err := w.people.Callbacks(ctx, admin, CallbackFilter{State: "lost"}); KindOf(err) != KindInvalid {
		t.Errorf("unknown state = %v, want invalid", err)
	}
	if _, err := w.people.RetryCallback(ctx, admin, NewCallbackID(t0)); KindOf(err) != KindNotFound {
		t.Errorf("RetryCallback of an unknown delivery = %v, want not found", err)
	}
	if got := RedactURL("https://user:pw@example.go.id/cb?token=s3cret#x"); got != "https://example.go.id/cb?token=redacted" {
		t.Errorf("RedactURL = %q", got)
	}
}

// Old decisions lose their workers' NIKs in batches until none is left;
// a zero retention erases nothing.
func TestEraseOldPersonalData(t *testing.T) {
	st := &erasingStore{left: 1200}
	n, err := EraseOldPersonalData(context.Background(), st, t0, 24*time.Hour)
	if err != nil || n != 1200 || st.calls != 4 || !st.cutoff.Equal(t0.Add(-24*time.Hour)) {
		t.Errorf("erased %d in %d calls (cutoff %v), %v; want 1200 in 4, a day back", n, st.calls, st.cutoff, err)
	}
	if n, _ := EraseOldPersonalData(context.Background(), st, t0, 0); n != 0 || st.calls != 4 {
		t.Errorf("zero retention erased %d", n)
	}
	st = &erasingStore{left: 700, err: errors.New("down")}
	if n, err := EraseOldPersonalData(context.Background(), st, t0, time.Hour); err == nil || n != 500 {
		t.Errorf("a failing batch = %d, %v; want the first batch's 500 and the error", n, err)
	}
}

type erasingStore struct {
	left, calls int
	cutoff      time.Time
	err         error
}

func (s *erasingStore) EraseWorkerData(_ context.Context, cutoff time.Time, limit int) (int, error) {
	s.calls++
	s.cutoff = cutoff
	if s.err != nil && s.calls > 1 {
		return 0, s.err
	}
	n := min(limit, s.left)
	s.left -= n
	return n, nil
}

// People reaches the Service through peopleGate only: no method of People
// touches p.Gate but People.gate, so Service's internals stay its own.
func TestPeopleUsesOnlyThePeopleGate(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Name.Name == "gate" {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "Gate" {
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "p" {
						t.Errorf("%s: %s uses p.Gate; go through p.gate()", fset.Position(sel.Pos()), fn.Name.Name)
					}
				}
				return true
			})
		}
	}
}
