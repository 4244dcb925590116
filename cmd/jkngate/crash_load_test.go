package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/postgres"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

// TestLoadCrashKeepsEveryAnsweredDecision: the real binary, under load,
// killed with SIGKILL; after a restart on the same database every decision
// it answered with a 200 is there. On both stores:
//
//	JKNGATE_LOAD=1 go test -run LoadCrash -v -count=1 ./cmd/jkngate
func TestLoadCrashKeepsEveryAnsweredDecision(t *testing.T) {
	requireLoad(t)
	bin := buildBinary(t)
	secret, err := standardwebhooks.ParseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}

	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			dbURL := filepath.Join(t.TempDir(), "gate.db")
			if db == "postgres" {
				dbURL = pgEnv(t)[1]
			}
			_, env := gateProcessEnv(t, dbURL)
			base, proc := startBinary(t, bin, env)

			// Load until killed: 16 senders, unique webhooks.
			ctx, stop := context.WithCancel(t.Context())
			var mu sync.Mutex
			var answered []string
			var wg sync.WaitGroup
			for w := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c := benchConfig{target: base + "/v1/webhooks/oss", secret: secret, requests: 1,
						concurrency: 1, timeout: 5 * time.Second}
					for i := 0; ctx.Err() == nil; i++ {
						c.runID = fmt.Sprintf("crash%s%d_%d", db, w, i)
						res, _ := runBench(ctx, c)
						mu.Lock()
						answered = append(answered, res.DecisionIDs...)
						mu.Unlock()
					}
				}()
			}
			time.Sleep(3 * time.Second)
			if err := proc.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			proc.Wait() //nolint:errcheck // killed
			stop()
			wg.Wait()
			if len(answered) < 10 {
				t.Fatalf("only %d decisions answered before the kill", len(answered))
			}

			// Restart on the same database (recovery), then check every id.
			_, proc2 := startBinary(t, bin, env)
			defer func() { proc2.Process.Signal(syscall.SIGTERM); proc2.Wait() }() //nolint:errcheck
			var store gate.Store
			if db == "sqlite" {
				s, err := sqlite.Open(t.Context(), dbURL)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				store = s
			} else {
				s, err := postgres.Open(t.Context(), dbURL)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				store = s
			}
			missing := 0
			for _, id := range answered {
				if _, err := store.Decision(t.Context(), id); err != nil {
					missing++
					if missing <= 5 {
						t.Errorf("answered decision %s missing after kill -9: %v", id, err)
					}
				}
			}
			t.Logf("%s: %d decisions answered before SIGKILL, %d missing after restart", db, len(answered), missing)
		})
	}
}

// buildBinary builds this package's binary, jkngate, into t's temporary
// directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "jkngate")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startBinary runs bin serve on a free port with env and waits for /healthz.
func startBinary(t *testing.T, bin string, env []string) (string, *exec.Cmd) {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env, "JKNGATE_ADDR="+addr)
	base := "http://" + addr
	startServer(t, cmd, "jkngate", base+"/healthz")
	return base, cmd
}

// freeAddr is a loopback address whose port was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startServer starts cmd (its stderr to the test's), kills it when the
// test ends, and waits up to 30 s for health to answer 200.
func startServer(t *testing.T, cmd *exec.Cmd, what, health string) {
	t.Helper()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() }) //nolint:errcheck // killed, or exited
	if !waitFor(30*time.Second, 50*time.Millisecond, func() bool {
		resp, err := http.Get(health)
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	}) {
		t.Fatalf("%s did not start", what)
	}
}
