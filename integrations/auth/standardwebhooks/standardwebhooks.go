// Package standardwebhooks signs and verifies HTTP requests with Standard
// Webhooks v1 (https://www.standardwebhooks.com): an HMAC-SHA256 of
// "{webhook-id}.{webhook-timestamp}.{body}" under a shared secret, carried in
// the webhook-id, webhook-timestamp and webhook-signature headers.
//
// jkngate verifies the licensing system's webhooks with it and signs its own
// decision callbacks. It uses the standard library only.
package standardwebhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// Tolerance is how far a message's timestamp may be from now, either way,
// and still be accepted. It bounds how long a captured request can be
// replayed.
const Tolerance = 5 * time.Minute

const secretPrefix = "whsec_"

// Errors returned by Verify. Each is wrapped with detail; test with errors.Is.
var (
	// ErrMissingHeaders: webhook-id, webhook-timestamp or webhook-signature
	// is absent or empty.
	ErrMissingHeaders = errors.New("missing signature headers")
	// ErrInvalidSignature: no v1 signature in webhook-signature matches any
	// of the secrets, or webhook-timestamp is not a Unix time in seconds.
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrTimestampOutOfTolerance: webhook-timestamp is more than Tolerance
	// before or after now.
	ErrTimestampOutOfTolerance = errors.New("timestamp out of tolerance")
)

// Secret is a signing key. Its String method never reveals the key, so a
// Secret can be logged or printed in a config dump safely.
type Secret struct {
	key []byte
}

// ParseSecret parses a secret of the form "whsec_<base64 key>" (padded or
// unpadded standard base64). It returns an error, which does not repeat the
// secret, when the prefix is missing, the base64 is invalid or the key is
// empty.
func ParseSecret(s string) (Secret, error) {
	enc, ok := strings.CutPrefix(s, secretPrefix)
	if !ok {
		return Secret{}, errors.New("webhook secret must start with " + secretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		key, err = base64.RawStdEncoding.DecodeString(enc)
	}
	if err != nil {
		return Secret{}, errors.New("webhook secret is not valid base64 after " + secretPrefix)
	}
	if len(key) == 0 {
		return Secret{}, errors.New("webhook secret is empty")
	}
	return Secret{key: key}, nil
}

// NewSecret returns a Secret for a raw key. The key is copied.
func NewSecret(key []byte) Secret {
	return Secret{key: append([]byte(nil), key...)}
}

// String returns the secret's form with the key hidden.
func (s Secret) String() string { return secretPrefix + "<redacted>" }

// GoString hides the key from %#v as well.
func (s Secret) GoString() string { return s.String() }

// Encode returns the secret as "whsec_<base64 key>", the form ParseSecret
// reads. Use it only to hand a secret to its owner (for example in the demo).
func (s Secret) Encode() string { return secretPrefix + base64.StdEncoding.EncodeToString(s.key) }

// IsZero reports whether s holds no key.
func (s Secret) IsZero() bool { return len(s.key) == 0 }

// Sign returns the v1 signature, "v1,<base64 HMAC-SHA256>", of body sent as
// message msgID at ts (whole seconds; the fraction is dropped).
func Sign(key Secret, msgID string, ts time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, msgID, strconv.FormatInt(ts.Unix(), 10), body))
}

// SetHeaders sets the three Standard Webhooks headers on h for an outgoing
// message signed with key.
func SetHeaders(h http.Header, key Secret, msgID string, ts time.Time, body []byte) {
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, Sign(key, msgID, ts, body))
}

// Verify checks a received message: the three headers must be present, the
// timestamp within Tolerance of now, and some "v1,..." entry of the
// space-separated webhook-signature list must match body under one of the
// secrets (any of several, so that secrets can be rotated). Signatures are
// compared in constant time; entries of other versions are ignored.
//
// It returns nil or an error wrapping ErrMissingHeaders,
// ErrTimestampOutOfTolerance or ErrInvalidSignature. A webhook-timestamp that
// is present but not a decimal Unix time in seconds is ErrInvalidSignature:
// the header is there, but no valid signature can cover it.
func Verify(h http.Header, body []byte, secrets []Secret, now time.Time) error {
	id, tsText, sigs := h.Get(HeaderID), h.Get(HeaderTimestamp), h.Get(HeaderSignature)
	var missing []string
	for _, hv := range [][2]string{{HeaderID, id}, {HeaderTimestamp, tsText}, {HeaderSignature, sigs}} {
		if strings.TrimSpace(hv[1]) == "" {
			missing = append(missing, hv[0])
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrMissingHeaders, strings.Join(missing, ", "))
	}
	if !isDigits(tsText) || len(tsText) > 18 {
		return fmt.Errorf("%w: %s is not a Unix time in seconds", ErrInvalidSignature, HeaderTimestamp)
	}
	sec, _ := strconv.ParseInt(tsText, 10, 64) // cannot fail: at most 18 digits
	if d := now.Sub(time.Unix(sec, 0)); d > Tolerance || d < -Tolerance {
		return fmt.Errorf("%w: %s is %s from now, more than %s", ErrTimestampOutOfTolerance,
			HeaderTimestamp, d.Abs().Truncate(time.Second), Tolerance)
	}

	// The signed content uses the timestamp exactly as sent.
	expected := make([][]byte, 0, len(secrets))
	for _, s := range secrets {
		if s.IsZero() {
			continue
		}
		m := mac(s, id, tsText, body)
		enc := make([]byte, base64.StdEncoding.EncodedLen(len(m)))
		base64.StdEncoding.Encode(enc, m)
		expected = append(expected, enc)
	}
	matched := false
	for _, entry := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		for _, e := range expected {
			// No early exit: the time taken does not depend on which
			// entry or secret matched.
			if hmac.Equal([]byte(sig), e) {
				matched = true
			}
		}
	}
	if !matched {
		return fmt.Errorf("%w: no v1 signature matches", ErrInvalidSignature)
	}
	return nil
}

func mac(key Secret, msgID, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, key.key)
	m.Write([]byte(msgID))
	m.Write([]byte{'.'})
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
