package storetest

import (
	"testing"

	"github.com/jkngate/jkngate/gate"
)

// testApplicationsPerClient: an application id belongs to the client that
// sent it. The same id from another client starts a chain of its own and
// never supersedes the first client's decision, also when it comes later.
func testApplicationsPerClient(t *testing.T, s gate.Store) {
	oss := mustRecord(t, s, NewDecision("oss", "msg_1", "OSS-1"))
	other := mustRecord(t, s, NewDecision("other", "msg_1", "OSS-1"))
	if other.Supersedes != "" {
		t.Errorf("client other's first decision supersedes %q, want nothing: oss's application is not its", other.Supersedes)
	}
	if got := mustDecision(t, s, other.ID); got.Supersedes != "" || got.ClientID != "other" {
		t.Errorf("client other's decision reads back with Supersedes %q, ClientID %q", got.Supersedes, got.ClientID)
	}
	ossNext := mustRecord(t, s, NewDecision("oss", "msg_2", "OSS-1"))
	if ossNext.Supersedes != oss.ID {
		t.Errorf("oss's re-submission supersedes %q, want oss's own decision %s", ossNext.Supersedes, oss.ID)
	}
	otherNext := mustRecord(t, s, NewDecision("other", "msg_2", "OSS-1"))
	if otherNext.Supersedes != other.ID {
		t.Errorf("other's re-submission supersedes %q, want other's own decision %s", otherNext.Supersedes, other.ID)
	}
	if got := mustDecision(t, s, oss.ID); got.ClientID != "oss" {
		t.Errorf("oss's decision reads back with ClientID %q", got.ClientID)
	}
}

// testQueriesAcrossClients: the people's queries by application id find
// every client's decisions for it, and each client's application has its
// own head; a decision made outside the webhook (review, recheck) must keep
// the client of the decision it supersedes.
func testQueriesAcrossClients(t *testing.T, s PeopleStore) {
	oss := decisionFor("OSS-1", "1275", gate.OutcomeReview)
	oss.ClientID = "oss"
	oss = mustRecord(t, s, oss)
	other := decisionFor("OSS-1", "1275", gate.OutcomeDeny)
	other.ClientID = "other"
	other = mustRecord(t, s, other)

	checkIDs(t, "by application id", list(t, s, gate.DecisionFilter{Scope: admin, ApplicationID: "OSS-1"}),
		newestFirst(oss, other))
	checkIDs(t, "heads", list(t, s, gate.DecisionFilter{Scope: admin, ApplicationID: "OSS-1", HeadsOnly: true}),
		newestFirst(oss, other))
	checkIDs(t, "open reviews", reviews(t, s, gate.ReviewFilter{Scope: admin, State: gate.ReviewOpen}),
		ids([]gate.Decision{oss, other})) // no due times: oldest first

	// A successor claiming another client is refused, and changes nothing.
	wrong := successor(oss, gate.OutcomeAllow)
	wrong.ClientID = "other"
	err := s.RecordSuperseding(t.Context(), oss.ID, wrong, nil)
	checkCode(t, "RecordSuperseding with another client's decision", err, gate.KindInvalid, "")
	wrong = successor(oss, gate.OutcomeAllow)
	wrong.ClientID = "other"
	err = s.CloseReview(t.Context(), oss.ID, review(gate.ActionOverride, "reviewer-1"), &wrong, nil)
	checkCode(t, "CloseReview with another client's decision", err, gate.KindInvalid, "")
	checkIDs(t, "heads after refused calls",
		list(t, s, gate.DecisionFilter{Scope: admin, ApplicationID: "OSS-1", HeadsOnly: true}), newestFirst(oss, other))

	// A review of oss's decision supersedes it, and only it.
	next := successor(oss, gate.OutcomeAllow)
	if err := s.CloseReview(t.Context(), oss.ID, review(gate.ActionOverride, "reviewer-1"), &next, nil); err != nil {
		t.Fatalf("CloseReview: %v", err)
	}
	checkIDs(t, "heads after the review",
		list(t, s, gate.DecisionFilter{Scope: admin, ApplicationID: "OSS-1", HeadsOnly: true}), newestFirst(other, next))
	if got := mustDecision(t, s, other.ID); got.Review == nil || got.Review.State != gate.ReviewOpen {
		t.Errorf("other's review %+v, want it still open", got.Review)
	}
}
