package jwks

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// jwksServer serves whatever document it was last given and counts hits.
type jwksServer struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	body   []byte
	hits   atomic.Int64
}

func newJWKSServer(t *testing.T, body []byte) *jwksServer {
	t.Helper()
	s := &jwksServer{status: http.StatusOK, body: body}
	s.Server = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// ServeHTTP answers with the status and body last set by serve.
func (s *jwksServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.hits.Add(1)
	s.mu.Lock()
	status, body := s.status, s.body
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *jwksServer) serve(status int, body []byte) {
	s.mu.Lock()
	s.status, s.body = status, body
	s.mu.Unlock()
}

// wantFetches fails t unless the server has been asked want times so far;
// when says at what point, or why that many.
func (s *jwksServer) wantFetches(t *testing.T, want int64, when string) {
	t.Helper()
	if got := s.hits.Load(); got != want {
		t.Errorf("%d fetches %s, want %d", got, when, want)
	}
}

// clock is a settable time source safe for concurrent use.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func jwkRSA(kid string, k *rsa.PublicKey) map[string]any {
	return map[string]any{"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
		"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes())}
}

func jwkEd(kid string, k ed25519.PublicKey) map[string]any {
	return map[string]any{"kty": "OKP", "crv": "Ed25519", "kid": kid, "x": b64(k)}
}

func jwksDoc(t *testing.T, keys ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startRemote makes a Remote on a fake clock and fetches once, the way
// NewRemote does, without the background loop.
func startRemote(t *testing.T, url string, c *clock) *Remote {
	t.Helper()
	r := newRemote(t.Context(), url, nil, nil, c.now)
	if err := r.fetch(); err != nil {
		t.Fatal(err)
	}
	return r
}

// startRemoteServing starts a test server serving k.rsa1's public key
// under kid, and a Remote on a fake clock that has fetched it once.
func startRemoteServing(t *testing.T, kid string) (testKeys, *jwksServer, *clock, *Remote) {
	t.Helper()
	k := mustKeys(t)
	srv := newJWKSServer(t, jwksDoc(t, jwkRSA(kid, &k.rsa1.PublicKey)))
	c := newClock()
	return k, srv, c, startRemote(t, srv.URL, c)
}

func TestRemoteRotation(t *testing.T) {
	k, srv, c, r := startRemoteServing(t, "old")
	ctx := t.Context()
	if _, err := r.Key(ctx, "old", RS256); err != nil {
		t.Fatal(err)
	}

	// The provider rotates: the new key appears, the old one goes.
	srv.serve(http.StatusOK, jwksDoc(t, jwkRSA("new", &k.rsa2.PublicKey)))
	c.advance(MinFetchInterval)
	key, err := r.Key(ctx, "new", RS256)
	if err != nil {
		t.Fatalf("new kid after rotation: %v", err)
	}
	if !key.(*rsa.PublicKey).Equal(&k.rsa2.PublicKey) {
		t.Error("wrong key for the new kid")
	}
	if _, err := r.Key(ctx, "old", RS256); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("old kid after rotation: %v, want ErrKeyNotFound", err)
	}
	srv.wantFetches(t, 2, "(start, one for the new kid; the old kid asked too soon)")
}

func TestRemoteUnknownKidRefreshIsBounded(t *testing.T) {
	_, srv, c, r := startRemoteServing(t, "a")
	ctx := t.Context()

	// Within MinFetchInterval of the start: no fetch at all.
	for range 5 {
		if _, err := r.Key(ctx, "made-up", RS256); !errors.Is(err, ErrKeyNotFound) {
			t.Fatalf("err %v", err)
		}
	}
	if got := srv.hits.Load(); got != 1 {
		t.Fatalf("%d fetches, want 1", got)
	}

	// Later, a burst of unknown kids causes exactly one fetch.
	c.advance(MinFetchInterval + time.Second)
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			if _, err := r.Key(ctx, "made-up-"+string(rune('a'+i%26)), RS256); !errors.Is(err, ErrKeyNotFound) {
				t.Errorf("err %v", err)
			}
		})
	}
	wg.Wait()
	srv.wantFetches(t, 2, "after a burst")

	// A key of the wrong type, or an algorithm no key serves, never fetches.
	c.advance(time.Hour)
	if _, err := r.Key(ctx, "a", ES256); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("err %v, want ErrAlgorithm", err)
	}
	if _, err := r.Key(ctx, "x", "HS256"); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("err %v, want ErrAlgorithm", err)
	}
	srv.wantFetches(t, 2, "after a wrong type and an unserved algorithm (still 2)")
}

func TestRemoteKeepsLastGoodSet(t *testing.T) {
	_, srv, c, r := startRemoteServing(t, "a")
	ctx := t.Context()
	for _, bad := range []struct {
		status int
		body   string
	}{
		{http.StatusInternalServerError, `{"keys":[]}`},
		{http.StatusOK, `<html>Bad Gateway</html>`},
		{http.StatusOK, `{"keys":[]}`},
		{http.StatusOK, `{"no":"keys"}`},
		{http.StatusOK, `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`},
		{http.StatusOK, `{"keys":[{"kty":"RSA","kid":"b","n":"!!","e":"AQAB"}]}`},
	} {
		srv.serve(bad.status, []byte(bad.body))
		c.advance(MinFetchInterval)
		before := srv.hits.Load()
		if _, err := r.Key(ctx, "b", RS256); !errors.Is(err, ErrKeyNotFound) {
			t.Errorf("%d %s: unknown kid gave %v", bad.status, bad.body, err)
		}
		if srv.hits.Load() != before+1 {
			t.Errorf("%d %s: no fetch happened", bad.status, bad.body)
		}
		if _, err := r.Key(ctx, "a", RS256); err != nil {
			t.Errorf("%d %s: the last good key was lost: %v", bad.status, bad.body, err)
		}
	}
}

