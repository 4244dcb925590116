package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

// BenchmarkWebhook measures the whole webhook path through the real router:
// signature check, strict parsing, evaluation on cached (in-process)
// registry data, recording and the JSON answer. "memory" records into an
// in-memory store (the CPU cost of everything but the store); "sqlite"
// into a real SQLite file with synchronous=FULL (a commit, shared by
// concurrent decisions, per answer). "parallel" runs 8×GOMAXPROCS senders.
// The plain cases send a permit the policy does not gate (no lookups);
// "gated" sends a gated one listing 5 workers, looked up in a registry
// that holds them all in memory (a gate.CachedRegistry, as the serve
// wiring's cache is). Metrics are on, as in production.
//
//	go test ./api -run '^$' -bench '^BenchmarkWebhook$' -benchtime 2s
func BenchmarkWebhook(b *testing.B) {
	gated := event(&testing.T{}, map[string]string{"permit_type": `"business_license"`, "declared_workers": `5`,
		"workers": `[{"nik":"1275014101900001"},{"nik":"1275014101900002"},{"nik":"1275014101900003"},` +
			`{"nik":"1275014101900004"},{"nik":"1275014101900005"}]`})
	for _, c := range []struct {
		name string
		body []byte
	}{{"", event(&testing.T{}, nil)}, {"/gated", gated}} {
		for _, storeName := range []string{"memory", "sqlite"} {
			b.Run(storeName+c.name+"/serial", func(b *testing.B) {
				e := benchAPI(b, storeName)
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					i++
					serve(b, e, webhookRequest(b, clientID, secret1, fmt.Sprintf("msg_bench_%d", i), now, c.body))
				}
			})
			b.Run(storeName+c.name+"/parallel", func(b *testing.B) {
				e := benchAPI(b, storeName)
				var n atomic.Int64
				b.ReportAllocs()
				b.SetParallelism(8)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						i := n.Add(1)
						req := webhookRequest(b, clientID, secret1, fmt.Sprintf("msg_bench_%d", i), now, c.body)
						if rec := (&testAPI{e: e}).do(req); rec.Code != 200 {
							b.Errorf("webhook: %d %s", rec.Code, rec.Body)
							return
						}
					}
				})
			})
		}
	}
}

// cachedFakeRegistry is fakeRegistry as a gate.CachedRegistry holding
// every lookup.
type cachedFakeRegistry struct{ fakeRegistry }

func (r cachedFakeRegistry) LookUpCached(nib string, workers []gate.WorkerFinding) (gate.EmployerLookup, bool) {
	for i, w := range workers {
		workers[i].Lookup, _ = r.Participant(context.Background(), w.NIK)
	}
	e, _ := r.Employer(context.Background(), nib)
	return e, true
}

// benchAPI is the API on a fresh store, logging at the default level to
// nowhere, as in production minus the log sink.
func benchAPI(b *testing.B, storeName string) *echo.Echo {
	var store gate.Store = newFakeStore()
	if storeName == "sqlite" {
		s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "jkngate.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		if err := s.Migrate(b.Context()); err != nil {
			b.Fatal(err)
		}
		store = s
	}
	reg := prometheus.NewRegistry()
	onDecision, err := api.DecisionObserver(reg)
	if err != nil {
		b.Fatal(err)
	}
	return api.New(api.Deps{
		Gate: &gate.Service{Registry: cachedFakeRegistry{}, Store: store, Policy: gate.DefaultPolicy(),
			Now: func() time.Time { return now }, OnDecision: onDecision},
		Clients:    map[string][]standardwebhooks.Secret{clientID: {mustSecret(b, secret1)}},
		Logger:     slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Now:        func() time.Time { return now },
		Registerer: reg,
	})
}
