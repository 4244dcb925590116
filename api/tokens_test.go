package api_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jkngate/jkngate/integrations/auth/jwks"
)

// signingKeys are the identity provider's keys, made once per test binary.
type signingKeys struct {
	rsa, rsaOther *rsa.PrivateKey
	ec            *ecdsa.PrivateKey
	ed            ed25519.PrivateKey
	rsaKid        string
}

var (
	keysOnce sync.Once
	idpKeys  signingKeys
)

func keys(t testing.TB) signingKeys {
	t.Helper()
	keysOnce.Do(func() {
		must := func(err error) {
			if err != nil {
				panic(err)
			}
		}
		var err error
		idpKeys.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
		must(err)
		idpKeys.rsaOther, err = rsa.GenerateKey(rand.Reader, 2048)
		must(err)
		idpKeys.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		must(err)
		_, idpKeys.ed, err = ed25519.GenerateKey(rand.Reader)
		must(err)
		idpKeys.rsaKid, err = jwks.Thumbprint(&idpKeys.rsa.PublicKey)
		must(err)
	})
	return idpKeys
}

// actor is a token's subject, roles and regions.
type actor struct {
	sub     string
	roles   []string
	regions []string
}

var (
	officer1275  = actor{"officer-medan", []string{"officer"}, []string{"1275"}}
	officer12    = actor{"officer-sumut", []string{"officer"}, []string{"12"}}
	reviewer1275 = actor{"reviewer-medan", []string{"reviewer"}, []string{"1275"}}
	reviewer12   = actor{"reviewer-sumut", []string{"reviewer"}, []string{"12", "bogus", "123"}}
	admin        = actor{"admin-pusat", []string{"admin", "superuser"}, nil}
	noRole       = actor{"auditor", []string{"auditor"}, []string{"1275"}}
)

func (a actor) claims() jwt.MapClaims {
	return jwt.MapClaims{"iss": testIssuer, "aud": testAudience, "sub": a.sub, "roles": a.roles,
		"regions": a.regions, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
}

// sign makes a token with method and key; kid is set when not empty.
func sign(t testing.TB, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// token is a valid RS256 token for a.
func (a actor) token(t testing.TB) string {
	t.Helper()
	k := keys(t)
	return sign(t, jwt.SigningMethodRS256, k.rsa, k.rsaKid, a.claims())
}
