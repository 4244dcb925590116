package storetest

import (
	"errors"
	"iter"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
)

// ImportStore is a store that keeps imported BPJS data files beside its
// decisions.
type ImportStore interface {
	gate.Store
	gate.RecheckQueue
	bpjsfile.Store
}

// RunImports runs the suite of imported BPJS data: newer-only replacement,
// all-or-nothing application, the history, and the rechecks an import
// schedules. open must return a fresh, empty, migrated store per subtest.
func RunImports(t *testing.T, open func(t *testing.T) ImportStore) {
	runSuite(t, open, []suiteTest[ImportStore]{
		{"EmployersNewerOnly", testImportEmployersNewerOnly},
		{"ParticipantsNewerOnly", testImportParticipantsNewerOnly},
		{"FailedApplyChangesNothing", testImportAllOrNothing},
		{"HistoryNewestFirst", testImportHistory},
		{"RechecksAfterParticipants", testImportRechecksParticipants},
		{"RechecksAfterEmployers", testImportRechecksEmployers},
	})
}

var importAt = time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)

func importRecord(kind gate.ImportKind, read int, at time.Time) gate.ImportRecord {
	return gate.ImportRecord{ID: gate.NewImportID(at), Kind: kind, FileName: "file.csv",
		SHA256: "ab12", By: "admin-1", At: at, Read: read}
}

func seq[T any](items ...T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for _, it := range items {
			if !yield(it, nil) {
				return
			}
		}
	}
}

func employerRow(nib, date string, active int) gate.Employer {
	return gate.Employer{NIB: nib, Code: "01020304", Name: "PT CONTOH", NPWP: "012345678901234", Status: "1",
		StatusText: "AKTIF", RegisteredWorkers: 60, ActiveWorkers: active, ArrearsMonths: 1,
		ArrearsAmount: 12_345_678_901, LastPaidPeriod: "2026-10", DataDate: date}
}

func participantRow(nik, date, code string) gate.ImportedParticipant {
	return gate.ImportedParticipant{Participant: gate.Participant{NIK: nik, Status: "0", Segment: "13", EmployerCode: code}, DataDate: date}
}

func applyEmployers(t *testing.T, s ImportStore, at time.Time, rows ...gate.Employer) gate.ImportRecord {
	t.Helper()
	rec, err := s.ApplyEmployers(t.Context(), importRecord(gate.ImportEmployers, len(rows), at), seq(rows...), time.Time{})
	if err != nil {
		t.Fatalf("ApplyEmployers: %v", err)
	}
	return rec
}

func applyParticipants(t *testing.T, s ImportStore, at time.Time, rows ...gate.ImportedParticipant) gate.ImportRecord {
	t.Helper()
	rec, err := s.ApplyParticipants(t.Context(), importRecord(gate.ImportParticipants, len(rows), at), seq(rows...), at.Add(24*time.Hour))
	if err != nil {
		t.Fatalf("ApplyParticipants: %v", err)
	}
	return rec
}

func checkCounts(t *testing.T, rec gate.ImportRecord, applied, unchanged, older int) {
	t.Helper()
	if rec.Applied != applied || rec.Unchanged != unchanged || rec.Older != older {
		t.Errorf("applied/unchanged/older = %d/%d/%d, want %d/%d/%d", rec.Applied, rec.Unchanged, rec.Older, applied, unchanged, older)
	}
}

