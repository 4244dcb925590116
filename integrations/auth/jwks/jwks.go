// Package jwks resolves the public keys that verify the people's API bearer
// tokens (README, "The people's API"): keys read once from a PEM file, keys given in
// code (the demo, tests), or a JWKS endpoint fetched and refreshed in the
// background.
//
// A key is only ever handed out for the algorithm it belongs to: RS256 gets
// RSA keys, ES256 ECDSA P-256 keys, EdDSA Ed25519 keys, and nothing else
// (HS256 above all) gets any key, so a token cannot choose how its own
// signature is checked.
package jwks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// The signing algorithms (JWS "alg" values) a KeySet serves keys for.
const (
	RS256 = "RS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// MinRSABits is the smallest RSA modulus accepted (NIST SP 800-131A).
const MinRSABits = 2048

// ErrKeyNotFound is returned (wrapped) when no key of the set matches the
// token's kid, or the token has no kid and not exactly one key fits its
// algorithm.
var ErrKeyNotFound = errors.New("jwks: no matching key")

// ErrAlgorithm is returned (wrapped) when the token's algorithm is not one
// a KeySet serves, or the key with the token's kid belongs to another
// algorithm.
var ErrAlgorithm = errors.New("jwks: algorithm does not fit the key")

// KeySet resolves the key that verifies a token signed with alg, whose
// header names kid (possibly empty). Implementations are safe for concurrent
// use; the key returned is a *rsa.PublicKey, *ecdsa.PublicKey or
// ed25519.PublicKey that fits alg. Errors wrap ErrKeyNotFound or
// ErrAlgorithm.
type KeySet interface {
	Key(ctx context.Context, kid, alg string) (any, error)
}

// Static is a fixed KeySet.
type Static struct {
	keys map[string]any // kid -> public key
}

var (
	_ KeySet = (*Static)(nil)
	_ KeySet = (*Remote)(nil)
	_ KeySet = Multi(nil)
)

// NewStatic returns a KeySet of the given keys by kid. Private keys are
// reduced to their public halves; keys of unsupported types (or RSA keys
// under MinRSABits, or ECDSA keys on curves other than P-256) never match.
func NewStatic(keys map[string]any) *Static {
	s := &Static{keys: make(map[string]any, len(keys))}
	for kid, k := range keys {
		if signer, ok := k.(crypto.Signer); ok {
			k = signer.Public()
		}
		if algOf(k) != "" {
			s.keys[kid] = k
		}
	}
	return s
}

// Key implements KeySet.
func (s *Static) Key(_ context.Context, kid, alg string) (any, error) {
	return lookup(s.keys, kid, alg)
}

// Kids returns the kids of the set, sorted, for logs and tests.
func (s *Static) Kids() []string {
	return slices.Sorted(maps.Keys(s.keys))
}

// Len returns the number of keys.
func (s *Static) Len() int { return len(s.keys) }

// lookup finds the key for (kid, alg) in keys. Without a kid, a key is
// chosen only when exactly one key fits alg, so that adding a second key
// never silently changes which one verifies.
func lookup(keys map[string]any, kid, alg string) (any, error) {
	switch alg {
	case RS256, ES256, EdDSA:
	default:
		return nil, fmt.Errorf("%w: %q is not accepted", ErrAlgorithm, alg)
	}
	if kid != "" {
		k, ok := keys[kid]
		if !ok {
			return nil, fmt.Errorf("%w: kid %q", ErrKeyNotFound, kid)
		}
		if algOf(k) != alg {
			return nil, fmt.Errorf("%w: key %q is not for %s", ErrAlgorithm, kid, alg)
		}
		return k, nil
	}
	var found any
	n := 0
	for _, k := range keys {
		if algOf(k) == alg {
			found = k
			n++
		}
	}
	switch {
	case n == 0:
		return nil, fmt.Errorf("%w: the token has no kid and no key fits %s", ErrKeyNotFound, alg)
	case n > 1:
		return nil, fmt.Errorf("%w: the token has no kid and %d keys fit %s (%w)", ErrKeyNotFound, n, alg, errAmbiguous)
	}
	return found, nil
}

// errAmbiguous marks a kid-less lookup that found several fitting keys.
var errAmbiguous = errors.New("ambiguous")

// Multi is a KeySet over several, for a PEM file and a JWKS endpoint
// configured together. A kid is looked up in each set in order, and the
// first set that has it answers; a token without a kid needs exactly one
// fitting key across all sets.
type Multi []KeySet

// Key implements KeySet.
func (m Multi) Key(ctx context.Context, kid, alg string) (any, error) {
	var found any
	n := 0
	for _, s := range m {
		k, err := s.Key(ctx, kid, alg)
		switch {
		case err == nil && kid != "":
			return k, nil
		case err == nil:
			found = k
			n++
		case !errors.Is(err, ErrKeyNotFound) || errors.Is(err, errAmbiguous):
			return nil, err
		}
	}
	switch {
	case n == 0 && kid != "":
		return nil, fmt.Errorf("%w: kid %q", ErrKeyNotFound, kid)
	case n == 0:
		return nil, fmt.Errorf("%w: the token has no kid and no key fits %s", ErrKeyNotFound, alg)
	case n > 1:
		return nil, fmt.Errorf("%w: the token has no kid and %d keys fit %s (%w)", ErrKeyNotFound, n, alg, errAmbiguous)
	}
	return found, nil
}

// algOf returns the one algorithm key verifies, or "" for keys this
// package does not accept.
func algOf(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k.N != nil && k.N.BitLen() >= MinRSABits {
			return RS256
		}
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return ES256
		}
	case ed25519.PublicKey:
		if len(k) == ed25519.PublicKeySize {
			return EdDSA
		}
	}
	return ""
}
