package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/jwks"
)

// Bearer token checks (README, "The people's API").
const (
	// clockLeeway tolerates clock skew between the identity provider and
	// jkngate for exp, nbf and iat.
	clockLeeway = 30 * time.Second
	// maxTokenBytes bounds the token; real ones are far smaller.
	maxTokenBytes = 8 << 10
	// minHS256Secret is RFC 7518 section 3.2's least HS256 key length.
	minHS256Secret = 32
	// maxSubject bounds the sub claim, which is written to the access trail.
	maxSubject = 256
)

// AuthConfig says how bearer tokens are verified.
type AuthConfig struct {
	// Keys verifies RS256, ES256 and EdDSA tokens (a PEM file, a JWKS
	// endpoint, or keys given in code); nil accepts none of them.
	Keys jwks.KeySet
	// HS256Secret, when set, also accepts HS256 tokens signed with it
	// (development only; at least 32 bytes). It is never tried as the key
	// of another algorithm, nor is a public key ever used as its secret.
	HS256Secret []byte
	// Issuer and Audience are the required iss and aud.
	Issuer, Audience string
	// Now is the clock for exp, nbf and iat; the system clock when nil.
	Now gate.Clock
}

// Authenticator turns a bearer token into a gate.Actor. It is safe for
// concurrent use.
type Authenticator struct {
	keys   jwks.KeySet
	secret []byte
	parser *jwt.Parser
}

// NewAuthenticator checks cfg and returns its Authenticator. Errors: no key
// source at all, an HS256 secret under 32 bytes, an empty issuer or
// audience.
func NewAuthenticator(cfg AuthConfig) (*Authenticator, error) {
	var methods []string
	if cfg.Keys != nil {
		methods = append(methods, jwks.RS256, jwks.ES256, jwks.EdDSA)
	}
	if len(cfg.HS256Secret) > 0 {
		if len(cfg.HS256Secret) < minHS256Secret {
			return nil, fmt.Errorf("api: the HS256 secret must be at least %d bytes", minHS256Secret)
		}
		methods = append(methods, jwt.SigningMethodHS256.Alg())
	}
	switch {
	case len(methods) == 0:
		return nil, errors.New("api: no token verification key: configure public keys, a JWKS URL or an HS256 secret")
	case cfg.Issuer == "":
		return nil, errors.New("api: the token issuer must not be empty")
	case cfg.Audience == "":
		return nil, errors.New("api: the token audience must not be empty")
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(methods),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
		jwt.WithLeeway(clockLeeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	}
	if cfg.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(cfg.Now))
	}
	return &Authenticator{keys: cfg.Keys, secret: slices.Clone(cfg.HS256Secret), parser: jwt.NewParser(opts...)}, nil
}

// errInvalidToken marks authentication failures where a token was sent, so
// that the challenge says error="invalid_token" (RFC 6750 section 3.1).
var errInvalidToken = errors.New("invalid token")

// Authenticate verifies the Authorization header's bearer token and returns
// the actor it names. Roles outside officer, reviewer and admin, and region
// codes that are not 2 or 4 digits, are dropped. Errors are *httperr.Error of
// KindUnauthenticated with code "unauthenticated"; they wrap
// errInvalidToken when a token was sent.
func (a *Authenticator) Authenticate(ctx context.Context, authorization string) (gate.Actor, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(authorization), " ")
	switch {
	case !strings.EqualFold(scheme, "Bearer") || !ok || strings.TrimSpace(token) == "":
		// No token was sent (RFC 6750 section 3.1: no error code then).
		return gate.Actor{}, unauthenticated(msgNoToken, nil)
	case len(token) > maxTokenBytes:
		return gate.Actor{}, unauthenticated(msgInvalidToken, errors.Join(errInvalidToken, errors.New("the token is too long")))
	}
	var claims tokenClaims
	if _, err := a.parser.ParseWithClaims(strings.TrimSpace(token), &claims, a.keyfunc(ctx)); err != nil {
		// The answer never says why: the cause (which may repeat the
		// sender's kid, or name a crypto failure) is for the log only.
		return gate.Actor{}, unauthenticated(msgInvalidToken, errors.Join(errInvalidToken, err))
	}
	return claims.actor(), nil
}

// The 401 messages: fixed texts, so that an answer never repeats what the
// sender put in a token nor what went wrong inside.
const (
	msgNoToken      = `a bearer token is required: "Authorization: Bearer <token>"`
	msgInvalidToken = "the bearer token is invalid"
	// msgNoVerification answers when no key source is configured.
	msgNoVerification = "no bearer token verification is configured"
)

// dateClaims are the registered claims that are NumericDates: a JSON
// number of seconds (RFC 7519 section 2), never a string.
var dateClaims = []string{"exp", "nbf", "iat"}

// readClaims are the claims tokenClaims reads.
var readClaims = []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "roles", "regions"}

