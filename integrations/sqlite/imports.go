package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"iter"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// importTable describes one imported table for applyImport.
type importTable struct {
	table   string   // imported_employers or imported_participants
	key     string   // nib or nik
	columns []string // key first; import_id is added
}

var (
	employerTable = importTable{"imported_employers", "nib", []string{"nib", "kode_badan_usaha", "nama", "npwp", "status",
		"pekerja_terdaftar", "pekerja_aktif", "tunggakan_bulan", "tunggakan_nominal", "iuran_terakhir", "tgl_data"}}
	participantTable = importTable{"imported_participants", "nik", []string{"nik", "status", "jenis_peserta",
		"kode_badan_usaha", "tgl_data"}}
)

// ApplyEmployers stores an accepted employer file in one transaction (see
// bpjsfile.Store). The writer is held for the whole file: decisions wait
// for it meanwhile, as they wait for any other write.
func (s *Store) ApplyEmployers(ctx context.Context, rec gate.ImportRecord, rows iter.Seq2[gate.Employer, error], until time.Time) (gate.ImportRecord, error) {
	return s.applyImport(ctx, rec, until, employerTable, func(yield func([]any, error) bool) {
		for e, err := range rows {
			if !yield([]any{e.NIB, e.Code, e.Name, e.NPWP, e.Status, e.RegisteredWorkers, e.ActiveWorkers,
				e.ArrearsMonths, e.ArrearsAmount, e.LastPaidPeriod, e.DataDate}, err) {
				return
			}
		}
	})
}

// ApplyParticipants stores an accepted participant file in one transaction
// (see bpjsfile.Store).
func (s *Store) ApplyParticipants(ctx context.Context, rec gate.ImportRecord, rows iter.Seq2[gate.ImportedParticipant, error], until time.Time) (gate.ImportRecord, error) {
	return s.applyImport(ctx, rec, until, participantTable, func(yield func([]any, error) bool) {
		for p, err := range rows {
			pt := p.Participant
			if !yield([]any{pt.NIK, pt.Status, pt.Segment, pt.EmployerCode, p.DataDate}, err) {
				return
			}
		}
	})
}

// stagingBatch is how many rows one INSERT into the staging table carries:
// a statement per row would cost more in database/sql than in SQLite.
const stagingBatch = 256

