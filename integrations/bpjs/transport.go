package bpjs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
)

// request is one lookup call.
type request struct {
	what  string    // "participant lookup", for messages
	url   string    // what is requested
	shown string    // url with personal data masked: the only form put in errors
	now   time.Time // the request's time: its TrustMark timestamp and AsOf
}

// BPJS's business codes (metaData.code) that the client acts on.
const (
	codeOK       = "200"
	codeNotFound = "201" // "not found / does not match", with response null
	codeAuth     = "401"
)

// get performs call. It returns the decrypted payload and found true for
// code 200, found false and a nil error for code 201, and otherwise a
// *gate.Error of gate.KindUnavailable.
func (c *Client) get(ctx context.Context, call request) ([]byte, bool, error) {
	callCtx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(callCtx, http.MethodGet, call.url, nil)
	if err != nil {
		return nil, false, unavailable(ctx, gate.CodeBPJSUnavailable, call, stripURL(err))
	}
	req.Header.Set("Accept", "application/json")
	// The timestamp is read once: the response is encrypted with the exact
	// string sent, and a second reading of the clock may differ.
	ts := trustmark.Sign(req.Header, c.creds, call.now)

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, false, unavailable(ctx, gate.CodeBPJSUnavailable, call, c.transportErr(ctx, callCtx, stripURL(err)))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, false, unavailable(ctx, gate.CodeBPJSUnavailable, call, c.transportErr(ctx, callCtx, fmt.Errorf("reading the body: %w", err)))
	}
	if len(body) > maxBody {
		return nil, false, unavailable(ctx, gate.CodeBPJSUnavailable, call, fmt.Errorf("HTTP %d with a body over %d bytes", resp.StatusCode, maxBody))
	}

	status := resp.StatusCode
	var env envelope
	jsonErr := json.Unmarshal(body, &env)
	m := env.meta()
	switch {
	case status == http.StatusUnauthorized || (m != nil && m.Code == codeAuth):
		return nil, false, unavailable(ctx, CodeSignatureRejected, call,
			fmt.Errorf("BPJS rejected the TrustMark signature (HTTP %d%s): check credentials and the host clock", status, m.describe()))
	case status >= 500:
		return nil, false, unavailable(ctx, gate.CodeBPJSUnavailable, call, fmt.Errorf("HTTP %d%s", status, m.describe()))
	case jsonErr != nil || m == nil:
		// An HTML error page or an empty body is an outage, never a
		// "not registered".
		return nil, false, unavailable(ctx, gate.CodeBPJSUnavailable, call,
			fmt.Errorf("HTTP %d with %s, not a BPJS envelope", status, describeBody(body, resp.Header.Get("Content-Type"))))
	case status < 200 || status > 299:
		return nil, false, unavailable(ctx, CodeRejected, call, fmt.Errorf("HTTP %d%s", status, m.describe()))
	}

	switch m.Code {
	case codeOK:
		cipherText, err := env.responseString()
		if err != nil {
			return nil, false, unavailable(ctx, gate.CodeBPJSUnavailable, call, fmt.Errorf("code 200: %w", err))
		}
		plain, err := trustmark.Decrypt(cipherText, c.creds.ConsID, c.creds.Secret, ts)
		if err != nil {
			return nil, false, unavailable(ctx, gate.CodeBPJSUnavailable, call, err)
		}
		return plain, true, nil
	case codeNotFound:
		// "Not registered" decides against a business, so it must be
		// unambiguous: code 201 and nothing in response.
		if !env.responseEmpty() {
			return nil, false, unavailable(ctx, gate.CodeBPJSUnavailable, call, errors.New("code 201 with a non-empty response"))
		}
		return nil, false, nil
	default:
		return nil, false, unavailable(ctx, CodeRejected, call, fmt.Errorf("BPJS answered%s", m.describe()))
	}
}

// transportErr explains a failed call: our own per-call timeout is named as
// such; anything else is returned as it is.
func (c *Client) transportErr(ctx, callCtx context.Context, err error) error {
	if ctx.Err() == nil && errors.Is(callCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s: %w", c.timeout, err)
	}
	return err
}

// unavailable builds the client's error. When ctx itself has ended, the
// error wraps ctx.Err() so that callers can tell cancellation from an
// outage with errors.Is.
func unavailable(ctx context.Context, code string, call request, cause error) *gate.Error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(cause, ctxErr) {
		cause = fmt.Errorf("%w: %w", ctxErr, cause)
	}
	return &gate.Error{
		Kind:    gate.KindUnavailable,
		Code:    code,
		Message: "BPJS " + call.what + " failed",
		Err:     fmt.Errorf("GET %s: %w", call.shown, cause),
	}
}

// stripURL drops net/http's *url.Error wrapper, which repeats the URL with
// the NIK unmasked; unavailable already names the call by its masked URL.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// describeBody says what a body that is not an envelope looks like, without
// quoting it (it may hold anything).
func describeBody(body []byte, contentType string) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return "an empty body"
	}
	if contentType == "" {
		contentType = http.DetectContentType(body)
	}
	return fmt.Sprintf("a %d-byte %s body", len(body), contentType)
}

// envelope is BPJS's response wrapper. VClaim says "metaData" with string
// codes; other BPJS services say "metadata" with numeric codes.
type envelope struct {
	MetaData *meta           `json:"metaData"`
	Metadata *meta           `json:"metadata"`
	Response json.RawMessage `json:"response"`
}

type meta struct {
	Code    flexString `json:"code"`
	Message string     `json:"message"`
}

func (e *envelope) meta() *meta {
	if e.MetaData != nil {
		return e.MetaData
	}
	return e.Metadata
}

func (e *envelope) responseEmpty() bool {
	r := bytes.TrimSpace(e.Response)
	return len(r) == 0 || string(r) == "null" || string(r) == `""`
}

// responseString returns the encrypted response, which must be a
// non-empty JSON string.
func (e *envelope) responseString() (string, error) {
	if e.responseEmpty() {
		return "", errors.New("no response")
	}
	var s string
	if err := json.Unmarshal(e.Response, &s); err != nil {
		return "", errors.New("response is not a string")
	}
	return s, nil
}

// describe renders the code and message for an error, or "" without meta.
func (m *meta) describe() string {
	if m == nil {
		return ""
	}
	return fmt.Sprintf(", code %q: %q", string(m.Code), m.Message)
}

// flexString accepts a JSON string or number, since BPJS services disagree
// on the type of codes; null is "".
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(strings.TrimSpace(s))
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number: %w", err)
	}
	*f = flexString(n)
	return nil
}
