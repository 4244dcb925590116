package gate

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MinReviewNote is the shortest note an uphold or override needs.
const MinReviewNote = 10

// Review applies a reviewer's action to a deny or review decision and
// returns the decision that now stands.
//
//   - uphold closes the review and records a deny decision with UPHELD
//     (and the reviewed decision's reasons) that supersedes it;
//   - override closes the review and records an allow decision with
//     OVERRIDDEN that supersedes it;
//   - reevaluate closes the review, drops cached BPJS data for the company
//     and its workers, evaluates the application on fresh data and records
//     the result as superseding it (a deny or review opens a new review).
//
// Decisions are never edited: the chain grows by supersession, and the
// licensing system is told by a callback (when the application gave a
// callback_url), enqueued in the same transaction.
//
// Errors: KindInvalid ("invalid_review") for an unknown action or a short
// note; KindNotFound when the decision does not exist or is outside the
// actor's regions; KindConflict ("already_reviewed") when the review is
// closed, the decision is superseded, or another reviewer acted first.
func (p *People) Review(ctx context.Context, a Actor, id string, action ReviewAction, note string) (Decision, error) {
	note = strings.TrimSpace(note)
	if err := validateReview(action, note); err != nil {
		return Decision{}, err
	}
	d, err := p.Decision(ctx, a, id)
	if err != nil {
		return Decision{}, err
	}
	if d.Review == nil || d.Review.State != ReviewOpen {
		return Decision{}, alreadyReviewed(id)
	}
	g := p.gate()
	now := g.now()
	closed := Review{State: ReviewClosed, Action: action, Note: note, By: a.Subject, At: now, DueAt: d.Review.DueAt}
	from := origin{clientID: d.ClientID, callbackURL: d.CallbackURL, supersedes: d.ID, reviewed: &closed}

	var next Decision
	switch action {
	case ActionUphold:
		v := d
		v.Outcome = OutcomeDeny
		v.Reasons = append([]Reason{upheld(d, closed, g.policy().For(d.RegionCode))}, d.Reasons...)
		next = g.newDecision(v, from, now)
	case ActionOverride:
		v := d
		v.Outcome = OutcomeAllow
		v.Reasons = []Reason{overridden(d, closed, g.policy().For(d.RegionCode))}
		next = g.newDecision(v, from, now)
	case ActionReevaluate:
		if workersErased(d.Application) {
			return Decision{}, &Error{Kind: KindConflict, Code: CodePersonalDataErased,
				Message: "the application's worker data was erased under the retention policy; it cannot be evaluated again"}
		}
		if p.Invalidator != nil {
			niks := make([]string, len(d.Application.Workers))
			for i, w := range d.Application.Workers {
				niks[i] = w.NIK
			}
			// Best effort: a failed invalidation only means cached data
			// may be used, with its age shown in the evidence.
			_ = p.Invalidator.InvalidateEmployer(ctx, d.NIB, niks...)
		}
		v, err := g.Evaluate(ctx, d.Application)
		if err != nil {
			return Decision{}, err
		}
		from.reviewed = nil // the engine decided: a deny or review opens a new review
		next = g.newDecision(v, from, v.DecidedAt)
	}
	err = g.supersede(ctx, d, next, func(ctx context.Context, n Decision, cbs []Callback) error {
		return p.Store.CloseReview(ctx, d.ID, closed, &n, cbs)
	})
	if err != nil {
		if KindOf(err) == KindConflict {
			return Decision{}, alreadyReviewed(id)
		}
		return Decision{}, err
	}
	// The action is committed, and its history row (review_actions) names
	// the reviewer, the action and the note: a failure to add it to the
	// access trail too is logged by audit but does not turn a done action
	// into an error the reviewer would retry. The read before it (Decision)
	// failed closed.
	_ = p.audit(ctx, a, "review."+string(action), "decision", d.ID, note)
	return next, nil
}

