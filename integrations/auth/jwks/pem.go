package jwks

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
)

// FromPEMFile reads the public keys in a PEM file (JKNGATE_JWT_PUBLIC_KEYS_FILE):
// "PUBLIC KEY" (PKIX), "RSA PUBLIC KEY" (PKCS #1) and "CERTIFICATE" blocks
// holding RSA (at least MinRSABits), ECDSA P-256 or Ed25519 keys. Each key's
// kid is its RFC 7638 thumbprint. Errors name the file and the block at
// fault: no keys, an unreadable block, a private key, or an unsupported key
// type; nothing is accepted from a file with any bad block.
func FromPEMFile(path string) (*Static, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	keys, err := ParsePEM(data)
	if err != nil {
		return nil, fmt.Errorf("jwks: %s: %w", path, err)
	}
	return keys, nil
}

// ParsePEM is FromPEMFile on the file's content.
func ParsePEM(data []byte) (*Static, error) {
	keys := map[string]any{}
	for n := 1; ; n++ {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		key, err := parseBlock(block)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", n, block.Type, err)
		}
		kid, err := Thumbprint(key)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d (%s): %w", n, block.Type, err)
		}
		keys[kid] = key
	}
	if len(keys) == 0 {
		return nil, errors.New("no PEM public key found")
	}
	return NewStatic(keys), nil
}

func parseBlock(b *pem.Block) (any, error) {
	var key any
	var err error
	switch b.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(b.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(b.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(b.Bytes); err == nil {
			key = cert.PublicKey
		}
	default:
		if strings.Contains(b.Type, "PRIVATE KEY") {
			return nil, errors.New("a private key does not belong in a public key file")
		}
		return nil, errors.New("unsupported PEM block type")
	}
	if err != nil {
		return nil, err
	}
	if algOf(key) == "" {
		return nil, fmt.Errorf("unsupported key %s (want RSA of at least %d bits, ECDSA P-256 or Ed25519)", describe(key), MinRSABits)
	}
	return key, nil
}
