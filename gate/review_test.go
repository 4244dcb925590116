package gate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// stubRegistry answers for the company of app(): the employer with
// arrears months of arrears (2 active workers), every worker active and
// employer-paid, or, with failCode set, fails every lookup with it.
type stubRegistry struct {
	mu       sync.Mutex
	arrears  int
	failCode string
}

func (r *stubRegistry) set(arrears int, failCode string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.arrears, r.failCode = arrears, failCode
}

func (r *stubRegistry) Employer(context.Context, string) (EmployerLookup, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failCode != "" {
		return EmployerLookup{}, Errorf(KindUnavailable, r.failCode, "fake")
	}
	return employer("1", 2, r.arrears), nil
}

func (r *stubRegistry) Participant(_ context.Context, nik string) (ParticipantLookup, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failCode != "" {
		return ParticipantLookup{}, Errorf(KindUnavailable, r.failCode, "fake")
	}
	return ParticipantLookup{Found: true, Fetch: live, Participant: Participant{NIK: nik, Status: "0", Segment: "13"}}, nil
}

// invalidations records what People asked to drop from the cache.
type invalidations struct {
	nib  string
	niks []string
}

func (i *invalidations) InvalidateEmployer(_ context.Context, nib string, niks ...string) error {
	i.nib, i.niks = nib, niks
	return nil
}

// workflow is a gate with a fake store, a stub registry and a clock that
// tests move, for the review and recheck workflows.
type workflow struct {
	svc    *Service
	people *People
	st     *fakeStore
	reg    *stubRegistry
	inv    *invalidations
	now    time.Time
	mu     sync.Mutex
	told   []Decision // what OnDecision was told, created true only
}

const callbackURL = "https://perizinan.example.go.id/jkn/callback"

var (
	reviewer = Actor{Subject: "reviewer-1", Roles: []Role{RoleReviewer}, Regions: []string{"12"}}
	outsider = Actor{Subject: "reviewer-9", Roles: []Role{RoleReviewer}, Regions: []string{"35"}}
)

func newWorkflow(t *testing.T) *workflow {
	t.Helper()
	w := &workflow{st: newFakeStore(), reg: &stubRegistry{}, inv: &invalidations{}, now: t0}
	w.svc = &Service{Registry: w.reg, Store: w.st, Policy: DefaultPolicy(),
		Now: func() time.Time { w.mu.Lock(); defer w.mu.Unlock(); return w.now },
		OnDecision: func(d Decision, created bool) {
			if created {
				w.mu.Lock()
				w.told = append(w.told, d)
				w.mu.Unlock()
			}
		}}
	w.people = &People{Gate: w.svc, Store: w.st, Invalidator: w.inv}
	return w
}

func (w *workflow) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

func (w *workflow) toldIDs() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return each(w.told, func(d Decision) string { return d.ID })
}

// submit decides the application of app() with two workers, delivered as
// webhook, with arrears months of arrears (or BPJS failing with failCode),
// and checks the outcome.
func (w *workflow) submit(t *testing.T, webhook string, arrears int, failCode string, want Outcome) Decision {
	t.Helper()
	w.reg.set(arrears, failCode)
	a := app(PermitBusinessLicense, 2, "1275014101900001", "1275014101900002")
	a.CallbackURL = callbackURL
	d, err := w.svc.Submit(context.Background(), "client-1", webhook, a)
	if err != nil || d.Outcome != want {
		t.Fatalf("Submit = %s %v, %v; want %s", d.Outcome, codes(d), err, want)
	}
	return d
}

func (w *workflow) stored(t *testing.T, id string) Decision {
	t.Helper()
	d, err := w.st.Decision(context.Background(), id)
	if err != nil {
		t.Fatalf("Decision(%s): %v", id, err)
	}
	return d
}

// reviewAnHourOn has reviewer take action on old an hour after t0, stops
// the test if that fails, and checks the successor it answers.
func (w *workflow) reviewAnHourOn(t *testing.T, old Decision, action ReviewAction, note string) Decision {
	t.Helper()
	w.advance(time.Hour)
	next, err := w.people.Review(context.Background(), reviewer, old.ID, action, note)
	if err != nil {
		t.Fatal(err)
	}
	checkSuccessor(t, next, old, t0.Add(time.Hour))
	return next
}

