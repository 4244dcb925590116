package callback

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrRefusedAddress is wrapped by CheckURL, and by a delivery's error, when
// a callback would go to an address callbacks may not reach: loopback,
// private, link-local (including the cloud metadata address
// 169.254.169.254), unspecified, multicast, broadcast or carrier-grade NAT,
// also in IPv4-mapped or NAT64 (64:ff9b::/96) IPv6 form.
var ErrRefusedAddress = errors.New("callback address not allowed")

// ErrBadURL is wrapped by CheckURL when a callback URL is not an absolute
// http or https URL with a host.
var ErrBadURL = errors.New("invalid callback URL")

// Ranges net/netip has no predicate for.
var (
	cgnat       = netip.MustParsePrefix("100.64.0.0/10")
	thisNetwork = netip.MustParsePrefix("0.0.0.0/8") // "this host"; Linux routes it locally
	broadcast   = netip.MustParseAddr("255.255.255.255")
	nat64       = netip.MustParsePrefix("64:ff9b::/96") // IPv6-only networks reach IPv4 through it
)

// CheckURL reports whether raw may be used as a callback URL: it must be an
// absolute http or https URL with a host, and, unless allowPrivate, a host
// given as a literal IP must not be in a refused range (see
// ErrRefusedAddress), nor be a name that always means this host
// (localhost and *.localhost, RFC 6761), nor a numeric host that is not a
// plain IP address (127.1, 0x7f.1, 2130706433: some resolvers read them
// as IPv4 addresses, and no real top-level domain is numeric). Other host
// names are not resolved here: the worker checks the address it actually
// connects to, which also defeats DNS rebinding. The webhook calls
// CheckURL at intake, so that what delivery would refuse is refused there.
//
// It returns nil, or an error wrapping ErrBadURL or ErrRefusedAddress. The
// error names the host but never repeats the query string.
func CheckURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: cannot be parsed", ErrBadURL)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%w: scheme must be http or https", ErrBadURL)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%w: no host", ErrBadURL)
	}
	if allowPrivate {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return checkAddr(ip)
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		return fmt.Errorf("%w: %s is loopback", ErrRefusedAddress, name)
	}
	labels := strings.Split(name, ".")
	if last := labels[len(labels)-1]; last != "" && strings.Trim(strings.TrimPrefix(last, "0x"), "0123456789abcdef") == "" &&
		(strings.HasPrefix(last, "0x") || strings.Trim(last, "0123456789") == "") {
		return fmt.Errorf("%w: %s is a numeric host that is not an IP address", ErrRefusedAddress, name)
	}
	return nil
}

// checkAddr returns an error wrapping ErrRefusedAddress when ip is in a
// refused range.
func checkAddr(ip netip.Addr) error {
	ip = ip.Unmap().WithZone("")
	if nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	}
	if what := refusedRange(ip); what != "" {
		return fmt.Errorf("%w: %s is %s", ErrRefusedAddress, ip, what)
	}
	return nil
}

// refusedRange names the refused range ip (unmapped) is in, or returns "".
func refusedRange(ip netip.Addr) string {
	switch {
	case !ip.IsValid():
		return "not an IP address"
	case ip.IsUnspecified(), thisNetwork.Contains(ip):
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsPrivate():
		return "private"
	case ip.IsLinkLocalUnicast():
		return "link-local"
	case ip.IsMulticast(), ip == broadcast:
		return "multicast or broadcast"
	case cgnat.Contains(ip):
		return "carrier-grade NAT"
	}
	return ""
}

// guardControl is a net.Dialer Control function: it runs after name
// resolution, just before connect, with the IP actually being connected to,
// so a host name that resolves (or re-resolves) to a refused address is
// caught.
func guardControl(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRefusedAddress, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address", ErrRefusedAddress, host)
	}
	return checkAddr(ip)
}

// noRedirects makes a client return a redirect response instead of following
// it: the new location could be a private address, and would not be checked
// by CheckURL.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// newHTTPClient returns the client deliveries use. It never follows
// redirects and, unless allowPrivate, dials only through guardControl. A
// given client (tests) is copied, not changed; its transport must then be an
// *http.Transport, whose dialer is replaced by the guarded one. Proxies are
// never used when guarded: the guard would check the proxy's address, not
// the receiver's.
func newHTTPClient(given *http.Client, allowPrivate bool) (*http.Client, error) {
	var c http.Client
	var t *http.Transport
	if given != nil {
		c = *given
		switch rt := given.Transport.(type) {
		case nil:
			t = http.DefaultTransport.(*http.Transport).Clone()
		case *http.Transport:
			t = rt.Clone()
		default:
			if !allowPrivate {
				return nil, fmt.Errorf("callback: HTTPClient.Transport must be an *http.Transport (or nil) so the private-address guard can apply, got %T", rt)
			}
		}
	} else {
		t = http.DefaultTransport.(*http.Transport).Clone()
	}
	if t != nil && !allowPrivate {
		d := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second, Control: guardControl}
		t.Proxy = nil
		t.DialContext = d.DialContext
		t.DialTLSContext = nil
		//lint:ignore SA1019 cleared, not used: a TLS dial hook left by the caller would bypass the guard
		t.DialTLS = nil
	}
	if t != nil {
		c.Transport = t
	}
	c.CheckRedirect = noRedirects
	return &c, nil
}