// applyImport stages the rows in a temporary table (many rows per
// statement), counts those unchanged or older than stored, merges the rest
// with one INSERT ... ON CONFLICT that replaces only older rows, records
// the import and schedules the rechecks: all in one transaction.
func (s *Store) applyImport(ctx context.Context, rec gate.ImportRecord, until time.Time, t importTable,
	rows iter.Seq2[[]any, error]) (gate.ImportRecord, error) {
	const what = "apply an import"
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return rec, translate(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	cols := strings.Join(t.columns, ", ")
	if _, err := tx.ExecContext(ctx, `DROP TABLE IF EXISTS temp.import_staging`); err != nil {
		return rec, translate(what, err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TEMP TABLE import_staging (`+cols+`)`); err != nil {
		return rec, translate(what, err)
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.columns)), ", ") + ")"
	insert := func(n int) string {
		return `INSERT INTO temp.import_staging (` + cols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
	}
	full, err := tx.PrepareContext(ctx, insert(stagingBatch))
	if err != nil {
		return rec, translate(what, err)
	}
	defer full.Close()
	args := make([]any, 0, stagingBatch*len(t.columns))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		var err error
		if len(args) == cap(args) {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, insert(len(args)/len(t.columns)), args...)
		}
		args = args[:0]
		return err
	}
	for vals, err := range rows {
		if err != nil {
			return rec, err
		}
		args = append(args, vals...)
		if len(args) == cap(args) {
			if err := flush(); err != nil {
				return rec, translate(what, err)
			}
		}
	}
	if err := flush(); err != nil {
		return rec, translate(what, err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(i.tgl_data = s.tgl_data), 0), coalesce(sum(i.tgl_data > s.tgl_data), 0)
		FROM temp.import_staging s JOIN `+t.table+` i ON i.`+t.key+` = s.`+t.key).Scan(&rec.Unchanged, &rec.Older); err != nil {
		return rec, translate(what, err)
	}
	rec.Applied = rec.Read - rec.Unchanged - rec.Older
	var set string
	for _, c := range t.columns[1:] {
		set += c + " = excluded." + c + ", "
	}
	// "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the
	// INSERT, not to a join.
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+t.table+` (`+cols+`, import_id)
		SELECT `+cols+`, ? FROM temp.import_staging WHERE true
		ON CONFLICT (`+t.key+`) DO UPDATE SET `+set+`import_id = excluded.import_id
		WHERE excluded.tgl_data > `+t.table+`.tgl_data`, rec.ID); err != nil {
		return rec, translate(what, err)
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE temp.import_staging`); err != nil {
		return rec, translate(what, err)
	}
	if rec.Rechecks, err = s.scheduleImportRechecks(ctx, tx, rec, until); err != nil {
		return rec, err
	}
	if _, err := tx.ExecContext(ctx, storesql.InsertImport,
		rec.ID, string(rec.Kind), rec.FileName, rec.SHA256, rec.By, formatTime(rec.At),
		rec.Read, rec.Applied, rec.Unchanged, rec.Older, rec.Rechecks); err != nil {
		return rec, translate(what, err)
	}
	if err := tx.Commit(); err != nil {
		return rec, translate(what, err)
	}
	return rec, nil
}

// scheduleImportRechecks makes the current REGISTRY_UNAVAILABLE and
// INSUFFICIENT_EVIDENCE decisions whose NIB (employers) or a listed NIK
// (participants) this import updated due for a recheck now. A decision
// whose review a person closed is left as they decided it.
func (s *Store) scheduleImportRechecks(ctx context.Context, tx *sql.Tx, rec gate.ImportRecord, until time.Time) (int, error) {
	const what = "schedule rechecks after an import"
	rows, err := tx.QueryContext(ctx, `SELECT id, nib, application FROM decisions
		WHERE superseded_by IS NULL
		  AND (reasons LIKE '%"code":"REGISTRY_UNAVAILABLE"%' OR reasons LIKE '%"code":"INSUFFICIENT_EVIDENCE"%')
		  AND (review IS NULL OR review NOT LIKE '%"state":"closed"%')`)
	if err != nil {
		return 0, translate(what, err)
	}
	type candidate struct {
		id, nib string
		app     sql.NullString
	}
	var cands []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.nib, &c.app); err != nil {
			rows.Close()
			return 0, translate(what, err)
		}
		cands = append(cands, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, translate(what, err)
	}
	updated := func(table, col, key string) (bool, error) {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT import_id FROM `+table+` WHERE `+col+` = ?`, key).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return id == rec.ID, err
	}
	n := 0
	for _, c := range cands {
		hit := false
		if rec.Kind == gate.ImportEmployers {
			if hit, err = updated("imported_employers", "nib", c.nib); err != nil {
				return 0, translate(what, err)
			}
		} else {
			app, err := decodeApplication(c.app)
			if err != nil {
				continue // an unreadable application cannot be rechecked anyway
			}
			for _, w := range app.Workers {
				if hit, err = updated("imported_participants", "nik", strings.TrimSpace(w.NIK)); err != nil {
					return 0, translate(what, err)
				}
				if hit {
					break
				}
			}
		}
		if !hit {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rechecks (decision_id, attempts, next_attempt, until)
			VALUES (?, 0, ?, ?) ON CONFLICT (decision_id) DO UPDATE SET next_attempt = excluded.next_attempt`,
			c.id, formatTime(rec.At), nullString(formatOptionalTime(until))); err != nil {
			return 0, translate(what, err)
		}
		n++
	}
	return n, nil
}

// ImportedEmployer returns the imported employer of nib (see
// bpjsfile.Lookups).
func (s *Store) ImportedEmployer(ctx context.Context, nib string) (gate.Employer, bool, error) {
	e := gate.Employer{NIB: nib}
	err := s.readers.QueryRowContext(ctx, storesql.ImportedEmployer, nib).Scan(&e.Code, &e.Name, &e.NPWP, &e.Status,
		&e.RegisteredWorkers, &e.ActiveWorkers, &e.ArrearsMonths, &e.ArrearsAmount, &e.LastPaidPeriod, &e.DataDate)
	if errors.Is(err, sql.ErrNoRows) {
		return gate.Employer{}, false, nil
	}
	if err != nil {
		return gate.Employer{}, false, translate("read an imported employer", err)
	}
	e.StatusText = gate.EmployerStatusText(e.Status)
	return e, true, nil
}

// ImportedParticipant returns the imported participant of nik (see
// bpjsfile.Lookups).
func (s *Store) ImportedParticipant(ctx context.Context, nik string) (gate.ImportedParticipant, bool, error) {
	p := gate.ImportedParticipant{Participant: gate.Participant{NIK: nik}}
	err := s.readers.QueryRowContext(ctx, storesql.ImportedParticipant, nik).Scan(&p.Participant.Status, &p.Participant.Segment,
		&p.Participant.EmployerCode, &p.DataDate)
	if errors.Is(err, sql.ErrNoRows) {
		return gate.ImportedParticipant{}, false, nil
	}
	if err != nil {
		return gate.ImportedParticipant{}, false, translate("read an imported participant", err)
	}
	return p, true, nil
}

// ListImports returns the import history, newest first (see
// bpjsfile.Store).
func (s *Store) ListImports(ctx context.Context, limit int) ([]gate.ImportRecord, error) {
	const what = "list imports"
	rows, err := s.readers.QueryContext(ctx, storesql.ListImports, limit)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
	out := []gate.ImportRecord{}
	for rows.Next() {
		var r gate.ImportRecord
		var kind, at string
		if err := rows.Scan(&r.ID, &kind, &r.FileName, &r.SHA256, &r.By, &at,
			&r.Read, &r.Applied, &r.Unchanged, &r.Older, &r.Rechecks); err != nil {
			return nil, translate(what, err)
		}
		r.Kind = gate.ImportKind(kind)
		if r.At, err = parseTime(at); err != nil {
			return nil, translate(what, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(what, err)
	}
	return out, nil
}
