package bpjsfile

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// Store keeps imported data and the import history (the SQLite and
// PostgreSQL stores implement it).
type Store interface {
	Lookups
	// ApplyEmployers stores rec and, in the same transaction, each row of
	// rows whose tgl_data is newer than the stored row's for its NIB (or
	// that is new), and schedules the recheck (due now, given up at until;
	// zero: never) of each current REGISTRY_UNAVAILABLE or
	// INSUFFICIENT_EVIDENCE decision of a NIB it updated (unless a person
	// closed its review). It returns rec
	// with Applied, Unchanged, Older and Rechecks counted. An error from
	// rows, or from the store, rolls everything back (KindUnavailable for
	// the store's).
	ApplyEmployers(ctx context.Context, rec gate.ImportRecord, rows iter.Seq2[gate.Employer, error], until time.Time) (gate.ImportRecord, error)
	// ApplyParticipants is ApplyEmployers for participants, keyed by NIK;
	// the rechecks are of decisions that list an updated NIK.
	ApplyParticipants(ctx context.Context, rec gate.ImportRecord, rows iter.Seq2[gate.ImportedParticipant, error], until time.Time) (gate.ImportRecord, error)
	// ListImports returns the import history, newest first, at most limit.
	ListImports(ctx context.Context, limit int) ([]gate.ImportRecord, error)
}

// Lookups reads imported data.
type Lookups interface {
	// ImportedEmployer returns the imported employer of nib; found is
	// false when no file had it.
	ImportedEmployer(ctx context.Context, nib string) (e gate.Employer, found bool, err error)
	// ImportedParticipant returns the imported participant of nik; found is
	// false when no file had it.
	ImportedParticipant(ctx context.Context, nik string) (p gate.ImportedParticipant, found bool, err error)
}

// Importer validates and applies BPJS data files. It implements
// gate.Importer.
type Importer struct {
	Store Store
	// RecheckFor is how long the rechecks an import schedules keep trying
	// (the policy's recheck_for); zero: until done.
	RecheckFor time.Duration
	// Progress, when set, is told every progressEvery rows how far a pass
	// is: phase "validate" (total unknown: 0) or "apply" (total: the rows
	// read).
	Progress func(phase string, rows, total int)
	// Now is the clock; the system clock when nil.
	Now gate.Clock
}

var _ gate.Importer = (*Importer)(nil)

const progressEvery = 10_000

func (im *Importer) now() time.Time { return im.Now.Now() }

func (im *Importer) progress(phase string, rows, total int) {
	if im.Progress != nil {
		im.Progress(phase, rows, total)
	}
}

// Import implements gate.Importer: a streaming validation pass over the
// whole file, then, only when it found no problem, a streaming apply pass in
// one store transaction.
func (im *Importer) Import(ctx context.Context, kind gate.ImportKind, f gate.ImportFile) (gate.ImportReport, error) {
	if !kind.Valid() {
		return gate.ImportReport{}, gate.Errorf(gate.KindInvalid, gate.CodeInvalidImportKind, "kind must be employers or participants")
	}
	sum, err := fileSHA256(f.Path)
	if err != nil {
		return gate.ImportReport{}, err
	}
	now := im.now().UTC()
	name := filepath.Base(f.FileName)
	if f.FileName == "" {
		name = filepath.Base(f.Path)
	}
	rec := gate.ImportRecord{ID: gate.NewImportID(now), Kind: kind, FileName: name, SHA256: sum, By: f.By, At: now}
	// An XLSX sheet is slow to parse: the validation pass copies its rows
	// to a temporary CSV file, which the apply pass reads instead.
	applyPath := f.Path
	var spool *csv.Writer
	if isXLSX(f.Path) {
		tmp, err := os.CreateTemp("", "jkngate-import-*.csv")
		if err != nil {
			return gate.ImportReport{}, gate.Errorf(gate.KindUnavailable, gate.CodeImportSpool, "no room for a temporary file: %v", err)
		}
		defer os.Remove(tmp.Name())
		defer tmp.Close()
		bw := bufio.NewWriterSize(tmp, 256<<10)
		defer bw.Flush()
		applyPath, spool = tmp.Name(), csv.NewWriter(bw)
	}
	v, err := im.validate(ctx, kind, f.Path, now, spool)
	if err != nil {
		return gate.ImportReport{}, err
	}
	if spool != nil {
		if spool.Flush(); spool.Error() != nil {
			return gate.ImportReport{}, gate.Errorf(gate.KindUnavailable, gate.CodeImportSpool, "the temporary file could not be written: %v", spool.Error())
		}
	}
	rec.Read = v.read
	if len(v.problems) > 0 {
		return gate.ImportReport{Record: rec, Problems: v.problems, MoreProblems: v.more}, nil
	}
	var until time.Time
	if im.RecheckFor > 0 {
		until = now.Add(im.RecheckFor)
	}
	if kind == gate.ImportEmployers {
		rec, err = im.Store.ApplyEmployers(ctx, rec, applyRows(im, applyPath, now, rec.Read, (*fields).employer), until)
	} else {
		rec, err = im.Store.ApplyParticipants(ctx, rec, applyRows(im, applyPath, now, rec.Read, (*fields).participant), until)
	}
	if err != nil {
		return gate.ImportReport{}, err
	}
	return gate.ImportReport{Accepted: true, Record: rec}, nil
}

