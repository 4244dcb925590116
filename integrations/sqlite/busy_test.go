package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// While another process holds the write lock, a write whose deadline
// passes gets a KindUnavailable error at its deadline: the busy wait is
// interrupted, rather than left to run its full busy_timeout. Nothing is
// recorded, and the write succeeds once the lock is released.
func TestBusyWaitEndsWithTheCallersDeadline(t *testing.T) {
	s, path := openTemp(t)
	holder, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	d := storetest.NewDecision("client-a", "msg_1", "OSS-1")
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, _, err := s.RecordDecision(ctx, d)
		done <- err
	}()
	// The guard is shorter than busy_timeout (5 s): only the deadline can
	// end the wait before it. It bounds a hang; it measures nothing.
	select {
	case err := <-done:
		if !errors.Is(err, gate.ErrUnavailable) {
			t.Fatalf("RecordDecision under another's write lock: %v, want KindUnavailable", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("RecordDecision waited past its deadline for the write lock")
	}

	if _, err := conn.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decision(t.Context(), d.ID); !errors.Is(err, gate.ErrNotFound) {
		t.Fatalf("after the interrupted write, Decision: %v, want KindNotFound", err)
	}
	if _, _, err := s.RecordDecision(t.Context(), d); err != nil {
		t.Fatalf("after the lock was released: %v", err)
	}
}
