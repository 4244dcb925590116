package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"iter"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// ApplyEmployers stores an accepted employer file in one transaction (see
// bpjsfile.Store). The writer is held for the whole file: decisions wait
// for it meanwhile, as they wait for any other write.
func (s *Store) ApplyEmployers(ctx context.Context, rec gate.ImportRecord, rows iter.Seq2[gate.Employer, error], until time.Time) (gate.ImportRecord, error) {
	const upsert = `INSERT INTO imported_employers (nib, kode_badan_usaha, nama, npwp, status, pekerja_terdaftar,
		pekerja_aktif, tunggakan_bulan, tunggakan_nominal, iuran_terakhir, tgl_data, import_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (nib) DO UPDATE SET kode_badan_usaha = excluded.kode_badan_usaha, nama = excluded.nama,
			npwp = excluded.npwp, status = excluded.status, pekerja_terdaftar = excluded.pekerja_terdaftar,
			pekerja_aktif = excluded.pekerja_aktif, tunggakan_bulan = excluded.tunggakan_bulan,
			tunggakan_nominal = excluded.tunggakan_nominal, iuran_terakhir = excluded.iuran_terakhir,
			tgl_data = excluded.tgl_data, import_id = excluded.import_id
		WHERE excluded.tgl_data > imported_employers.tgl_data`
	return s.applyImport(ctx, rec, until, upsert, `SELECT tgl_data FROM imported_employers WHERE nib = ?`,
		func(yield func(key, date string, args []any, err error) bool) {
			for e, err := range rows {
				args := []any{e.NIB, e.Code, e.Name, e.NPWP, e.Status, e.RegisteredWorkers, e.ActiveWorkers,
					e.ArrearsMonths, e.ArrearsAmount, e.LastPaidPeriod, e.DataDate, rec.ID}
				if !yield(e.NIB, e.DataDate, args, err) {
					return
				}
			}
		})
}

// ApplyParticipants stores an accepted participant file in one transaction
// (see bpjsfile.Store).
func (s *Store) ApplyParticipants(ctx context.Context, rec gate.ImportRecord, rows iter.Seq2[gate.ImportedParticipant, error], until time.Time) (gate.ImportRecord, error) {
	const upsert = `INSERT INTO imported_participants (nik, status, jenis_peserta, kode_badan_usaha, tgl_data, import_id)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (nik) DO UPDATE SET status = excluded.status, jenis_peserta = excluded.jenis_peserta,
			kode_badan_usaha = excluded.kode_badan_usaha, tgl_data = excluded.tgl_data, import_id = excluded.import_id
		WHERE excluded.tgl_data > imported_participants.tgl_data`
	return s.applyImport(ctx, rec, until, upsert, `SELECT tgl_data FROM imported_participants WHERE nik = ?`,
		func(yield func(key, date string, args []any, err error) bool) {
			args := make([]any, 6)
			for p, err := range rows {
				pt := p.Participant
				args[0], args[1], args[2], args[3], args[4], args[5] = pt.NIK, pt.Status, pt.Segment, pt.EmployerCode, p.DataDate, rec.ID
				if !yield(pt.NIK, p.DataDate, args, err) {
					return
				}
			}
		})
}

// applyImport upserts each row (newer tgl_data only), classifies the rows
// not applied as unchanged or older, records the import and schedules the
// rechecks, all in one transaction.
func (s *Store) applyImport(ctx context.Context, rec gate.ImportRecord, until time.Time, upsert, stored string,
	rows func(yield func(key, date string, args []any, err error) bool)) (gate.ImportRecord, error) {
	const what = "apply an import"
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return rec, translate(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	ins, err := tx.PrepareContext(ctx, upsert)
	if err != nil {
		return rec, translate(what, err)
	}
	defer ins.Close()
	sel, err := tx.PrepareContext(ctx, stored)
	if err != nil {
		return rec, translate(what, err)
	}
	defer sel.Close()
	rec.Applied, rec.Unchanged, rec.Older = 0, 0, 0
	var rowErr error
	rows(func(key, date string, args []any, err error) bool {
		if err != nil {
			rowErr = err
			return false
		}
		res, err := ins.ExecContext(ctx, args...)
		if err != nil {
			rowErr = translate(what, err)
			return false
		}
		if n, _ := res.RowsAffected(); n == 1 {
			rec.Applied++
			return true
		}
		var was string
		if err := sel.QueryRowContext(ctx, key).Scan(&was); err != nil {
			rowErr = translate(what, err)
			return false
		}
		if was == date {
			rec.Unchanged++
		} else {
			rec.Older++
		}
		return true
	})
	if rowErr != nil {
		return rec, rowErr
	}
	if rec.Rechecks, err = s.scheduleImportRechecks(ctx, tx, rec, until); err != nil {
		return rec, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO imports (id, kind, file_name, sha256, imported_by, imported_at,
		rows_read, rows_applied, rows_unchanged, rows_older, rechecks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
// (participants) this import updated due for a recheck now.
func (s *Store) scheduleImportRechecks(ctx context.Context, tx *sql.Tx, rec gate.ImportRecord, until time.Time) (int, error) {
	const what = "schedule rechecks after an import"
	rows, err := tx.QueryContext(ctx, `SELECT id, nib, application FROM decisions
		WHERE superseded_by IS NULL
		  AND (reasons LIKE '%"code":"REGISTRY_UNAVAILABLE"%' OR reasons LIKE '%"code":"INSUFFICIENT_EVIDENCE"%')`)
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
	err := s.readers.QueryRowContext(ctx, `SELECT kode_badan_usaha, nama, npwp, status, pekerja_terdaftar,
		pekerja_aktif, tunggakan_bulan, tunggakan_nominal, iuran_terakhir, tgl_data
		FROM imported_employers WHERE nib = ?`, nib).Scan(&e.Code, &e.Name, &e.NPWP, &e.Status,
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
	err := s.readers.QueryRowContext(ctx, `SELECT status, jenis_peserta, kode_badan_usaha, tgl_data
		FROM imported_participants WHERE nik = ?`, nik).Scan(&p.Participant.Status, &p.Participant.Segment,
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
	rows, err := s.readers.QueryContext(ctx, `SELECT id, kind, file_name, sha256, imported_by, imported_at,
		rows_read, rows_applied, rows_unchanged, rows_older, rechecks FROM imports ORDER BY id DESC LIMIT ?`, limit)
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
