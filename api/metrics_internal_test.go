package api

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestChildrenMakesEachOnce: concurrent gets of the same labels share one
// child, made once, and every label set gets its own.
func TestChildrenMakesEachOnce(t *testing.T) {
	var c children[int, *int]
	var made [8]atomic.Int32
	newChild := func(k int) *int {
		made[k].Add(1)
		v := k
		return &v
	}
	var wg sync.WaitGroup
	got := make([][8]*int, 16)
	for g := range got {
		wg.Go(func() {
			for i := range 8 {
				k := (i + g) % 8
				got[g][k] = c.get(k, newChild)
			}
		})
	}
	wg.Wait()
	for k := range 8 {
		if n := made[k].Load(); n != 1 {
			t.Errorf("label %d: made %d times, want once", k, n)
		}
		for g := range got {
			if got[g][k] != got[0][k] || *got[g][k] != k {
				t.Errorf("label %d: goroutine %d got another child", k, g)
			}
		}
	}
}
