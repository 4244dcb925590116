package gate

import (
	"context"
	"time"
)

// DecisionFilter selects decisions for listings, exports and reports. Every
// store applies Scope inside its query, so nothing out of scope is ever
// loaded, counted or streamed.
type DecisionFilter struct {
	Scope         Scope
	NIB           string
	ApplicationID string
	Outcome       Outcome
	// Region selects one region code; a 2-digit province code covers its
	// regencies.
	Region string
	// Since and Until bound decided_at: Since <= decided_at < Until. Zero
	// means unbounded.
	Since, Until time.Time
	// HeadsOnly keeps only current decisions (not superseded).
	HeadsOnly bool
	// Limit caps ListDecisions; EachDecision ignores it.
	Limit int
	// After is a keyset cursor: only decisions with an ID smaller than After
	// (that is, older) are returned. Empty means from the newest.
	After string
}

// ReviewFilter selects decisions for the review queue.
type ReviewFilter struct {
	Scope Scope
	NIB   string // optional
	// State is "open" (awaiting review: open and not superseded) or
	// "closed" (reviewed).
	State ReviewState
	// Overdue keeps only open reviews past their due time at Now.
	Overdue bool
	Now     time.Time
	Limit   int
	// After is a keyset cursor: the ID of the last decision of the page
	// before. Open reviews come by due time, then ID; closed ones newest
	// first.
	After string
}

// AuditFilter selects entries of the access trail.
type AuditFilter struct {
	Actor, Action, ResourceID string
	Since, Until              time.Time
	Limit                     int
	After                     string // keyset cursor on entry ID
}

// AuditEntry records that someone read or acted on something, for the
// personal data protection law (UU 27/2022).
type AuditEntry struct {
	ID         string // assigned by the store when empty; sorts by time
	At         time.Time
	Actor      string // the subject of the token
	Action     string // e.g. "company.read", "decision.read", "decisions.export", "review.uphold"
	Resource   string // "company", "decision", "decisions", "report"
	ResourceID string // NIB or decision id; empty for listings
	Detail     string // the query or the note; never a full NIK
}

// DecisionReader answers the people's queries.
type DecisionReader interface {
	// ListDecisions returns decisions matching f, newest first (by ID,
	// which sorts by decision time), at most f.Limit.
	ListDecisions(ctx context.Context, f DecisionFilter) ([]Decision, error)
	// EachDecision calls fn for every decision matching f, newest first,
	// streaming (constant memory). It stops at fn's first error and
	// returns it.
	EachDecision(ctx context.Context, f DecisionFilter, fn func(Decision) error) error
	// ListReviews returns the decisions whose review is in f.State, at
	// most f.Limit: open reviews soonest due first (then by ID), closed ones
	// newest first.
	ListReviews(ctx context.Context, f ReviewFilter) ([]Decision, error)
	// CountReviews counts the decisions ListReviews would return without a
	// limit or cursor.
	CountReviews(ctx context.Context, f ReviewFilter) (int, error)
	// DecisionCounts counts decisions matching f by outcome.
	DecisionCounts(ctx context.Context, f DecisionFilter) (map[Outcome]int, error)
}

// ReviewStore records review actions. The one-winner rule lives here: the
// store closes a review only if it is still open and its decision is still
// current.
type ReviewStore interface {
	// CloseReview closes the open review of decision id with r and, in the
	// same transaction, records next (when not nil) as the decision that
	// supersedes it, and enqueues callbacks.
	//
	// Errors: KindNotFound when there is no such decision; KindConflict
	// with code "already_reviewed" when its review is not open or it has
	// been superseded, including when a concurrent call won.
	CloseReview(ctx context.Context, id string, r Review, next *Decision, callbacks []Callback) error

	// RecordSuperseding records d as the decision that supersedes prevID
	// and enqueues callbacks, in one transaction, only if prevID is still
	// the current decision of its application.
	//
	// Errors: KindConflict with code "superseded" when prevID is no longer
	// current; KindNotFound when it does not exist; KindInvalid when d is
	// not for prevID's client and application (CloseReview's next too).
	RecordSuperseding(ctx context.Context, prevID string, d Decision, callbacks []Callback) error
}

// AuditLog keeps the access trail.
type AuditLog interface {
	// RecordAccess appends an entry.
	RecordAccess(ctx context.Context, e AuditEntry) error
	// ListAudit returns entries matching f, newest first, at most f.Limit.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
