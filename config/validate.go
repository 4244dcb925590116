package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// Modes Validate knows.
const (
	ModeServe   = "serve"
	ModeDemo    = "demo"
	ModeMigrate = "migrate"
)

// Validate checks values and their combinations for the given mode (serve,
// demo or migrate; only serve requires the BPJS URL and webhook clients).
// It returns nil, or every problem joined with errors.Join: one line each,
// naming the environment variable and the problem, for example
// "JKNGATE_BPJS_URL: required by serve". No line contains a secret.
// Validate checks that JKNGATE_JWT_PUBLIC_KEYS_FILE can be opened; it does
// not read the policy file (LoadPolicy does).
func (c Config) Validate(mode string) error {
	var errs []error
	add := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s%s: %s", Prefix, strings.ToUpper(key), fmt.Sprintf(format, args...)))
	}
	switch mode {
	case ModeServe, ModeDemo, ModeMigrate:
	default:
		errs = append(errs, fmt.Errorf("config: unknown mode %q (want serve, demo or migrate)", mode))
	}
	serve := mode == ModeServe

	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		add("addr", "must be host:port, like :8080")
	}
	if msg := checkDatabaseURL(c.DatabaseURL); msg != "" {
		add("database_url", "%s", msg)
	}
	if c.RedisURL != "" {
		if msg := checkURL(c.RedisURL, "redis", "rediss", "unix", "redis+sentinel", "rediss+sentinel",
			"redis+cluster", "rediss+cluster"); msg != "" {
			add("redis_url", "%s", msg)
		}
	}
	for _, msg := range c.checkCacheKeys(mode) {
		add(msg.key, "%s", msg.v)
	}
	for _, msg := range c.checkConsole() {
		add(msg.key, "%s", msg.v)
	}

	if c.BPJSURL == "" && serve {
		add("bpjs_url", "required by serve")
	}
	var bpjsURLs []string
	for _, u := range []keyValue{{"bpjs_url", c.BPJSURL}, {"bpjs_employer_url", c.BPJSEmployerURL}} {
		if u.v == "" {
			continue
		}
		bpjsURLs = append(bpjsURLs, Prefix+strings.ToUpper(u.key))
		if msg := checkURL(u.v, "http", "https"); msg != "" {
			add(u.key, "%s", msg)
		}
	}
	if len(bpjsURLs) > 0 {
		with := strings.Join(bpjsURLs, " and ")
		for _, cred := range []keyValue{{"bpjs_cons_id", c.BPJSConsID}, {"bpjs_secret", c.BPJSSecret}, {"bpjs_user_key", c.BPJSUserKey}} {
			if cred.v == "" {
				add(cred.key, "required with %s", with)
			}
		}
	}

	if len(c.WebhookClients) == 0 && serve {
		add("webhook_clients", "required by serve")
	}
	for _, w := range c.WebhookClients {
		if msg := checkClientID(w.ID); msg != "" {
			add("webhook_clients", "%s", msg)
		}
		for i, s := range w.Secrets {
			if msg := checkWebhookSecret(s); msg != "" {
				add("webhook_clients", "secret %d of client %q %s", i+1, w.ID, msg)
			}
		}
	}

	for _, msg := range c.OSS.check(c.WebhookClients) {
		add(msg.key, "%s", msg.v)
	}

	if c.JWTPublicKeysFile != "" {
		if msg := checkReadable(c.JWTPublicKeysFile); msg != "" {
			add("jwt_public_keys_file", "%s", msg)
		}
	}
	if c.JWTJWKSURL != "" {
		if msg := checkURL(c.JWTJWKSURL, "https", "http"); msg != "" {
			add("jwt_jwks_url", "%s", msg)
		}
	}
	if c.JWTHS256Secret != "" && len(c.JWTHS256Secret) < MinHS256SecretBytes {
		add("jwt_hs256_secret", "must be at least %d bytes long", MinHS256SecretBytes)
	}
	if c.JWTIssuer == "" {
		add("jwt_issuer", "must not be empty")
	}
	if c.JWTAudience == "" {
		add("jwt_audience", "must not be empty")
	}

	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"bpjs_timeout", c.BPJSTimeout}, {"cache_fresh", c.CacheFresh}, {"cache_negative", c.CacheNegative},
		{"webhook_budget", c.WebhookBudget}, {"shutdown_timeout", c.ShutdownTimeout},
		{"callback_timeout", c.CallbackTimeout},
		{"read_timeout", c.ReadTimeout}, {"write_timeout", c.WriteTimeout}, {"idle_timeout", c.IdleTimeout},
	} {
		if d.v <= 0 {
			add(d.key, "must be a positive duration, not %s", d.v)
		}
	}
	// A webhook answer may take the budget plus the time to record the
	// decision; a write timeout shorter than that would cut the answer off
	// after the decision was recorded.
	if need := c.WebhookBudget + gate.RecordMargin; c.WebhookBudget > 0 && c.WriteTimeout > 0 && c.WriteTimeout <= need {
		add("write_timeout", "must be longer than JKNGATE_WEBHOOK_BUDGET plus %s to record the decision (more than %s), not %s",
			gate.RecordMargin, need, c.WriteTimeout)
	}
	if c.Retention < 0 {
		add("retention", "must be a duration >= 0 (0 keeps personal data), not %s", c.Retention)
	}
	if c.CacheSize <= 0 {
		add("cache_size", "must be a positive integer, not %d", c.CacheSize)
	}
	if !(c.BPJSRate > 0) || math.IsInf(c.BPJSRate, 0) {
		add("bpjs_rate", "must be a positive number of requests per second, not %v", c.BPJSRate)
	}
	if c.BPJSMaxInFlight <= 0 {
		add("bpjs_max_in_flight", "must be a positive integer, not %d", c.BPJSMaxInFlight)
	}
	for _, l := range []struct {
		key    string
		v, max int
	}{{"whatif_per_minute", c.WhatIfPerMinute, 6000}, {"whatif_burst", c.WhatIfBurst, 1000},
		{"whatif_niks_per_minute", c.WhatIfNIKsPerMinute, 100000}} {
		if l.v < 1 || l.v > l.max {
			add(l.key, "must be an integer from 1 to %d, not %d", l.max, l.v)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		add("log_level", "must be debug, info, warn or error, not %q", c.LogLevel)
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		add("log_format", "must be json or text, not %q", c.LogFormat)
	}
	if c.Tracing != "" && c.Tracing != "otlp" {
		add("tracing", "must be otlp or empty (off), not %q", c.Tracing)
	}
	return errors.Join(errs...)
}