// checkSuccessor checks what every decision a review or recheck makes
// holds: a new id decided now, valid for the policy's time, for the same
// client, application and callback URL, superseding old, answering no
// webhook delivery.
func checkSuccessor(t *testing.T, got, old Decision, now time.Time) {
	t.Helper()
	if !ValidDecisionID(got.ID) || got.ID == old.ID {
		t.Errorf("ID = %q, want a new decision id", got.ID)
	}
	if got.Supersedes != old.ID || got.ClientID != old.ClientID || got.ApplicationID != old.ApplicationID ||
		got.CallbackURL != old.CallbackURL || got.WebhookID != "" {
		t.Errorf("successor = supersedes %q, client %q, application %q, callback %q, webhook %q; want %q, %q, %q, %q, none",
			got.Supersedes, got.ClientID, got.ApplicationID, got.CallbackURL, got.WebhookID,
			old.ID, old.ClientID, old.ApplicationID, old.CallbackURL)
	}
	if !got.DecidedAt.Equal(now) || !got.ValidUntil.Equal(now.Add(DefaultPolicy().DecisionValidFor)) ||
		got.PolicyVersion != DefaultPolicy().Version {
		t.Errorf("decided %v, valid until %v, policy %q; want %v, %v, %q", got.DecidedAt, got.ValidUntil,
			got.PolicyVersion, now, now.Add(DefaultPolicy().DecisionValidFor), DefaultPolicy().Version)
	}
}

func checkErr(t *testing.T, what string, err error, kind Kind, code string) {
	t.Helper()
	if KindOf(err) != kind || (code != "" && CodeOf(err) != code) {
		t.Fatalf("%s: err = %v (kind %v, code %q), want kind %v code %q", what, err, KindOf(err), CodeOf(err), kind, code)
	}
}

// An uphold closes the review and records a deny, with UPHELD ahead of the
// reviewed reasons, that supersedes the reviewed decision; the licensing
// system gets a callback, observers are told, the trail names the action.
func TestReviewUpholdRecordsASupersedingDenial(t *testing.T) {
	for _, tt := range []struct {
		name     string
		arrears  int
		failCode string
		outcome  Outcome
		message  string
	}{
		{"deny", 2, "", OutcomeDeny, "the denial stands"},
		{"review", 0, "bpjs_unavailable", OutcomeReview, "on review, the application is denied"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorkflow(t)
			old := w.submit(t, "wh-1", tt.arrears, tt.failCode, tt.outcome)
			next := w.reviewAnHourOn(t, old, ActionUphold, "  Tunggakan belum dibayar.  ")
			now := t0.Add(time.Hour)
			if next.Outcome != OutcomeDeny || !slices.Equal(codes(next), append([]ReasonCode{ReasonUpheld}, codes(old)...)) {
				t.Errorf("uphold = %s %v, want deny [UPHELD %v]", next.Outcome, codes(next), codes(old))
			}
			if !strings.Contains(next.Reasons[0].MessageEN, tt.message) || next.Reasons[0].Details["reviewer"] != "reviewer-1" {
				t.Errorf("UPHELD reason = %q %v", next.Reasons[0].MessageEN, next.Reasons[0].Details)
			}
			want := Review{State: ReviewClosed, Action: ActionUphold, Note: "Tunggakan belum dibayar.", By: "reviewer-1",
				At: now, DueAt: old.Review.DueAt}
			if next.Review == nil || *next.Review != want {
				t.Errorf("successor's review = %+v, want %+v", next.Review, want)
			}
			if !next.RecheckAt.IsZero() {
				t.Errorf("an upheld decision schedules a recheck at %v; people decided it", next.RecheckAt)
			}
			if got := w.stored(t, old.ID).Review; got == nil || *got != want {
				t.Errorf("reviewed decision's review = %+v, want %+v", got, want)
			}
			if got := w.stored(t, next.ID); got.Supersedes != old.ID {
				t.Errorf("stored successor supersedes %q, want %s", got.Supersedes, old.ID)
			}
			if _, queued := w.st.recheck(next.ID); queued {
				t.Error("the upheld decision was queued for a recheck")
			}
			cbs := w.st.callbacks
			if len(cbs) != 1 || cbs[0].DecisionID != next.ID || cbs[0].URL != callbackURL || !cbs[0].NextAttempt.Equal(now) {
				t.Errorf("callbacks = %+v, want one for %s to %s due now", cbs, next.ID, callbackURL)
			}
			if got := w.toldIDs(); !slices.Equal(got, []string{old.ID, next.ID}) {
				t.Errorf("OnDecision told of %v, want %v", got, []string{old.ID, next.ID})
			}
			last := w.st.audit[len(w.st.audit)-1]
			if last.Action != "review.uphold" || last.ResourceID != old.ID || last.Actor != "reviewer-1" || !last.At.Equal(now) {
				t.Errorf("last audit entry = %+v, want review.uphold of %s", last, old.ID)
			}
			open, _ := w.st.ListReviews(context.Background(), ReviewFilter{Scope: Scope{All: true}, State: ReviewOpen})
			if len(open) != 0 {
				t.Errorf("%d reviews still open", len(open))
			}
		})
	}
}

