// Command jkngate is the BPJS Kesehatan compliance gate for business
// licensing. Subcommands: serve (the default), demo, migrate, retention run,
// version.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "jkngate:", err)
		os.Exit(1)
	}
}

// run is the whole program: it returns when ctx is canceled (serve, demo) or
// the subcommand is done. Tests call it directly, with their own environment
// and an address on port 0.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "demo":
		return demo(ctx, args, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args, getenv, stdout, stderr)
	case "retention":
		return retention(ctx, args, getenv, stdout, stderr)
	case "policy":
		return policyCmd(args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "jkngate", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

const usage = `usage: jkngate [serve|demo|migrate|version]
  serve    run the gate (the default); configured by JKNGATE_* variables
  demo     run everything embedded (SQLite, in-process cache, BPJS simulator)
           and send sample applications
  migrate  apply database migrations and exit
  retention run
           erase worker-level personal data older than JKNGATE_RETENTION
  policy check FILE | policy test DIR
           validate a policy file; run YAML policy test cases
  version  print the version
`