// keyValue is a setting's YAML key and its value, for checks over a few
// settings in a stable order.
type keyValue struct{ key, v string }

// checkURL reports what is wrong with u, or "". It never quotes u, which
// may hold a password.
func checkURL(u string, schemes ...string) string {
	want := strings.Join(schemes, ", ")
	if n := len(schemes); n > 1 {
		want = strings.Join(schemes[:n-1], ", ") + " or " + schemes[n-1]
	}
	p, err := url.Parse(u)
	if err != nil {
		return "is not a valid URL"
	}
	ok := false
	for _, s := range schemes {
		ok = ok || strings.EqualFold(p.Scheme, s)
	}
	switch {
	case p.Scheme == "":
		return "must be an absolute URL with scheme " + want
	case !ok:
		return fmt.Sprintf("scheme must be %s, not %q", want, p.Scheme)
	case strings.EqualFold(p.Scheme, "unix"):
		if p.Path == "" {
			return "must name a socket path, like unix:///run/redis.sock"
		}
	case p.Host == "":
		return "must name a host"
	}
	return ""
}

// checkDatabaseURL reports what is wrong with the database setting, or "".
func checkDatabaseURL(s string) string {
	switch {
	case s == "":
		return "must not be empty"
	case isPostgresURL(s):
		if _, err := url.Parse(s); err != nil {
			return "is not a valid URL"
		}
	case looksLikeKeyValueDSN(s):
		return "looks like a key=value PostgreSQL DSN; use a postgres:// URL (anything else is taken as a SQLite file path)"
	}
	return ""
}

// looksLikeKeyValueDSN reports whether s is a libpq "host=... password=..."
// string, which would otherwise be taken as an odd SQLite file name.
func looksLikeKeyValueDSN(s string) bool {
	for _, f := range strings.Fields(s) {
		k, _, ok := strings.Cut(f, "=")
		if ok && (k == "host" || k == "password" || k == "user" || k == "dbname") {
			return true
		}
	}
	return false
}

// checkClientID reports what is wrong with a webhook client id, or "".
func checkClientID(id string) string {
	if id == "" {
		return "a client id is empty (want client_id:whsec_...)"
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return fmt.Sprintf("client id %q may hold only letters, digits, '_', '.' and '-'", id)
		}
	}
	return ""
}

// checkWebhookSecret reports what is wrong with a Standard Webhooks secret,
// or "", completing the sentence "secret N of client X ...".
func checkWebhookSecret(s string) string {
	rest, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return "must start with whsec_"
	}
	key, err := base64.StdEncoding.DecodeString(rest)
	if err != nil {
		return "must be standard base64 after whsec_"
	}
	if len(key) < MinWebhookSecretBytes {
		return fmt.Sprintf("must decode to at least %d bytes", MinWebhookSecretBytes)
	}
	return ""
}

// checkReadable reports whether path is a regular file that can be opened.
func checkReadable(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err.Error()
	}
	if st.IsDir() {
		return fmt.Sprintf("%s is a directory, not a file", path)
	}
	return ""
}
