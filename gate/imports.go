package gate

import (
	"context"
	"time"
)

// ImportKind names the kind of BPJS data file: a list of registered
// employers (badan usaha) or of participants (peserta).
type ImportKind string

// The kinds of BPJS data file.
const (
	ImportEmployers    ImportKind = "employers"
	ImportParticipants ImportKind = "participants"
)

// Valid reports whether k is a known kind.
func (k ImportKind) Valid() bool { return k == ImportEmployers || k == ImportParticipants }

// ImportRecord is one import of a BPJS data file, as the history keeps it.
// Read counts the file's data rows; an accepted file's rows are each
// Applied (newer than what was stored, or new), Unchanged (same tgl_data as
// stored) or Older (stored data is newer: kept).
type ImportRecord struct {
	ID        string
	Kind      ImportKind
	FileName  string // base name only, as uploaded or given
	SHA256    string // hex of the file's bytes
	By        string // who imported it
	At        time.Time
	Read      int
	Applied   int
	Unchanged int
	Older     int
	// Rechecks counts the decisions (REGISTRY_UNAVAILABLE or
	// INSUFFICIENT_EVIDENCE) whose company got newer data and whose
	// recheck the import scheduled.
	Rechecks int
}

// ImportProblem is one reason a file is refused: the row (1 is the header
// row, so the first data row is 2, as a spreadsheet numbers it), the column
// (the header's name; empty for a problem with the whole file) and what is
// wrong. A problem never quotes a NIK unmasked.
type ImportProblem struct {
	Row     int
	Column  string
	Problem string
}

// ImportReport is the answer to an import: accepted (Record holds the
// counts and the import's id) or refused with Problems (at most
// MaxImportProblems; MoreProblems counts the rest). A refused file changes
// nothing.
type ImportReport struct {
	Accepted     bool
	Record       ImportRecord
	Problems     []ImportProblem
	MoreProblems int
}

// MaxImportProblems caps the problems an import report lists.
const MaxImportProblems = 100

// ImportedParticipant is a participant row of an imported file: what BPJS
// knew of the NIK on DataDate (YYYY-MM-DD).
type ImportedParticipant struct {
	Participant Participant
	DataDate    string
}

// ImportFile is a BPJS data file to import: a file on disk (read twice:
// once to validate, once to apply), the name to record, and who imports it.
type ImportFile struct {
	Path     string
	FileName string
	By       string
}

// Importer imports BPJS data files (integrations/bpjsfile implements it).
type Importer interface {
	// Import validates the whole file and, when every row is valid,
	// applies it in one transaction. A refused file is a report with
	// Accepted false and no error. Errors: KindInvalid for a file that is
	// not CSV or XLSX at all, KindUnavailable when the store fails.
	Import(ctx context.Context, kind ImportKind, f ImportFile) (ImportReport, error)
	// Imports lists the import history, newest first, at most limit.
	Imports(ctx context.Context, limit int) ([]ImportRecord, error)
}

// Import imports a BPJS data file for an admin (the API enforces the role).
// The upload is on record in the access trail before anything is applied:
// when it cannot be recorded nothing is imported. Errors: KindInvalid for an
// unknown kind; KindUnavailable when no importer is configured or the
// trail or store fails.
func (p *People) Import(ctx context.Context, a Actor, kind ImportKind, f ImportFile) (ImportReport, error) {
	if !kind.Valid() {
		return ImportReport{}, &Error{Kind: KindInvalid, Code: CodeInvalidImportKind,
			Message: "kind must be employers or participants",
			Fields:  []FieldError{{Field: "kind", Message: "must be employers or participants"}}}
	}
	if p.Importer == nil {
		return ImportReport{}, &Error{Kind: KindUnavailable, Code: CodeImportsUnavailable, Message: "imports are not configured"}
	}
	if err := p.audit(ctx, a, "imports.upload", "imports", "", string(kind)+" "+f.FileName); err != nil {
		return ImportReport{}, err
	}
	f.By = a.Subject
	return p.Importer.Import(ctx, kind, f)
}

// Imports lists the import history for an admin (the API enforces the
// role), newest first. The listing is on record in the access trail, and
// nothing is served when it cannot be recorded.
func (p *People) Imports(ctx context.Context, a Actor, limit int) ([]ImportRecord, error) {
	if p.Importer == nil {
		return nil, &Error{Kind: KindUnavailable, Code: CodeImportsUnavailable, Message: "imports are not configured"}
	}
	items, err := p.Importer.Imports(ctx, pageSize(limit))
	if err != nil {
		return nil, err
	}
	if err := p.audit(ctx, a, "imports.list", "imports", "", ""); err != nil {
		return nil, err
	}
	return items, nil
}

// NewImportID returns a new import id: "imp_" and a ULID, so that ids sort
// by time.
func NewImportID(now time.Time) string { return "imp_" + ulids.next(now) }

// EmployerStatusText is the text BPJS gives an employer status code
// (status.keterangan), for data that carries only the code; "" for a code
// not known.
func EmployerStatusText(code string) string {
	switch code {
	case EmployerActive:
		return "AKTIF"
	case EmployerInactive:
		return "NONAKTIF"
	case EmployerSuspended:
		return "DIBEKUKAN"
	}
	return ""
}
