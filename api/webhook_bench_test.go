package api_test

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/sqlite"
	"github.com/jkngate/jkngate/integrations/standardwebhooks"
)

// BenchmarkWebhook measures the whole webhook path through the real router:
// signature check, strict parsing, evaluation on cached (in-process)
// registry data, recording and the JSON answer. "memory" records into an
// in-memory store (the CPU cost of everything but the store); "sqlite"
// into a real SQLite file with synchronous=FULL (a commit, shared by
// concurrent decisions, per answer). "parallel" runs 8×GOMAXPROCS senders.
//
//	go test ./api -run '^$' -bench '^BenchmarkWebhook$' -benchtime 2s
func BenchmarkWebhook(b *testing.B) {
	for _, storeName := range []string{"memory", "sqlite"} {
		b.Run(storeName+"/serial", func(b *testing.B) {
			e := benchAPI(b, storeName)
			body := event(&testing.T{}, nil)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				serve(b, e, webhookRequest(b, clientID, secret1, fmt.Sprintf("msg_bench_%d", i), now, body))
			}
		})
		b.Run(storeName+"/parallel", func(b *testing.B) {
			e := benchAPI(b, storeName)
			body := event(&testing.T{}, nil)
			var n atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					req := webhookRequest(b, clientID, secret1, fmt.Sprintf("msg_bench_%d", i), now, body)
					if rec := (&testAPI{e: e}).do(req); rec.Code != 200 {
						b.Errorf("webhook: %d %s", rec.Code, rec.Body)
						return
					}
				}
			})
		})
	}
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
	return api.New(api.Deps{
		Gate: &gate.Service{Registry: fakeRegistry{}, Store: store, Policy: gate.DefaultPolicy(),
			Now: func() time.Time { return now }},
		Clients: map[string][]standardwebhooks.Secret{clientID: {mustSecret(b, secret1)}},
		Logger:  slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Now:     func() time.Time { return now },
	})
}
