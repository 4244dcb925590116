package gate

import (
	"context"
	"time"
)

// OSSClientID is the client id under which applications received from
// OSS-RBA (POST /oss/receiveNIB) are decided and recorded. With the
// adapter on (Service.OSS), their statuses go back to OSS as
// receiveLicenseStatus messages, not as decision.updated callbacks, and
// no webhook client may have this id.
const OSSClientID = "oss"

// The outbox kinds of OSS's receiveLicenseStatus messages.
const (
	// CallbackKindOSSStatus reports the decision's own status: 45 (allow),
	// 93 (deny) or 41 (review).
	CallbackKindOSSStatus = "oss.license_status"
	// CallbackKindOSSConfirmation reports 42 (Data Konfirmasi Persyaratan):
	// the confirmation asked for with a 41 has been dealt with. It always
	// precedes the CallbackKindOSSStatus of the same decision.
	CallbackKindOSSConfirmation = "oss.license_confirmation"
)

// ActionWithdraw closes an open review because the licensing system
// withdrew the application (OSS's tipe_dokumen 3, pencabutan, or 4,
// pembatalan). No decision follows it.
const ActionWithdraw ReviewAction = "withdraw"

// ossCallbacks returns the receiveLicenseStatus messages that report d to
// OSS, given the outcome of the decision it supersedes (empty for a first
// decision): a 42 first when the earlier decision had asked for
// confirmation (41) and d settles it.
func ossCallbacks(prev Outcome, d Decision) []Callback {
	c := Callback{DecisionID: d.ID, ClientID: d.ClientID, URL: d.CallbackURL, State: CallbackPending,
		NextAttempt: d.DecidedAt, CreatedAt: d.DecidedAt, Kind: CallbackKindOSSStatus}
	if prev == OutcomeReview && d.Outcome != OutcomeReview {
		confirm := c
		confirm.Kind = CallbackKindOSSConfirmation
		return []Callback{confirm, c}
	}
	return []Callback{c}
}

// FirstCallbacks returns the messages that report a decision Submit
// recorded to its client, when the client is told of first decisions too
// (OSS is, with the adapter on: its receiveNIB answer carries no
// decision); nil otherwise.
func (s *Service) FirstCallbacks(d Decision) []Callback {
	if !s.OSS || d.ClientID != OSSClientID || d.CallbackURL == "" {
		return nil
	}
	return ossCallbacks("", d)
}

// WithdrawalStore is what withdrawing an application needs from a store.
type WithdrawalStore interface {
	// StopApplication marks the client's application withdrawn: pending
	// OSS status messages for any of its decisions are failed with reason
	// (nothing more is sent for it) and its queued recheck is removed. It
	// returns the application's current decision, or a KindNotFound error
	// when the client has none.
	StopApplication(ctx context.Context, clientID, applicationID, reason string) (Decision, error)
	// CloseReview is ReviewStore's.
	CloseReview(ctx context.Context, id string, r Review, next *Decision, callbacks []Callback) error
}

// Withdraw withdraws the client's application: nothing more is sent for it,
// and an open review of its current decision is closed with action
// withdraw by by (who withdrew it), with note as its note. It reports
// whether the application was known. Errors: KindUnavailable when the
// store could not be reached.
func Withdraw(ctx context.Context, st WithdrawalStore, clientID, applicationID, by, note string, now time.Time) (bool, error) {
	d, err := st.StopApplication(ctx, clientID, applicationID, "withdrawn: "+note)
	if KindOf(err) == KindNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if d.Review == nil || d.Review.State != ReviewOpen {
		return true, nil
	}
	closed := Review{State: ReviewClosed, Action: ActionWithdraw, Note: note, By: by, At: now, DueAt: d.Review.DueAt}
	if err := st.CloseReview(ctx, d.ID, closed, nil, nil); err != nil && KindOf(err) != KindConflict {
		return true, err
	}
	return true, nil
}