func testImportEmployersNewerOnly(t *testing.T, s ImportStore) {
	ctx := t.Context()
	checkCounts(t, applyEmployers(t, s, importAt, employerRow("9120001234567", "2026-11-20", 50), employerRow("9120001234568", "2026-11-20", 5)), 2, 0, 0)
	got, found, err := s.ImportedEmployer(ctx, "9120001234567")
	if err != nil || !found {
		t.Fatalf("ImportedEmployer = %v, %v", found, err)
	}
	if want := employerRow("9120001234567", "2026-11-20", 50); got != want {
		t.Errorf("ImportedEmployer =\n%+v, want\n%+v", got, want)
	}
	// Same date: unchanged; an older file: kept as stored; newer: replaced.
	checkCounts(t, applyEmployers(t, s, importAt.Add(time.Minute),
		employerRow("9120001234567", "2026-11-20", 40), employerRow("9120001234568", "2026-11-19", 1),
		employerRow("9120001234569", "2026-11-01", 7)), 1, 1, 1)
	checkCounts(t, applyEmployers(t, s, importAt.Add(2*time.Minute), employerRow("9120001234567", "2026-11-21", 45)), 1, 0, 0)
	for nib, active := range map[string]int{"9120001234567": 45, "9120001234568": 5, "9120001234569": 7} {
		e, found, err := s.ImportedEmployer(ctx, nib)
		if err != nil || !found || e.ActiveWorkers != active {
			t.Errorf("ImportedEmployer(%s) = %d active (found %v, %v), want %d", nib, e.ActiveWorkers, found, err, active)
		}
	}
	if _, found, err := s.ImportedEmployer(ctx, "9120009999999"); found || err != nil {
		t.Errorf("ImportedEmployer(unknown) = found %v, %v; want not found", found, err)
	}
}

func testImportParticipantsNewerOnly(t *testing.T, s ImportStore) {
	ctx := t.Context()
	const nik = "1275014101900001"
	checkCounts(t, applyParticipants(t, s, importAt, participantRow(nik, "2026-11-20", "01020304"), participantRow("1275014101900002", "2026-11-20", "")), 2, 0, 0)
	checkCounts(t, applyParticipants(t, s, importAt.Add(time.Minute), participantRow(nik, "2026-11-19", "99999999")), 0, 0, 1)
	got, found, err := s.ImportedParticipant(ctx, nik)
	if err != nil || !found || got != participantRow(nik, "2026-11-20", "01020304") {
		t.Errorf("ImportedParticipant = %+v (found %v, %v), want the first file's row", got, found, err)
	}
	checkCounts(t, applyParticipants(t, s, importAt.Add(2*time.Minute), participantRow(nik, "2026-11-22", "55555555")), 1, 0, 0)
	if got, _, _ := s.ImportedParticipant(ctx, nik); got.Participant.EmployerCode != "55555555" || got.DataDate != "2026-11-22" {
		t.Errorf("after a newer file: %+v", got)
	}
	if got, _, _ := s.ImportedParticipant(ctx, "1275014101900002"); got.Participant.EmployerCode != "" {
		t.Errorf("empty employer code read back as %q", got.Participant.EmployerCode)
	}
}

func testImportAllOrNothing(t *testing.T, s ImportStore) {
	ctx := t.Context()
	broken := func(yield func(gate.ImportedParticipant, error) bool) {
		if !yield(participantRow("1275014101900001", "2026-11-20", ""), nil) {
			return
		}
		yield(gate.ImportedParticipant{}, errors.New("the file changed"))
	}
	if _, err := s.ApplyParticipants(ctx, importRecord(gate.ImportParticipants, 2, importAt), broken, time.Time{}); err == nil {
		t.Fatal("ApplyParticipants with a failing row source succeeded")
	}
	if _, found, err := s.ImportedParticipant(ctx, "1275014101900001"); found || err != nil {
		t.Errorf("a row of the failed import is stored (found %v, %v)", found, err)
	}
	if h, err := s.ListImports(ctx, 10); err != nil || len(h) != 0 {
		t.Errorf("history after a failed import = %v, %v; want empty", h, err)
	}
}

func testImportHistory(t *testing.T, s ImportStore) {
	first := applyEmployers(t, s, importAt, employerRow("9120001234567", "2026-11-20", 50))
	second := applyParticipants(t, s, importAt.Add(time.Hour), participantRow("1275014101900001", "2026-11-20", ""))
	h, err := s.ListImports(t.Context(), 10)
	if err != nil || len(h) != 2 {
		t.Fatalf("ListImports = %v, %v", h, err)
	}
	if h[0].ID != second.ID || h[1].ID != first.ID {
		t.Errorf("history order = %s, %s; want newest first", h[0].ID, h[1].ID)
	}
	want := first
	want.At = first.At.UTC()
	if got := h[1]; got != want {
		t.Errorf("history row =\n%+v, want\n%+v", got, want)
	}
}

