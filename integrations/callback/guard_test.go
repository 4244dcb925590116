package callback

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url          string
		allowPrivate bool
		want         error // nil, ErrBadURL or ErrRefusedAddress
	}{
		{url: "https://licensing.example/hooks/jkngate?token=x"},
		{url: "http://203.0.113.7:8080/cb"},
		{url: "https://[2001:db8::1]/cb"},
		{url: "http://127.0.0.1/cb", want: ErrRefusedAddress},
		{url: "http://127.0.0.1/cb", allowPrivate: true},
		{url: "http://[::1]/cb", want: ErrRefusedAddress},
		{url: "http://10.1.2.3/cb", want: ErrRefusedAddress},
		{url: "http://172.16.0.1/cb", want: ErrRefusedAddress},
		{url: "http://172.31.255.255/cb", want: ErrRefusedAddress},
		{url: "http://192.168.1.1/cb", want: ErrRefusedAddress},
		{url: "http://[fc00::1]/cb", want: ErrRefusedAddress},
		{url: "http://[fd12:3456::1]/cb", want: ErrRefusedAddress},
		{url: "http://169.254.169.254/latest/meta-data/", want: ErrRefusedAddress},
		{url: "http://[fe80::1]/cb", want: ErrRefusedAddress},
		{url: "http://0.0.0.0/cb", want: ErrRefusedAddress},
		{url: "http://[::]/cb", want: ErrRefusedAddress},
		{url: "http://224.0.0.1/cb", want: ErrRefusedAddress},
		{url: "http://[ff02::1]/cb", want: ErrRefusedAddress},
		{url: "http://255.255.255.255/cb", want: ErrRefusedAddress},
		{url: "http://100.64.0.1/cb", want: ErrRefusedAddress},
		{url: "http://100.127.255.254/cb", want: ErrRefusedAddress},
		{url: "http://[::ffff:127.0.0.1]/cb", want: ErrRefusedAddress},
		{url: "http://[::ffff:169.254.169.254]/cb", want: ErrRefusedAddress},
		{url: "http://[::ffff:10.0.0.1]/cb", want: ErrRefusedAddress},
		{url: "http://[64:ff9b::a9fe:a9fe]/cb", want: ErrRefusedAddress}, // NAT64 169.254.169.254
		{url: "http://[64:ff9b::cb00:7107]/cb"},                          // NAT64 203.0.113.7
		{url: "ftp://licensing.example/cb", want: ErrBadURL},
		{url: "ftp://licensing.example/cb", allowPrivate: true, want: ErrBadURL},
		{url: "file:///etc/passwd", want: ErrBadURL},
		{url: "javascript:alert(1)", want: ErrBadURL},
		{url: "http:///no-host", want: ErrBadURL},
		{url: "/relative/path", want: ErrBadURL},
		{url: "http://%zz/", want: ErrBadURL},
		{url: "http://localhost:8080/cb", want: ErrRefusedAddress},
		{url: "http://LOCALHOST./cb", want: ErrRefusedAddress},
		{url: "http://api.localhost/cb", want: ErrRefusedAddress},
		{url: "http://localhost/cb", allowPrivate: true},
		{url: "http://127.1/cb", want: ErrRefusedAddress},
		{url: "http://2130706433/cb", want: ErrRefusedAddress},
		{url: "http://0x7f.0x1/cb", want: ErrRefusedAddress},
		{url: "https://kopi.cafe/cb"},
		{url: "https://localhost.example/cb"},
	}
	for _, tt := range tests {
		err := CheckURL(tt.url, tt.allowPrivate)
		if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
			t.Errorf("CheckURL(%q, %v) = %v, want %v", tt.url, tt.allowPrivate, err, tt.want)
		}
	}
}

func TestGuardControl(t *testing.T) {
	for addr, refused := range map[string]bool{
		"127.0.0.1:443": true, "[::1]:443": true, "10.0.0.1:80": true, "[::ffff:192.168.0.1]:80": true,
		"169.254.169.254:80": true, "100.64.1.1:80": true, "not-an-ip:80": true,
		"203.0.113.7:443": false, "[2001:db8::1]:443": false,
	} {
		err := guardControl("tcp", addr, nil)
		if refused != errors.Is(err, ErrRefusedAddress) || (!refused && err != nil) {
			t.Errorf("guardControl(%s) = %v, want refused %v", addr, err, refused)
		}
	}
}

// TestPrivateAddressRefused checks the guard both before the request (a
// literal IP) and at dial time (a name that resolves to loopback, as a DNS
// rebinding attack would), with the worker's own client and with a given
// one: no request reaches the receiver, and the callback fails at once.
func TestPrivateAddressRefused(t *testing.T) {
	tests := []struct {
		name      string
		url       func(srv string) string
		client    *http.Client
		lastError string
	}{
		{name: "loopback literal", url: func(srv string) string { return srv + "/cb" }, lastError: "is loopback"},
		{name: "metadata address", url: func(string) string { return "http://169.254.169.254/latest/meta-data/" }, lastError: "is link-local"},
		{name: "name resolving to loopback", url: func(srv string) string { return localhost(t, srv) }, lastError: "is loopback"},
		{name: "name resolving to loopback, given client", url: func(srv string) string { return localhost(t, srv) },
			client: &http.Client{}, lastError: "is loopback"},
		{name: "name resolving to loopback, given transport", url: func(srv string) string { return localhost(t, srv) },
			client: &http.Client{Transport: &http.Transport{}}, lastError: "is loopback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, status(200))
			e.outbox.add(gate.Callback{ID: "cb-1", DecisionID: testDecision, ClientID: testClient,
				URL: tt.url(e.rcv.srv.URL), State: gate.CallbackPending, NextAttempt: t0})
			e.deliverDue(e.worker(func(c *Config) { c.AllowPrivate = false; c.HTTPClient = tt.client }), 1)
			if n := len(e.rcv.requests()); n != 0 {
				t.Errorf("receiver got %d requests, want none", n)
			}
			c := e.outbox.get(t, "cb-1")
			if c.State != gate.CallbackFailed || !strings.Contains(c.LastError, tt.lastError) {
				t.Errorf("callback = %+v, want failed with %q", c, tt.lastError)
			}
		})
	}
}

// localhost rewrites an httptest URL to reach the same server by name.
func localhost(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = "localhost:" + u.Port()
	return u.String() + "/cb"
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewRefusesUnguardableClient(t *testing.T) {
	e := newEnv(t, nil)
	cfg := e.config()
	cfg.HTTPClient = &http.Client{Transport: roundTripperFunc(http.DefaultTransport.RoundTrip)}
	cfg.AllowPrivate = false
	if _, err := New(cfg); err == nil {
		t.Error("New accepted a transport the address guard cannot apply to")
	}
	cfg.AllowPrivate = true
	if _, err := New(cfg); err != nil {
		t.Errorf("New with AllowPrivate: %v", err)
	}
}
