package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// updateGolden rewrites the golden files: go test ./api -run Golden -update
var updateGolden = flag.Bool("update", false, "rewrite api/testdata/golden from the current output")

// goldenDecisions are representative decisions, made by gate.Evaluate
// where the engine makes them (so that the reasons carry gate's real texts
// in Indonesian and English) at fixed times, with fixed ids.
func goldenDecisions(t *testing.T) []struct {
	name string
	d    gate.Decision
} {
	t.Helper()
	p := gate.DefaultPolicy()
	decided := time.Date(2026, 3, 2, 1, 30, 15, 123_000_000, time.UTC)
	fetched := time.Date(2026, 3, 2, 1, 30, 14, 0, time.UTC)
	app := gate.Application{
		ID: "OSS-2026-000123", NIB: "9120001234567", NPWP: "012345678901234", CompanyName: "PT Contoh Sejahtera",
		RegionCode: "1275", PermitType: gate.PermitBusinessLicense, KBLI: []string{"47111"},
		DeclaredWorkers: 3,
		Workers:         []gate.Worker{{NIK: "1275014101900001"}, {NIK: "1275014101900002"}, {NIK: "1275014101900003"}},
	}
	employer := func(arrearsMonths int, arrears int64) gate.EmployerLookup {
		return gate.EmployerLookup{Found: true, Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: fetched},
			Employer: gate.Employer{Code: "01234567", NIB: app.NIB, Name: "PT CONTOH SEJAHTERA", Status: gate.EmployerActive,
				StatusText: "AKTIF", RegisteredWorkers: 3, ActiveWorkers: 3, ArrearsMonths: arrearsMonths,
				ArrearsAmount: arrears, LastPaidPeriod: "2026-01", DataDate: "2026-03-01"}}
	}
	statusText := map[string]string{gate.ParticipantActive: "AKTIF", gate.ParticipantUnpaid: "TIDAK AKTIF KARENA PREMI",
		"6": "NON AKTIF DIAKHIR BULAN"}
	worker := func(i int, status string) gate.WorkerFinding {
		nik := app.Workers[i].NIK
		return gate.WorkerFinding{Position: i, NIK: nik, Lookup: gate.ParticipantLookup{Found: true,
			Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: fetched},
			Participant: gate.Participant{NIK: nik, CardNumber: "000123456789" + string(rune('0'+i)), Name: "NAMA",
				Status: status, StatusText: statusText[status], Segment: "13", SegmentText: "PPU BADAN USAHA",
				EmployerCode: "01234567"}}}
	}
	decide := func(id string, f gate.Findings) gate.Decision {
		f.WorkersListed = len(app.Workers)
		d := gate.Evaluate(app, f, p, decided)
		d.ID = id
		return d
	}

	allow := decide("dec_01HQZ8W3J4K5M6N7P8Q9R0S1T2", gate.Findings{Employer: employer(0, 0),
		Workers: []gate.WorkerFinding{worker(0, gate.ParticipantActive), worker(1, gate.ParticipantActive), worker(2, gate.ParticipantActive)}})
	notRegistered := gate.WorkerFinding{Position: 1, NIK: app.Workers[1].NIK,
		Lookup: gate.ParticipantLookup{Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: fetched}}}
	deny := decide("dec_01HQZ8W3J4K5M6N7P8Q9R0S1T3", gate.Findings{Employer: employer(4, 24_500_000),
		Workers: []gate.WorkerFinding{worker(0, gate.ParticipantActive), notRegistered, worker(2, gate.ParticipantUnpaid)}})
	review := decide("dec_01HQZ8W3J4K5M6N7P8Q9R0S1T4", gate.Findings{Employer: employer(0, 0),
		Workers: []gate.WorkerFinding{worker(0, gate.ParticipantActive), worker(1, "6"), worker(2, gate.ParticipantActive)}})
	review.Review = &gate.Review{State: gate.ReviewOpen, DueAt: decided.Add(72 * time.Hour)}
	unavailable := decide("dec_01HQZ8W3J4K5M6N7P8Q9R0S1T5", gate.Findings{
		EmployerErr: &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeBPJSUnavailable, Message: "BPJS unreachable"},
		Workers: []gate.WorkerFinding{
			{Position: 0, NIK: app.Workers[0].NIK, Err: &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeBPJSUnavailable}},
			{Position: 1, NIK: app.Workers[1].NIK, Err: &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeBPJSUnavailable}},
			{Position: 2, NIK: app.Workers[2].NIK, Err: &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeBPJSUnavailable}}}})

	// A recheck's decision: it supersedes the one made while BPJS was
	// down, on data an hour newer.
	superseding := allow
	superseding.ID = "dec_01HQZ8W3J4K5M6N7P8Q9R0S1T6"
	superseding.Supersedes = unavailable.ID
	superseding.DecidedAt = decided.Add(time.Hour)
	superseding.ValidUntil = superseding.ValidUntil.Add(time.Hour)
	superseding.Evidence.Source, superseding.Evidence.AsOf = gate.SourceImport, fetched.Add(time.Hour)

	// A reviewer's override of the review decision, as gate.People.Review
	// derives it: a new decision, allow, with the closed review.
	reviewedAt := decided.Add(26 * time.Hour)
	overridden := review
	overridden.ID = "dec_01HQZ8W3J4K5M6N7P8Q9R0S1T7"
	overridden.Supersedes = review.ID
	overridden.Outcome = gate.OutcomeAllow
	overridden.DecidedAt, overridden.ValidUntil = reviewedAt, reviewedAt.Add(p.DecisionValidFor)
	overridden.Reasons = []gate.Reason{{Code: gate.ReasonOverridden, Outcome: gate.OutcomeAllow,
		Message:    "Keputusan diubah oleh peninjau: surat keterangan BPJS Kesehatan diperiksa.",
		MessageEN:  "Overridden by a reviewer: the BPJS Kesehatan letter was checked.",
		LegalBasis: "Peraturan Presiden Nomor 82 Tahun 2018", Remedy: "",
		Details: map[string]any{"reviewer": "reviewer-7", "previous_outcome": "review"}}}
	overridden.Review = &gate.Review{State: gate.ReviewClosed, Action: gate.ActionOverride,
		Note: "surat keterangan BPJS Kesehatan diperiksa", By: "reviewer-7", At: reviewedAt, DueAt: review.Review.DueAt}

	out := []struct {
		name string
		d    gate.Decision
	}{
		{"allow", allow}, {"deny_several_reasons", deny}, {"review_open", review},
		{"registry_unavailable", unavailable}, {"superseding", superseding}, {"overridden", overridden},
	}
	// The cases must stay what their names say, or the files stop
	// showing what they are meant to.
	wantOutcome := map[string]gate.Outcome{"allow": gate.OutcomeAllow, "deny_several_reasons": gate.OutcomeDeny,
		"review_open": gate.OutcomeReview, "overridden": gate.OutcomeAllow, "superseding": gate.OutcomeAllow}
	for _, c := range out {
		if want, ok := wantOutcome[c.name]; ok && c.d.Outcome != want {
			t.Fatalf("%s: outcome %s, want %s (reasons %v)", c.name, c.d.Outcome, want, c.d.Reasons)
		}
	}
	if len(deny.Reasons) < 3 {
		t.Fatalf("deny_several_reasons has %d reasons, want at least 3", len(deny.Reasons))
	}
	return out
}

