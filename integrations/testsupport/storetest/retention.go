package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// RetentionStore is what RunRetention needs.
type RetentionStore interface {
	gate.Store
	gate.RetentionStore
}

// RunRetention checks EraseWorkerData: old decisions lose their workers'
// full NIKs (masked NIKs stay), nothing else changes, newer decisions are
// untouched, batches respect the limit, and a second pass changes nothing.
func RunRetention(t *testing.T, open func(t *testing.T) RetentionStore) {
	t.Run("EraseWorkerData", func(t *testing.T) {
		s := open(t)
		ctx := context.Background()
		var old []gate.Decision
		for i := range 5 {
			d := NewDecision("oss", fmt.Sprintf("old-%d", i), fmt.Sprintf("APP-old-%d", i))
			stored, _, err := s.RecordDecision(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			old = append(old, stored)
		}
		recent := NewDecision("oss", "recent", "APP-recent")
		recent.DecidedAt = old[0].DecidedAt.Add(48 * time.Hour)
		recent.ID = gate.NewDecisionID(recent.DecidedAt)
		if _, _, err := s.RecordDecision(ctx, recent); err != nil {
			t.Fatal(err)
		}
		cutoff := old[0].DecidedAt.Add(time.Hour)

		for _, want := range []int{2, 2, 1, 0} {
			n, err := s.EraseWorkerData(ctx, cutoff, 2)
			if err != nil || n != want {
				t.Fatalf("EraseWorkerData = %d, %v; want %d", n, err, want)
			}
		}
		for _, d := range old {
			got, err := s.Decision(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range got.Application.Workers {
				if w.NIK != gate.MaskNIK(d.Application.Workers[i].NIK) {
					t.Errorf("%s worker %d = %q, want it masked", d.ID, i, w.NIK)
				}
			}
			got.Application.Workers = d.Application.Workers
			if msg := diff(d, got); msg != "" {
				t.Errorf("erasure changed more than the NIKs of %s (-want +got):\n%s", d.ID, msg)
			}
		}
		got, err := s.Decision(ctx, recent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Application.Workers[0].NIK != recent.Application.Workers[0].NIK {
			t.Errorf("a decision newer than the cutoff was erased")
		}
		if n, err := gate.EraseOldPersonalData(ctx, s, recent.DecidedAt.Add(time.Hour), 30*time.Minute); err != nil || n != 1 {
			t.Errorf("EraseOldPersonalData = %d, %v; want the recent one", n, err)
		}
	})
}
