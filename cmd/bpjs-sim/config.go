package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// config is bpjs-sim's effective configuration.
type config struct {
	addr     string
	creds    trustmark.Credentials
	seed     int64
	faults   bpjssim.Faults
	logLevel slog.Level
}

// loadConfig reads the environment, then lets flags override it. Errors name
// the variable or flag at fault; -h prints the usage to out and returns
// flag.ErrHelp.
func loadConfig(args []string, env func(string) string, out io.Writer) (config, error) {
	c := config{addr: ":8081", creds: bpjssim.DefaultCredentials}
	var errs []error
	parse := func(name string, set func(string) error) {
		if v := env(name); v != "" {
			if err := set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	}
	str := func(dst *string) func(string) error { return func(v string) error { *dst = v; return nil } }
	float := func(dst *float64) func(string) error {
		return func(v string) (err error) { *dst, err = strconv.ParseFloat(v, 64); return err }
	}
	integer := func(dst *int) func(string) error {
		return func(v string) (err error) { *dst, err = strconv.Atoi(v); return err }
	}
	duration := func(dst *time.Duration) func(string) error {
		return func(v string) (err error) { *dst, err = time.ParseDuration(v); return err }
	}
	parse("BPJS_SIM_ADDR", str(&c.addr))
	parse("BPJS_SIM_CONS_ID", str(&c.creds.ConsID))
	parse("BPJS_SIM_SECRET", str(&c.creds.Secret))
	parse("BPJS_SIM_SECRET_FILE", func(path string) error {
		if env("BPJS_SIM_SECRET") != "" {
			return errors.New("set either BPJS_SIM_SECRET or BPJS_SIM_SECRET_FILE, not both")
		}
		b, err := os.ReadFile(path)
		c.creds.Secret = strings.TrimSpace(string(b))
		return err
	})
	parse("BPJS_SIM_USER_KEY", str(&c.creds.UserKey))
	parse("BPJS_SIM_SEED", func(v string) (err error) { c.seed, err = strconv.ParseInt(v, 10, 64); return err })
	parse("BPJS_SIM_LATENCY", duration(&c.faults.Latency))
	parse("BPJS_SIM_JITTER", duration(&c.faults.Jitter))
	parse("BPJS_SIM_ERROR_RATE", float(&c.faults.ErrorRate))
	parse("BPJS_SIM_ERROR_STATUS", integer(&c.faults.ErrorStatus))
	parse("BPJS_SIM_OUTAGE", func(v string) (err error) { c.faults.Outage, err = strconv.ParseBool(v); return err })
	parse("BPJS_SIM_HTML_RATE", float(&c.faults.HTMLRate))
	parse("BPJS_SIM_HTML_STATUS", integer(&c.faults.HTMLStatus))
	parse("BPJS_SIM_BAD_SIGNATURE_RATE", float(&c.faults.BadSignatureRate))
	parse("BPJS_SIM_BAD_SIGNATURE_MODE", str(&c.faults.BadSignatureMode))
	parse("BPJS_SIM_LOG_LEVEL", func(v string) error { return c.logLevel.UnmarshalText([]byte(v)) })
	if err := errors.Join(errs...); err != nil {
		return c, err
	}

	fs := flag.NewFlagSet("bpjs-sim", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&c.addr, "addr", c.addr, "listen address (BPJS_SIM_ADDR)")
	fs.Int64Var(&c.seed, "seed", c.seed, "seed of the generated data (BPJS_SIM_SEED)")
	fs.DurationVar(&c.faults.Latency, "latency", c.faults.Latency, "latency added to every answer (BPJS_SIM_LATENCY)")
	fs.DurationVar(&c.faults.Jitter, "jitter", c.faults.Jitter, "random extra latency, up to this (BPJS_SIM_JITTER)")
	fs.Float64Var(&c.faults.ErrorRate, "error-rate", c.faults.ErrorRate, "share of requests answered with a JSON 5xx (BPJS_SIM_ERROR_RATE)")
	fs.IntVar(&c.faults.ErrorStatus, "error-status", c.faults.ErrorStatus, "status of those errors; 0: 500 or 503 at random (BPJS_SIM_ERROR_STATUS)")
	fs.BoolVar(&c.faults.Outage, "outage", c.faults.Outage, "reset every connection (BPJS_SIM_OUTAGE)")
	fs.Float64Var(&c.faults.HTMLRate, "html-rate", c.faults.HTMLRate, "share of requests answered with an HTML page (BPJS_SIM_HTML_RATE)")
	fs.IntVar(&c.faults.HTMLStatus, "html-status", c.faults.HTMLStatus, "status of those pages; 0: 200 or 502 at random (BPJS_SIM_HTML_STATUS)")
	fs.Float64Var(&c.faults.BadSignatureRate, "bad-signature-rate", c.faults.BadSignatureRate, "share of answers signed wrongly (BPJS_SIM_BAD_SIGNATURE_RATE)")
	fs.StringVar(&c.faults.BadSignatureMode, "bad-signature-mode", c.faults.BadSignatureMode, `"encrypt" (wrong key) or "reject" (401) (BPJS_SIM_BAD_SIGNATURE_MODE)`)
	fs.TextVar(&c.logLevel, "log-level", c.logLevel, "debug, info, warn or error (BPJS_SIM_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if err := c.faults.Validate(); err != nil {
		return c, fmt.Errorf("fault settings (BPJS_SIM_* or flags): %w", err)
	}
	return c, nil
}