// checkGolden compares got with testdata/golden/name, or rewrites the file
// with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./api -run Golden -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; if the change is meant, run go test ./api -run Golden -update and review the diff.\ngot:\n%s\nwant:\n%s",
			path, got, want)
	}
}

// TestGoldenDecisionJSON pins the decision document the webhook, the
// decision endpoints and the callbacks answer (DecisionResponse): a
// renamed, added or dropped field, or a changed time format, fails here.
func TestGoldenDecisionJSON(t *testing.T) {
	for _, c := range goldenDecisions(t) {
		t.Run(c.name, func(t *testing.T) {
			got, err := json.MarshalIndent(DecisionResponse(c.d), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(got), "1275014101900001") || strings.Contains(string(got), "NAMA") {
				t.Errorf("the decision document carries a NIK or a name: %s", got)
			}
			checkGolden(t, "decision_"+c.name+".json", append(got, '\n'))
		})
	}
}

// TestGoldenExportCSV pins GET /v1/decisions/export.csv's columns and cell
// formats, as the export writes them (exportColumns, exportRow).
func TestGoldenExportCSV(t *testing.T) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(exportColumns); err != nil {
		t.Fatal(err)
	}
	for _, c := range goldenDecisions(t) {
		if err := w.Write(exportRow(c.d)); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "decisions_export.csv", buf.Bytes())
}
