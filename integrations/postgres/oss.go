package postgres

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/internal/storesql"
	"github.com/jkngate/jkngate/integrations/oss"
)

var _ gate.WithdrawalStore = (*Store)(nil)

// SaveOSSMessage's statements (see storesql).
var (
	insertOSSMessageSQL = dialect.Rebind(storesql.InsertOSSMessage)
	upsertOSSPermitSQL  = dialect.Rebind(storesql.UpsertOSSPermit)
)

// SaveOSSMessage stores a receiveNIB message and, for each of its permits,
// the OSS ids its statuses are reported under (replacing what an earlier
// message said), in one transaction. A resubmitted permit is no longer
// withdrawn. Errors are *gate.Error: KindUnavailable when the database
// could not be reached.
func (s *Store) SaveOSSMessage(ctx context.Context, m oss.Message) error {
	return s.inTx(ctx, "save the OSS message", func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, insertOSSMessageSQL, m.ID, m.NIB, m.TipeDokumen, len(m.Refs), m.ReceivedAt.UTC(), string(m.Body)); err != nil {
			return err
		}
		for _, r := range m.Refs {
			if _, err := tx.Exec(ctx, upsertOSSPermitSQL,
				r.IDIzin, r.NIB, r.OSSID, r.IDProyek, r.IDProduk, r.KdIzin, m.ReceivedAt.UTC()); err != nil {
				return err
			}
		}
		return nil
	})
}

// OSSRef returns the OSS ids of permit idIzin. Errors are *gate.Error:
// KindNotFound when OSS never sent it, KindUnavailable when the database
// could not be read.
func (s *Store) OSSRef(ctx context.Context, idIzin string) (oss.Ref, error) {
	r := oss.Ref{IDIzin: idIzin}
	err := s.retry(ctx, "read the OSS ids of "+idIzin, func() error {
		return s.pool.QueryRow(ctx, `SELECT nib, oss_id, id_proyek, id_produk, kd_izin
			FROM oss_permits WHERE id_izin = $1`, idIzin).Scan(&r.NIB, &r.OSSID, &r.IDProyek, &r.IDProduk, &r.KdIzin)
	})
	if err != nil {
		return oss.Ref{}, err
	}
	return r, nil
}

// EnqueueFirstCallbacks adds callbacks to the outbox, in one transaction
// under their applications' locks, except those of a decision that has some
// callback already or has been superseded: the receiveNIB that recorded the
// decisions may be resent after a crash, and must neither lose nor repeat
// their statuses. Errors are *gate.Error: KindNotFound for an unknown
// decision, KindUnavailable when the database could not be reached.
func (s *Store) EnqueueFirstCallbacks(ctx context.Context, callbacks []gate.Callback) error {
	if len(callbacks) == 0 {
		return nil
	}
	ids := make([]string, 0, len(callbacks))
	for _, c := range callbacks {
		if !slices.Contains(ids, c.DecisionID) {
			ids = append(ids, c.DecisionID)
		}
	}
	// Locks are taken in one order, so that two messages cannot deadlock.
	slices.Sort(ids)
	return s.inTx(ctx, "enqueue the first callbacks", func(tx pgx.Tx) error {
		skip := map[string]bool{}
		for _, id := range ids {
			clientID, applicationID, err := applicationOf(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := lockApplication(ctx, tx, clientID, applicationID); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM callbacks WHERE decision_id = $1)
				+ (SELECT count(*) FROM decisions WHERE id = $1 AND superseded_by IS NOT NULL)`, id).Scan(&n); err != nil {
				return err
			}
			skip[id] = n > 0
		}
		var add []gate.Callback
		for _, c := range callbacks {
			if !skip[c.DecisionID] {
				add = append(add, c)
			}
		}
		return insertCallbacks(ctx, tx, add)
	})
}

// StopApplication implements gate.WithdrawalStore: in one transaction
// under the application's lock it fails the pending OSS status messages of
// the client's application with reason, removes its queued recheck and
// marks the permit withdrawn, and returns its current decision. Errors are
// *gate.Error: KindNotFound when the client has no such application,
// KindUnavailable when the database could not be reached.
func (s *Store) StopApplication(ctx context.Context, clientID, applicationID, reason string) (gate.Decision, error) {
	var head string
	err := s.inTx(ctx, "withdraw the application", func(tx pgx.Tx) error {
		if err := lockApplication(ctx, tx, clientID, applicationID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT id FROM decisions WHERE client_id = $1 AND application_id = $2 AND superseded_by IS NULL`,
			clientID, applicationID).Scan(&head)
		if errors.Is(err, pgx.ErrNoRows) {
			return gate.Errorf(gate.KindNotFound, gate.CodeApplicationNotFound, "no decision for application %s", applicationID)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE callbacks SET state = 'failed', last_error = $1, lease_until = NULL
			WHERE state = 'pending' AND kind LIKE 'oss.%' AND decision_id IN
				(SELECT id FROM decisions WHERE client_id = $2 AND application_id = $3)`,
			reason, clientID, applicationID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM rechecks WHERE decision_id = $1`, head); err != nil {
			return err
		}
		if clientID == gate.OSSClientID {
			if _, err := tx.Exec(ctx, `UPDATE oss_permits SET withdrawn_at = $1 WHERE id_izin = $2`,
				time.Now().UTC(), applicationID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return gate.Decision{}, err
	}
	return s.Decision(ctx, head)
}
