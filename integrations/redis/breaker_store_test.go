package redis_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/decorators/cache"
	jredis "github.com/jkngate/jkngate/integrations/redis"
)

func TestSharedBreakerTripsForEveryInstance(t *testing.T) {
	client, prefix := testRedis(t)
	opts := cache.Options{
		BreakerStore:       jredis.NewBreakerStore(client, prefix),
		BreakerFailures:    3,
		BreakerOpenTimeout: time.Hour,
	}
	innerA, innerB := &countingInner{}, &countingInner{}
	innerA.fail.Store(true)
	a, _ := newRegistry(t, innerA, opts)
	opts.BreakerStore = jredis.NewBreakerStore(client, prefix) // another replica's store
	b, _ := newRegistry(t, innerB, opts)
	ctx := context.Background()

	for i := range 3 {
		_, err := a.Employer(ctx, fmt.Sprintf("91200000000%02d", i))
		if gate.KindOf(err) != gate.KindUnavailable {
			t.Fatalf("failing lookup %d: err = %v", i, err)
		}
	}
	_, err := b.Employer(ctx, testNIB)
	var ge *gate.Error
	if !errors.As(err, &ge) || ge.Code != "bpjs_circuit_open" {
		t.Fatalf("second instance: err = %v, want bpjs_circuit_open", err)
	}
	if n := innerB.employerCalls.Load(); n != 0 {
		t.Fatalf("second instance called BPJS %d times, want 0", n)
	}
	// Participants have their own breaker.
	if _, err := b.Participant(ctx, testNIK); err != nil {
		t.Fatalf("participant lookup through its own breaker: %v", err)
	}
}

func TestBreakerStoreLock(t *testing.T) {
	client, prefix := testRedis(t)
	one := jredis.NewBreakerStore(client, prefix)
	two := jredis.NewBreakerStore(client, prefix)

	if err := one.Lock("m"); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	if err := two.Lock("m"); !errors.Is(err, jredis.ErrLockBusy) {
		t.Fatalf("second Lock = %v, want ErrLockBusy", err)
	}
	if err := one.Unlock("m"); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if err := two.Lock("m"); err != nil {
		t.Fatalf("Lock after Unlock: %v", err)
	}
	// A stolen lock (expired, taken by someone else) is not released by its
	// former holder.
	if err := client.Set(context.Background(), prefix+"m", "someone-else", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if err := two.Unlock("m"); !errors.Is(err, jredis.ErrLockLost) {
		t.Fatalf("Unlock of a lost lock = %v, want ErrLockLost", err)
	}
	if v := client.Get(context.Background(), prefix+"m").Val(); v != "someone-else" {
		t.Fatalf("the other holder's lock was released (value %q)", v)
	}

	if err := one.SetData("state", []byte(`{"state":0}`)); err != nil {
		t.Fatalf("SetData: %v", err)
	}
	got, err := two.GetData("state")
	if err != nil || string(got) != `{"state":0}` {
		t.Fatalf("GetData = %q, %v", got, err)
	}
	if got, err := two.GetData("absent"); got != nil || err != nil {
		t.Fatalf("GetData(absent) = %q, %v; want nil, nil", got, err)
	}
}
