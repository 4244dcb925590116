package gate

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkSubmit measures Submit on an in-memory store for an application
// of 10 workers: "lookups" through a plain registry (replay check first,
// then concurrent lookups), "cached" through a CachedRegistry holding every
// lookup (no replay check, no goroutines); "new" deliveries each time, or
// the same delivery "replayed".
//
//	go test ./gate -run '^$' -bench Submit -benchmem
func BenchmarkSubmit(b *testing.B) {
	for _, cached := range []bool{false, true} {
		for _, replay := range []bool{false, true} {
			name := map[bool]string{false: "lookups", true: "cached"}[cached] + "/" +
				map[bool]string{false: "new", true: "replayed"}[replay]
			b.Run(name, func(b *testing.B) {
				svc, a := benchService(10, cached)
				ctx := context.Background()
				ids := make([]string, 1<<14)
				for i := range ids {
					ids[i] = fmt.Sprintf("msg_%d", i)
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					id := ids[0]
					if !replay {
						if i++; i == len(ids) { // start afresh, so that new stays new
							i, svc.Store = 1, newMemStore()
						}
						id = ids[i]
					}
					if _, err := svc.Submit(ctx, "oss", id, a); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchService is newService's service for a benchmark, its registry a
// cachedRegistry holding everything when cached.
func benchService(workers int, cached bool) (*Service, Application) {
	reg := &fakeRegistry{employers: map[string]EmployerLookup{"9120001234567": employer("1", workers, 0)},
		participants: map[string]ParticipantLookup{}}
	a := app(PermitBusinessLicense, workers)
	held := map[string]bool{a.NIB: true}
	for i := range workers {
		nik := fmt.Sprintf("127501410190%04d", i)
		a.Workers = append(a.Workers, Worker{NIK: nik})
		reg.participants[nik] = ParticipantLookup{Found: true, Fetch: live,
			Participant: Participant{NIK: nik, Status: "0", Segment: "13"}}
		held[nik] = true
	}
	svc := &Service{Registry: reg, Store: newMemStore(), Policy: DefaultPolicy(),
		Now: func() time.Time { return t0 }}
	if cached {
		svc.Registry = &cachedRegistry{fakeRegistry: reg, held: held}
	}
	return svc, a
}