func TestRemoteUnreachableAtStart(t *testing.T) {
	k := mustKeys(t)
	srv := newJWKSServer(t, []byte("garbage"))
	if r := NewRemote(t.Context(), srv.URL, srv.Client(), time.Hour, nil); len(r.Kids()) != 0 {
		t.Fatalf("kids %v from garbage", r.Kids())
	}

	c := newClock()
	r := newRemote(t.Context(), srv.URL, nil, nil, c.now)
	if err := r.fetch(); err == nil {
		t.Fatal("garbage accepted")
	}
	srv.serve(http.StatusOK, jwksDoc(t, jwkEd("ed", k.ed.Public().(ed25519.PublicKey))))
	if _, err := r.Key(t.Context(), "ed", EdDSA); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("err %v: fetched again within MinFetchInterval", err)
	}
	c.advance(MinFetchInterval)
	if _, err := r.Key(t.Context(), "ed", EdDSA); err != nil {
		t.Errorf("after the provider recovered: %v", err)
	}
}

// The refresh loop runs on the bubble's fake clock and fetches through an
// in-memory transport: an hour of refreshes takes no wall time, and
// synctest.Wait says when the loop has seen its context end.
func TestRemoteBackgroundRefresh(t *testing.T) {
	k := mustKeys(t)
	synctest.Test(t, func(t *testing.T) {
		srv := &jwksServer{status: http.StatusOK, body: jwksDoc(t, jwkRSA("a", &k.rsa1.PublicKey))}
		client := &http.Client{Transport: handlerTransport{srv}}
		ctx, cancel := context.WithCancel(t.Context())
		r := NewRemote(ctx, "http://jwks.test/keys", client, 10*time.Millisecond, nil)
		srv.serve(http.StatusOK, jwksDoc(t, jwkRSA("b", &k.rsa2.PublicKey)))
		time.Sleep(10 * time.Millisecond) // one refresh period
		synctest.Wait()                   // the refresh it started is done
		if !slices.Equal(r.Kids(), []string{"b"}) {
			t.Fatalf("kids %v, the background refresh never ran", r.Kids())
		}
		cancel()
		synctest.Wait() // the loop has seen the cancellation
		hits := srv.hits.Load()
		time.Sleep(time.Hour) // 360,000 refresh periods, were the loop still running
		if srv.hits.Load() != hits {
			t.Error("the background refresh kept running after its context ended")
		}
	})
}

// handlerTransport serves requests with h in memory, so that a client runs
// inside a synctest bubble without a network.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

func TestParseJWKS(t *testing.T) {
	k := mustKeys(t)
	ec := k.ec.PublicKey
	raw, _ := ec.Bytes()
	noKid := jwkEd("", k.ed.Public().(ed25519.PublicKey))
	doc := jwksDoc(t,
		jwkRSA("rsa", &k.rsa1.PublicKey),
		map[string]any{"kty": "EC", "crv": "P-256", "kid": "ec", "x": b64(raw[1:33]), "y": b64(raw[33:])},
		noKid,
		map[string]any{"kty": "EC", "crv": "P-256", "kid": "offcurve", "x": b64(raw[1:33]), "y": b64(raw[1:33])},
		map[string]any{"kty": "EC", "crv": "P-384", "kid": "p384", "x": "AA", "y": "AA"},
		map[string]any{"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
		func() map[string]any { m := jwkRSA("enc", &k.rsa2.PublicKey); m["use"] = "enc"; return m }(),
		func() map[string]any { m := jwkRSA("wrongalg", &k.rsa2.PublicKey); m["alg"] = "HS256"; return m }(),
		func() map[string]any {
			m := jwkRSA("wrapkey", &k.rsa2.PublicKey)
			m["key_ops"] = []string{"wrapKey"}
			return m
		}(),
		jwkRSA("rsa", &k.rsa2.PublicKey), // duplicate kid: the first wins
	)
	keys, skipped, err := ParseJWKS(doc)
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Sorted(func(yield func(string) bool) {
		for kid := range keys {
			if !yield(kid) {
				return
			}
		}
	})
	want := []string{"ec", mustThumbprint(t, k.ed.Public()), "rsa"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("kids %v, want %v", got, want)
	}
	if !keys["rsa"].(*rsa.PublicKey).Equal(&k.rsa1.PublicKey) {
		t.Error("a duplicate kid replaced the first key")
	}
	if len(skipped) != 7 {
		t.Errorf("skipped %d, want 7: %q", len(skipped), skipped)
	}
	for _, bad := range []string{``, `[]`, `{"keys":null}`, `{"keys":"x"}`, `{"keys":[]}`} {
		if _, _, err := ParseJWKS([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