// An override with a justification allows the application: the earlier
// reasons no longer stand, the reviewer's note is the verified fact.
func TestReviewOverrideAllowsWithTheJustification(t *testing.T) {
	w := newWorkflow(t)
	old := w.submit(t, "wh-1", 2, "", OutcomeDeny)
	note := "Tunggakan sudah dilunasi; bukti bayar diperiksa."
	next := w.reviewAnHourOn(t, old, ActionOverride, note)
	if next.Outcome != OutcomeAllow || !slices.Equal(codes(next), []ReasonCode{ReasonOverridden}) {
		t.Fatalf("override = %s %v, want allow [OVERRIDDEN]", next.Outcome, codes(next))
	}
	r := next.Reasons[0]
	if r.Details["verified_fact"] != note || !slices.Equal(r.Details["overridden_reasons"].([]any), []any{string(ReasonContributionArrears)}) {
		t.Errorf("OVERRIDDEN details = %v", r.Details)
	}
	if next.Review == nil || next.Review.Action != ActionOverride || next.Review.State != ReviewClosed || next.Review.Note != note {
		t.Errorf("successor's review = %+v, want the closed override", next.Review)
	}
	if len(w.st.callbacks) != 1 || w.st.callbacks[0].DecisionID != next.ID {
		t.Errorf("callbacks = %+v, want one for %s", w.st.callbacks, next.ID)
	}
}

// A reevaluation drops the cached data of the company and its workers and
// decides the application again on fresh data: the engine's decision, with
// a new review when it does not allow, and a recheck when BPJS is down.
func TestReviewReevaluateDecidesAgainOnFreshData(t *testing.T) {
	for _, tt := range []struct {
		name       string
		arrears    int
		failCode   string
		want       Outcome
		wantReview bool
		wantQueued bool
	}{
		{"now compliant", 0, "", OutcomeAllow, false, false},
		{"still in arrears", 3, "", OutcomeDeny, true, false},
		{"BPJS down", 0, "bpjs_unavailable", OutcomeReview, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorkflow(t)
			old := w.submit(t, "wh-1", 2, "", OutcomeDeny)
			w.reg.set(tt.arrears, tt.failCode)
			next := w.reviewAnHourOn(t, old, ActionReevaluate, "")
			now := t0.Add(time.Hour)
			if next.Outcome != tt.want {
				t.Errorf("reevaluation = %s %v, want %s", next.Outcome, codes(next), tt.want)
			}
			if w.inv.nib != old.NIB || !slices.Equal(w.inv.niks, []string{"1275014101900001", "1275014101900002"}) {
				t.Errorf("invalidated %q %v, want the company and both workers", w.inv.nib, w.inv.niks)
			}
			switch {
			case !tt.wantReview && next.Review != nil:
				t.Errorf("an allow carries review %+v", next.Review)
			case tt.wantReview && (next.Review == nil || next.Review.State != ReviewOpen ||
				!next.Review.DueAt.Equal(DefaultPolicy().ReviewDue(now))):
				t.Errorf("review = %+v, want a new open review due %v", next.Review, DefaultPolicy().ReviewDue(now))
			}
			r, queued := w.st.recheck(next.ID)
			if queued != tt.wantQueued || (queued && (!r.NextAttempt.Equal(now.Add(time.Minute)) || !r.Until.Equal(now.Add(24*time.Hour)))) {
				t.Errorf("recheck queued %v (%+v), want %v, due in a minute, until a day", queued, r, tt.wantQueued)
			}
			if got := w.stored(t, old.ID).Review; got.State != ReviewClosed || got.Action != ActionReevaluate {
				t.Errorf("reviewed decision's review = %+v, want closed by reevaluate", got)
			}
			if got := w.toldIDs(); !slices.Equal(got, []string{old.ID, next.ID}) {
				t.Errorf("OnDecision told of %v", got)
			}
		})
	}
}

