package postgres

import (
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Connection limits the store sets unless the URL sets its own
// (connect_timeout, pool_health_check_period, pool_ping_timeout). They are
// variables only so that tests can shorten them.
var (
	// defaultConnectTimeout bounds a whole connect: TCP, TLS, start-up and
	// authentication. Without it a server that accepts and never answers
	// holds a new connection for the pool's 2 minutes.
	defaultConnectTimeout = 5 * time.Second
	// healthCheckPeriod is how often the pool looks at its idle
	// connections (lifetime, idle time, the minimum count).
	healthCheckPeriod = 15 * time.Second
	// pingTimeout bounds the ping the pool sends a connection idle for more
	// than a second before handing it out: a dead peer costs that long,
	// then the connection is dropped and another one tried.
	pingTimeout = 2 * time.Second
	// closeWait bounds how long Close waits for the pool to close.
	closeWait = 3 * time.Second
)

// TCP settings of every connection to PostgreSQL, so that a peer that went
// silent (a black-holed network, a host that died without a RST) is noticed
// by the kernel and the socket closed, rather than kept as an idle pool
// connection that only fails when next used: keepalive probes after 15 s
// idle, every 5 s, and TCP_USER_TIMEOUT (Linux) closes a connection whose
// sent data or probes stay unacknowledged for 30 s.
const (
	keepAliveIdle     = 15 * time.Second
	keepAliveInterval = 5 * time.Second
	keepAliveCount    = 3
	userTimeout       = 30 * time.Second
)

// harden applies the store's connection limits to cfg. url is the store
// URL, to tell a setting it gives from pgx's default for it.
func harden(cfg *pgxpool.Config, rawURL string) {
	given := urlParams(rawURL)
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	if !given["pool_health_check_period"] {
		cfg.HealthCheckPeriod = healthCheckPeriod
	}
	if !given["pool_ping_timeout"] {
		cfg.PingTimeout = pingTimeout
	}
	cfg.ConnConfig.DialFunc = dialer().DialContext
	// When a context ends, set a past deadline on the socket: a read or
	// write blocked on a silent peer returns at once and the connection is
	// closed. (A cancel request, pgx's other way, needs the peer to answer.)
	cfg.ConnConfig.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
	}
}

// dialer returns the dialer of every connection: TCP keepalive and, where
// the platform has it, TCP_USER_TIMEOUT. The connect itself is bounded by
// the context (ConnectTimeout).
func dialer() *net.Dialer {
	return &net.Dialer{
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: keepAliveIdle,
			Interval: keepAliveInterval, Count: keepAliveCount},
		Control: func(network, _ string, c syscall.RawConn) error {
			if !strings.HasPrefix(network, "tcp") {
				return nil // a Unix socket has no peer to lose
			}
			var err error
			if cerr := c.Control(func(fd uintptr) { err = setUserTimeout(fd, userTimeout) }); cerr != nil {
				return cerr
			}
			return err
		},
	}
}

// urlParams returns the names of the query parameters of a postgres:// URL.
func urlParams(rawURL string) map[string]bool {
	out := map[string]bool{}
	u, err := url.Parse(rawURL)
	if err != nil {
		return out
	}
	for k := range u.Query() {
		out[k] = true
	}
	return out
}
