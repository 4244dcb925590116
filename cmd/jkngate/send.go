package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
)

// stdin is what "jkngate send -" reads; tests replace it.
var stdin io.Reader = os.Stdin

// maxSendBody bounds what send reads from a file or standard input: the
// webhook refuses bodies over 1 MiB, and a few bytes more let it say so.
const maxSendBody = 1<<20 + 1

// listFlag is a repeatable string flag (--worker NIK --worker NIK ...).
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// sendOptions are send's flags.
type sendOptions struct {
	url, client, secret, secretFile, id string
	asJSON, data                        bool
	timeout                             time.Duration
	// event fields for --data
	appID, nib, npwp, company, region, permit, risk, scale, callback, employerCode string
	declared                                                                       int
	workers, kbli                                                                  listFlag
}

// send runs "jkngate send": it signs an event with Standard Webhooks as the
// webhook expects, posts it, and prints the answer. It returns nil for a
// 200 and an error (exit status 1) for anything else.
func send(ctx context.Context, args []string, _ func(string) string, stdout, _ io.Writer) error {
	var o sendOptions
	fs := newFlags("send", "FILE|-", `Signs a webhook event as the licensing system would (Standard Webhooks),
posts it to jkngate and prints the decision: outcome and reasons, or the
error with the fields at fault. FILE holds the event's JSON ("-" reads
standard input); with --data the event is built from the flags below
instead. Exit status 0 for an HTTP 200, 1 otherwise.

example:
  jkngate send --url http://localhost:8080 --client oss --secret whsec_... \
    --data --nib 9120001234567 --region 1275 --declared 12 --worker 1275014101900001`)
	fs.StringVar(&o.url, "url", "http://localhost:8080", "jkngate's base URL, or the full webhook URL")
	fs.StringVar(&o.client, "client", "", "webhook client id (required)")
	fs.StringVar(&o.secret, "secret", "", "the client's secret, whsec_... (required, or --secret-file)")
	fs.StringVar(&o.secretFile, "secret-file", "", "read the secret from this file instead (keeps it out of the process list)")
	fs.StringVar(&o.id, "id", "", "webhook-id (default: a new random msg_... id); resend one to test idempotency")
	fs.BoolVar(&o.asJSON, "json", false, "print the answer's JSON body as received")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up after this long")
	fs.BoolVar(&o.data, "data", false, "build the event from the flags below instead of FILE")
	fs.StringVar(&o.appID, "application-id", "", "data.application_id (default: SEND-<time>)")
	fs.StringVar(&o.nib, "nib", "", "data.nib, the company's NIB")
	fs.StringVar(&o.npwp, "npwp", "", "data.npwp")
	fs.StringVar(&o.company, "company-name", "", "data.company_name")
	fs.StringVar(&o.region, "region", "", "data.region_code, e.g. 1275")
	fs.StringVar(&o.permit, "permit-type", "business_license", "data.permit_type")
	fs.IntVar(&o.declared, "declared", 0, "data.declared_workers")
	fs.Var(&o.workers, "worker", "a worker's NIK (data.workers); repeat for more")
	fs.Var(&o.kbli, "kbli", "a KBLI code (data.kbli); repeat for more")
	fs.StringVar(&o.risk, "risk-level", "", "data.risk_level")
	fs.StringVar(&o.scale, "business-scale", "", "data.business_scale")
	fs.StringVar(&o.callback, "callback-url", "", "data.callback_url")
	fs.StringVar(&o.employerCode, "bpjs-employer-code", "", "data.bpjs_employer_code")
	if err := parseFlags(fs, args, stdout, 1); err != nil {
		return err
	}
	body, target, secret, err := o.prepare(fs.Args())
	if err != nil {
		return err
	}
	if o.id == "" {
		o.id = newMessageID()
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	standardwebhooks.SetHeaders(req.Header, secret, o.id, time.Now(), body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("send: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("send: reading the answer: %w", err)
	}
	if o.asJSON {
		stdout.Write(answer)
		if len(answer) > 0 && answer[len(answer)-1] != '\n' {
			fmt.Fprintln(stdout)
		}
	} else {
		printAnswer(stdout, resp.StatusCode, o.id, answer)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("send: HTTP %d from %s", resp.StatusCode, target)
	}
	return nil
}

// prepare checks the flags and returns the body to send, the webhook URL
// and the signing secret.
func (o *sendOptions) prepare(args []string) ([]byte, string, standardwebhooks.Secret, error) {
	var errs []error
	if o.client == "" {
		errs = append(errs, errors.New("--client is required"))
	}
	secret, err := o.loadSecret()
	if err != nil {
		errs = append(errs, err)
	}
	target, err := webhookURL(o.url, o.client)
	if err != nil {
		errs = append(errs, err)
	}
	var body []byte
	switch {
	case o.data && len(args) > 0:
		errs = append(errs, errors.New("give either --data or FILE, not both"))
	case o.data:
		body, err = o.event(time.Now())
	case len(args) == 0:
		errs = append(errs, errors.New("name a FILE with the event, - for standard input, or use --data"))
	default:
		body, err = readEvent(args[0])
	}
	if err != nil {
		errs = append(errs, err)
	}
	for i, err := range errs {
		errs[i] = fmt.Errorf("send: %w", err)
	}
	if len(errs) > 0 {
		errs = append(errs, errors.New(`send: see "jkngate send --help"`))
	}
	return body, target, secret, errors.Join(errs...)
}

func (o *sendOptions) loadSecret() (standardwebhooks.Secret, error) {
	s := o.secret
	switch {
	case s != "" && o.secretFile != "":
		return standardwebhooks.Secret{}, errors.New("give --secret or --secret-file, not both")
	case o.secretFile != "":
		b, err := os.ReadFile(o.secretFile)
		if err != nil {
			return standardwebhooks.Secret{}, fmt.Errorf("--secret-file: %w", err)
		}
		s = strings.TrimSpace(string(b))
	case s == "":
		return standardwebhooks.Secret{}, errors.New("--secret (whsec_...) is required")
	}
	secret, err := standardwebhooks.ParseSecret(s)
	if err != nil {
		return secret, fmt.Errorf("--secret: %w", err)
	}
	return secret, nil
}

// webhookURL turns --url into the client's webhook URL: a base URL gets
// /v1/webhooks/{client} appended; a URL that already names a path is used
// as given.
func webhookURL(base, client string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--url must be an http:// or https:// URL, like http://localhost:8080")
	}
	if strings.Trim(u.Path, "/") == "" {
		u.Path = "/v1/webhooks/" + url.PathEscape(client)
	}
	return u.String(), nil
}

// readEvent reads the event from path, or from standard input for "-".
func readEvent(path string) ([]byte, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSendBody))
	if err != nil {
		return nil, fmt.Errorf("reading the event: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("the event in %s is empty", path)
	}
	return b, nil
}

