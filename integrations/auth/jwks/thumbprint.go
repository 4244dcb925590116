package jwks

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
)

// Thumbprint returns the RFC 7638 JWK thumbprint of a public key (SHA-256,
// base64url without padding): the kid a key read from PEM gets, and the one
// identity providers commonly give their JWKs. It fails for key types this
// package does not accept.
func Thumbprint(key any) (string, error) {
	var members string
	// RFC 7638 section 3: the required members only, in lexicographic
	// order, without whitespace. Every value is base64url, so no JSON
	// escaping is needed.
	switch algOf(key) {
	case RS256:
		k := key.(*rsa.PublicKey)
		members = fmt.Sprintf(`{"e":%q,"kty":"RSA","n":%q}`, b64(big.NewInt(int64(k.E)).Bytes()), b64(k.N.Bytes()))
	case ES256:
		raw, err := key.(*ecdsa.PublicKey).Bytes() // 0x04 || X || Y, 32 bytes each
		if err != nil {
			return "", fmt.Errorf("jwks: thumbprint: %w", err)
		}
		members = fmt.Sprintf(`{"crv":"P-256","kty":"EC","x":%q,"y":%q}`, b64(raw[1:33]), b64(raw[33:65]))
	case EdDSA:
		members = fmt.Sprintf(`{"crv":"Ed25519","kty":"OKP","x":%q}`, b64(key.(ed25519.PublicKey)))
	default:
		return "", fmt.Errorf("jwks: thumbprint: unsupported key type %T", key)
	}
	sum := sha256.Sum256([]byte(members))
	return b64(sum[:]), nil
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
