package jwks

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
)

// jwk is the part of an RFC 7517 JSON Web Key this package reads.
type jwk struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Alg    string   `json:"alg"`
	Crv    string   `json:"crv"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
}

// ParseJWKS reads a JWK Set document. It keeps the RSA, EC P-256 and OKP
// Ed25519 keys meant for signatures and skips the rest (encryption keys,
// other key types and curves, keys whose alg names another algorithm,
// malformed keys), reporting what it skipped. A key without a kid gets its
// thumbprint; of several keys with one kid the first is kept. The error is
// non-nil when the document is not a JWK Set or no key is usable.
func ParseJWKS(data []byte) (keys map[string]any, skipped []string, err error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("not a JWK Set: %w", err)
	}
	if doc.Keys == nil {
		return nil, nil, errors.New(`not a JWK Set: no "keys" array`)
	}
	keys = map[string]any{}
	for i, raw := range doc.Keys {
		var k jwk
		if err := json.Unmarshal(raw, &k); err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		key, err := k.publicKey()
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d (kid %q): %v", i, k.Kid, err))
			continue
		}
		kid := k.Kid
		if kid == "" {
			if kid, err = Thumbprint(key); err != nil {
				skipped = append(skipped, fmt.Sprintf("key %d: %v", i, err))
				continue
			}
		}
		if _, dup := keys[kid]; dup {
			skipped = append(skipped, fmt.Sprintf("key %d: duplicate kid %q", i, kid))
			continue
		}
		keys[kid] = key
	}
	if len(keys) == 0 {
		return nil, skipped, errors.New("the JWK Set has no usable signature key")
	}
	return keys, skipped, nil
}

// publicKey returns the key k describes, or why it is not used.
func (k jwk) publicKey() (any, error) {
	if k.Use != "" && k.Use != "sig" {
		return nil, fmt.Errorf("use %q is not sig", k.Use)
	}
	if k.KeyOps != nil && !slices.Contains(k.KeyOps, "verify") {
		return nil, errors.New(`key_ops lacks "verify"`)
	}
	var key any
	var err error
	switch {
	case k.Kty == "RSA":
		key, err = k.rsa()
	case k.Kty == "EC" && k.Crv == "P-256":
		key, err = k.ec()
	case k.Kty == "OKP" && k.Crv == "Ed25519":
		var x []byte
		if x, err = decodeB64(k.X, "x"); err == nil {
			if len(x) != ed25519.PublicKeySize {
				return nil, errors.New("x is not an Ed25519 public key")
			}
			key = ed25519.PublicKey(x)
		}
	default:
		return nil, fmt.Errorf("unsupported key type %q (crv %q)", k.Kty, k.Crv)
	}
	if err != nil {
		return nil, err
	}
	alg := algOf(key)
	if alg == "" {
		return nil, fmt.Errorf("unsupported key %s", describe(key))
	}
	if k.Alg != "" && k.Alg != alg {
		return nil, fmt.Errorf("alg %q does not fit a %s key", k.Alg, k.Kty)
	}
	return key, nil
}

func (k jwk) rsa() (*rsa.PublicKey, error) {
	n, err := decodeB64(k.N, "n")
	if err != nil {
		return nil, err
	}
	e, err := decodeB64(k.E, "e")
	if err != nil {
		return nil, err
	}
	if len(e) > 4 {
		return nil, errors.New("e is too large")
	}
	exp := int(new(big.Int).SetBytes(e).Int64())
	if exp < 3 || exp%2 == 0 {
		return nil, errors.New("e is not a valid RSA exponent")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}, nil
}

func (k jwk) ec() (*ecdsa.PublicKey, error) {
	x, err := decodeB64(k.X, "x")
	if err != nil {
		return nil, err
	}
	y, err := decodeB64(k.Y, "y")
	if err != nil {
		return nil, err
	}
	if len(x) != 32 || len(y) != 32 {
		return nil, errors.New("x and y must be 32 bytes for P-256")
	}
	// ParseUncompressedPublicKey checks that the point is on the curve.
	return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), slices.Concat([]byte{4}, x, y))
}

func decodeB64(s, member string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%s is missing", member)
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not base64url: %w", member, err)
	}
	return b, nil
}

// describe names a key's type and size for error messages.
func describe(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d bits", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519"
	default:
		return fmt.Sprintf("%T", key)
	}
}
