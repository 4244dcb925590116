package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

func TestTranslateBySQLSTATE(t *testing.T) {
	pgErr := func(code string) error {
		// The message is deliberately misleading: only the code may count.
		return fmt.Errorf("exec: %w", &pgconn.PgError{Code: code, Message: "connection refused: duplicate key"})
	}
	for _, c := range []struct {
		name string
		err  error
		want gate.Kind
	}{
		{"unique_violation", pgErr("23505"), gate.KindConflict},
		{"foreign_key_violation", pgErr("23503"), gate.KindConflict},
		{"check_violation", pgErr("23514"), gate.KindConflict},
		{"restrict_violation (append-only trigger)", pgErr("23001"), gate.KindConflict},
		{"serialization_failure", pgErr("40001"), gate.KindUnavailable},
		{"deadlock_detected", pgErr("40P01"), gate.KindUnavailable},
		{"admin_shutdown", pgErr("57P01"), gate.KindUnavailable},
		{"query_canceled", pgErr("57014"), gate.KindUnavailable},
		{"connection_failure", pgErr("08006"), gate.KindUnavailable},
		{"too_many_connections", pgErr("53300"), gate.KindUnavailable},
		{"lock_not_available", pgErr("55P03"), gate.KindUnavailable},
		{"read_only_sql_transaction", pgErr("25006"), gate.KindUnavailable},
		{"character_not_in_repertoire", pgErr("22021"), gate.KindInvalid},
		{"undefined_table", pgErr("42P01"), gate.KindInternal},
		{"no rows", fmt.Errorf("scan: %w", pgx.ErrNoRows), gate.KindNotFound},
		{"no connection", errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), gate.KindUnavailable},
		{"cancelled", context.Canceled, gate.KindUnavailable},
	} {
		got := translate("test", c.err)
		if gate.KindOf(got) != c.want {
			t.Errorf("%s: translate gave %v (%s), want %s", c.name, got, gate.KindOf(got), c.want)
		}
		if !errors.Is(got, c.err) {
			t.Errorf("%s: translate(err) does not wrap err", c.name)
		}
	}
	if translate("test", nil) != nil {
		t.Error("translate(nil) != nil")
	}
	passed := gate.Errorf(gate.KindConflict, gate.CodeAlreadyReviewed, "reviewed")
	if got := translate("test", passed); got != error(passed) {
		t.Errorf("translate changed a *gate.Error: %v", got)
	}
}

func TestRetryRerunsSerializationFailuresAndDeadlocks(t *testing.T) {
	s := &Store{}
	for _, code := range []string{"40001", "40P01"} {
		calls := 0
		err := s.retry(t.Context(), "test", func() error {
			calls++
			if calls < 3 {
				return &pgconn.PgError{Code: code}
			}
			return nil
		})
		if err != nil || calls != 3 {
			t.Errorf("%s twice, then success: %v after %d calls, want success after 3", code, err, calls)
		}

		calls = 0
		err = s.retry(t.Context(), "test", func() error {
			calls++
			return &pgconn.PgError{Code: code}
		})
		if gate.KindOf(err) != gate.KindUnavailable || calls != maxTxAttempts {
			t.Errorf("%s always: %v after %d calls, want KindUnavailable after %d", code, err, calls, maxTxAttempts)
		}
	}
	calls := 0
	err := s.retry(t.Context(), "test", func() error {
		calls++
		return &pgconn.PgError{Code: "23505"}
	})
	if gate.KindOf(err) != gate.KindConflict || calls != 1 {
		t.Errorf("unique violation: %v after %d calls, want KindConflict after 1", err, calls)
	}
}

// TestDuplicateDecisionIDIsConflict inserts a taken decision id directly
// (the server answers 23505) and through RecordDecision.
func TestDuplicateDecisionIDIsConflict(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	if _, _, err := s.RecordDecision(ctx, d); err != nil {
		t.Fatal(err)
	}

	tx, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dup := d
	dup.ApplicationID = "OSS-2" // not a second head: only the id is taken
	_, err = insertDecision(ctx, tx, dup)
	tx.Rollback(ctx)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		t.Fatalf("direct insert of a taken id: %v, want SQLSTATE 23505", err)
	}
	if got := translate("insert", err); gate.KindOf(got) != gate.KindConflict || gate.CodeOf(got) != gate.CodeStoreConflict {
		t.Errorf("translate(23505) = %v, want KindConflict %s", got, gate.CodeStoreConflict)
	}

	d.WebhookID = "msg_2" // a new delivery that reuses the decision id
	if _, _, err := s.RecordDecision(ctx, d); !errors.Is(err, gate.ErrConflict) {
		t.Errorf("RecordDecision with a taken id: %v, want a KindConflict error", err)
	}
	// The failed call changed nothing: the first decision is still current.
	next, _, err := s.RecordDecision(ctx, storetest.NewDecision("client-a", "msg_3", "OSS-1"))
	if err != nil {
		t.Fatal(err)
	}
	if next.Supersedes != d.ID {
		t.Errorf("next decision supersedes %q, want %s", next.Supersedes, d.ID)
	}
}

func TestClosedStoreIsUnavailable(t *testing.T) {
	s := openFresh(t)
	s.Close()
	ctx := t.Context()
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	_, _, errRecord := s.RecordDecision(ctx, d)
	_, errByID := s.Decision(ctx, d.ID)
	_, errByWebhook := s.DecisionForWebhook(ctx, "client-a", "msg_1")
	_, errList := s.ListDecisions(ctx, gate.DecisionFilter{Scope: gate.Scope{All: true}})
	_, errClaim := s.ClaimCallbacks(ctx, d.DecidedAt, 1, 1)
	for name, err := range map[string]error{
		"RecordDecision":     errRecord,
		"Decision":           errByID,
		"DecisionForWebhook": errByWebhook,
		"ListDecisions":      errList,
		"ClaimCallbacks":     errClaim,
		"CloseReview":        s.CloseReview(ctx, d.ID, gate.Review{}, nil, nil),
		"RecordAccess":       s.RecordAccess(ctx, gate.AuditEntry{Actor: "a"}),
		"Ping":               s.Ping(ctx),
		"Migrate":            s.Migrate(ctx),
	} {
		if !errors.Is(err, gate.ErrUnavailable) {
			t.Errorf("%s on a closed store: %v, want a KindUnavailable error", name, err)
		}
	}
}

func TestCancelledContextIsUnavailable(t *testing.T) {
	storetest.CheckCancelledContextUnavailable(t, openFresh(t))
}

// TestNULCharacterIsInvalid pins a difference PostgreSQL imposes: text and
// jsonb cannot hold U+0000, which SQLite stores. The store says so with
// KindInvalid rather than failing as unavailable.
func TestNULCharacterIsInvalid(t *testing.T) {
	s := openFresh(t)
	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	d.Application.CompanyName = "PT Contoh\x00"
	if _, _, err := s.RecordDecision(t.Context(), d); gate.KindOf(err) != gate.KindInvalid {
		t.Errorf("RecordDecision with a NUL character: %v, want KindInvalid", err)
	}
}
