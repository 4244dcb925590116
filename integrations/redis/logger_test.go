package redis

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// With Redis down, go-redis's complaints come out as JSON lines through the
// given logger, one per kind per LogEvery, counting the ones suppressed.
func TestSetLoggerRoutesGoRedisThroughSlog(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	logger := newSlogLogger(slog.New(slog.NewJSONHandler(&buf, nil)), func() time.Time { return clock })
	goredis.SetLogger(logger)
	t.Cleanup(func() { SetLogger(slog.New(slog.DiscardHandler)) })

	c, err := NewClient("redis://127.0.0.1:1/6") // nothing listens on port 1
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 3 {
		if err := c.Ping(context.Background()).Err(); err == nil {
			t.Fatal("a ping to a closed port succeeded")
		}
	}
	clock = clock.Add(LogEvery)
	_ = c.Ping(context.Background()).Err()

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2 (the first, then one after LogEvery):\n%s", len(lines), buf.String())
	}
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %d is not JSON: %q", i, line)
		}
		if rec["msg"] != "redis client" || rec["level"] != "WARN" ||
			!strings.Contains(rec["detail"].(string), "connection refused") {
			t.Errorf("line %d = %v, want a warning with go-redis's detail", i, rec)
		}
		if _, ok := rec["suppressed"]; ok != (i == 1) {
			t.Errorf("line %d: suppressed %v, want it on the second line only", i, rec["suppressed"])
		}
	}
}
