package gate

import "time"

// Outcome is what the gate answers for an application.
type Outcome string

// The outcomes, from least to most severe.
const (
	OutcomeAllow  Outcome = "allow"
	OutcomeReview Outcome = "review"
	OutcomeDeny   Outcome = "deny"
)

// Severity orders outcomes: deny over review over allow.
func (o Outcome) Severity() int {
	switch o {
	case OutcomeDeny:
		return 2
	case OutcomeReview:
		return 1
	default:
		return 0
	}
}

// ReasonCode is a stable reason code (README, "Decisions and reason codes"): new ones may be
// added, existing ones are never renamed.
type ReasonCode string

// Every reason code of the README's table.
const (
	ReasonCompliant              ReasonCode = "COMPLIANT"
	ReasonPermitNotGated         ReasonCode = "PERMIT_NOT_GATED"
	ReasonScaleExempt            ReasonCode = "SCALE_EXEMPT"
	ReasonOverridden             ReasonCode = "OVERRIDDEN"
	ReasonEmployerNotRegistered  ReasonCode = "EMPLOYER_NOT_REGISTERED"
	ReasonEmployerInactive       ReasonCode = "EMPLOYER_INACTIVE"
	ReasonContributionArrears    ReasonCode = "CONTRIBUTION_ARREARS"
	ReasonWorkersUnderRegistered ReasonCode = "WORKERS_UNDER_REGISTERED"
	ReasonWorkerNotRegistered    ReasonCode = "WORKER_NOT_REGISTERED"
	ReasonWorkerInactive         ReasonCode = "WORKER_INACTIVE"
	ReasonUpheld                 ReasonCode = "UPHELD"
	ReasonWorkerNotEmployerPaid  ReasonCode = "WORKER_NOT_EMPLOYER_PAID"
	ReasonWorkerStatusUnclear    ReasonCode = "WORKER_STATUS_UNCLEAR"
	ReasonInsufficientEvidence   ReasonCode = "INSUFFICIENT_EVIDENCE"
	ReasonRegistryUnavailable    ReasonCode = "REGISTRY_UNAVAILABLE"
	// ReasonEmployerStatusUnclear: the employer's status code is not one gate
	// knows: a code not known is treated as unclear, never as active.
	ReasonEmployerStatusUnclear ReasonCode = "EMPLOYER_STATUS_UNCLEAR"
	// ReasonWorkerOtherEmployer: a listed worker is active and employer-paid,
	// but BPJS has the worker under another employer's code.
	ReasonWorkerOtherEmployer ReasonCode = "WORKER_OTHER_EMPLOYER"
	// ReasonEmployerNumberMismatch: the application's bpjs_employer_code
	// differs from BPJS's code for the NIB.
	ReasonEmployerNumberMismatch ReasonCode = "EMPLOYER_NUMBER_MISMATCH"
)

// Reason is one finding behind a decision, explained in Bahasa Indonesia and
// English, with the numbers behind it and the regulation it rests on.
type Reason struct {
	Code       ReasonCode
	Outcome    Outcome
	Message    string // Bahasa Indonesia
	MessageEN  string
	LegalBasis string
	Remedy     string
	// Details holds the numbers behind the reason. Values are JSON-friendly
	// (int, int64, float64, string, bool, []any, map[string]any); never a
	// full NIK.
	Details map[string]any
}

// Evidence records what data a decision was made on.
type Evidence struct {
	Source Source
	AsOf   time.Time // zero when Source is SourceNone
	// WorkersListed, WorkersChecked: how many workers the application listed
	// and how many were looked up (fewer when the policy samples).
	WorkersListed  int
	WorkersChecked int
	// Employer is the employer record used, if any.
	Employer *Employer
	// PolicyRegion is the region code whose policy override decided, empty
	// when the base policy did (the version is the decision's
	// PolicyVersion).
	PolicyRegion string
}

// Review is the review state of a deny or review decision.
type Review struct {
	State  ReviewState
	Action ReviewAction // empty while open
	Note   string
	By     string // the reviewer's subject
	At     time.Time
	// DueAt is when the review becomes overdue (Policy.ReviewDue); zero for
	// reviews opened before deadlines existed.
	DueAt time.Time
}

// Decision is gate's answer for an application. Decisions are immutable once
// recorded; a later decision supersedes an earlier one.
type Decision struct {
	ID            string
	ApplicationID string
	NIB           string
	RegionCode    string
	PermitType    PermitType
	Outcome       Outcome
	Reasons       []Reason
	Evidence      Evidence
	PolicyVersion string
	DecidedAt     time.Time
	ValidUntil    time.Time
	Supersedes    string // id of the decision this one replaces, or empty
	Review        *Review

	// Where the decision came from: the webhook client and delivery id, and
	// the callback URL to notify of later changes. Not part of the public
	// decision document. ClientID scopes ApplicationID: the application is
	// the client's, and only that client's decisions supersede each other;
	// decisions made later by a review or a recheck keep it.
	ClientID    string
	WebhookID   string
	CallbackURL string
	// DeclaredWorkers is copied from the application, for reports.
	DeclaredWorkers int
	// Application is the application as submitted, kept so that a review
	// or a recheck can evaluate it again. Its worker NIKs are personal
	// data: never in logs, never in the public decision document.
	Application Application
	// RecheckAt, when not zero, asks the store to enqueue a Recheck of this
	// decision (it was answered while BPJS could not be reached), in the
	// same transaction that records it; RecheckUntil bounds the retries.
	RecheckAt, RecheckUntil time.Time
}

// ReviewState is the state of a review: open (awaiting a reviewer) or
// closed (acted on).
type ReviewState string

// ReviewOpen and ReviewClosed are the states of a review.
const (
	ReviewOpen   ReviewState = "open"
	ReviewClosed ReviewState = "closed"
)

// ParseReviewState reads a review state as the API and the stores write
// it; it reports false for anything but "open" and "closed".
func ParseReviewState(s string) (ReviewState, bool) {
	switch st := ReviewState(s); st {
	case ReviewOpen, ReviewClosed:
		return st, true
	}
	return "", false
}

// ReviewAction is what closed a review: a reviewer's uphold, override or
// reevaluate, or the licensing system's withdraw (ActionWithdraw).
type ReviewAction string

// Review actions (README, "The people's API").
const (
	ActionUphold     ReviewAction = "uphold"
	ActionOverride   ReviewAction = "override"
	ActionReevaluate ReviewAction = "reevaluate"
)

// ParseReviewAction reads a review action as the API and the stores write
// it; it reports false for anything but uphold, override, reevaluate and
// withdraw. Which of them a reviewer may take is People.Review's to say.
func ParseReviewAction(s string) (ReviewAction, bool) {
	switch a := ReviewAction(s); a {
	case ActionUphold, ActionOverride, ActionReevaluate, ActionWithdraw:
		return a, true
	}
	return "", false
}

// HasReason reports whether the decision carries a reason with code c.
func (d Decision) HasReason(c ReasonCode) bool {
	for _, r := range d.Reasons {
		if r.Code == c {
			return true
		}
	}
	return false
}
