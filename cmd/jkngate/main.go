// Command jkngate is the BPJS Kesehatan compliance gate for business
// licensing. Subcommands: serve (the default), demo, migrate, retention run,
// import, send, version; "jkngate COMMAND --help" describes each.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	environ = os.Environ
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		// One line per problem (configuration errors come several at once),
		// each saying where it comes from.
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(os.Stderr, "jkngate:", line)
		}
		os.Exit(1)
	}
}

// environ lists the process environment for the unknown-variable warning.
// main sets it to os.Environ; tests that call run leave it nil (no
// warnings about the test runner's environment) or set their own.
var environ func() []string

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error
}

// commands lists every subcommand, in the order the usage shows them.
var commands = []command{
	{"serve", "run the gate (the default); configured by JKNGATE_* variables", serve},
	{"demo", "run everything embedded (SQLite, in-process cache, BPJS simulator),\n            send sample applications and print their decisions", demo},
	{"migrate", "apply database migrations and exit", migrate},
	{"retention", "\"retention run\" erases worker-level personal data older than\n            JKNGATE_RETENTION now", retention},
	{"policy", "\"policy check FILE\" validates a policy file and prints the effective\n            policy per region; \"policy test DIR\" runs YAML policy test cases", policy},
	{"import", "\"import employers|participants FILE\" imports a BPJS data file (CSV or\n            XLSX) as a registry source; \"import list\" prints the history", importCmd},
	{"send", "sign a webhook event (file, standard input or flags), post it and\n            print the decision", send},
	{"bench", "drive a jkngate with unique signed webhooks (closed loop or at a\n            fixed rate) and print decisions/s and latency percentiles", bench},
	{"version", "print the version, VCS revision and Go version", versionCmd},
}

// run is the whole program: it returns when ctx is canceled (serve, demo) or
// the subcommand is done. Tests call it directly, with their own environment
// and an address on port 0. A --help anywhere a subcommand parses its flags
// prints that subcommand's usage to stdout and returns nil.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 {
		name, args = args[0], args[1:]
	}
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 0 { // "jkngate help send" is "jkngate send --help"
			return run(ctx, []string{args[0], "--help"}, getenv, stdout, stderr)
		}
		fmt.Fprint(stdout, usage())
		return nil
	case "-version", "--version":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			err := c.run(ctx, args, getenv, stdout, stderr)
			if errors.Is(err, errHelpShown) {
				return nil
			}
			return err
		}
	}
	return fmt.Errorf("unknown command %q; run \"jkngate --help\" for the list", name)
}

// usage is the top-level help: every subcommand with one line about it.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: jkngate [COMMAND] [FLAGS]\n\ncommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	b.WriteString("\n\"jkngate COMMAND --help\" lists a command's flags; \"jkngate --version\" is \"jkngate version\".\n")
	return b.String()
}

// versionCmd prints the version from the build info.
func versionCmd(_ context.Context, args []string, _ func(string) string, stdout, _ io.Writer) error {
	fs := newFlags("version", "", "Prints the module version, VCS revision and time, and the Go version\nthis binary was built from.")
	if err := parseFlags(fs, args, stdout, 0); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "jkngate", readBuildInfo())
	return nil
}
