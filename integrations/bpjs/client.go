// Package bpjs is jkngate's client for BPJS Kesehatan: participant lookups
// on VClaim and employer lookups on the data-sharing endpoint of contract
// section 8, both over the TrustMark scheme (package trustmark).
//
// The client is deliberately plain: one HTTP call per lookup, no retries,
// cache or circuit breaker. Those are decorators around it, so that each
// can be tested and configured on its own.
package bpjs

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
)

// Error codes of the *gate.Error values the client returns besides
// gate.CodeBPJSUnavailable, all of gate.KindUnavailable (except
// CodeInvalidConfig and CodeInvalidID).
const (
	// CodeSignatureRejected: BPJS refused our TrustMark headers (HTTP 401
	// or metaData code 401): wrong credentials or a drifting clock.
	CodeSignatureRejected = "bpjs_signature_rejected"
	// CodeRejected: BPJS answered with a business code that is neither
	// success nor "not found".
	CodeRejected = "bpjs_rejected"
	// CodeInvalidConfig (gate.KindInvalid) is returned by New.
	CodeInvalidConfig = "invalid_bpjs_config"
	// CodeInvalidID (gate.KindInvalid): an empty NIB or NIK.
	CodeInvalidID = "invalid_bpjs_id"
)

// DefaultTimeout bounds one call when Config.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// maxBody bounds how much of a response is read: BPJS answers are a few
// kilobytes, and a misbehaving server must not make us buffer gigabytes.
const maxBody = 1 << 20

// wib is Western Indonesia Time (Asia/Jakarta, UTC+7, no DST). A fixed
// zone spares the binary a tzdata dependency.
var wib = time.FixedZone("WIB", 7*3600)

var _ gate.Registry = (*Client)(nil)

// Config configures a Client.
type Config struct {
	BaseURL         string // VClaim base URL (participant lookups); required
	EmployerBaseURL string // employer data-sharing base URL; "" disables employer lookups
	Credentials     trustmark.Credentials
	Timeout         time.Duration // per call; 0 means DefaultTimeout
	HTTPClient      *http.Client  // nil means a client that does not follow redirects
	Now             gate.Clock    // signs requests; the system clock when nil
}

// Client looks employers and participants up at BPJS Kesehatan. It is safe
// for concurrent use. It logs nothing, and its errors never carry a NIK
// unmasked.
type Client struct {
	base, employerBase string
	creds              trustmark.Credentials
	timeout            time.Duration
	http               *http.Client
	now                func() time.Time
}

// New checks cfg and returns a Client. It returns a *gate.Error of
// gate.KindInvalid (code CodeInvalidConfig) when a base URL is not an
// absolute http(s) URL, a credential is empty, or Timeout is negative.
func New(cfg Config) (*Client, error) {
	if err := checkBase(cfg.BaseURL); err != nil {
		return nil, gate.Errorf(gate.KindInvalid, CodeInvalidConfig, "bpjs: base URL: %w", err)
	}
	if cfg.EmployerBaseURL != "" {
		if err := checkBase(cfg.EmployerBaseURL); err != nil {
			return nil, gate.Errorf(gate.KindInvalid, CodeInvalidConfig, "bpjs: employer base URL: %w", err)
		}
	}
	cr := cfg.Credentials
	if cr.ConsID == "" || cr.Secret == "" || cr.UserKey == "" {
		return nil, gate.Errorf(gate.KindInvalid, CodeInvalidConfig, "bpjs: cons id, secret and user key are all required")
	}
	if cfg.Timeout < 0 {
		return nil, gate.Errorf(gate.KindInvalid, CodeInvalidConfig, "bpjs: negative timeout %s", cfg.Timeout)
	}
	c := &Client{
		base:         strings.TrimRight(cfg.BaseURL, "/"),
		employerBase: strings.TrimRight(cfg.EmployerBaseURL, "/"),
		creds:        cr,
		timeout:      cfg.Timeout,
		http:         cfg.HTTPClient,
		now:          cfg.Now.Now,
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.http == nil {
		// Go keeps custom headers across redirects, even to another host:
		// following one could hand user_key to a stranger.
		c.http = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
	}
	return c, nil
}

func checkBase(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return nil
}

// Participant looks a participant up by NIK on VClaim, for today's date in
// Asia/Jakarta. A found participant carries Fetch{Source: gate.SourceLive}.
// BPJS's "not found" (code 201) is Found false with a nil error. Every other
// failure is a *gate.Error of gate.KindUnavailable (gate.CodeBPJSUnavailable,
// CodeSignatureRejected or CodeRejected); when ctx ends first the error
// also wraps ctx.Err(). An empty NIK is gate.KindInvalid.
func (c *Client) Participant(ctx context.Context, nik string) (gate.ParticipantLookup, error) {
	if nik == "" {
		return gate.ParticipantLookup{}, gate.Errorf(gate.KindInvalid, CodeInvalidID, "bpjs: empty NIK")
	}
	now := c.now()
	path := "/Peserta/nik/%s/tglSEP/" + now.In(wib).Format("2006-01-02")
	call := request{
		what:  "participant lookup",
		url:   c.base + fmt.Sprintf(path, url.PathEscape(nik)),
		shown: c.base + fmt.Sprintf(path, gate.MaskNIK(nik)),
		now:   now,
	}
	plain, found, err := c.get(ctx, call)
	if err != nil || !found {
		return gate.ParticipantLookup{}, err
	}
	p, err := decodeParticipant(plain, nik)
	if err != nil {
		return gate.ParticipantLookup{}, unavailable(ctx, gate.CodeBPJSUnavailable, call, err)
	}
	return gate.ParticipantLookup{Found: true, Participant: p, Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: now}}, nil
}

// Employer looks an employer up by NIB on the data-sharing endpoint. It
// returns a *gate.Error of gate.KindUnavailable with code
// gate.CodeEmployerSourceDisabled when Config.EmployerBaseURL was empty;
// otherwise it behaves like Participant: Found false for code 201, an error
// of gate.KindUnavailable for any other failure.
func (c *Client) Employer(ctx context.Context, nib string) (gate.EmployerLookup, error) {
	if c.employerBase == "" {
		return gate.EmployerLookup{}, gate.Errorf(gate.KindUnavailable, gate.CodeEmployerSourceDisabled,
			"bpjs: no employer data source is configured")
	}
	if nib == "" {
		return gate.EmployerLookup{}, gate.Errorf(gate.KindInvalid, CodeInvalidID, "bpjs: empty NIB")
	}
	u := c.employerBase + "/BadanUsaha/nib/" + url.PathEscape(nib)
	call := request{what: "employer lookup", url: u, shown: u, now: c.now()}
	plain, found, err := c.get(ctx, call)
	if err != nil || !found {
		return gate.EmployerLookup{}, err
	}
	e, err := decodeEmployer(plain, nib)
	if err != nil {
		return gate.EmployerLookup{}, unavailable(ctx, gate.CodeBPJSUnavailable, call, err)
	}
	return gate.EmployerLookup{Found: true, Employer: e, Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: call.now}}, nil
}