// Imports implements gate.Importer.
func (im *Importer) Imports(ctx context.Context, limit int) ([]gate.ImportRecord, error) {
	return im.Store.ListImports(ctx, limit)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", gate.Errorf(gate.KindInvalid, gate.CodeUnreadableFile, "the file cannot be read: %v", errors.Unwrap(err))
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", gate.Errorf(gate.KindInvalid, gate.CodeUnreadableFile, "the file cannot be read: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// today is the latest tgl_data accepted: the date in Asia/Jakarta, with a
// day of slack for clocks and time zones.
func today(now time.Time) string {
	return now.In(time.FixedZone("WIB", 7*3600)).AddDate(0, 0, 1).Format(time.DateOnly)
}

// keyRow remembers where a key (a NIB or NIK as a number) was seen, to find
// duplicates with 16 bytes per row instead of a map of strings.
type keyRow struct {
	key uint64
	row uint32
}

type validation struct {
	read     int
	problems []gate.ImportProblem
	more     int
}

func (v *validation) add(ps ...gate.ImportProblem) {
	for _, p := range ps {
		if len(v.problems) < gate.MaxImportProblems {
			v.problems = append(v.problems, p)
		} else {
			v.more++
		}
	}
}

// validate reads the whole file once and reports every problem (capped).
// With spool set, it also writes every row read (header included) there.
func (im *Importer) validate(ctx context.Context, kind gate.ImportKind, path string, now time.Time, spool *csv.Writer) (validation, error) {
	var v validation
	rows, err := openRows(path)
	if err != nil {
		v.add(gate.ImportProblem{Row: 0, Problem: "the file is neither CSV nor XLSX: " + err.Error()})
		return v, nil
	}
	defer rows.Close()
	cols, keyCol := employerColumns, "nib"
	if kind == gate.ImportParticipants {
		cols, keyCol = participantColumns, "nik"
	}
	f := fields{today: today(now)}
	var keys []keyRow
	headerSeen := false
	for {
		row, n, err := rows.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			v.add(gate.ImportProblem{Row: n, Problem: err.Error()})
			return v, nil
		}
		if spool != nil && !blank(row) {
			if err := spool.Write(row); err != nil {
				return v, gate.Errorf(gate.KindUnavailable, gate.CodeImportSpool, "the temporary file could not be written: %v", err)
			}
		}
		if !headerSeen {
			var ps []gate.ImportProblem
			f.idx, ps = header(row, cols)
			v.add(ps...)
			if len(ps) > 0 {
				return v, nil
			}
			headerSeen = true
			continue
		}
		if blank(row) {
			continue
		}
		v.read++
		if v.read%progressEvery == 0 {
			if err := ctx.Err(); err != nil {
				return v, gate.Errorf(gate.KindUnavailable, gate.CodeImportCancelled, "the import was cancelled")
			}
			im.progress("validate", v.read, 0)
		}
		f.row, f.number, f.problems = row, n, f.problems[:0]
		if kind == gate.ImportEmployers {
			f.employer()
		} else {
			f.participant()
		}
		v.add(f.problems...)
		if !hasProblem(f.problems, keyCol) {
			// A valid NIB or NIK: 13 or 16 digits, well within a uint64.
			key, _ := strconv.ParseUint(f.get(keyCol), 10, 64)
			keys = append(keys, keyRow{key, uint32(n)})
		}
	}
	if !headerSeen {
		v.add(gate.ImportProblem{Row: 1, Problem: "the file is empty: a header row is required"})
		return v, nil
	}
	im.progress("validate", v.read, 0)
	v.add(duplicates(keys, keyCol)...)
	return v, nil
}

func hasProblem(ps []gate.ImportProblem, col string) bool {
	return slices.ContainsFunc(ps, func(p gate.ImportProblem) bool { return p.Column == col })
}

// duplicates reports each row whose key an earlier row already has. It
// names the earlier row, never the key (a NIK is personal data).
func duplicates(keys []keyRow, col string) []gate.ImportProblem {
	slices.SortFunc(keys, func(a, b keyRow) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return int(a.row) - int(b.row)
	})
	var ps []gate.ImportProblem
	for i := 1; i < len(keys); i++ {
		if keys[i].key == keys[i-1].key {
			first := i - 1
			for first > 0 && keys[first-1].key == keys[i].key {
				first--
			}
			ps = append(ps, gate.ImportProblem{Row: int(keys[i].row), Column: col,
				Problem: fmt.Sprintf("duplicate %s: the same as row %d", col, keys[first].row)})
		}
	}
	slices.SortFunc(ps, func(a, b gate.ImportProblem) int { return a.Row - b.Row })
	return ps
}

// applyRows reads the validated file again, for the store to apply row by
// row. A row that is no longer valid (the file changed in between) stops
// the apply with an error, which rolls it back.
func applyRows[T any](im *Importer, path string, now time.Time, total int, read func(*fields) T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		rows, err := openRows(path)
		if err != nil {
			yield(zero, gate.Errorf(gate.KindInvalid, gate.CodeFileChanged, "the file changed during the import"))
			return
		}
		defer rows.Close()
		f := fields{today: today(now)}
		done := 0
		for {
			row, n, err := rows.Next()
			if err == io.EOF {
				im.progress("apply", done, total)
				return
			}
			if err != nil {
				yield(zero, gate.Errorf(gate.KindInvalid, gate.CodeFileChanged, "the file changed during the import"))
				return
			}
			if f.idx == nil {
				f.idx, _ = header(row, append(append([]string{}, employerColumns...), participantColumns...))
				continue
			}
			if blank(row) {
				continue
			}
			f.row, f.number, f.problems = row, n, f.problems[:0]
			t := read(&f)
			if len(f.problems) > 0 {
				yield(zero, gate.Errorf(gate.KindInvalid, gate.CodeFileChanged, "the file changed during the import"))
				return
			}
			if done++; done%progressEvery == 0 {
				im.progress("apply", done, total)
			}
			if !yield(t, nil) {
				return
			}
		}
	}
}
