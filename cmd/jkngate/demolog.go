package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/jkngate/jkngate/config"
)

// demoLogger returns the demo's logger and says where its lines go. By
// default (to == "") they go to jkngate.log in dir; "-" sends them to
// stderr as serve does; "off" drops them; anything else is a file path. In
// file and off modes, warnings and errors still reach stderr, so that a
// person sees when something goes wrong. Every line passes the masking
// handler either way.
func demoLogger(cfg config.Config, to, dir string, stderr io.Writer) (*slog.Logger, string, func(), error) {
	terminal := cfg
	terminal.LogFormat, terminal.LogLevel = "text", "warn"
	switch to {
	case "-":
		return newLogger(cfg, stderr), "this terminal (--log -)", func() {}, nil
	case "off":
		return newLogger(terminal, stderr), "off (--log off); warnings and errors still show here", func() {}, nil
	case "":
		to = filepath.Join(dir, "jkngate.log")
	}
	f, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, "", nil, fmt.Errorf("--log: %w", err)
	}
	where := to
	if filepath.Dir(to) == dir {
		where += " (removed on exit; --log FILE keeps them, --log - shows them here)"
	}
	logger := slog.New(teeHandler{newLogger(cfg, f).Handler(), newLogger(terminal, stderr).Handler()})
	return logger, where, func() { f.Close() }, nil
}

// teeHandler sends each record to every handler that is enabled for it.
type teeHandler []slog.Handler

func (t teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	for _, h := range t {
		if h.Enabled(ctx, l) {
			return true
		}
	}
	return false
}

func (t teeHandler) Handle(ctx context.Context, r slog.Record) error {
	var errs []error
	for _, h := range t {
		if h.Enabled(ctx, r.Level) {
			errs = append(errs, h.Handle(ctx, r.Clone()))
		}
	}
	return errors.Join(errs...)
}

func (t teeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithAttrs(attrs)
	}
	return out
}

func (t teeHandler) WithGroup(name string) slog.Handler {
	out := make(teeHandler, len(t))
	for i, h := range t {
		out[i] = h.WithGroup(name)
	}
	return out
}
