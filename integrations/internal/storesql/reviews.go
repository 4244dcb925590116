package storesql

import "github.com/jkngate/jkngate/gate"

// AlreadyReviewed is the conflict of closing the review of decision id
// when it is not open or the decision has been superseded: one review
// winner.
func AlreadyReviewed(id string) error {
	return gate.Errorf(gate.KindConflict, gate.CodeAlreadyReviewed,
		"decision %s has no open review: it was reviewed or superseded", id)
}

// Superseded is the conflict of superseding prevID when by has superseded
// it already.
func Superseded(prevID, by string) error {
	return gate.Errorf(gate.KindConflict, gate.CodeSuperseded, "decision %s has been superseded by %s", prevID, by)
}

// CheckFollows refuses next as the decision after one (described by of,
// such as its id) of application applicationID of client clientID when it
// is for another application or another client: a chain of decisions is
// one client's application's. Errors are *gate.Error of KindInvalid.
func CheckFollows(next gate.Decision, clientID, applicationID, of string) error {
	if next.ApplicationID != applicationID || next.ClientID != clientID {
		return gate.Errorf(gate.KindInvalid, gate.CodeInvalidDecision,
			"decision %s is for application %q of client %q, not %q of %q as %s",
			next.ID, next.ApplicationID, next.ClientID, applicationID, clientID, of)
	}
	return nil
}

// CheckSupersedingID refuses a superseding decision without an id: a
// *gate.Error of KindInvalid.
func CheckSupersedingID(d gate.Decision) error {
	if d.ID == "" {
		return gate.Errorf(gate.KindInvalid, gate.CodeInvalidDecision, "a decision to record needs an id")
	}
	return nil
}
