package console

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// Session limits (the console's sign-in promise): a session ends after 30
// minutes without a request, and after 8 hours whatever happens.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 8 * time.Hour
	// touchEvery is how stale the idle clock may get before the cookie is
	// written again, so that not every request re-encrypts it.
	touchEvery = time.Minute
	// MinSessionKey is the least JKNGATE_SESSION_KEY length, in bytes.
	MinSessionKey = 32
)

const (
	sessionCookie = "jkngate_console"
	flowCookie    = "jkngate_console_signin"
	langCookie    = "jkngate_lang"
)

// session is what the cookie carries, sealed with AES-GCM: the person (as
// the people's API's Actor), when the session began and when it was last
// used, and a random id that logging out revokes.
type session struct {
	ID      string   `json:"i"`
	Subject string   `json:"s"`
	Roles   []string `json:"r,omitempty"`
	Regions []string `json:"g,omitempty"`
	Began   int64    `json:"b"`
	Seen    int64    `json:"t"`
}

func (s session) actor() gate.Actor {
	a := gate.Actor{Subject: s.Subject, Regions: s.Regions}
	for _, r := range s.Roles {
		a.Roles = append(a.Roles, gate.Role(r))
	}
	return a
}

// sealer encrypts and authenticates cookie values. Each cookie name is
// bound into the ciphertext as associated data, so a value sealed for one
// cookie is refused in another.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) < MinSessionKey {
		return nil, errors.New("console: the session key must be at least 32 bytes")
	}
	k, err := hkdf.Key(sha256.New, key, nil, "jkngate console session v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func (s *sealer) seal(name string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	out := s.aead.Seal(nonce, nonce, plain, []byte(name))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

func (s *sealer) open(name, value string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errors.New("malformed cookie")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(name))
	if err != nil {
		return errors.New("cookie not sealed by us")
	}
	return json.Unmarshal(plain, v)
}

// revocations remembers the ids of sessions signed out of until they would
// have expired anyway, so that a copy of a signed-out cookie is refused by
// this process.
type revocations struct {
	mu  sync.Mutex
	ids map[string]time.Time
}

func (r *revocations) revoke(id string, until time.Time, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = make(map[string]time.Time)
	}
	for k, t := range r.ids {
		if now.After(t) {
			delete(r.ids, k)
		}
	}
	r.ids[id] = until
}

func (r *revocations) revoked(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.ids[id]
	return ok
}

func newSessionID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// secureCookies reports whether cookies must be Secure: always, unless the
// request came over plain HTTP to a loopback host.
func secureCookies(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/console/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, Secure: secureCookies(r), SameSite: http.SameSiteLaxMode})
}

func (c *Console) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/console/", MaxAge: -1,
		HttpOnly: true, Secure: secureCookies(r), SameSite: http.SameSiteLaxMode})
}

// startSession signs a in: a fresh session id, both clocks at now.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, a gate.Actor) error {
	now := c.now().Unix()
	s := session{ID: newSessionID(), Subject: a.Subject, Regions: a.Regions, Began: now, Seen: now}
	for _, role := range a.Roles {
		s.Roles = append(s.Roles, string(role))
	}
	return c.writeSession(w, r, s)
}

func (c *Console) writeSession(w http.ResponseWriter, r *http.Request, s session) error {
	v, err := c.sealer.seal(sessionCookie, s)
	if err != nil {
		return err
	}
	c.setCookie(w, r, sessionCookie, v, AbsoluteTimeout)
	return nil
}

// currentSession returns the request's session if it is valid: sealed by
// us, not signed out of, used within IdleTimeout, begun within
// AbsoluteTimeout. It slides the idle clock.
func (c *Console) currentSession(w http.ResponseWriter, r *http.Request) (session, bool) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	var s session
	if err := c.sealer.open(sessionCookie, ck.Value, &s); err != nil || s.Subject == "" {
		return session{}, false
	}
	now := c.now()
	began, seen := time.Unix(s.Began, 0), time.Unix(s.Seen, 0)
	if now.Sub(seen) > IdleTimeout || now.Sub(began) > AbsoluteTimeout || now.Before(began.Add(-time.Minute)) ||
		c.revoked.revoked(s.ID) {
		return session{}, false
	}
	if now.Sub(seen) > touchEvery {
		s.Seen = now.Unix()
		_ = c.writeSession(w, r, s)
	}
	return s, true
}
