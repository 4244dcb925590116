package storetest

import (
	"testing"

	"github.com/jkngate/jkngate/gate"
)

// CrossedChain records, on a store migrated up to 0006, what earlier
// versions recorded when two webhook clients sent the same application id:
// one supersession chain oss, other, oss, other. It records the four as
// client oss's and then calls relabel, which must make the second and the
// fourth client other's (decisions.client_id and their webhook receipts) by
// SQL. It returns the four decisions in chain order.
func CrossedChain(t *testing.T, s gate.Store, relabel func(ids ...string)) [4]gate.Decision {
	t.Helper()
	var chain [4]gate.Decision
	for i := range chain {
		chain[i] = mustRecord(t, s, NewDecision("oss", "msg_"+string(rune('1'+i)), "OSS-1"))
	}
	relabel(chain[1].ID, chain[3].ID)
	return chain
}

// CheckSplitChains checks a store migrated past 0007 from CrossedChain's
// data: each client's decisions form a chain of their own (oss: first,
// third; other: second, fourth), each with its own head, and new
// deliveries of each client supersede that client's head only.
func CheckSplitChains(t *testing.T, s PeopleStore, chain [4]gate.Decision) {
	t.Helper()
	want := []struct {
		i                  int
		client, supersedes string
	}{
		{0, "oss", ""},
		{1, "other", ""},
		{2, "oss", chain[0].ID},
		{3, "other", chain[1].ID},
	}
	for _, w := range want {
		got := mustDecision(t, s, chain[w.i].ID)
		if got.ClientID != w.client || got.Supersedes != w.supersedes {
			t.Errorf("decision %d after the migration: client %q, supersedes %q; want %q, %q",
				w.i+1, got.ClientID, got.Supersedes, w.client, w.supersedes)
		}
	}
	checkIDs(t, "heads after the migration",
		list(t, s, gate.DecisionFilter{Scope: admin, ApplicationID: "OSS-1", HeadsOnly: true}),
		newestFirst(chain[2], chain[3]))
	oss := mustRecord(t, s, NewDecision("oss", "msg_new", "OSS-1"))
	other := mustRecord(t, s, NewDecision("other", "msg_new", "OSS-1"))
	if oss.Supersedes != chain[2].ID || other.Supersedes != chain[3].ID {
		t.Errorf("new deliveries supersede %q (oss) and %q (other), want %s and %s",
			oss.Supersedes, other.Supersedes, chain[2].ID, chain[3].ID)
	}
}
