package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// WithLogger: a failed query is one JSON warning with the SQL and the
// error, never the query's arguments; failures the store handles (a
// repeated delivery's unique violation) are not logged.
func TestWithLoggerLogsFailuresWithoutArguments(t *testing.T) {
	url := freshSchema(t)
	var buf lockedBuffer
	s, err := Open(context.Background(), url, WithLogger(slog.New(slog.NewJSONHandler(&buf, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	d := storetest.NewDecision("client-a", "msg-1", "APP-1")
	for range 2 { // the second is a repeated delivery
		if _, _, err := s.RecordDecision(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	if got := buf.String(); got != "" {
		t.Fatalf("successful and handled operations logged:\n%s", got)
	}

	const nik = "1275014101900001"
	if _, err := s.pool.Exec(t.Context(), `SELECT no_such_column FROM decisions WHERE id = $1`, nik); err == nil {
		t.Fatal("a query of a missing column succeeded")
	}
	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1:\n%s", len(lines), out)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatalf("not JSON: %q", lines[0])
	}
	if rec["level"] != "WARN" || rec["component"] != "pgx" || !strings.Contains(rec["sql"].(string), "no_such_column") ||
		!strings.Contains(rec["error"].(string), "no_such_column") {
		t.Errorf("logged %v, want a pgx warning with the SQL and the error", rec)
	}
	if strings.Contains(out, nik) {
		t.Errorf("the log shows the query's argument: %s", out)
	}
}
