package batch

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestTake(t *testing.T) {
	queue := make(chan int, 8)
	quit := make(chan struct{})
	for i := range 5 {
		queue <- i
	}
	got, ok := Take(make([]int, 0, 3), queue, quit, 3)
	if !ok || !slices.Equal(got, []int{0, 1, 2}) {
		t.Fatalf("Take = %v, %v; want [0 1 2] (max), true", got, ok)
	}
	got, ok = Take(got, queue, quit, 3)
	if !ok || !slices.Equal(got, []int{3, 4}) {
		t.Fatalf("Take = %v, %v; want [3 4] (what is queued), true", got, ok)
	}
	close(quit)
	if got, ok := Take(got, queue, quit, 3); ok || got != nil {
		t.Errorf("Take after quit = %v, %v; want nil, false", got, ok)
	}
}

func TestPut(t *testing.T) {
	queue := make(chan int, 1)
	quit := make(chan struct{})
	if err := Put(t.Context(), queue, quit, 1); err != nil || <-queue != 1 {
		t.Fatalf("Put: %v", err)
	}
	queue <- 2 // full
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Put(ctx, queue, quit, 3); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with an ended context: %v, want context.Canceled", err)
	}
	close(quit)
	if err := Put(t.Context(), queue, quit, 3); !errors.Is(err, ErrClosed) {
		t.Errorf("Put after quit: %v, want ErrClosed", err)
	}
}

func TestFill(t *testing.T) {
	queue := make(chan int, 8)
	for i := range 3 {
		queue <- i
	}
	if got := Fill([]int{9}, queue, 3); !slices.Equal(got, []int{9, 0, 1}) {
		t.Fatalf("Fill = %v; want [9 0 1] (up to max)", got)
	}
	if got := Fill([]int{9}, queue, 3); !slices.Equal(got, []int{9, 2}) {
		t.Fatalf("Fill = %v; want [9 2] (what is queued, no wait)", got)
	}
}

func TestStats(t *testing.T) {
	var s Stats
	s.Observe(1, 2*time.Millisecond)
	s.Observe(5, 3*time.Millisecond)
	if got, want := s.Snapshot(), (Snapshot{Batches: 2, Decisions: 6, Busy: 5 * time.Millisecond}); got != want {
		t.Errorf("Snapshot = %+v, want %+v", got, want)
	}
}
