// Package simserve is what the simulator binaries (bpjs-sim, oss-sim) share
// around their own run: the process entry and serving until a signal.
package simserve

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Main runs run with the process's arguments, environment and stdout,
// under a context that SIGINT or SIGTERM cancels, and exits 1 with
// "name: error" on stderr when run fails.
func Main(name string, run func(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// Serve serves h on ln until the server fails (its error is returned) or
// ctx is done. Then it runs onStop, if set, and shuts the server down,
// giving requests in flight grace to finish; if they do not, what is left
// is closed and Shutdown's error returned.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration, onStop func()) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	if onStop != nil {
		onStop()
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		return err
	}
	return nil
}
