package config

import (
	"strings"
	"testing"
	"time"
)

// testCacheKey is 32 bytes of base64, test only.
const testCacheKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// validServe returns a configuration that passes Validate("serve").
func validServe(t *testing.T) Config {
	t.Helper()
	c := Default()
	c.BPJSURL = "https://apijkn.example/vclaim-rest"
	c.BPJSEmployerURL = "https://apijkn.example/badan-usaha"
	c.BPJSConsID, c.BPJSSecret, c.BPJSUserKey = "1234", "bpjs-secret", "bpjs-user-key"
	c.WebhookClients = []WebhookClient{{ID: "oss.prod-1_a", Secrets: []string{whsec('a', 24), whsec('b', 16)}}}
	c.RedisURL = "rediss://:pw@redis.example:6380/0"
	c.CacheKey = testCacheKey
	c.DatabaseURL = "postgres://jk:pw@db.example/jk?sslmode=require"
	c.JWTPublicKeysFile = writeFile(t, "keys.pem", "-----BEGIN PUBLIC KEY-----\n")
	c.JWTJWKSURL = "https://idp.example/.well-known/jwks.json"
	c.JWTHS256Secret = strings.Repeat("k", 32)
	return c
}

func TestValidateAccepts(t *testing.T) {
	tests := []struct {
		name string
		mode string
		cfg  func(t *testing.T) Config
	}{
		{"serve, everything set", "serve", validServe},
		{"demo, defaults", "demo", func(*testing.T) Config { return Default() }},
		{"migrate, defaults", "migrate", func(*testing.T) Config { return Default() }},
		{"redis unix socket", "demo", func(*testing.T) Config { c := Default(); c.RedisURL = "unix:///run/redis.sock"; return c }},
		{"sqlite file uri", "demo", func(*testing.T) Config {
			c := Default()
			c.DatabaseURL = "file:/var/lib/jkngate.db?_pragma=busy_timeout(5000)"
			return c
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.cfg(t).Validate(tt.mode); err != nil {
				t.Errorf("Validate(%q) = %v, want nil", tt.mode, err)
			}
		})
	}
}

