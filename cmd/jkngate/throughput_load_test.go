package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// TestLoadThroughput measures webhook decisions per second with BPJS data
// cached, recording to SQLite and to PostgreSQL, from the same command:
//
//	JKNGATE_LOAD=1 go test -run LoadThroughput -v -count=1 ./cmd/jkngate
//
// JKNGATE_LOAD_DB picks the stores (default "sqlite,postgres"). For each:
// a closed loop of 64 client workers sending 10,000 webhooks (the most the
// process records per second), then an open loop at a fixed 1,000
// webhooks/s for 10 s, with latency counted from each request's scheduled
// time, so that a stall is not hidden by the client waiting (coordinated
// omission). The client runs in the same process and on the same 2 cores
// as the server (and PostgreSQL), so the figures are a floor.
func TestLoadThroughput(t *testing.T) {
	requireLoad(t)
	dbs := os.Getenv("JKNGATE_LOAD_DB")
	if dbs == "" {
		dbs = "sqlite,postgres"
	}
	for _, db := range strings.Split(dbs, ",") {
		t.Run(db, func(t *testing.T) {
			var env []string
			switch db {
			case "sqlite":
			case "postgres":
				env = pgEnv(t)
			default:
				t.Fatalf("JKNGATE_LOAD_DB: unknown store %q", db)
			}
			g := startGate(t, env...)
			c := newLoadClient(t, g, 256)
			data := g.sim.Data()

			// Warm the cache: one webhook per employer, with its workers.
			var warm []map[string]any
			for _, e := range data.Employers {
				warm = append(warm, applicationOf(e, "APP-warm-"+e.NIB))
			}
			c.fire(t, "msg_warm", 16, warm)
			g.sim.ResetStats()

			apps := func(prefix string, n int) []map[string]any {
				out := make([]map[string]any, n)
				for i := range out {
					e := data.Employers[i%len(data.Employers)]
					out[i] = applicationOf(e, fmt.Sprintf("%s-%d", prefix, i))
				}
				return out
			}
			run := c.fire(t, "msg_max", 64, apps("APP-max", 10_000))
			run.report(t, db+"/closed-loop", 64, g.sim.Stats())

			paced := c.paced(t, "msg_paced", 1000, apps("APP-paced", 10_000))
			paced.report(t, db+"/1000-per-second", 0, g.sim.Stats())
			if calls := g.sim.Stats(); calls.EmployerCalls+calls.ParticipantCalls > 0 {
				t.Logf("%s: note: %d BPJS calls during the measured runs (the cache was not warm for all)", db,
					calls.EmployerCalls+calls.ParticipantCalls)
			}
		})
	}
}

// paced sends one webhook per application at a fixed rate, each on its own
// goroutine at its scheduled time; a result's latency runs from the
// scheduled time to the end of the answer.
func (c *loadClient) paced(t *testing.T, prefix string, rate float64, apps []map[string]any) loadRun {
	t.Helper()
	bodies := make([][]byte, len(apps))
	for i, app := range apps {
		bodies[i], _ = json.Marshal(map[string]any{"type": "application.submitted", "data": app})
	}
	run := loadRun{results: make([]loadResult, len(apps))}
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range apps {
		at := t0.Add(time.Duration(float64(i) / rate * float64(time.Second)))
		time.Sleep(time.Until(at))
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.send(fmt.Sprintf("%s_%d", prefix, i), bodies[i])
			r.latency = time.Since(at)
			run.results[i] = r
		}()
	}
	wg.Wait()
	run.wall = time.Since(t0)
	return run
}

// pgEnv points a single gate at a fresh PostgreSQL schema.
func pgEnv(t *testing.T) []string {
	t.Helper()
	env := replicaEnv(t)
	// replicaEnv also sets Redis; one replica measures PostgreSQL alone.
	return env[:2]
}

var _ = bpjssim.ScenarioCompliant
