package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/storedeadline"
)

// retention runs "jkngate retention run": it erases worker-level personal
// data older than JKNGATE_RETENTION once and prints how many decisions it
// changed. serve does the same every hour.
func retention(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("retention", "run", `Erases worker-level personal data (the listed workers' NIKs) recorded
with decisions older than JKNGATE_RETENTION, once, and prints how many
decisions it changed. serve does the same every hour.`)
	if err := parseFlags(fs, args, stdout, 1); err != nil {
		return err
	}
	if fs.Arg(0) != "run" {
		return fmt.Errorf("retention: want \"jkngate retention run\" (see \"jkngate retention --help\")")
	}
	printUnknownVariables(stderr)
	cfg, store, err := configuredStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer store.Close()
	n, err := gate.EraseOldPersonalData(ctx, storedeadline.Retention(store, storedeadline.DefaultTimeout), time.Now(), cfg.Retention)
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	fmt.Fprintf(stdout, "retention %s: worker data erased from %d decisions\n", cfg.Retention, n)
	return nil
}

// runRetention erases old personal data now and then every interval until
// ctx ends.
func runRetention(ctx context.Context, st gate.RetentionStore, retention, interval time.Duration, logger *slog.Logger) {
	if retention <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := gate.EraseOldPersonalData(ctx, st, time.Now(), retention)
		switch {
		case err != nil && ctx.Err() == nil:
			logger.WarnContext(ctx, "retention pass failed", "error", err)
		case n > 0:
			logger.InfoContext(ctx, "retention: worker data erased", "decisions", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
