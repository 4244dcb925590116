// Package trustmark implements BPJS Kesehatan's "TrustMark" scheme (VClaim
// 2.0): the four request headers that sign a call, and the encryption of the
// response payload (LZ-String, then AES-256-CBC keyed by the consumer's
// credentials and the request's timestamp). It is shared by the BPJS client
// and the BPJS simulator so that both sides speak exactly the same scheme.
package trustmark

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// The TrustMark request headers.
const (
	HeaderConsID    = "X-cons-id"
	HeaderTimestamp = "X-timestamp"
	HeaderSignature = "X-signature"
	HeaderUserKey   = "user_key"
)

// Credentials are a consumer's TrustMark credentials. Secret and UserKey are
// secrets: never log them.
type Credentials struct {
	ConsID, Secret, UserKey string
}

// Errors of Verify. Each names what the caller got wrong, so that a server
// can answer "invalid signature" distinctly from a clock problem.
var (
	ErrMissingHeaders      = errors.New("trustmark: missing TrustMark headers")
	ErrBadConsID           = errors.New("trustmark: unknown consumer id")
	ErrBadUserKey          = errors.New("trustmark: wrong user_key")
	ErrBadSignature        = errors.New("trustmark: invalid signature")
	ErrTimestampOutOfRange = errors.New("trustmark: timestamp out of range")
)

// errCipher is wrapped by every Decrypt error about the ciphertext itself.
var errCipher = errors.New("trustmark: invalid response ciphertext")

// Signature returns base64(HMAC-SHA256(key = secret, message = consID + "&" +
// timestamp)) in standard base64, the value of the X-signature header.
func Signature(consID, secret, timestamp string) string {
	return hmacBase64(secret, consID+"&"+timestamp)
}

func hmacBase64(key, message string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(message))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Key returns SHA-256(consID + secret + timestamp), the AES-256 key of a
// response; the IV is its first 16 bytes. timestamp must be the exact
// X-timestamp string of the request.
func Key(consID, secret, timestamp string) [32]byte {
	return sha256.Sum256([]byte(consID + secret + timestamp))
}

// Encrypt produces a response payload as BPJS does: plain (UTF-8) is
// compressed with CompressToEncodedURIComponent, PKCS#7-padded, encrypted
// with AES-256-CBC under Key and IV Key[:16], and base64-encoded (standard
// alphabet). The result is deterministic. The error is always nil today; it
// is kept so that a failure of the cipher can be reported, not panicked on.
func Encrypt(plain []byte, consID, secret, timestamp string) (string, error) {
	data := []byte(CompressToEncodedURIComponent(string(plain)))
	pad := aes.BlockSize - len(data)%aes.BlockSize
	data = append(data, bytes.Repeat([]byte{byte(pad)}, pad)...)

	key := Key(consID, secret, timestamp)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return "", fmt.Errorf("trustmark: %w", err)
	}
	cipher.NewCBCEncrypter(block, key[:aes.BlockSize]).CryptBlocks(data, data)
	return base64.StdEncoding.EncodeToString(data), nil
}

// Decrypt reverses Encrypt: base64 (standard), AES-256-CBC under Key, a
// strict PKCS#7 check (length a positive multiple of 16, pad length 1 to 16,
// every pad byte checked), then DecompressFromEncodedURIComponent. It
// returns the UTF-8 plaintext, or an error when any step fails; a wrong key
// or timestamp almost always shows up as bad padding or bad LZ-String data.
// Decrypt never panics.
func Decrypt(response string, consID, secret, timestamp string) ([]byte, error) {
	data, err := base64.StdEncoding.DecodeString(response)
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %w", errCipher, err)
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: length %d is not a positive multiple of %d", errCipher, len(data), aes.BlockSize)
	}
	key := Key(consID, secret, timestamp)
	block, err := aes.NewCipher(key[:])
	if err != nil {
		return nil, fmt.Errorf("trustmark: %w", err)
	}
	cipher.NewCBCDecrypter(block, key[:aes.BlockSize]).CryptBlocks(data, data)

	pad := int(data[len(data)-1])
	if pad < 1 || pad > aes.BlockSize {
		return nil, fmt.Errorf("%w: bad padding", errCipher)
	}
	// Check every pad byte in constant time: the answer is the same either
	// way, and it costs nothing to not be a padding oracle.
	want := bytes.Repeat([]byte{byte(pad)}, pad)
	if subtle.ConstantTimeCompare(data[len(data)-pad:], want) != 1 {
		return nil, fmt.Errorf("%w: bad padding", errCipher)
	}
	plain, err := DecompressFromEncodedURIComponent(string(data[:len(data)-pad]))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errCipher, err)
	}
	return []byte(plain), nil
}

// Sign sets the four TrustMark headers on h for a request made at now, and
// returns the X-timestamp string it used. Callers must decrypt the response
// with that same string, not with a second reading of the clock.
func Sign(h http.Header, c Credentials, now time.Time) (timestamp string) {
	timestamp = strconv.FormatInt(now.Unix(), 10)
	h.Set(HeaderConsID, c.ConsID)
	h.Set(HeaderTimestamp, timestamp)
	h.Set(HeaderSignature, Signature(c.ConsID, c.Secret, timestamp))
	h.Set(HeaderUserKey, c.UserKey)
	return timestamp
}

// Verify checks the four TrustMark headers in h against c, and that the
// timestamp is within tolerance of now (either side). On success it returns
// the X-timestamp string, the one to encrypt the response with. Errors, in
// the order checked: ErrMissingHeaders (any header absent or empty),
// ErrBadConsID, ErrBadUserKey, ErrTimestampOutOfRange (also for a timestamp
// that is not decimal Unix seconds), ErrBadSignature, then
// ErrTimestampOutOfRange for a well-signed but stale or future timestamp.
func Verify(h http.Header, c Credentials, now time.Time, tolerance time.Duration) (string, error) {
	consID, ts, sig, userKey := h.Get(HeaderConsID), h.Get(HeaderTimestamp), h.Get(HeaderSignature), h.Get(HeaderUserKey)
	if consID == "" || ts == "" || sig == "" || userKey == "" {
		return "", ErrMissingHeaders
	}
	if !equal(consID, c.ConsID) {
		return "", ErrBadConsID
	}
	if !equal(userKey, c.UserKey) {
		return "", ErrBadUserKey
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", fmt.Errorf("%w: %q is not Unix seconds", ErrTimestampOutOfRange, ts)
	}
	if !equal(sig, Signature(c.ConsID, c.Secret, ts)) {
		return "", ErrBadSignature
	}
	// Compare in whole seconds against bounds computed from now: a
	// difference sec-now could overflow for a hostile timestamp, the bounds
	// cannot for any real clock.
	tol := int64(tolerance / time.Second)
	if sec < now.Unix()-tol || sec > now.Unix()+tol {
		return "", fmt.Errorf("%w: %s is more than %s from now", ErrTimestampOutOfRange, ts, tolerance)
	}
	return ts, nil
}

// equal compares two secrets-derived strings in constant time.
func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
