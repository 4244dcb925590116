package storesql

// The statements both stores run as they are, written with ?: SQLite uses
// them so, PostgreSQL through Dialect.Rebind. Times are the dialect's
// encoding (Dialect.Time), nullable values nil or NULL.
const (
	// DecisionByID: id.
	DecisionByID = `SELECT ` + DecisionColumns + ` FROM decisions d WHERE d.id = ?`
	// DecisionForWebhook: client id, webhook id.
	DecisionForWebhook = `SELECT ` + DecisionColumns + `
	FROM webhook_receipts w JOIN decisions d ON d.id = w.decision_id
	WHERE w.client_id = ? AND w.webhook_id = ?`

	// InsertDecision: the 18 columns of DecisionColumns, in order.
	InsertDecision = `INSERT INTO decisions (id, application_id, nib, region_code, permit_type,
	outcome, reasons, evidence, policy_version, decided_at, valid_until, supersedes, review,
	client_id, webhook_id, callback_url, declared_workers, application)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// InsertRecheck: decision id, next attempt, until.
	InsertRecheck = `INSERT INTO rechecks (decision_id, attempts, next_attempt, until) VALUES (?, 0, ?, ?)`

	// CloseReview: review document, id. The state condition makes the
	// statement alone unable to close a review twice (one winner).
	CloseReview = `UPDATE decisions SET review = ?
		WHERE id = ? AND review_state = 'open' AND superseded_by IS NULL`
	// InsertReviewAction: decision id, action, note, actor, at, next
	// decision id.
	InsertReviewAction = `INSERT INTO review_actions (decision_id, action, note, actor, at, next_decision_id)
		VALUES (?, ?, ?, ?, ?, ?)`
	// Supersede: the superseding id, the superseded id.
	Supersede = `UPDATE decisions SET superseded_by = ? WHERE id = ?`

	// InsertAudit: id, at, actor, action, resource, resource id, detail.
	InsertAudit = `INSERT INTO audit (id, at, actor, action, resource, resource_id, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?)`

	// InsertCallback: id, decision id, client id, url, state, attempts,
	// next attempt, last error, created at, kind.
	InsertCallback = `INSERT INTO callbacks (id, decision_id, client_id, url, state, attempts,
			next_attempt, last_error, created_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// PendingCallbacks counts the outbox's depth.
	PendingCallbacks = `SELECT count(*) FROM callbacks WHERE state = 'pending'`
	// DeleteRecheck: decision id.
	DeleteRecheck = `DELETE FROM rechecks WHERE decision_id = ?`
	// PostponeRecheck: attempts, next attempt, decision id.
	PostponeRecheck = `UPDATE rechecks SET attempts = ?, next_attempt = ?, lease_until = NULL
		WHERE decision_id = ?`

	// InsertOSSMessage: id, nib, tipe_dokumen, items, received at, body.
	InsertOSSMessage = `INSERT INTO oss_messages (id, nib, tipe_dokumen, items, received_at, body)
		VALUES (?, ?, ?, ?, ?, ?)`
	// UpsertOSSPermit: id_izin, nib, oss_id, id_proyek, id_produk, kd_izin,
	// updated at. A resubmitted permit is no longer withdrawn.
	UpsertOSSPermit = `INSERT INTO oss_permits (id_izin, nib, oss_id, id_proyek, id_produk, kd_izin, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id_izin) DO UPDATE SET nib = excluded.nib, oss_id = excluded.oss_id,
				id_proyek = excluded.id_proyek, id_produk = excluded.id_produk, kd_izin = excluded.kd_izin,
				updated_at = excluded.updated_at, withdrawn_at = NULL`

	// ImportedEmployer: nib.
	ImportedEmployer = `SELECT kode_badan_usaha, nama, npwp, status, pekerja_terdaftar,
		pekerja_aktif, tunggakan_bulan, tunggakan_nominal, iuran_terakhir, tgl_data
		FROM imported_employers WHERE nib = ?`
	// ImportedParticipant: nik.
	ImportedParticipant = `SELECT status, jenis_peserta, kode_badan_usaha, tgl_data
		FROM imported_participants WHERE nik = ?`
	// ListImports: limit.
	ListImports = `SELECT id, kind, file_name, sha256, imported_by, imported_at,
		rows_read, rows_applied, rows_unchanged, rows_older, rechecks FROM imports ORDER BY id DESC LIMIT ?`
	// InsertImport: id, kind, file name, sha256, by, at, read, applied,
	// unchanged, older, rechecks.
	InsertImport = `INSERT INTO imports (id, kind, file_name, sha256, imported_by, imported_at,
		rows_read, rows_applied, rows_unchanged, rows_older, rechecks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

	// MigrationApplied: name.
	MigrationApplied = `SELECT name FROM schema_migrations WHERE name = ?`
	// RecordMigration: name, applied at.
	RecordMigration = `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`
)
