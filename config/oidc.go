package config

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// OIDC is the console's OpenID Connect provider. An empty Issuer leaves the
// console without sign-in outside jkngate demo.
type OIDC struct {
	Issuer       string // JKNGATE_OIDC_ISSUER
	ClientID     string // JKNGATE_OIDC_CLIENT_ID
	ClientSecret string // JKNGATE_OIDC_CLIENT_SECRET (public clients with PKCE may leave it empty)
	RedirectURL  string // JKNGATE_OIDC_REDIRECT_URL: /console/callback as the provider knows it
	RolesClaim   string // JKNGATE_OIDC_ROLES_CLAIM: dotted claim path (Keycloak: realm_access.roles)
	RegionsClaim string // JKNGATE_OIDC_REGIONS_CLAIM: dotted claim path
}

// MinSessionKeyBytes is the least length of JKNGATE_SESSION_KEY, decoded.
const MinSessionKeyBytes = 32

// SessionKeyBytes decodes JKNGATE_SESSION_KEY (standard or URL-safe base64,
// padded or not); nil when it is empty. Errors never quote the key.
func (c Config) SessionKeyBytes() ([]byte, error) {
	s := strings.TrimSpace(c.SessionKey)
	if s == "" {
		return nil, nil
	}
	var b []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err = enc.DecodeString(s); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("must be base64 (try: openssl rand -base64 %d)", MinSessionKeyBytes)
	}
	if len(b) < MinSessionKeyBytes {
		return nil, fmt.Errorf("must decode to at least %d bytes, not %d (try: openssl rand -base64 %d)", MinSessionKeyBytes, len(b), MinSessionKeyBytes)
	}
	return b, nil
}

// checkConsole reports what is wrong with the console's settings: with an
// issuer, a client id and a session key are required, and URLs and claim
// paths must be well-formed.
func (c Config) checkConsole() []keyValue {
	var msgs []keyValue
	o := c.OIDC
	if o.Issuer != "" {
		if msg := checkURL(o.Issuer, "http", "https"); msg != "" {
			msgs = append(msgs, keyValue{"oidc_issuer", msg})
		}
		if o.ClientID == "" {
			msgs = append(msgs, keyValue{"oidc_client_id", "required with " + Prefix + "OIDC_ISSUER"})
		}
		if c.SessionKey == "" {
			msgs = append(msgs, keyValue{"session_key", "required with " + Prefix + "OIDC_ISSUER (try: openssl rand -base64 32)"})
		}
	}
	if o.RedirectURL != "" {
		if msg := checkURL(o.RedirectURL, "http", "https"); msg != "" {
			msgs = append(msgs, keyValue{"oidc_redirect_url", msg})
		} else if !strings.HasSuffix(strings.SplitN(o.RedirectURL, "?", 2)[0], "/console/callback") {
			msgs = append(msgs, keyValue{"oidc_redirect_url", "must end in /console/callback"})
		}
	}
	for _, p := range []keyValue{{"oidc_roles_claim", o.RolesClaim}, {"oidc_regions_claim", o.RegionsClaim}} {
		if p.v == "" || strings.HasPrefix(p.v, ".") || strings.HasSuffix(p.v, ".") || strings.Contains(p.v, "..") {
			msgs = append(msgs, keyValue{p.key, "must be a claim name or a dotted path, like realm_access.roles"})
		}
	}
	if _, err := c.SessionKeyBytes(); err != nil {
		msgs = append(msgs, keyValue{"session_key", err.Error()})
	}
	return msgs
}
