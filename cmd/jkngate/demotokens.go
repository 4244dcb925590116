package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/integrations/auth/jwks"
)

// demoSigner signs the demo's people tokens with an Ed25519 key it makes at
// start; the gate verifies them with the matching public key.
type demoSigner struct {
	key ed25519.PrivateKey
	kid string
	cfg config.Config
}

func newDemoSigner(cfg config.Config) (*demoSigner, jwks.KeySet, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	kid, err := jwks.Thumbprint(pub)
	if err != nil {
		return nil, nil, err
	}
	return &demoSigner{key: priv, kid: kid, cfg: cfg}, jwks.NewStatic(map[string]any{kid: pub}), nil
}

// token returns a signed token for sub with roles and regions, valid 12 h.
func (s *demoSigner) token(sub string, roles, regions []string) (string, error) {
	now := time.Now()
	claims := jwt.MapClaims{
		"iss": s.cfg.JWTIssuer, "aud": s.cfg.JWTAudience, "sub": sub,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(12 * time.Hour).Unix(),
		"roles": roles, "regions": regions,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
	t.Header["kid"] = s.kid
	return t.SignedString(s.key)
}

// printPeople prints officer, reviewer and admin tokens and a curl line
// for each of: company status, review queue, override, audit trail.
func printPeople(w io.Writer, base string, s *demoSigner, results []sampleResult, allRegions []string) {
	var denied *sampleResult
	for i := range results {
		if results[i].outcome == "deny" && results[i].decisionID != "" {
			denied = &results[i]
			break
		}
	}
	if denied == nil {
		return
	}
	officer, err1 := s.token("officer-"+denied.region, []string{"officer"}, []string{denied.region})
	reviewer, err2 := s.token("reviewer-bpjs", []string{"reviewer"}, allRegions)
	admin, err3 := s.token("admin-demo", []string{"admin"}, nil)
	if err := errors.Join(err1, err2, err3); err != nil {
		fmt.Fprintf(w, "could not sign demo tokens: %v\n", err)
		return
	}
	fmt.Fprintf(w, "people's API tokens (Ed25519, valid 12 h; paste into your shell):\n")
	fmt.Fprintf(w, "  OFFICER=%s   # officer of region %s\n", officer, denied.region)
	fmt.Fprintf(w, "  REVIEWER=%s   # BPJS reviewer, all demo regions\n", reviewer)
	fmt.Fprintf(w, "  ADMIN=%s   # administrator: every region, audit trail\n\n", admin)
	fmt.Fprintf(w, "try them:\n")
	fmt.Fprintf(w, "  curl -s %s/v1/companies/%s -H \"Authorization: Bearer $OFFICER\"   # company status\n", base, denied.nib)
	fmt.Fprintf(w, "  curl -s %s/v1/reviews -H \"Authorization: Bearer $REVIEWER\"   # review queue\n", base)
	fmt.Fprintf(w, "  curl -s -X POST %s/v1/decisions/%s/review -H \"Authorization: Bearer $REVIEWER\" -H 'Content-Type: application/json' -d '{\"action\":\"override\",\"note\":\"Registrasi pekerja sudah diverifikasi di kantor cabang\"}'   # override the denial of %s\n",
		base, denied.decisionID, denied.appID)
	fmt.Fprintf(w, "  curl -s %s/v1/audit -H \"Authorization: Bearer $ADMIN\"   # audit trail\n\n", base)
}
