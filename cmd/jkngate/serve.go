package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/bpjs"
	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
	"github.com/jkngate/jkngate/integrations/decorators/storemetrics"
	"github.com/jkngate/jkngate/integrations/postgres"
	"github.com/jkngate/jkngate/integrations/sqlite"
	"github.com/jkngate/jkngate/integrations/support/logging"
	"github.com/jkngate/jkngate/integrations/support/tracing"
)

// serve runs the gate as configured by the environment until ctx ends.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "", `Runs the gate until SIGINT or SIGTERM, then shuts down gracefully.
It takes no flags: JKNGATE_* environment variables (or the YAML file named
by JKNGATE_CONFIG) configure it; see README.md and config.example.yaml.`)
	if err := parseFlags(fs, args, stdout, 0); err != nil {
		return err
	}
	cfg, policy, err := loadConfig(getenv, config.ModeServe)
	if err != nil {
		return err
	}
	logger := newLogger(cfg, stderr)
	tuneGC(os.LookupEnv)
	for _, w := range unknownVariables() {
		logger.Warn("unknown configuration variable", "warning", w)
	}
	logger.Info("starting", "version", readBuildInfo().String(), "config", cfg)

	c, err := build(ctx, cfg, policy, logger, bpjs.Config{
		BaseURL:         cfg.BPJSURL,
		EmployerBaseURL: cfg.BPJSEmployerURL,
		Credentials:     trustmark.Credentials{ConsID: cfg.BPJSConsID, Secret: cfg.BPJSSecret, UserKey: cfg.BPJSUserKey},
		Timeout:         cfg.BPJSTimeout,
	})
	if err != nil {
		return err
	}
	defer c.close()
	return c.listenAndServe(ctx, stdout, nil)
}

// loadConfig loads and validates the configuration and the policy for
// mode, reporting every problem at once.
func loadConfig(getenv func(string) string, mode string) (config.Config, gate.Policy, error) {
	return config.LoadAll(getenv, mode)
}

// newLogger returns the process logger. Every record passes through
// the masking handler (integrations/support/logging), so NIKs, tokens and the configured secrets never
// reach the output, whoever logs them.
func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.SlogLevel()}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	if cfg.Tracing != "" {
		h = tracing.NewLogHandler(h) // trace_id and span_id in lines logged within a span
	}
	secrets := []string{cfg.BPJSSecret, cfg.BPJSUserKey, cfg.JWTHS256Secret}
	for _, c := range cfg.WebhookClients {
		secrets = append(secrets, c.Secrets...)
	}
	return slog.New(logging.NewMaskingHandler(h, secrets...))
}

// appStore is what the process needs of a store; *sqlite.Store and
// *postgres.Store both are one.
type appStore interface {
	storemetrics.Store
	gate.RetentionStore
	bpjsfile.Store // imported BPJS data files
	Migrate(ctx context.Context) error
	Close() error
}

var (
	_ appStore = (*sqlite.Store)(nil)
	_ appStore = (*postgres.Store)(nil)
)

// openStore opens and migrates the store JKNGATE_DATABASE_URL names: a
// postgres:// or postgresql:// URL selects PostgreSQL, anything else is a
// SQLite file path. With a logger, pgx's own log lines go through it.
func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger) (appStore, error) {
	var store appStore
	var err error
	if cfg.UsesPostgres() {
		var opts []postgres.Option
		if logger != nil {
			opts = append(opts, postgres.WithLogger(logger))
		}
		store, err = postgres.Open(ctx, cfg.DatabaseURL, opts...)
	} else {
		store, err = sqlite.Open(ctx, cfg.DatabaseURL)
	}
	if err != nil {
		return nil, fmt.Errorf("JKNGATE_DATABASE_URL: %w", err)
	}
	if err := store.Migrate(ctx); err != nil {
		store.Close()
		return nil, fmt.Errorf("JKNGATE_DATABASE_URL: migrate: %w", err)
	}
	return store, nil
}

// webhookClients turns the configured clients into verification secrets.
func webhookClients(clients []config.WebhookClient) (map[string][]standardwebhooks.Secret, error) {
	out := make(map[string][]standardwebhooks.Secret, len(clients))
	for _, c := range clients {
		for _, s := range c.Secrets {
			secret, err := standardwebhooks.ParseSecret(s)
			if err != nil {
				return nil, fmt.Errorf("JKNGATE_WEBHOOK_CLIENTS: client %s: %w", c.ID, err)
			}
			out[c.ID] = append(out[c.ID], secret)
		}
	}
	return out, nil
}

// listenAndServe serves the API on cfg.Addr until ctx ends, then shuts down
// gracefully: in-flight webhooks finish and their decisions are recorded.
// It prints the address it listens on; onListen, if set, is told it too.
func (c *components) listenAndServe(ctx context.Context, stdout io.Writer, onListen func(addr string)) error {
	background, err := c.background()
	if err != nil {
		return err
	}
	handler, err := c.handler(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.cfg.Addr)
	if err != nil {
		return fmt.Errorf("JKNGATE_ADDR: %w", err)
	}
	addr := ln.Addr().String()
	fmt.Fprintf(stdout, "jkngate listening on http://%s\n", addr)
	c.logger.Info("listening", "addr", addr)
	if onListen != nil {
		onListen(addr)
	}
	// The jobs end with ctx, as the server starts its shutdown; serve
	// returns once they have.
	if err := background.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	defer background.Stop()
	srv := newServer(c.cfg, handler, c.logger)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	c.logger.Info("shutting down", "timeout", c.cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// maxHeaderBytes bounds a request's header block (net/http allows 4 KiB
// more); a larger one is answered 431. The largest legitimate header is a
// people's token, a few KiB.
const maxHeaderBytes = 64 << 10

// maxReadHeaderTimeout bounds the wait for a request's headers, within the
// read timeout, so a slow-headers client is cut off early.
const maxReadHeaderTimeout = 10 * time.Second

// newServer returns the HTTP server for handler with the configured limits:
// a request (headers and body) must arrive within JKNGATE_READ_TIMEOUT, its
// answer be written within JKNGATE_WRITE_TIMEOUT, and an idle keep-alive
// connection is closed after JKNGATE_IDLE_TIMEOUT.
func newServer(cfg config.Config, handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadTimeout:       cfg.ReadTimeout,
		ReadHeaderTimeout: min(cfg.ReadTimeout, maxReadHeaderTimeout),
		WriteTimeout:      cfg.WriteTimeout,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// migrate applies the database migrations and exits.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "", `Applies the database migrations to the store JKNGATE_DATABASE_URL names
and exits (serve also applies them at start).`)
	if err := parseFlags(fs, args, stdout, 0); err != nil {
		return err
	}
	printUnknownVariables(stderr)
	_, store, err := configuredStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintf(stdout, "migrations applied: %d\n", len(sqlite.MigrationNames())) // the same names in both stores
	return nil
}

// configuredStore loads the configuration for a one-off command and opens
// (and migrates) the store it names.
func configuredStore(ctx context.Context, getenv func(string) string) (config.Config, appStore, error) {
	cfg, _, err := loadConfig(getenv, config.ModeMigrate)
	if err != nil {
		return cfg, nil, err
	}
	store, err := openStore(ctx, cfg, nil)
	return cfg, store, err
}
