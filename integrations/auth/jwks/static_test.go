package jwks

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestThumbprintRFC7638 checks the example of RFC 7638 section 3.1.
func TestThumbprintRFC7638(t *testing.T) {
	n, err := decodeB64("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw", "n")
	if err != nil {
		t.Fatal(err)
	}
	got := mustThumbprint(t, &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537})
	if want := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("thumbprint %s, want %s", got, want)
	}
}

// TestThumbprintMatchesCanonicalJSON recomputes the thumbprints of EC and
// OKP keys with encoding/json, which sorts map keys as RFC 7638 requires.
func TestThumbprintMatchesCanonicalJSON(t *testing.T) {
	k := mustKeys(t)
	raw, err := k.ec.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key     any
		members map[string]string
	}{
		{&k.ec.PublicKey, map[string]string{"kty": "EC", "crv": "P-256", "x": b64(raw[1:33]), "y": b64(raw[33:])}},
		{k.ed.Public(), map[string]string{"kty": "OKP", "crv": "Ed25519", "x": b64(k.ed.Public().(ed25519.PublicKey))}},
	} {
		js, _ := json.Marshal(tc.members)
		sum := sha256.Sum256(js)
		if got, want := mustThumbprint(t, tc.key), b64(sum[:]); got != want {
			t.Errorf("%s: thumbprint %s, want %s", tc.members["kty"], got, want)
		}
	}
}

func writePEM(t *testing.T, blocks ...[]byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "keys.pem")
	if err := os.WriteFile(path, slices.Concat(blocks...), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFromPEMFile(t *testing.T) {
	k := mustKeys(t)
	rsaPKCS1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.rsa2.PublicKey)})
	path := writePEM(t, pkixPEM(t, &k.rsa1.PublicKey), rsaPKCS1, certPEM(t, k.ec), pkixPEM(t, k.ed.Public()))
	set, err := FromPEMFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kidRSA1, kidRSA2 := mustThumbprint(t, &k.rsa1.PublicKey), mustThumbprint(t, &k.rsa2.PublicKey)
	kidEC, kidEd := mustThumbprint(t, &k.ec.PublicKey), mustThumbprint(t, k.ed.Public())
	want := []string{kidRSA1, kidRSA2, kidEC, kidEd}
	slices.Sort(want)
	if got := set.Kids(); !slices.Equal(got, want) {
		t.Fatalf("kids %v, want %v", got, want)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		name, kid, alg string
		want           any
		err            error
	}{
		{"rsa by kid", kidRSA2, RS256, &k.rsa2.PublicKey, nil},
		{"ec by kid", kidEC, ES256, &k.ec.PublicKey, nil},
		{"ed25519 by kid", kidEd, EdDSA, k.ed.Public(), nil},
		{"ec without kid: the only EC key", "", ES256, &k.ec.PublicKey, nil},
		{"ed25519 without kid: the only one", "", EdDSA, k.ed.Public(), nil},
		{"rsa without kid: two candidates", "", RS256, nil, ErrKeyNotFound},
		{"rsa key for ES256", kidRSA1, ES256, nil, ErrAlgorithm},
		{"ec key for EdDSA", kidEC, EdDSA, nil, ErrAlgorithm},
		{"HS256 never gets a key", kidRSA1, "HS256", nil, ErrAlgorithm},
		{"none never gets a key", "", "none", nil, ErrAlgorithm},
		{"unknown kid", "nope", RS256, nil, ErrKeyNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := set.Key(ctx, tc.kid, tc.alg)
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if tc.want != nil && !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.want) {
				t.Errorf("got another key")
			}
		})
	}
}

func TestFromPEMFileRejects(t *testing.T) {
	k := mustKeys(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(k.ec)
	if err != nil {
		t.Fatal(err)
	}
	good := pkixPEM(t, &k.rsa1.PublicKey)
	for _, tc := range []struct {
		name string
		file []byte
		want string
	}{
		{"empty", nil, "no PEM public key"},
		{"garbage", []byte("not a key"), "no PEM public key"},
		{"private key", slices.Concat(good, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER})), "block 2 (PRIVATE KEY): a private key"},
		{"P-384", pkixPEM(t, &p384.PublicKey), "unsupported key ECDSA P-384"},
		{"RSA 1024", pkixPEM(t, &small.PublicKey), "unsupported key RSA 1024 bits"},
		{"corrupt block", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1, 2, 3}}), "block 1 (PUBLIC KEY)"},
		{"other block", pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: []byte{1}}), "unsupported PEM block type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writePEM(t, tc.file)
			_, err := FromPEMFile(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("err %v, want one naming %s and containing %q", err, path, tc.want)
			}
		})
	}
	if _, err := FromPEMFile(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Error("a missing file was accepted")
	}
}

func TestNewStaticReducesPrivateKeysAndDropsUnsupported(t *testing.T) {
	k := mustKeys(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set := NewStatic(map[string]any{"a": k.rsa1, "b": p384, "c": []byte("secret")})
	if got := set.Kids(); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("kids %v", got)
	}
	key, err := set.Key(context.Background(), "a", RS256)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := key.(*rsa.PublicKey); !ok {
		t.Errorf("key %T, want the public half", key)
	}
}

func TestMulti(t *testing.T) {
	k := mustKeys(t)
	ctx := context.Background()
	pemKeys := NewStatic(map[string]any{"rsa-a": &k.rsa1.PublicKey, "ec": &k.ec.PublicKey})
	remote := NewStatic(map[string]any{"rsa-b": &k.rsa2.PublicKey, "ed": k.ed.Public()})
	m := Multi{pemKeys, remote}
	for _, tc := range []struct {
		kid, alg string
		want     any
		err      error
	}{
		{"rsa-a", RS256, &k.rsa1.PublicKey, nil},
		{"rsa-b", RS256, &k.rsa2.PublicKey, nil},
		{"", EdDSA, k.ed.Public(), nil},
		{"", ES256, &k.ec.PublicKey, nil},
		{"", RS256, nil, ErrKeyNotFound}, // one RSA key in each set
		{"ec", RS256, nil, ErrAlgorithm},
		{"nope", RS256, nil, ErrKeyNotFound},
	} {
		got, err := m.Key(ctx, tc.kid, tc.alg)
		if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
			t.Errorf("%q %s: err %v, want %v", tc.kid, tc.alg, err, tc.err)
			continue
		}
		if tc.want != nil && !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.want) {
			t.Errorf("%q %s: another key", tc.kid, tc.alg)
		}
	}
	// Two RSA keys in one set stay ambiguous next to a set with none.
	two := NewStatic(map[string]any{"a": &k.rsa1.PublicKey, "b": &k.rsa2.PublicKey})
	if _, err := (Multi{two, NewStatic(map[string]any{"ed": k.ed.Public()})}).Key(ctx, "", RS256); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("ambiguous kid-less lookup: %v", err)
	}
}