// Worker data erased by retention cannot be evaluated again; nothing
// changes.
func TestReviewReevaluateRefusesErasedData(t *testing.T) {
	w := newWorkflow(t)
	old := w.submit(t, "wh-1", 2, "", OutcomeDeny)
	w.st.mu.Lock()
	d := w.st.decisions[old.ID]
	d.Application.Workers = []Worker{{NIK: MaskNIK("1275014101900001")}, {NIK: MaskNIK("1275014101900002")}}
	w.st.decisions[old.ID] = d
	w.st.mu.Unlock()
	_, err := w.people.Review(context.Background(), reviewer, old.ID, ActionReevaluate, "")
	checkErr(t, "reevaluate erased", err, KindConflict, "personal_data_erased")
	if got := w.stored(t, old.ID).Review; got.State != ReviewOpen {
		t.Errorf("review = %+v, want still open", got)
	}
	if w.inv.nib != "" {
		t.Error("erased data was invalidated: its masked NIKs went to the cache")
	}
}

// Malformed review actions are refused before anything is read or
// written; withdraw is the licensing system's, not a reviewer's.
func TestReviewRefusesInvalidActions(t *testing.T) {
	for _, tt := range []struct {
		name   string
		action ReviewAction
		note   string
		field  string
	}{
		{"unknown action", "approve", "Sudah diperiksa dengan teliti.", "action"},
		{"withdraw", ActionWithdraw, "Sudah diperiksa dengan teliti.", "action"},
		{"uphold without note", ActionUphold, "", "note"},
		{"override with a short note", ActionOverride, "  ok sudah  ", "note"},
		{"note too long", ActionReevaluate, strings.Repeat("a", 2001), "note"},
		{"note with control characters", ActionUphold, "Sudah diperiksa\x1b[2J dengan teliti.", "note"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorkflow(t)
			old := w.submit(t, "wh-1", 2, "", OutcomeDeny)
			_, err := w.people.Review(context.Background(), reviewer, old.ID, tt.action, tt.note)
			checkErr(t, tt.name, err, KindInvalid, "invalid_review")
			var e *Error
			if !errors.As(err, &e) || len(e.Fields) == 0 || e.Fields[0].Field != tt.field {
				t.Errorf("fields = %+v, want %s first", e, tt.field)
			}
			if len(w.st.audit) != 0 || w.stored(t, old.ID).Review.State != ReviewOpen || len(w.toldIDs()) != 1 {
				t.Error("an invalid review read or changed something")
			}
		})
	}
}

// Only one action closes a review: a second one, one on a superseded or
// allowed decision, and one that lost a race to another reviewer are all
// already_reviewed, and record nothing.
func TestReviewConflicts(t *testing.T) {
	ctx := context.Background()
	note := "Sudah diperiksa dengan data terbaru."

	t.Run("reviewed before", func(t *testing.T) {
		w := newWorkflow(t)
		old := w.submit(t, "wh-1", 2, "", OutcomeDeny)
		if _, err := w.people.Review(ctx, reviewer, old.ID, ActionUphold, note); err != nil {
			t.Fatal(err)
		}
		_, err := w.people.Review(ctx, reviewer, old.ID, ActionOverride, note)
		checkErr(t, "second review", err, KindConflict, "already_reviewed")
		if len(w.st.callbacks) != 1 || len(w.toldIDs()) != 2 {
			t.Errorf("the refused review left %d callbacks, told %v", len(w.st.callbacks), w.toldIDs())
		}
	})
	t.Run("superseded by a new delivery", func(t *testing.T) {
		w := newWorkflow(t)
		old := w.submit(t, "wh-1", 2, "", OutcomeDeny)
		w.submit(t, "wh-2", 2, "", OutcomeDeny)
		_, err := w.people.Review(ctx, reviewer, old.ID, ActionOverride, note)
		checkErr(t, "review of a superseded decision", err, KindConflict, "already_reviewed")
		if got := w.stored(t, old.ID).Review; got.State != ReviewOpen {
			t.Errorf("superseded decision's review = %+v, want untouched", got)
		}
	})
	t.Run("allowed", func(t *testing.T) {
		w := newWorkflow(t)
		old := w.submit(t, "wh-1", 0, "", OutcomeAllow)
		_, err := w.people.Review(ctx, reviewer, old.ID, ActionUphold, note)
		checkErr(t, "review of an allow", err, KindConflict, "already_reviewed")
	})
	t.Run("another reviewer first", func(t *testing.T) {
		w := newWorkflow(t)
		old := w.submit(t, "wh-1", 2, "", OutcomeDeny)
		w.st.beforeWrite = func() {
			w.st.beforeWrite = nil
			other := Review{State: ReviewClosed, Action: ActionUphold, Note: note, By: "reviewer-2", At: t0}
			if err := w.st.CloseReview(ctx, old.ID, other, nil, nil); err != nil {
				t.Errorf("the other reviewer: %v", err)
			}
		}
		_, err := w.people.Review(ctx, reviewer, old.ID, ActionOverride, note)
		checkErr(t, "the race's loser", err, KindConflict, "already_reviewed")
		if got := w.stored(t, old.ID).Review; got.By != "reviewer-2" {
			t.Errorf("review = %+v, want the winner's", got)
		}
		if len(w.st.callbacks) != 0 || len(w.toldIDs()) != 1 || len(w.st.decisions) != 1 {
			t.Errorf("the loser recorded something: %d callbacks, told %v, %d decisions",
				len(w.st.callbacks), w.toldIDs(), len(w.st.decisions))
		}
	})
}

