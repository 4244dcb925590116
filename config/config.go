// Package config loads jkngate's configuration (README, "Configuration") from
// defaults, an optional YAML file and the environment, checks it, and
// describes it for the start-up log line with every secret masked.
//
// Configuration is loaded once in cmd/ and passed down; nothing here reads
// global state.
package config

import (
	"log/slog"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// Prefix is the prefix of every environment variable jkngate reads.
const Prefix = "JKNGATE_"

// FileVar names the environment variable that points at the optional
// YAML configuration file.
const FileVar = Prefix + "CONFIG"

// MinWebhookSecretBytes is the least number of key bytes a webhook secret
// (the base64 part after "whsec_") must decode to. Standard Webhooks
// recommends 24 to 64; 16 (128 bits) is accepted for hand-made keys.
const MinWebhookSecretBytes = 16

// MinHS256SecretBytes is the least length of JKNGATE_JWT_HS256_SECRET
// (RFC 7518 section 3.2: a key at least as long as the hash output).
const MinHS256SecretBytes = 32

// Config is jkngate's whole configuration. The zero value is not useful:
// start from Default or Load.
type Config struct {
	// File is the YAML file the configuration was read from (JKNGATE_CONFIG);
	// empty when there was none.
	File string

	Addr        string // JKNGATE_ADDR: listen address
	DatabaseURL string // JKNGATE_DATABASE_URL: postgres(ql):// URL, or a SQLite file path
	RedisURL    string // JKNGATE_REDIS_URL: empty means in-process cache only
	// CacheKey is JKNGATE_CACHE_KEY: base64 of CacheKeyBytes bytes that key
	// the hash of NIKs in Redis keys and seal the values; required with
	// RedisURL by serve. CachePreviousKeys is JKNGATE_CACHE_PREVIOUS_KEYS:
	// comma-separated keys still accepted for reads during a rotation.
	CacheKey          string
	CachePreviousKeys string

	BPJSURL         string // JKNGATE_BPJS_URL: VClaim base URL (participant lookups)
	BPJSEmployerURL string // JKNGATE_BPJS_EMPLOYER_URL: employer data-sharing base URL
	BPJSConsID      string // JKNGATE_BPJS_CONS_ID: TrustMark consumer id
	BPJSSecret      string // JKNGATE_BPJS_SECRET: TrustMark consumer secret
	BPJSUserKey     string // JKNGATE_BPJS_USER_KEY: TrustMark user_key

	// WebhookClients are the clients allowed to call the webhook, in the
	// order first seen in JKNGATE_WEBHOOK_CLIENTS, one entry per client id.
	WebhookClients []WebhookClient

	JWTPublicKeysFile string // JKNGATE_JWT_PUBLIC_KEYS_FILE: PEM public keys
	JWTJWKSURL        string // JKNGATE_JWT_JWKS_URL: JWKS endpoint
	JWTHS256Secret    string // JKNGATE_JWT_HS256_SECRET: development only
	JWTIssuer         string // JKNGATE_JWT_ISSUER: required iss
	JWTAudience       string // JKNGATE_JWT_AUDIENCE: required aud

	PolicyFile           string // JKNGATE_POLICY_FILE: empty means gate.DefaultPolicy
	CallbackAllowPrivate bool   // JKNGATE_CALLBACK_ALLOW_PRIVATE

	// OIDC is the console's OpenID Connect sign-in (JKNGATE_OIDC_*) and
	// session key (JKNGATE_SESSION_KEY); see oidc.go.
	OIDC OIDC
	// SessionKey is JKNGATE_SESSION_KEY: base64 of at least 32 random
	// bytes keying the console's session cookies.
	SessionKey string
	// OSS holds the OSS-RBA adapter's settings (JKNGATE_OSS_*).
	OSS OSS

	BPJSTimeout     time.Duration // JKNGATE_BPJS_TIMEOUT: per request to BPJS
	CacheSize       int           // JKNGATE_CACHE_SIZE: in-process cache entries
	CacheFresh      time.Duration // JKNGATE_CACHE_FRESH: cached data counts as fresh
	CacheNegative   time.Duration // JKNGATE_CACHE_NEGATIVE: "not registered" answers are cached
	BPJSRate        float64       // JKNGATE_BPJS_RATE: requests per second toward BPJS
	BPJSMaxInFlight int           // JKNGATE_BPJS_MAX_IN_FLIGHT: concurrent BPJS requests
	WebhookBudget   time.Duration // JKNGATE_WEBHOOK_BUDGET: time to answer one webhook
	ShutdownTimeout time.Duration // JKNGATE_SHUTDOWN_TIMEOUT: graceful shutdown limit
	// ReadTimeout is JKNGATE_READ_TIMEOUT: a request's headers and body
	// must arrive within it, so a trickled body cannot hold a connection.
	ReadTimeout time.Duration
	// WriteTimeout is JKNGATE_WRITE_TIMEOUT: from the end of a request's
	// headers to the end of its answer. It must leave room for the webhook
	// budget and the recording of the decision.
	WriteTimeout time.Duration
	// IdleTimeout is JKNGATE_IDLE_TIMEOUT: an idle keep-alive connection is
	// closed after it.
	IdleTimeout time.Duration
	// RedisPrefix is JKNGATE_REDIS_PREFIX: the prefix of every Redis key, so
	// that several deployments can share one Redis.
	RedisPrefix string
	// CallbackTimeout is JKNGATE_CALLBACK_TIMEOUT: how long one callback
	// attempt may take; a claimed delivery is leased for twice that plus 5 s.
	CallbackTimeout time.Duration
	// Retention is JKNGATE_RETENTION: how long worker-level personal data
	// (the listed workers' NIKs) is kept with a decision; 0 keeps it.
	Retention time.Duration
	LogLevel  string // JKNGATE_LOG_LEVEL: debug, info, warn or error
	LogFormat string // JKNGATE_LOG_FORMAT: json or text

	// WhatIfPerMinute, WhatIfBurst and WhatIfNIKsPerMinute are
	// JKNGATE_WHATIF_PER_MINUTE, JKNGATE_WHATIF_BURST and
	// JKNGATE_WHATIF_NIKS_PER_MINUTE: each person's what-if limits
	// (gate.WhatIfLimits).
	WhatIfPerMinute, WhatIfBurst, WhatIfNIKsPerMinute int

	// Tracing is JKNGATE_TRACING: "otlp" exports OpenTelemetry traces,
	// configured by the standard OTEL_EXPORTER_OTLP_* variables; empty: off.
	Tracing string
}

// WebhookClient is one caller of the webhook. Secrets holds every secret
// the client may sign with (more than one during rotation); Secrets[0]
// signs the callbacks jkngate sends to it.
type WebhookClient struct {
	ID      string
	Secrets []string
}

// String shows the client id and masks the secrets, so that printing a
// client by accident leaks nothing.
func (w WebhookClient) String() string {
	parts := make([]string, len(w.Secrets))
	for i, s := range w.Secrets {
		parts[i] = w.ID + ":" + maskWebhookSecret(s)
	}
	return strings.Join(parts, ",")
}

// Default returns the configuration with every default the README's
// "Configuration" table gives and of the operational settings applied, and nothing else.
func Default() Config {
	return Config{
		Addr:            ":8080",
		DatabaseURL:     "jkngate.db",
		JWTIssuer:       "jkngate",
		JWTAudience:     "jkngate",
		BPJSTimeout:     2 * time.Second,
		CacheSize:       100000,
		CacheFresh:      6 * time.Hour,
		CacheNegative:   15 * time.Minute,
		BPJSRate:        50,
		BPJSMaxInFlight: 32,
		WebhookBudget:   3 * time.Second,
		ShutdownTimeout: 30 * time.Second,
		ReadTimeout:     30 * time.Second,
		WriteTimeout:    60 * time.Second,
		IdleTimeout:     120 * time.Second,
		Retention:       365 * 24 * time.Hour,
		RedisPrefix:     "jkngate:",
		CallbackTimeout: 10 * time.Second,
		LogLevel:        "info",
		LogFormat:       "json",

		OIDC: OIDC{RedirectURL: "http://localhost:8080/console/callback", RolesClaim: "roles", RegionsClaim: "regions"},

		WhatIfPerMinute:     gate.DefaultWhatIfLimits.PerMinute,
		WhatIfBurst:         gate.DefaultWhatIfLimits.Burst,
		WhatIfNIKsPerMinute: gate.DefaultWhatIfLimits.NIKsPerMinute,
	}
}

// UsesPostgres reports whether DatabaseURL selects PostgreSQL (a
// postgres:// or postgresql:// URL); otherwise it is a SQLite file path.
func (c Config) UsesPostgres() bool { return isPostgresURL(c.DatabaseURL) }

// SlogLevel returns LogLevel as a slog.Level; an unknown level (which
// Validate rejects) counts as info.
func (c Config) SlogLevel() slog.Level {
	switch c.LogLevel {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

func isPostgresURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}