// event builds an application.submitted event from the --data flags.
// Fields left empty are left out, so the gate's own validation speaks.
func (o *sendOptions) event(now time.Time) ([]byte, error) {
	appID := o.appID
	if appID == "" {
		appID = "SEND-" + now.UTC().Format("20060102-150405.000")
	}
	data := map[string]any{"application_id": appID, "permit_type": o.permit, "declared_workers": o.declared}
	for k, v := range map[string]string{"nib": o.nib, "npwp": o.npwp, "company_name": o.company,
		"region_code": o.region, "risk_level": o.risk, "business_scale": o.scale,
		"callback_url": o.callback, "bpjs_employer_code": o.employerCode} {
		if v != "" {
			data[k] = v
		}
	}
	if len(o.kbli) > 0 {
		data["kbli"] = []string(o.kbli)
	}
	if len(o.workers) > 0 {
		workers := make([]map[string]string, len(o.workers))
		for i, nik := range o.workers {
			workers[i] = map[string]string{"nik": nik}
		}
		data["workers"] = workers
	}
	return json.Marshal(map[string]any{"type": "application.submitted",
		"timestamp": now.UTC().Format(time.RFC3339), "data": data})
}

// newMessageID returns a fresh webhook-id.
func newMessageID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "msg_" + hex.EncodeToString(b)
}

// printAnswer prints a decision or an error body for a person.
func printAnswer(w io.Writer, status int, id string, body []byte) {
	if status == http.StatusOK {
		var d api.DecisionJSON
		if err := json.Unmarshal(body, &d); err == nil && d.DecisionID != "" {
			printDecision(w, id, d)
			return
		}
	}
	var e api.ErrorJSON
	if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" {
		fmt.Fprintf(w, "HTTP %d (webhook-id %s)\n%s\n", status, id, strings.TrimSpace(string(body)))
		return
	}
	fmt.Fprintf(w, "HTTP %d %s: %s (webhook-id %s)\n", status, e.Error.Code, e.Error.Message, id)
	for _, f := range e.Error.Fields {
		fmt.Fprintf(w, "  %s: %s\n", f.Field, f.Message)
	}
}

func printDecision(w io.Writer, id string, d api.DecisionJSON) {
	fmt.Fprintf(w, "%s  application %s  NIB %s  region %s\n", strings.ToUpper(string(d.Outcome)), d.ApplicationID, d.NIB, d.RegionCode)
	fmt.Fprintf(w, "decision %s  (webhook-id %s, policy %s, valid until %s)\n", d.DecisionID, id, d.PolicyVersion, d.ValidUntil)
	if d.Supersedes != nil {
		fmt.Fprintf(w, "supersedes %s\n", *d.Supersedes)
	}
	if len(d.Reasons) == 0 {
		return
	}
	fmt.Fprintln(w, "reasons:")
	for _, r := range d.Reasons {
		fmt.Fprintf(w, "  %-6s %s\n", strings.ToUpper(string(r.Outcome)), r.Code)
		if r.MessageEN != "" {
			fmt.Fprintf(w, "         %s\n", r.MessageEN)
		}
		if r.Message != "" {
			fmt.Fprintf(w, "         %s\n", r.Message)
		}
	}
}
