package postgres

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/testsupport/storetest"
)

// guard bounds the waits below only so that a store that hangs fails the
// test instead of stalling it; it is not an assertion on speed.
const guard = 20 * time.Second

// throughProxy returns u (a fresh schema's URL) routed through a new
// black-hole proxy in front of the test server.
func throughProxy(t *testing.T, u string) (string, *storetest.Proxy) {
	t.Helper()
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p := storetest.NewProxy(t, pu.Host)
	pu.Host = p.Addr()
	return pu.String(), p
}

// within runs call and fails the test when it has not returned by the
// guard.
func within(t *testing.T, what string, call func() error) error {
	t.Helper()
	return storetest.Returns(t, what+" on a black-holed server", guard, call)
}

// When the network to PostgreSQL turns into a black hole (connections stay
// open, nothing comes back), calls on pooled connections return a
// KindUnavailable error when their context ends, and a new connection is
// given up after the connect timeout, instead of waiting for the peer.
func TestBlackHoledServerAnswersUnavailableByTheDeadline(t *testing.T) {
	u, proxy := throughProxy(t, freshSchema(t))
	s := open(t, u)
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if _, err := s.DecisionForWebhook(context.Background(), "oss", "msg_1"); gate.KindOf(err) != gate.KindNotFound {
		t.Fatalf("before the black hole: %v, want not found", err)
	}

	// Release the black hole before the store closes (cleanups run last
	// registered first), so that pgx's clean-up of the broken connections
	// does not wait for it.
	t.Cleanup(proxy.Close)
	proxy.BlackHole()
	calls := map[string]func(ctx context.Context) error{
		"DecisionForWebhook": func(ctx context.Context) error {
			_, err := s.DecisionForWebhook(ctx, "oss", "msg_2")
			return err
		},
		"ListDecisions": func(ctx context.Context) error {
			_, err := s.ListDecisions(ctx, gate.DecisionFilter{Scope: gate.Scope{All: true}, Limit: 10})
			return err
		},
		"Ping": s.Ping,
	}
	for name, call := range calls {
		err := within(t, name, func() error {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			return call(ctx)
		})
		if gate.KindOf(err) != gate.KindUnavailable {
			t.Errorf("%s on a black-holed server: %v, want KindUnavailable", name, err)
		}
	}

	// A new connection: accepted by the black hole, never answered. Open
	// has no deadline of its own; the connect timeout ends the wait.
	defer func(d time.Duration) { defaultConnectTimeout = d }(defaultConnectTimeout)
	defaultConnectTimeout = 300 * time.Millisecond
	err := within(t, "Open", func() error {
		s2, err := Open(context.Background(), u)
		if err == nil {
			s2.Close()
		}
		return err
	})
	if gate.KindOf(err) != gate.KindUnavailable {
		t.Fatalf("Open through a black hole: %v, want KindUnavailable", err)
	}

	// Closing the store does not wait for pgx's clean-up of the broken
	// connections (a cancel request the black hole never answers, up to
	// 15 s): the guard here is shorter than that.
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close waited on the black hole")
	}
}

// The store's connection limits apply unless the URL sets its own.
func TestConnectionLimitsDefaultsAndURLOverrides(t *testing.T) {
	for _, tt := range []struct {
		url                     string
		connect, health, pingTO time.Duration
	}{
		{"postgres://u@db/x", defaultConnectTimeout, healthCheckPeriod, pingTimeout},
		{"postgres://u@db/x?connect_timeout=7&pool_health_check_period=1m&pool_ping_timeout=3s",
			7 * time.Second, time.Minute, 3 * time.Second},
	} {
		cfg, err := pgxpool.ParseConfig(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		harden(cfg, tt.url)
		if cfg.ConnConfig.ConnectTimeout != tt.connect || cfg.HealthCheckPeriod != tt.health || cfg.PingTimeout != tt.pingTO {
			t.Errorf("%s: connect %s, health check %s, ping %s; want %s, %s, %s", tt.url,
				cfg.ConnConfig.ConnectTimeout, cfg.HealthCheckPeriod, cfg.PingTimeout, tt.connect, tt.health, tt.pingTO)
		}
		if cfg.ConnConfig.DialFunc == nil || cfg.ConnConfig.BuildContextWatcherHandler == nil {
			t.Errorf("%s: the dialer or the context watcher is not set", tt.url)
		}
	}
}