// A decision that does not exist and one outside the reviewer's regions
// look the same; a store that cannot record the action or the access is
// an outage, not a conflict, and nothing is told.
func TestReviewNotFoundAndFailures(t *testing.T) {
	ctx := context.Background()
	note := "Sudah diperiksa dengan data terbaru."
	w := newWorkflow(t)
	old := w.submit(t, "wh-1", 2, "", OutcomeDeny)

	_, err := w.people.Review(ctx, reviewer, "dec_01JD3Z0000000000000000000", ActionUphold, note)
	checkErr(t, "unknown decision", err, KindNotFound, "not_found")
	_, err = w.people.Review(ctx, outsider, old.ID, ActionUphold, note)
	checkErr(t, "decision outside the regions", err, KindNotFound, "not_found")

	down := &Error{Kind: KindUnavailable, Code: "store_unavailable", Message: "down"}
	w.st.fail["RecordAccess"] = down
	_, err = w.people.Review(ctx, reviewer, old.ID, ActionUphold, note)
	checkErr(t, "audit trail down", err, KindUnavailable, "store_unavailable")
	delete(w.st.fail, "RecordAccess")

	w.st.fail["CloseReview"] = down
	_, err = w.people.Review(ctx, reviewer, old.ID, ActionUphold, note)
	checkErr(t, "store down", err, KindUnavailable, "store_unavailable")
	if got := w.stored(t, old.ID).Review; got.State != ReviewOpen || len(w.toldIDs()) != 1 {
		t.Errorf("after failures: review %+v, told %v; want open, only the submission", got, w.toldIDs())
	}
}

// Withdraw (the licensing system's) closes an open review without a new
// decision and stops the recheck; an application never decided is unknown.
func TestWithdrawClosesTheOpenReview(t *testing.T) {
	w := newWorkflow(t)
	old := w.submit(t, "wh-1", 0, "bpjs_unavailable", OutcomeReview)
	if _, queued := w.st.recheck(old.ID); !queued {
		t.Fatal("no recheck queued for a decision made while BPJS was down")
	}
	known, err := Withdraw(context.Background(), w.st, "client-1", old.ApplicationID, "oss", "dicabut", t0.Add(time.Hour))
	if err != nil || !known {
		t.Fatalf("Withdraw = %v, %v", known, err)
	}
	got := w.stored(t, old.ID)
	if got.Review.State != ReviewClosed || got.Review.Action != ActionWithdraw || got.Review.By != "oss" {
		t.Errorf("review = %+v, want closed by withdraw", got.Review)
	}
	if _, queued := w.st.recheck(old.ID); queued || len(w.st.decisions) != 1 {
		t.Error("a withdrawal left the recheck queued or recorded a decision")
	}
	_, err = w.people.Review(context.Background(), reviewer, old.ID, ActionUphold, "Sudah diperiksa dengan teliti.")
	checkErr(t, "review after withdrawal", err, KindConflict, "already_reviewed")
	if known, err := Withdraw(context.Background(), w.st, "client-1", "OSS-unknown", "oss", "dicabut", t0); known || err != nil {
		t.Errorf("Withdraw of an unknown application = %v, %v; want false, nil", known, err)
	}
}
