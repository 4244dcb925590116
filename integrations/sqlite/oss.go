package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
	"github.com/jkngate/jkngate/integrations/oss"
)

var _ gate.WithdrawalStore = (*Store)(nil)

// SaveOSSMessage stores a receiveNIB message and, for each of its permits,
// the OSS ids its statuses are reported under (replacing what an earlier
// message said), in one transaction. A resubmitted permit is no longer
// withdrawn. Errors are *gate.Error: KindUnavailable when the database
// could not be reached.
func (s *Store) SaveOSSMessage(ctx context.Context, m oss.Message) error {
	const what = "save the OSS message"
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return translate(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	at := formatTime(m.ReceivedAt)
	if _, err := tx.ExecContext(ctx, storesql.InsertOSSMessage, m.ID, m.NIB, m.TipeDokumen, len(m.Refs), at, string(m.Body)); err != nil {
		return translate(what, err)
	}
	for _, r := range m.Refs {
		if _, err := tx.ExecContext(ctx, storesql.UpsertOSSPermit,
			r.IDIzin, r.NIB, r.OSSID, r.IDProyek, r.IDProduk, r.KdIzin, at); err != nil {
			return translate(what, err)
		}
	}
	return translate(what, tx.Commit())
}

// OSSRef returns the OSS ids of permit idIzin. Errors are *gate.Error:
// KindNotFound when OSS never sent it, KindUnavailable when the database
// could not be read.
func (s *Store) OSSRef(ctx context.Context, idIzin string) (oss.Ref, error) {
	r := oss.Ref{IDIzin: idIzin}
	err := s.readers.QueryRowContext(ctx, `SELECT nib, oss_id, id_proyek, id_produk, kd_izin
		FROM oss_permits WHERE id_izin = ?`, idIzin).Scan(&r.NIB, &r.OSSID, &r.IDProyek, &r.IDProduk, &r.KdIzin)
	if err != nil {
		return oss.Ref{}, translate("read the OSS ids of "+idIzin, err)
	}
	return r, nil
}

// EnqueueFirstCallbacks adds callbacks to the outbox, in one
// transaction, except those of a decision that has some callback already or
// has been superseded: the receiveNIB that recorded the decisions may be
// resent after a crash, and must neither lose nor repeat their statuses.
// Errors are *gate.Error: KindUnavailable when the database could not be
// reached.
func (s *Store) EnqueueFirstCallbacks(ctx context.Context, callbacks []gate.Callback) error {
	const what = "enqueue the first callbacks"
	if len(callbacks) == 0 {
		return nil
	}
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return translate(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	skip := map[string]bool{}
	for _, c := range callbacks {
		if _, seen := skip[c.DecisionID]; seen {
			continue
		}
		var n int
		err = tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM callbacks WHERE decision_id = ?)
			+ (SELECT count(*) FROM decisions WHERE id = ? AND superseded_by IS NOT NULL)`, c.DecisionID, c.DecisionID).Scan(&n)
		if err != nil {
			return translate(what, err)
		}
		skip[c.DecisionID] = n > 0
	}
	var add []gate.Callback
	for _, c := range callbacks {
		if !skip[c.DecisionID] {
			add = append(add, c)
		}
	}
	if len(add) == 0 {
		return nil
	}
	if err := insertCallbacks(ctx, tx, what, add); err != nil {
		return err
	}
	return translate(what, tx.Commit())
}

// StopApplication implements gate.WithdrawalStore: in one transaction it
// fails the pending OSS status messages of the client's application with
// reason, removes its queued recheck and marks the permit withdrawn, and
// returns its current decision. Errors are *gate.Error: KindNotFound when
// the client has no such application, KindUnavailable when the database
// could not be reached.
func (s *Store) StopApplication(ctx context.Context, clientID, applicationID, reason string) (gate.Decision, error) {
	const what = "withdraw the application"
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return gate.Decision{}, translate(what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var head string
	err = tx.QueryRowContext(ctx, `SELECT id FROM decisions WHERE client_id = ? AND application_id = ? AND superseded_by IS NULL`,
		clientID, applicationID).Scan(&head)
	if errors.Is(err, sql.ErrNoRows) {
		return gate.Decision{}, gate.Errorf(gate.KindNotFound, gate.CodeApplicationNotFound, "no decision for application %s", applicationID)
	}
	if err != nil {
		return gate.Decision{}, translate(what, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE callbacks SET state = 'failed', last_error = ?, lease_until = NULL
		WHERE state = 'pending' AND kind LIKE 'oss.%' AND decision_id IN
			(SELECT id FROM decisions WHERE client_id = ? AND application_id = ?)`,
		reason, clientID, applicationID); err != nil {
		return gate.Decision{}, translate(what, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM rechecks WHERE decision_id = ?`, head); err != nil {
		return gate.Decision{}, translate(what, err)
	}
	if clientID == gate.OSSClientID {
		if _, err := tx.ExecContext(ctx, `UPDATE oss_permits SET withdrawn_at = ? WHERE id_izin = ?`,
			formatTime(time.Now()), applicationID); err != nil {
			return gate.Decision{}, translate(what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return gate.Decision{}, translate(what, err)
	}
	return s.Decision(ctx, head)
}