func TestValidateMessages(t *testing.T) {
	const leak = "TOPSECRETVALUE"
	tests := []struct {
		name   string
		mode   string
		mutate func(c *Config)
		want   string // one whole line of the error
	}{
		{"unknown mode", "serv", func(*Config) {}, `config: unknown mode "serv" (want serve, demo or migrate)`},
		{"bpjs url required", "serve", func(c *Config) { c.BPJSURL = "" }, "JKNGATE_BPJS_URL: required by serve"},
		{"webhook clients required", "serve", func(c *Config) { c.WebhookClients = nil }, "JKNGATE_WEBHOOK_CLIENTS: required by serve"},
		{"addr", "serve", func(c *Config) { c.Addr = "8080" }, "JKNGATE_ADDR: must be host:port, like :8080"},
		{"database empty", "migrate", func(c *Config) { c.DatabaseURL = "" }, "JKNGATE_DATABASE_URL: must not be empty"},
		{"database bad url", "migrate", func(c *Config) { c.DatabaseURL = "postgres://jk:" + leak + "@db:port/jk" }, "JKNGATE_DATABASE_URL: is not a valid URL"},
		{"database key=value dsn", "migrate", func(c *Config) { c.DatabaseURL = "host=db password=" + leak },
			"JKNGATE_DATABASE_URL: looks like a key=value PostgreSQL DSN; use a postgres:// URL (anything else is taken as a SQLite file path)"},
		{"redis scheme", "serve", func(c *Config) { c.RedisURL = "http://:" + leak + "@redis" }, `JKNGATE_REDIS_URL: scheme must be redis, rediss, unix, redis+sentinel, rediss+sentinel, redis+cluster or rediss+cluster, not "http"`},
		{"redis no scheme", "serve", func(c *Config) { c.RedisURL = "localhost:6379" }, `JKNGATE_REDIS_URL: scheme must be redis, rediss, unix, redis+sentinel, rediss+sentinel, redis+cluster or rediss+cluster, not "localhost"`},
		{"cache key required with redis", "serve", func(c *Config) { c.CacheKey = "" }, "JKNGATE_CACHE_KEY: required with JKNGATE_REDIS_URL: it keys and encrypts what the cache holds in Redis"},
		{"cache key too short", "serve", func(c *Config) { c.CacheKey = "c2hvcnQ=" }, "JKNGATE_CACHE_KEY: must decode to 32 bytes, not 5 (try: openssl rand -base64 32)"},
		{"cache key not base64", "serve", func(c *Config) { c.CacheKey = leak + "!" }, "JKNGATE_CACHE_KEY: must be base64 (try: openssl rand -base64 32)"},
		{"previous cache key bad", "serve", func(c *Config) { c.CachePreviousKeys = testCacheKey + "," + leak + "!" }, "JKNGATE_CACHE_PREVIOUS_KEYS: key 2 must be base64 (try: openssl rand -base64 32)"},
		{"previous cache keys without a current one", "demo", func(c *Config) { c.CacheKey = ""; c.CachePreviousKeys = testCacheKey }, "JKNGATE_CACHE_PREVIOUS_KEYS: needs JKNGATE_CACHE_KEY as the current key"},
		{"redis unix without path", "serve", func(c *Config) { c.RedisURL = "unix://" }, "JKNGATE_REDIS_URL: must name a socket path, like unix:///run/redis.sock"},
		{"bpjs url scheme", "serve", func(c *Config) { c.BPJSURL = "ftp://bpjs" }, `JKNGATE_BPJS_URL: scheme must be http or https, not "ftp"`},
		{"bpjs url relative", "serve", func(c *Config) { c.BPJSURL = "/vclaim" }, "JKNGATE_BPJS_URL: must be an absolute URL with scheme http or https"},
		{"employer url no host", "serve", func(c *Config) { c.BPJSEmployerURL = "https://" }, "JKNGATE_BPJS_EMPLOYER_URL: must name a host"},
		{"cons id with bpjs url", "serve", func(c *Config) { c.BPJSConsID = "" },
			"JKNGATE_BPJS_CONS_ID: required with JKNGATE_BPJS_URL and JKNGATE_BPJS_EMPLOYER_URL"},
		{"secret with employer url", "demo", func(c *Config) { c.BPJSURL, c.BPJSSecret = "", "" },
			"JKNGATE_BPJS_SECRET: required with JKNGATE_BPJS_EMPLOYER_URL"},
		{"user key", "serve", func(c *Config) { c.BPJSUserKey = "" },
			"JKNGATE_BPJS_USER_KEY: required with JKNGATE_BPJS_URL and JKNGATE_BPJS_EMPLOYER_URL"},
		{"client id empty", "serve", func(c *Config) { c.WebhookClients[0].ID = "" },
			"JKNGATE_WEBHOOK_CLIENTS: a client id is empty (want client_id:whsec_...)"},
		{"client id chars", "serve", func(c *Config) { c.WebhookClients[0].ID = "oss/prod" },
			`JKNGATE_WEBHOOK_CLIENTS: client id "oss/prod" may hold only letters, digits, '_', '.' and '-'`},
		{"secret prefix", "serve", func(c *Config) { c.WebhookClients[0].Secrets[1] = leak },
			`JKNGATE_WEBHOOK_CLIENTS: secret 2 of client "oss.prod-1_a" must start with whsec_`},
		{"secret base64", "serve", func(c *Config) { c.WebhookClients[0].Secrets[0] = "whsec_" + leak + "!" },
			`JKNGATE_WEBHOOK_CLIENTS: secret 1 of client "oss.prod-1_a" must be standard base64 after whsec_`},
		{"secret short", "serve", func(c *Config) { c.WebhookClients[0].Secrets[0] = whsec('x', 15) },
			`JKNGATE_WEBHOOK_CLIENTS: secret 1 of client "oss.prod-1_a" must decode to at least 16 bytes`},
		{"public keys file missing", "serve", func(c *Config) { c.JWTPublicKeysFile = "/nonexistent/keys.pem" },
			"JKNGATE_JWT_PUBLIC_KEYS_FILE: open /nonexistent/keys.pem: no such file or directory"},
		{"public keys file is a dir", "serve", func(c *Config) { c.JWTPublicKeysFile = "/" },
			"JKNGATE_JWT_PUBLIC_KEYS_FILE: / is a directory, not a file"},
		{"jwks scheme", "serve", func(c *Config) { c.JWTJWKSURL = "file:///jwks.json" }, `JKNGATE_JWT_JWKS_URL: scheme must be https or http, not "file"`},
		{"hs256 short", "serve", func(c *Config) { c.JWTHS256Secret = leak }, "JKNGATE_JWT_HS256_SECRET: must be at least 32 bytes long"},
		{"issuer", "serve", func(c *Config) { c.JWTIssuer = "" }, "JKNGATE_JWT_ISSUER: must not be empty"},
		{"audience", "serve", func(c *Config) { c.JWTAudience = "" }, "JKNGATE_JWT_AUDIENCE: must not be empty"},
		{"bpjs timeout", "serve", func(c *Config) { c.BPJSTimeout = 0 }, "JKNGATE_BPJS_TIMEOUT: must be a positive duration, not 0s"},
		{"cache fresh", "serve", func(c *Config) { c.CacheFresh = -time.Hour }, "JKNGATE_CACHE_FRESH: must be a positive duration, not -1h0m0s"},
		{"cache negative", "serve", func(c *Config) { c.CacheNegative = 0 }, "JKNGATE_CACHE_NEGATIVE: must be a positive duration, not 0s"},
		{"webhook budget", "serve", func(c *Config) { c.WebhookBudget = 0 }, "JKNGATE_WEBHOOK_BUDGET: must be a positive duration, not 0s"},
		{"shutdown timeout", "serve", func(c *Config) { c.ShutdownTimeout = 0 }, "JKNGATE_SHUTDOWN_TIMEOUT: must be a positive duration, not 0s"},
		{"read timeout", "serve", func(c *Config) { c.ReadTimeout = 0 }, "JKNGATE_READ_TIMEOUT: must be a positive duration, not 0s"},
		{"write timeout", "serve", func(c *Config) { c.WriteTimeout = -time.Second }, "JKNGATE_WRITE_TIMEOUT: must be a positive duration, not -1s"},
		{"idle timeout", "serve", func(c *Config) { c.IdleTimeout = 0 }, "JKNGATE_IDLE_TIMEOUT: must be a positive duration, not 0s"},
		{"write timeout within the webhook budget", "serve", func(c *Config) { c.WebhookBudget, c.WriteTimeout = 10*time.Second, 10*time.Second },
			"JKNGATE_WRITE_TIMEOUT: must be longer than JKNGATE_WEBHOOK_BUDGET plus 1s to record the decision (more than 11s), not 10s"},
		{"write timeout without room to record", "serve", func(c *Config) { c.WebhookBudget, c.WriteTimeout = 10*time.Second, 11*time.Second },
			"JKNGATE_WRITE_TIMEOUT: must be longer than JKNGATE_WEBHOOK_BUDGET plus 1s to record the decision (more than 11s), not 11s"},
		{"cache size", "serve", func(c *Config) { c.CacheSize = 0 }, "JKNGATE_CACHE_SIZE: must be a positive integer, not 0"},
		{"bpjs rate", "serve", func(c *Config) { c.BPJSRate = -1 }, "JKNGATE_BPJS_RATE: must be a positive number of requests per second, not -1"},
		{"max in flight", "serve", func(c *Config) { c.BPJSMaxInFlight = 0 }, "JKNGATE_BPJS_MAX_IN_FLIGHT: must be a positive integer, not 0"},
		{"what-if rate", "serve", func(c *Config) { c.WhatIfPerMinute = 0 }, "JKNGATE_WHATIF_PER_MINUTE: must be an integer from 1 to 6000, not 0"},
		{"what-if burst", "serve", func(c *Config) { c.WhatIfBurst = 1001 }, "JKNGATE_WHATIF_BURST: must be an integer from 1 to 1000, not 1001"},
		{"what-if NIKs", "serve", func(c *Config) { c.WhatIfNIKsPerMinute = -1 }, "JKNGATE_WHATIF_NIKS_PER_MINUTE: must be an integer from 1 to 100000, not -1"},
		{"log level", "serve", func(c *Config) { c.LogLevel = "INFO" }, `JKNGATE_LOG_LEVEL: must be debug, info, warn or error, not "INFO"`},
		{"log format", "serve", func(c *Config) { c.LogFormat = "logfmt" }, `JKNGATE_LOG_FORMAT: must be json or text, not "logfmt"`},
		{"tracing", "serve", func(c *Config) { c.Tracing = "jaeger" }, `JKNGATE_TRACING: must be otlp or empty (off), not "jaeger"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validServe(t)
			tt.mutate(&c)
			err := c.Validate(tt.mode)
			if !hasLine(err, tt.want) {
				t.Fatalf("Validate(%q) = %v\nwant a line %q", tt.mode, err, tt.want)
			}
			if n := len(errLines(err)); n != 1 {
				t.Errorf("got %d lines, want only the one problem: %v", n, err)
			}
			if hasSubstring(err, leak) {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestValidateJoinsEveryProblem(t *testing.T) {
	err := Default().Validate("serve")
	for _, want := range []string{"JKNGATE_BPJS_URL: required by serve", "JKNGATE_WEBHOOK_CLIENTS: required by serve"} {
		if !hasLine(err, want) {
			t.Errorf("Validate = %v, want a line %q", err, want)
		}
	}
}

func TestRedisSentinelAndClusterURLsAreAccepted(t *testing.T) {
	for _, u := range []string{"redis+sentinel://s1:26379/0?master_name=mymaster", "redis+cluster://n1:6379?addr=n2:6379"} {
		c := Default()
		c.RedisURL = u
		if err := c.Validate(ModeMigrate); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}