// recordWithReason records a current decision for nib listing nik (none
// when ""), whose only reason is code, edited by edit.
func recordWithReason(t *testing.T, s ImportStore, app, nib string, code gate.ReasonCode, nik string, edit ...func(*gate.Decision)) gate.Decision {
	t.Helper()
	d := NewDecision("client-a", "msg_"+app, app)
	d.NIB, d.Application.NIB = nib, nib
	d.Reasons = []gate.Reason{{Code: code, Outcome: gate.OutcomeReview, Message: "m", MessageEN: "m"}}
	d.Outcome = gate.OutcomeReview
	d.Application.Workers = nil
	if nik != "" {
		d.Application.Workers = []gate.Worker{{NIK: nik}}
	}
	d.RecheckAt = time.Time{}
	for _, e := range edit {
		e(&d)
	}
	stored, _, err := s.RecordDecision(t.Context(), d)
	if err != nil {
		t.Fatalf("RecordDecision: %v", err)
	}
	return stored
}

func claimedIDs(t *testing.T, s ImportStore, at time.Time) map[string]bool {
	t.Helper()
	due, err := s.ClaimRechecks(t.Context(), at, time.Minute, 100)
	if err != nil {
		t.Fatalf("ClaimRechecks: %v", err)
	}
	ids := map[string]bool{}
	for _, r := range due {
		ids[r.DecisionID] = true
	}
	return ids
}

func testImportRechecksParticipants(t *testing.T, s ImportStore) {
	const nik, other = "1275014101900001", "1275014101900002"
	insufficient := recordWithReason(t, s, "OSS-1", "9120001234567", gate.ReasonInsufficientEvidence, other, func(d *gate.Decision) {
		d.Application.Workers = append(d.Application.Workers, gate.Worker{NIK: nik}) // the second listed
	})
	unavailable := recordWithReason(t, s, "OSS-2", "9120001234568", gate.ReasonRegistryUnavailable, nik)
	compliant := recordWithReason(t, s, "OSS-3", "9120001234569", gate.ReasonCompliant, nik)
	unrelated := recordWithReason(t, s, "OSS-4", "9120001234560", gate.ReasonInsufficientEvidence, "1275014101900003")
	reviewed := recordWithReason(t, s, "OSS-5", "9120001234561", gate.ReasonInsufficientEvidence, nik, func(d *gate.Decision) {
		d.Review = &gate.Review{State: gate.ReviewClosed, Action: "uphold", Note: "Confirmed with the branch office.", By: "reviewer-1", At: importAt}
	})

	rec := applyParticipants(t, s, importAt, participantRow(nik, "2026-11-20", ""))
	if rec.Rechecks != 2 {
		t.Errorf("Rechecks = %d, want 2", rec.Rechecks)
	}
	ids := claimedIDs(t, s, importAt)
	if !ids[insufficient.ID] || !ids[unavailable.ID] || ids[compliant.ID] || ids[unrelated.ID] || ids[reviewed.ID] || len(ids) != 2 {
		t.Errorf("rechecks claimed = %v; want %s and %s", ids, insufficient.ID, unavailable.ID)
	}
	// The same file again is not newer data: nothing more is scheduled.
	if rec := applyParticipants(t, s, importAt.Add(time.Hour), participantRow(nik, "2026-11-20", "")); rec.Rechecks != 0 {
		t.Errorf("an unchanged file scheduled %d rechecks", rec.Rechecks)
	}
}

func testImportRechecksEmployers(t *testing.T, s ImportStore) {
	insufficient := recordWithReason(t, s, "OSS-1", "9120001234567", gate.ReasonInsufficientEvidence, "")
	other := recordWithReason(t, s, "OSS-2", "9120001234568", gate.ReasonInsufficientEvidence, "")
	rec := applyEmployers(t, s, importAt, employerRow("9120001234567", "2026-11-20", 50))
	if rec.Rechecks != 1 {
		t.Errorf("Rechecks = %d, want 1", rec.Rechecks)
	}
	if ids := claimedIDs(t, s, importAt); !ids[insufficient.ID] || ids[other.ID] {
		t.Errorf("rechecks claimed = %v; want only %s", ids, insufficient.ID)
	}
}
