package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/decorators/storedeadline"
	"github.com/jkngate/jkngate/integrations/support/jobs"
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

// retentionInterval is the wait between serve's retention passes.
const retentionInterval = time.Hour

// retentionPass is serve's retention job: one pass that erases the worker
// data of decisions older than retention. A failed pass is returned (the
// job runner logs it, and the next pass comes an interval later).
func retentionPass(st gate.RetentionStore, retention time.Duration, logger *slog.Logger) jobs.Func {
	return func(ctx context.Context) error {
		n, err := gate.EraseOldPersonalData(ctx, st, time.Now(), retention)
		if err != nil {
			return fmt.Errorf("retention pass failed: %w", err)
		}
		if n > 0 {
			logger.InfoContext(ctx, "retention: worker data erased", "decisions", n)
		}
		return nil
	}
}
