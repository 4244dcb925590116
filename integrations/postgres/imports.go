package postgres

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
)

// importTable describes one imported table for applyImport.
type importTable struct {
	table   string   // imported_employers or imported_participants
	key     string   // nib or nik
	columns []string // staged columns, key first and tgl_data last; import_id is added
	// heads selects the current decisions to recheck that this import
	// ($1) updated, as "d" joined to whatever it needs.
	heads string
}

var (
	employerTable = importTable{table: "imported_employers", key: "nib",
		columns: []string{"nib", "kode_badan_usaha", "nama", "npwp", "status", "pekerja_terdaftar",
			"pekerja_aktif", "tunggakan_bulan", "tunggakan_nominal", "iuran_terakhir", "tgl_data"},
		heads: `decisions d JOIN imported_employers i ON i.nib = d.nib AND i.import_id = $1`}
	participantTable = importTable{table: "imported_participants", key: "nik",
		columns: []string{"nik", "status", "jenis_peserta", "kode_badan_usaha", "tgl_data"},
		heads: `decisions d WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(d.application->'workers', '[]'::jsonb)) w
			JOIN imported_participants i ON i.nik = w AND i.import_id = $1)`}
)

// ApplyEmployers stores an accepted employer file in one transaction: COPY
// into a temporary staging table, then one INSERT ... ON CONFLICT that
// replaces only older rows (see bpjsfile.Store).
func (s *Store) ApplyEmployers(ctx context.Context, rec gate.ImportRecord, rows iter.Seq2[gate.Employer, error], until time.Time) (gate.ImportRecord, error) {
	return s.applyImport(ctx, rec, until, employerTable, func(yield func([]any, error) bool) {
		for e, err := range rows {
			if !yield([]any{e.NIB, e.Code, e.Name, e.NPWP, e.Status, int32(e.RegisteredWorkers), int32(e.ActiveWorkers),
				int32(e.ArrearsMonths), e.ArrearsAmount, e.LastPaidPeriod, e.DataDate}, err) {
				return
			}
		}
	})
}

// ApplyParticipants stores an accepted participant file in one transaction
// (see ApplyEmployers).
func (s *Store) ApplyParticipants(ctx context.Context, rec gate.ImportRecord, rows iter.Seq2[gate.ImportedParticipant, error], until time.Time) (gate.ImportRecord, error) {
	return s.applyImport(ctx, rec, until, participantTable, func(yield func([]any, error) bool) {
		vals := make([]any, 5)
		for p, err := range rows {
			pt := p.Participant
			vals[0], vals[1], vals[2], vals[3], vals[4] = pt.NIK, pt.Status, pt.Segment, pt.EmployerCode, p.DataDate
			if !yield(vals, err) {
				return
			}
		}
	})
}

func (s *Store) applyImport(ctx context.Context, rec gate.ImportRecord, until time.Time, t importTable, rows iter.Seq2[[]any, error]) (gate.ImportRecord, error) {
	const what = "apply an import"
	// Not retried: the rows can be read only once.
	err := s.tryTx(ctx, func(tx pgx.Tx) error {
		staging := "import_staging"
		var create string
		for i, c := range t.columns {
			if i > 0 {
				create += ", "
			}
			typ := "text"
			switch c {
			case "pekerja_terdaftar", "pekerja_aktif", "tunggakan_bulan":
				typ = "integer"
			case "tunggakan_nominal":
				typ = "bigint"
			}
			create += c + " " + typ
		}
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE `+staging+` (`+create+`) ON COMMIT DROP`); err != nil {
			return err
		}
		next, stop := iter.Pull2(rows)
		defer stop()
		var rowErr error
		src := pgx.CopyFromFunc(func() ([]any, error) {
			vals, err, ok := next()
			if !ok {
				return nil, nil
			}
			if err != nil {
				rowErr = err
				return nil, err
			}
			return vals, nil
		})
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{staging}, t.columns, src); err != nil {
			if rowErr != nil {
				return rowErr
			}
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE i.tgl_data = s.tgl_data::date),
				count(*) FILTER (WHERE i.tgl_data > s.tgl_data::date)
			FROM `+staging+` s JOIN `+t.table+` i ON i.`+t.key+` = s.`+t.key).Scan(&rec.Unchanged, &rec.Older); err != nil {
			return err
		}
		rec.Applied = rec.Read - rec.Unchanged - rec.Older
		var cols, sel, set string
		for i, c := range t.columns {
			if i > 0 {
				cols, sel = cols+", ", sel+", "
			}
			cols += c
			if c == "tgl_data" {
				sel += "tgl_data::date"
			} else {
				sel += c
			}
			if c != t.key {
				set += c + " = excluded." + c + ", "
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO `+t.table+` (`+cols+`, import_id) SELECT `+sel+`, $1 FROM `+staging+`
			ON CONFLICT (`+t.key+`) DO UPDATE SET `+set+`import_id = excluded.import_id
			WHERE excluded.tgl_data > `+t.table+`.tgl_data`, rec.ID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO rechecks (decision_id, attempts, next_attempt, until)
			SELECT d.id, 0, $2, $3 FROM `+t.heads+`
			  AND d.superseded_by IS NULL
			  AND (d.review IS NULL OR d.review->>'state' IS DISTINCT FROM 'closed')
			  AND (d.reasons @> '[{"code":"REGISTRY_UNAVAILABLE"}]' OR d.reasons @> '[{"code":"INSUFFICIENT_EVIDENCE"}]')
			ON CONFLICT (decision_id) DO UPDATE SET next_attempt = excluded.next_attempt`,
			rec.ID, dbTime(rec.At), optionalTime(until))
		if err != nil {
			return err
		}
		rec.Rechecks = int(tag.RowsAffected())
		_, err = tx.Exec(ctx, insertImportSQL,
			rec.ID, string(rec.Kind), rec.FileName, rec.SHA256, rec.By, dbTime(rec.At),
			rec.Read, rec.Applied, rec.Unchanged, rec.Older, rec.Rechecks)
		return err
	})
	if err != nil {
		return rec, translate(what, err)
	}
	return rec, nil
}

