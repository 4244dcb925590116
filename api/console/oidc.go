package console

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/jkngate/jkngate/gate"
)

// OIDC configures sign-in with an OpenID Connect provider (authorization
// code flow with PKCE, state and nonce).
type OIDC struct {
	Issuer, ClientID, ClientSecret string
	// RedirectURL is /console/callback as the provider knows it.
	RedirectURL string
	// RolesClaim and RegionsClaim are claim paths in the ID token, dotted
	// for nested claims (Keycloak: "realm_access.roles"); "roles" and
	// "regions" when empty.
	RolesClaim, RegionsClaim string
	// HTTPClient talks to the provider; http.DefaultClient when nil.
	HTTPClient *http.Client
}

// flowMaxAge bounds a sign-in: the provider must send the person back
// within it.
const flowMaxAge = 10 * time.Minute

// flow is what the sign-in cookie carries between /console/login and
// /console/callback.
type flow struct {
	State, Nonce, Verifier, Next string
	Expires                      int64
}

// provider discovers the OpenID provider once, at the first sign-in, so
// that the service starts even while the provider is down; a failed
// discovery is tried again at the next sign-in.
type provider struct {
	cfg OIDC
	mu  sync.Mutex
	p   *oidc.Provider
}

func (p *provider) get(ctx context.Context) (*oidc.Provider, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.p != nil {
		return p.p, nil
	}
	if p.cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, p.cfg.HTTPClient)
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	pr, err := oidc.NewProvider(dctx, p.cfg.Issuer)
	if err != nil {
		return nil, err
	}
	p.p = pr
	return pr, nil
}

func (p *provider) oauth2(pr *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: p.cfg.ClientID, ClientSecret: p.cfg.ClientSecret, RedirectURL: p.cfg.RedirectURL,
		Endpoint: pr.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile"}}
}

func randomString() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// beginOIDC sends the browser to the provider, with state, nonce and a
// PKCE challenge kept in a sealed short-lived cookie.
func (c *Console) beginOIDC(w http.ResponseWriter, r *http.Request) {
	pr, err := c.oidc.get(r.Context())
	if err != nil {
		c.logger.WarnContext(r.Context(), "console: the OpenID provider could not be reached", "error", err)
		c.errorPage(w, r, http.StatusServiceUnavailable, "err.idp_unreachable")
		return
	}
	f := flow{State: randomString(), Nonce: randomString(), Verifier: oauth2.GenerateVerifier(),
		Next: safeNext(r.URL.Query().Get("next")), Expires: c.now().Add(flowMaxAge).Unix()}
	v, err := c.sealer.seal(flowCookie, f)
	if err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "err.internal")
		return
	}
	c.setCookie(w, r, flowCookie, v, flowMaxAge)
	url := c.oidc.oauth2(pr).AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// callback is GET /console/callback: it checks state, redeems the code with
// the PKCE verifier, verifies the ID token and its nonce, and starts the
// session with the roles and regions of the configured claims.
func (c *Console) callback(w http.ResponseWriter, r *http.Request) {
	if c.oidc == nil {
		c.errorPage(w, r, http.StatusNotFound, "err.not_found")
		return
	}
	ck, err := r.Cookie(flowCookie)
	var f flow
	if err != nil || c.sealer.open(flowCookie, ck.Value, &f) != nil || c.now().Unix() > f.Expires {
		c.errorPage(w, r, http.StatusBadRequest, "err.signin_expired")
		return
	}
	c.clearCookie(w, r, flowCookie)
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		c.logger.WarnContext(r.Context(), "console: the provider refused the sign-in", "error", truncate(e, 64))
		c.errorPage(w, r, http.StatusForbidden, "err.signin_refused")
		return
	}
	if q.Get("state") == "" || q.Get("state") != f.State {
		c.errorPage(w, r, http.StatusBadRequest, "err.signin_expired")
		return
	}
	a, err := c.redeem(r.Context(), q.Get("code"), f)
	if err != nil {
		c.logger.WarnContext(r.Context(), "console: sign-in failed", "error", err)
		c.errorPage(w, r, http.StatusForbidden, "err.signin_refused")
		return
	}
	if err := c.startSession(w, r, a); err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "err.internal")
		return
	}
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
}

func (c *Console) redeem(ctx context.Context, code string, f flow) (gate.Actor, error) {
	pr, err := c.oidc.get(ctx)
	if err != nil {
		return gate.Actor{}, err
	}
	if c.oidc.cfg.HTTPClient != nil {
		ctx = oidc.ClientContext(ctx, c.oidc.cfg.HTTPClient)
	}
	tok, err := c.oidc.oauth2(pr).Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return gate.Actor{}, fmt.Errorf("code exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return gate.Actor{}, errors.New("no id_token in the token response")
	}
	idt, err := pr.Verifier(&oidc.Config{ClientID: c.oidc.cfg.ClientID, Now: c.now}).Verify(ctx, raw)
	if err != nil {
		return gate.Actor{}, fmt.Errorf("id token: %w", err)
	}
	if idt.Nonce != f.Nonce {
		return gate.Actor{}, errors.New("id token: nonce mismatch")
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return gate.Actor{}, err
	}
	return actorFromClaims(idt.Subject, claims, c.oidc.cfg.RolesClaim, c.oidc.cfg.RegionsClaim)
}

// actorFromClaims reads roles and regions at the dotted claim paths. Roles
// other than officer, reviewer and admin, and region codes that are not 2
// or 4 digits, are dropped, as for the people's API's tokens. Errors: no
// subject, or no role jkngate knows.
func actorFromClaims(sub string, claims map[string]any, rolesPath, regionsPath string) (gate.Actor, error) {
	if rolesPath == "" {
		rolesPath = "roles"
	}
	if regionsPath == "" {
		regionsPath = "regions"
	}
	if sub == "" || len(sub) > 256 {
		return gate.Actor{}, errors.New("the ID token has no usable subject")
	}
	a := gate.Actor{Subject: sub}
	for _, r := range stringsAt(claims, rolesPath) {
		switch role := gate.Role(r); role {
		case gate.RoleOfficer, gate.RoleReviewer, gate.RoleAdmin:
			if !a.Has(role) {
				a.Roles = append(a.Roles, role)
			}
		}
	}
	for _, g := range stringsAt(claims, regionsPath) {
		if (len(g) == 2 || len(g) == 4) && allDigits(g) {
			a.Regions = append(a.Regions, g)
		}
	}
	if len(a.Roles) == 0 {
		return gate.Actor{}, fmt.Errorf("the ID token has no jkngate role at %q", rolesPath)
	}
	return a, nil
}

// stringsAt walks a dotted path through nested objects and returns the
// strings found there: an array's strings, or a single string.
func stringsAt(claims map[string]any, path string) []string {
	var v any = claims
	for _, part := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// safeNext keeps a post-sign-in destination only when it is a console path
// on this origin.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/console/"
	}
	return next
}
