// Command bpjs-sim serves the BPJS Kesehatan simulator (package bpjssim) as a
// standalone server, for development, load tests and fault drills.
//
// Configuration, environment first, flags override it:
//
//	BPJS_SIM_ADDR                -addr                listen address (":8081")
//	BPJS_SIM_CONS_ID, BPJS_SIM_SECRET, BPJS_SIM_USER_KEY  credentials accepted
//	                             (bpjssim.DefaultCredentials; the secret also as BPJS_SIM_SECRET_FILE)
//	BPJS_SIM_SEED                -seed                data seed (0)
//	BPJS_SIM_LATENCY             -latency             added latency, e.g. 200ms
//	BPJS_SIM_JITTER              -jitter              random extra latency, up to this
//	BPJS_SIM_ERROR_RATE          -error-rate          share of requests answered 5xx JSON
//	BPJS_SIM_ERROR_STATUS        -error-status        500, 503... (0: 500 or 503 at random)
//	BPJS_SIM_OUTAGE              -outage              reset every connection
//	BPJS_SIM_HTML_RATE           -html-rate           share answered with an HTML error page
//	BPJS_SIM_HTML_STATUS         -html-status         200, 502... (0: 200 or 502 at random)
//	BPJS_SIM_BAD_SIGNATURE_RATE  -bad-signature-rate  share of answers signed wrongly
//	BPJS_SIM_BAD_SIGNATURE_MODE  -bad-signature-mode  "encrypt" (wrong key) or "reject" (401)
//	BPJS_SIM_LOG_LEVEL           -log-level           debug, info, warn, error (info)
//
// Faults can be changed while it runs through /_sim/faults.
//
// `bpjs-sim export employers|participants --format csv|xlsx [--out FILE]`
// writes the seeded data as the data files a BPJS branch office hands a
// region, for `jkngate import` (see export.go).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/jkngate/jkngate/cmd/internal/simserve"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// shutdownGrace is how long in-flight requests get to finish on shutdown;
// a request held by a long injected latency is then cut.
const shutdownGrace = 5 * time.Second

func main() {
	simserve.Main("bpjs-sim", run)
}

// run serves the simulator until ctx is done, then shuts down gracefully.
// It prints "bpjs-sim listening on http://HOST:PORT" once listening, and
// logs to stdout. It returns an error for bad configuration or when the
// server cannot listen.
func run(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error {
	if len(args) > 0 && args[0] == "export" {
		return export(args[1:], env, stdout, os.Stderr)
	}
	cfg, err := loadConfig(args, env, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stdout, &slog.HandlerOptions{Level: cfg.logLevel}))
	sim := bpjssim.New(bpjssim.Config{Credentials: cfg.creds, Seed: cfg.seed, Faults: cfg.faults, Logger: logger})

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("BPJS_SIM_ADDR: %w", err)
	}
	fmt.Fprintf(stdout, "bpjs-sim listening on %s\n", baseURL(ln.Addr()))
	d := sim.Data()
	logger.Info("bpjs-sim started", "cons_id", cfg.creds.ConsID, "secret", mask(cfg.creds.Secret),
		"user_key", mask(cfg.creds.UserKey), "seed", cfg.seed, "employers", len(d.Employers),
		"participants", len(d.Participants), "faults", faultsJSON(cfg.faults))

	err = simserve.Serve(ctx, ln, sim.Handler(), shutdownGrace, func() { logger.Info("bpjs-sim shutting down") })
	if errors.Is(err, context.DeadlineExceeded) {
		return nil // a request still in flight after shutdownGrace is cut: no failure
	}
	return err
}

// baseURL is the URL to reach a listener at; an unspecified host (":8081")
// is shown as localhost.
func baseURL(a net.Addr) string {
	host, port, err := net.SplitHostPort(a.String())
	if err != nil {
		return "http://" + a.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// faultsJSON shows faults as /_sim/faults does.
func faultsJSON(f bpjssim.Faults) string {
	b, err := json.Marshal(f)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// mask shows whether a secret is set, never any of it.
func mask(secret string) string {
	if secret == "" {
		return "(empty)"
	}
	return "***"
}