// The statements of imports (see storesql).
var (
	insertImportSQL        = dialect.Rebind(storesql.InsertImport)
	importedEmployerSQL    = dialect.Rebind(storesql.ImportedEmployer)
	importedParticipantSQL = dialect.Rebind(storesql.ImportedParticipant)
	listImportsSQL         = dialect.Rebind(storesql.ListImports)
)

// ImportedEmployer returns the imported employer of nib (see
// bpjsfile.Lookups).
func (s *Store) ImportedEmployer(ctx context.Context, nib string) (gate.Employer, bool, error) {
	e := gate.Employer{NIB: nib}
	var date time.Time
	err := s.pool.QueryRow(ctx, importedEmployerSQL, nib).Scan(&e.Code, &e.Name, &e.NPWP, &e.Status,
		&e.RegisteredWorkers, &e.ActiveWorkers, &e.ArrearsMonths, &e.ArrearsAmount, &e.LastPaidPeriod, &date)
	if errors.Is(err, pgx.ErrNoRows) {
		return gate.Employer{}, false, nil
	}
	if err != nil {
		return gate.Employer{}, false, translate("read an imported employer", err)
	}
	e.DataDate = date.Format(time.DateOnly)
	e.StatusText = gate.EmployerStatusText(e.Status)
	return e, true, nil
}

// ImportedParticipant returns the imported participant of nik (see
// bpjsfile.Lookups).
func (s *Store) ImportedParticipant(ctx context.Context, nik string) (gate.ImportedParticipant, bool, error) {
	p := gate.ImportedParticipant{Participant: gate.Participant{NIK: nik}}
	var date time.Time
	err := s.pool.QueryRow(ctx, importedParticipantSQL, nik).Scan(&p.Participant.Status, &p.Participant.Segment,
		&p.Participant.EmployerCode, &date)
	if errors.Is(err, pgx.ErrNoRows) {
		return gate.ImportedParticipant{}, false, nil
	}
	if err != nil {
		return gate.ImportedParticipant{}, false, translate("read an imported participant", err)
	}
	p.DataDate = date.Format(time.DateOnly)
	return p, true, nil
}

// ListImports returns the import history, newest first (see
// bpjsfile.Store).
func (s *Store) ListImports(ctx context.Context, limit int) ([]gate.ImportRecord, error) {
	const what = "list imports"
	rows, err := s.pool.Query(ctx, listImportsSQL, limit)
	if err != nil {
		return nil, translate(what, err)
	}
	defer rows.Close()
	out := []gate.ImportRecord{}
	for rows.Next() {
		var r gate.ImportRecord
		var kind string
		if err := rows.Scan(&r.ID, &kind, &r.FileName, &r.SHA256, &r.By, &r.At,
			&r.Read, &r.Applied, &r.Unchanged, &r.Older, &r.Rechecks); err != nil {
			return nil, translate(what, err)
		}
		r.Kind = gate.ImportKind(kind)
		r.At = r.At.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(what, err)
	}
	return out, nil
}