// UnmarshalJSON reads the claims strictly (checkJSON: no duplicate claim,
// valid UTF-8) and refuses a date claim that is not a JSON number, which
// golang-jwt would otherwise accept as a string.
func (c *tokenClaims) UnmarshalJSON(b []byte) error {
	if _, err := checkJSON(b); err != nil {
		return errors.New("the claims are not strict JSON")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	for _, name := range dateClaims {
		if v, ok := raw[name]; ok && (len(v) == 0 || !(v[0] == '-' || v[0] >= '0' && v[0] <= '9')) {
			return fmt.Errorf("the %s claim must be a number", name)
		}
	}
	// encoding/json matches struct keys without regard to case: "suB" or
	// "eXp" would be read as sub and exp. Claim names are exact.
	if f := misspeltKeys(raw, "", readClaims); len(f) > 0 {
		return fmt.Errorf("claim names are exact: %s", f[0].Message)
	}
	type plain tokenClaims // without this method
	return json.Unmarshal(b, (*plain)(c))
}

// keyfunc picks the verification key by the token's algorithm. The parser
// has already refused algorithms not configured; the key's type is checked
// against the algorithm once more, so that no KeySet can hand a public key
// to HMAC or the other way round.
func (a *Authenticator) keyfunc(ctx context.Context) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		if _, ok := t.Header["crit"]; ok {
			return nil, errors.New("critical header parameters are not supported")
		}
		alg := t.Method.Alg()
		if alg == jwt.SigningMethodHS256.Alg() {
			if len(a.secret) == 0 {
				return nil, errors.New("HS256 is not accepted")
			}
			return a.secret, nil
		}
		if a.keys == nil {
			return nil, fmt.Errorf("%s is not accepted", alg)
		}
		kid, ok := t.Header["kid"].(string)
		if !ok && t.Header["kid"] != nil {
			return nil, errors.New("kid must be a string")
		}
		key, err := a.keys.Key(ctx, kid, alg)
		if err != nil {
			return nil, err
		}
		if !keyFits(alg, key) {
			return nil, fmt.Errorf("the key for kid %s does not fit %s", strconv.QuoteToASCII(truncate(kid, 64)), alg)
		}
		return key, nil
	}
}

func keyFits(alg string, key any) bool {
	switch key.(type) {
	case *rsa.PublicKey:
		return alg == jwks.RS256
	case *ecdsa.PublicKey:
		return alg == jwks.ES256
	case ed25519.PublicKey:
		return alg == jwks.EdDSA
	}
	return false
}

// tokenClaims are the claims jkngate reads. roles and regions may be a
// string or an array of strings.
type tokenClaims struct {
	jwt.RegisteredClaims
	Roles   jwt.ClaimStrings `json:"roles"`
	Regions jwt.ClaimStrings `json:"regions"`
}

// Validate requires a usable sub; the parser calls it after the standard
// checks.
func (c tokenClaims) Validate() error {
	switch {
	case strings.TrimSpace(c.Subject) == "":
		return fmt.Errorf("%w: sub", jwt.ErrTokenRequiredClaimMissing)
	case len(c.Subject) > maxSubject:
		return fmt.Errorf("%w: sub is longer than %d bytes", jwt.ErrTokenInvalidSubject, maxSubject)
	case gate.TextProblem(c.Subject, false) != "":
		// sub names the actor in the access trail: it must be printable.
		return fmt.Errorf("%w: sub is not printable text", jwt.ErrTokenInvalidSubject)
	}
	return nil
}

func (c tokenClaims) actor() gate.Actor {
	a := gate.Actor{Subject: c.Subject}
	for _, r := range c.Roles {
		role := gate.Role(r)
		switch role {
		case gate.RoleOfficer, gate.RoleReviewer, gate.RoleAdmin:
			if !slices.Contains(a.Roles, role) {
				a.Roles = append(a.Roles, role)
			}
		}
	}
	for _, r := range c.Regions {
		if gate.ValidRegionCode(r) && !slices.Contains(a.Regions, r) {
			a.Regions = append(a.Regions, r)
		}
	}
	return a
}

func unauthenticated(msg string, cause error) error {
	return &httperr.Error{Kind: httperr.KindUnauthenticated, Code: httperr.CodeUnauthenticated, Message: msg, Err: cause}
}

// bearerChallenge is the WWW-Authenticate value of a 401 for err.
func bearerChallenge(err error) string {
	if errors.Is(err, errInvalidToken) {
		return `Bearer realm="jkngate", error="invalid_token"`
	}
	return `Bearer realm="jkngate"`
}

// peopleHandler handles a people's API request on behalf of an
// authenticated actor.
type peopleHandler func(c echo.Context, a gate.Actor) error

// people registers a people's API route: the request must carry a valid
// bearer token (else 401) whose roles include one of roles (else 403).
// This is the one place where roles are checked; regions are checked by
// gate and the store.
func (s *server) people(add func(string, echo.HandlerFunc, ...echo.MiddlewareFunc) *echo.Route,
	path string, h peopleHandler, roles ...gate.Role) {
	add(path, func(c echo.Context) error {
		if s.auth == nil {
			return unauthenticated(msgNoVerification, nil)
		}
		req := c.Request()
		a, err := s.auth.Authenticate(req.Context(), req.Header.Get(echo.HeaderAuthorization))
		if err != nil {
			s.logger.DebugContext(c.Request().Context(), "bearer token rejected", "err", err)
			return err
		}
		addLogAttrs(c, slog.String("sub", a.Subject))
		if !a.HasAny(roles...) {
			return &httperr.Error{Kind: httperr.KindForbidden, Code: httperr.CodeForbidden,
				Message: "the token's roles do not allow this"}
		}
		return h(c, a)
	})
}