func validateReview(action ReviewAction, note string) error {
	var fs []FieldError
	switch action {
	case ActionUphold, ActionOverride:
		if utf8.RuneCountInString(note) < MinReviewNote {
			fs = append(fs, FieldError{Field: "note", Message: fmt.Sprintf("must be at least %d characters for %s", MinReviewNote, action)})
		}
	case ActionReevaluate:
	default:
		fs = append(fs, FieldError{Field: "action", Message: "must be uphold, override or reevaluate"})
	}
	if utf8.RuneCountInString(note) > 2000 {
		fs = append(fs, FieldError{Field: "note", Message: "must be at most 2000 characters"})
	} else if msg := TextProblem(note, true); msg != "" {
		fs = append(fs, FieldError{Field: "note", Message: msg})
	}
	if len(fs) > 0 {
		return &Error{Kind: KindInvalid, Code: CodeInvalidReview, Message: "the review action is invalid", Fields: fs}
	}
	return nil
}

func alreadyReviewed(id string) error {
	return &Error{Kind: KindConflict, Code: CodeAlreadyReviewed,
		Message: fmt.Sprintf("decision %s has already been reviewed or superseded", id)}
}

// callbacksFor returns the callback that tells the licensing system about d,
// which supersedes a decision with outcome prev, if the application asked
// for callbacks; with the OSS adapter on, OSS's applications get OSS's
// status messages instead.
func (s *Service) callbacksFor(prev Outcome, d Decision) []Callback {
	if d.CallbackURL == "" {
		return nil
	}
	if s.OSS && d.ClientID == OSSClientID {
		return ossCallbacks(prev, d)
	}
	return []Callback{{DecisionID: d.ID, ClientID: d.ClientID, URL: d.CallbackURL, State: CallbackPending,
		NextAttempt: d.DecidedAt, CreatedAt: d.DecidedAt}}
}

// upheld is the reason of a denial that stands after review. The sanction
// is the DPMPTSP's, under its regional instrument; BPJS staff only verify
// the facts, so the message says who did what.
func upheld(d Decision, r Review, p Policy) Reason {
	under := p.sanctionAuthority()
	id := fmt.Sprintf("BPJS Kesehatan telah memverifikasi data; penolakan tetap berlaku berdasarkan %s. Catatan peninjau: %s", under, r.Note)
	en := fmt.Sprintf("BPJS Kesehatan verified the data; the denial stands under %s. Reviewer's note: %s", under, r.Note)
	if d.Outcome == OutcomeReview {
		id = fmt.Sprintf("BPJS Kesehatan telah memverifikasi data; setelah peninjauan, permohonan ditolak berdasarkan %s. Catatan peninjau: %s", under, r.Note)
		en = fmt.Sprintf("BPJS Kesehatan verified the data; on review, the application is denied under %s. Reviewer's note: %s", under, r.Note)
	}
	return Reason{Code: ReasonUpheld, Outcome: OutcomeDeny, Message: id, MessageEN: en,
		LegalBasis: p.denyBasis(p.LegalBasis.Registration),
		Remedy:     "Selesaikan alasan di bawah ini, lalu ajukan kembali / Resolve the reasons below, then resubmit.",
		Details: map[string]any{"reviewed_decision": d.ID, "reviewed_outcome": string(d.Outcome),
			"reviewer": r.By, "note": r.Note}}
}

// overridden is the reason of an allow after review: the verified fact is
// the reviewer's note, and the earlier reasons no longer stand.
func overridden(d Decision, r Review, p Policy) Reason {
	codes := make([]any, len(d.Reasons))
	for i, x := range d.Reasons {
		codes[i] = string(x.Code)
	}
	return Reason{Code: ReasonOverridden, Outcome: OutcomeAllow,
		Message: fmt.Sprintf("BPJS Kesehatan memverifikasi: %s. Karena itu keputusan sebelumnya (%s) tidak berlaku dan permohonan diizinkan berdasarkan %s.",
			strings.TrimRight(r.Note, ". "), d.Outcome, p.regionalPolicy()),
		MessageEN: fmt.Sprintf("BPJS Kesehatan verified: %s. The earlier decision (%s) therefore no longer stands and the application is allowed under %s.",
			strings.TrimRight(r.Note, ". "), d.Outcome, p.regionalPolicy()),
		LegalBasis: cite(p.LegalBasis.Regional, p.LegalBasis.Supervision),
		Details: map[string]any{"reviewed_decision": d.ID, "reviewer": r.By, "verified_fact": r.Note,
			"note": r.Note, "overridden_reasons": codes}}
}
