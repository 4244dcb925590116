package redis

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// LogEvery is how often SetLogger's adapter lets through a line of one kind
// (one go-redis format string): with Redis down, go-redis reports every
// failed dial, one per lookup, which under load would flood the log.
const LogEvery = 10 * time.Second

// SetLogger routes go-redis's own log lines (failed dials, pool, cluster
// and sentinel events), which it otherwise prints as plain text to standard
// error, through l at warn level as {"msg":"redis client","detail":"..."},
// so that they are JSON like every other line and pass the masking handler.
// Of each kind of line, at most one per LogEvery is logged; the next one
// logged says how many were suppressed ("suppressed"). go-redis has one
// logger per process: the last call wins.
func SetLogger(l *slog.Logger) {
	goredis.SetLogger(newSlogLogger(l, time.Now))
}

func newSlogLogger(l *slog.Logger, now func() time.Time) *slogLogger {
	return &slogLogger{l: l, now: now, kinds: map[string]*logKind{}}
}

type slogLogger struct {
	l     *slog.Logger
	now   func() time.Time
	mu    sync.Mutex
	kinds map[string]*logKind // by format string: a bounded set
}

type logKind struct {
	last       time.Time
	suppressed int
}

// Printf implements go-redis's internal.Logging.
func (s *slogLogger) Printf(ctx context.Context, format string, v ...any) {
	if ctx == nil {
		ctx = context.Background()
	}
	now := s.now()
	s.mu.Lock()
	k := s.kinds[format]
	if k == nil {
		k = &logKind{}
		s.kinds[format] = k
	}
	if !k.last.IsZero() && now.Sub(k.last) < LogEvery {
		k.suppressed++
		s.mu.Unlock()
		return
	}
	suppressed := k.suppressed
	k.last, k.suppressed = now, 0
	s.mu.Unlock()
	attrs := []any{"component", "go-redis", "detail", fmt.Sprintf(format, v...)}
	if suppressed > 0 {
		attrs = append(attrs, "suppressed", suppressed)
	}
	s.l.WarnContext(ctx, "redis client", attrs...)
}
