package gate

import (
	"testing"
	"time"
)

// Imported data is the least fresh source: a decision that used it says
// import, as of the file's date, whatever else was live.
func TestEvidenceRanksImportLast(t *testing.T) {
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	fileDate := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	f := Findings{
		Employer: EmployerLookup{Found: true, Employer: Employer{Status: EmployerActive, ActiveWorkers: 5, RegisteredWorkers: 5},
			Fetch: Fetch{Source: SourceStale, AsOf: now.Add(-time.Hour)}},
		Workers: []WorkerFinding{
			{NIK: "1275014101900001", Lookup: ParticipantLookup{Found: true, Participant: Participant{Status: ParticipantActive, Segment: "13"},
				Fetch: Fetch{Source: SourceImport, AsOf: fileDate}}},
			{NIK: "1275014101900002", Position: 1, Lookup: ParticipantLookup{Found: true, Participant: Participant{Status: ParticipantActive, Segment: "13"},
				Fetch: Fetch{Source: SourceLive, AsOf: now}}},
		},
		WorkersListed: 2,
	}
	ev := evidenceOf(f, 2)
	if ev.Source != SourceImport || !ev.AsOf.Equal(fileDate) {
		t.Errorf("evidence = %s as of %v; want import as of %v", ev.Source, ev.AsOf, fileDate)
	}
}

func TestPeopleImportRefusesUnknownKind(t *testing.T) {
	p := &People{}
	_, err := p.Import(t.Context(), Actor{Subject: "admin-1"}, "workers", ImportFile{Path: "x"})
	if KindOf(err) != KindInvalid || CodeOf(err) != "invalid_import_kind" {
		t.Errorf("err = %v; want invalid_import_kind", err)
	}
}
