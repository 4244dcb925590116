package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jkngate/jkngate/gate"
)

func listAudit(t *testing.T, s PeopleStore, f gate.AuditFilter) []gate.AuditEntry {
	t.Helper()
	return listed(t, "ListAudit", s.ListAudit, f)
}

func auditIDs(es []gate.AuditEntry) []string {
	return pluck(es, func(e gate.AuditEntry) string { return e.ID })
}

func testAudit(t *testing.T, s PeopleStore) {
	minute := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	recorded := []gate.AuditEntry{
		{At: minute(0), Actor: "officer-1", Action: "company.read", Resource: "company", ResourceID: "9120001234567"},
		{At: minute(1), Actor: "officer-1", Action: "decisions.export", Resource: "decisions", Detail: "region=1275"},
		{At: minute(2).In(wib), Actor: "reviewer-2", Action: "review.uphold", Resource: "decision",
			ResourceID: "dec_01JD3Z0000000000000000001", Detail: "Tunggakan belum dibayar."},
		{At: minute(3), Actor: "reviewer-2", Action: "decision.read", Resource: "decision",
			ResourceID: "dec_01JD3Z0000000000000000001"},
		{At: minute(4), Actor: "admin-3", Action: "company.read",
			Resource: "company", ResourceID: "9120001234567"},
	}
	for i, e := range recorded {
		if i == len(recorded)-1 { // one entry comes with its id
			e.ID = gate.NewAuditID(e.At)
			recorded[i].ID = e.ID
		}
		if err := s.RecordAccess(t.Context(), e); err != nil {
			t.Fatalf("RecordAccess(%+v): %v", e, err)
		}
	}

	all := listAudit(t, s, gate.AuditFilter{})
	if len(all) != len(recorded) {
		t.Fatalf("ListAudit: %d entries, want %d", len(all), len(recorded))
	}
	seen := map[string]bool{}
	for i, got := range all {
		want := recorded[len(recorded)-1-i] // newest first
		if got.ID == "" || seen[got.ID] {
			t.Errorf("entry %d: ID %q, want a new non-empty id", i, got.ID)
		}
		seen[got.ID] = true
		if want.ID == "" {
			want.ID = got.ID
		}
		if d := cmp.Diff(want, got, cmp.Comparer(near)); d != "" {
			t.Errorf("entry %d reads back differently (-recorded +listed):\n%s", i, d)
		}
		if got.At.Location() != time.UTC {
			t.Errorf("entry %d: At = %v, want UTC", i, got.At)
		}
	}
	id := func(i int) string { return all[len(all)-1-i].ID } // the id of recorded[i]

	for _, c := range []struct {
		name string
		f    gate.AuditFilter
		want []int // indexes into recorded, newest first
	}{
		{"actor", gate.AuditFilter{Actor: "officer-1"}, []int{1, 0}},
		{"action", gate.AuditFilter{Action: "company.read"}, []int{4, 0}},
		{"resource id", gate.AuditFilter{ResourceID: "dec_01JD3Z0000000000000000001"}, []int{3, 2}},
		{"actor and action", gate.AuditFilter{Actor: "reviewer-2", Action: "decision.read"}, []int{3}},
		{"since is inclusive", gate.AuditFilter{Since: minute(3)}, []int{4, 3}},
		{"until is exclusive", gate.AuditFilter{Until: minute(2)}, []int{1, 0}},
		{"since and until", gate.AuditFilter{Since: minute(1), Until: minute(3)}, []int{2, 1}},
		{"limit", gate.AuditFilter{Limit: 2}, []int{4, 3}},
		{"after", gate.AuditFilter{After: id(3), Limit: 2}, []int{2, 1}},
		{"after the last", gate.AuditFilter{After: id(0)}, nil},
		{"no match", gate.AuditFilter{Actor: "nobody"}, nil},
	} {
		var want []string
		for _, i := range c.want {
			want = append(want, id(i))
		}
		checkIDs(t, c.name, auditIDs(listAudit(t, s, c.f)), want)
	}

	if err := s.RecordAccess(t.Context(), recorded[4]); err == nil {
		t.Error("RecordAccess with a taken id succeeded, want an error")
	}
}

func testAuditLimit(t *testing.T, s PeopleStore) {
	const n = 55
	for i := range n {
		e := gate.AuditEntry{At: t0.Add(time.Duration(i) * time.Second), Actor: "officer-1",
			Action: "decision.read", Resource: "decision", ResourceID: fmt.Sprintf("dec_%d", i)}
		if err := s.RecordAccess(t.Context(), e); err != nil {
			t.Fatalf("RecordAccess: %v", err)
		}
	}
	if got := listAudit(t, s, gate.AuditFilter{}); len(got) != 50 {
		t.Errorf("ListAudit with no limit: %d entries, want the default 50", len(got))
	}
	var pages []string
	cursor := ""
	for range n {
		page := listAudit(t, s, gate.AuditFilter{Limit: 20, After: cursor})
		pages = append(pages, auditIDs(page)...)
		if len(page) < 20 {
			break
		}
		cursor = page[len(page)-1].ID
	}
	if len(pages) != n {
		t.Errorf("paging through the trail gave %d entries, want %d", len(pages), n)
	}
	if !slices.IsSortedFunc(pages, func(a, b string) int { return strings.Compare(b, a) }) ||
		len(slices.Compact(slices.Clone(pages))) != len(pages) {
		t.Errorf("pages are not newest first without repeats: %v", pages)
	}
}
