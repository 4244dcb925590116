package api

import (
	"time"

	"github.com/jkngate/jkngate/gate"
)

// DecisionJSON is the public decision document (api/openapi.yaml, Decision). It
// leaves out where the decision came from (webhook client, delivery id,
// callback URL): those are not the caller's business.
type DecisionJSON struct {
	DecisionID    string       `json:"decision_id"`
	ApplicationID string       `json:"application_id"`
	NIB           string       `json:"nib"`
	RegionCode    string       `json:"region_code"`
	Outcome       gate.Outcome `json:"outcome"`
	Reasons       []ReasonJSON `json:"reasons"`
	Evidence      EvidenceJSON `json:"evidence"`
	PolicyVersion string       `json:"policy_version"`
	// PolicyRegion is the region code whose policy override decided, absent
	// when the base policy did.
	PolicyRegion string      `json:"policy_region,omitempty"`
	DecidedAt    string      `json:"decided_at"`
	ValidUntil   string      `json:"valid_until"`
	Supersedes   *string     `json:"supersedes"`
	Review       *ReviewJSON `json:"review"`
	// DryRun is set on what-if evaluations, which record nothing.
	DryRun bool `json:"dry_run,omitempty"`
}

// ReasonJSON is one reason of a decision.
type ReasonJSON struct {
	Code       gate.ReasonCode `json:"code"`
	Outcome    gate.Outcome    `json:"outcome"`
	Message    string          `json:"message"`
	MessageEN  string          `json:"message_en"`
	LegalBasis string          `json:"legal_basis"`
	Remedy     string          `json:"remedy"`
	Details    map[string]any  `json:"details"`
}

// EvidenceJSON says what data a decision was made on. AsOf is null when
// there was none.
type EvidenceJSON struct {
	Source         gate.Source `json:"source"`
	AsOf           *string     `json:"as_of"`
	WorkersListed  int         `json:"workers_listed"`
	WorkersChecked int         `json:"workers_checked"`
}

// ReviewJSON is a decision's review. Action, By and At are null while the
// review is open.
type ReviewJSON struct {
	State  string  `json:"state"`
	Action *string `json:"action"`
	Note   string  `json:"note"`
	By     *string `json:"by"`
	At     *string `json:"at"`
	// DueAt is when the review becomes overdue (absent for reviews opened
	// before deadlines existed); Overdue says whether an open review is past
	// it.
	DueAt   *string `json:"due_at,omitempty"`
	Overdue bool    `json:"overdue,omitempty"`
}

// decidedAtLayout is RFC 3339 with milliseconds, as decided_at is written.
const decidedAtLayout = "2006-01-02T15:04:05.000Z07:00"

// DecisionResponse maps a gate decision to its public document. Times are
// UTC; decided_at carries milliseconds, the others whole seconds. Reasons and
// details are never null.
func DecisionResponse(d gate.Decision) DecisionJSON {
	out := DecisionJSON{
		DecisionID:    d.ID,
		ApplicationID: d.ApplicationID,
		NIB:           d.NIB,
		RegionCode:    d.RegionCode,
		Outcome:       d.Outcome,
		Reasons:       make([]ReasonJSON, 0, len(d.Reasons)),
		Evidence: EvidenceJSON{
			Source:         d.Evidence.Source,
			AsOf:           timeOrNull(d.Evidence.AsOf, time.RFC3339),
			WorkersListed:  d.Evidence.WorkersListed,
			WorkersChecked: d.Evidence.WorkersChecked,
		},
		PolicyVersion: d.PolicyVersion,
		PolicyRegion:  d.Evidence.PolicyRegion,
		DecidedAt:     d.DecidedAt.UTC().Format(decidedAtLayout),
		ValidUntil:    d.ValidUntil.UTC().Format(time.RFC3339),
		Supersedes:    stringOrNull(d.Supersedes),
	}
	if out.Evidence.Source == "" {
		out.Evidence.Source = gate.SourceNone
	}
	for _, r := range d.Reasons {
		details := r.Details
		if details == nil {
			details = map[string]any{}
		}
		out.Reasons = append(out.Reasons, ReasonJSON{
			Code: r.Code, Outcome: r.Outcome, Message: r.Message, MessageEN: r.MessageEN,
			LegalBasis: r.LegalBasis, Remedy: r.Remedy, Details: details,
		})
	}
	if rv := d.Review; rv != nil {
		out.Review = &ReviewJSON{
			State:  string(rv.State),
			Action: stringOrNull(string(rv.Action)),
			Note:   rv.Note,
			By:     stringOrNull(rv.By),
			At:     timeOrNull(rv.At, time.RFC3339),
			DueAt:  timeOrNull(rv.DueAt, time.RFC3339),
		}
	}
	return out
}

func stringOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeOrNull(t time.Time, layout string) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(layout)
	return &s
}
