package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadDefaults(t *testing.T) {
	c, err := Load(envMap(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Config{
		Addr: ":8080", DatabaseURL: "jkngate.db", JWTIssuer: "jkngate", JWTAudience: "jkngate",
		BPJSTimeout: 2 * time.Second, CacheSize: 100000, CacheFresh: 6 * time.Hour,
		CacheNegative: 15 * time.Minute, BPJSRate: 50, BPJSMaxInFlight: 32,
		WebhookBudget: 3 * time.Second, ShutdownTimeout: 30 * time.Second, Retention: 365 * 24 * time.Hour,
		RedisPrefix: "jkngate:", CallbackTimeout: 10 * time.Second,
		WhatIfPerMinute: 30, WhatIfBurst: 10, WhatIfNIKsPerMinute: 500,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		LogLevel: "info", LogFormat: "json",
		OIDC: OIDC{RedirectURL: "http://localhost:8080/console/callback", RolesClaim: "roles", RegionsClaim: "regions"},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults:\n got %v\nwant %v", c, want)
	}
	if c.CallbackAllowPrivate || c.RedisURL != "" || c.UsesPostgres() {
		t.Errorf("defaults: want no callbacks to private addresses, no Redis, SQLite; got %v", c)
	}
}

func TestLoadFileThenEnvironment(t *testing.T) {
	secA, secB := whsec('a', 24), whsec('b', 24)
	file := `
addr: ":9000"
database_url: postgres://jk@db/jk
bpjs_url: https://vclaim.example/
bpjs_timeout: 5s
cache_size: 10
bpjs_rate: 12.5
callback_allow_private: true
log_format: text
webhook_clients: ["oss:` + secA + `", "oss:` + secB + `"]
`
	tests := []struct {
		name  string
		env   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"file only", nil, func(t *testing.T, c Config) {
			if c.Addr != ":9000" || c.BPJSTimeout != 5*time.Second || c.CacheSize != 10 ||
				c.BPJSRate != 12.5 || !c.CallbackAllowPrivate || c.LogFormat != "text" || !c.UsesPostgres() {
				t.Errorf("file values not applied: %v", c)
			}
			if c.LogLevel != "info" || c.CacheFresh != 6*time.Hour {
				t.Errorf("keys the file leaves out must keep their defaults: %v", c)
			}
		}},
		{"environment wins", map[string]string{
			"JKNGATE_ADDR": ":7000", "JKNGATE_BPJS_TIMEOUT": "750ms", "JKNGATE_CALLBACK_ALLOW_PRIVATE": "false",
			"JKNGATE_WEBHOOK_CLIENTS": "lpse:" + secB,
		}, func(t *testing.T, c Config) {
			if c.Addr != ":7000" || c.BPJSTimeout != 750*time.Millisecond || c.CallbackAllowPrivate {
				t.Errorf("environment did not win: %v", c)
			}
			want := []WebhookClient{{ID: "lpse", Secrets: []string{secB}}}
			if !reflect.DeepEqual(c.WebhookClients, want) {
				t.Errorf("WebhookClients = %v, want %v", c.WebhookClients, want)
			}
			if c.CacheSize != 10 {
				t.Errorf("file value not set in the environment must stay: %v", c)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := envWithFile(t, tt.env, file)
			c, err := Load(envMap(env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.File != env["JKNGATE_CONFIG"] {
				t.Errorf("File = %q", c.File)
			}
			tt.check(t, c)
		})
	}
}

func TestLoadWebhookClients(t *testing.T) {
	s1, s2, s3 := whsec('1', 24), whsec('2', 24), whsec('3', 24)
	want := []WebhookClient{{ID: "oss", Secrets: []string{s1, s3}}, {ID: "lpse", Secrets: []string{s2}}}
	tests := []struct {
		name string
		env  map[string]string
		yaml string
	}{
		{"env, rotation keeps order", map[string]string{"JKNGATE_WEBHOOK_CLIENTS": "oss:" + s1 + ", lpse:" + s2 + ",oss:" + s3 + ","}, ""},
		{"yaml comma string", nil, "webhook_clients: oss:" + s1 + ",lpse:" + s2 + ",oss:" + s3 + "\n"},
		{"yaml list", nil, "webhook_clients:\n  - oss:" + s1 + "\n  - lpse:" + s2 + "\n  - oss:" + s3 + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := envWithFile(t, tt.env, tt.yaml)
			c, err := Load(envMap(env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !reflect.DeepEqual(c.WebhookClients, want) {
				t.Errorf("WebhookClients = %#v, want %#v", c.WebhookClients, want)
			}
		})
	}
}

func TestLoadSecretFiles(t *testing.T) {
	const secret = "s3cr3t-value-from-a-file"
	fields := map[string]func(Config) string{
		"JKNGATE_BPJS_CONS_ID":        func(c Config) string { return c.BPJSConsID },
		"JKNGATE_BPJS_SECRET":         func(c Config) string { return c.BPJSSecret },
		"JKNGATE_BPJS_USER_KEY":       func(c Config) string { return c.BPJSUserKey },
		"JKNGATE_JWT_HS256_SECRET":    func(c Config) string { return c.JWTHS256Secret },
		"JKNGATE_DATABASE_URL":        func(c Config) string { return c.DatabaseURL },
		"JKNGATE_REDIS_URL":           func(c Config) string { return c.RedisURL },
		"JKNGATE_CACHE_KEY":           func(c Config) string { return c.CacheKey },
		"JKNGATE_CACHE_PREVIOUS_KEYS": func(c Config) string { return c.CachePreviousKeys },
		"JKNGATE_WEBHOOK_CLIENTS": func(c Config) string {
			if len(c.WebhookClients) != 1 {
				return ""
			}
			return c.WebhookClients[0].ID + ":" + strings.Join(c.WebhookClients[0].Secrets, ",")
		},
	}
	for name, get := range fields {
		value := secret
		if name == "JKNGATE_WEBHOOK_CLIENTS" {
			value = "oss:" + secret
		}
		t.Run(name+"_FILE", func(t *testing.T) {
			path := writeFile(t, "secret", value+"\r\n\n")
			c, err := Load(envMap(map[string]string{name + "_FILE": path}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := get(c); got != value {
				t.Errorf("got %q, want %q (trailing newlines trimmed)", got, value)
			}
		})
		t.Run(name+" and _FILE", func(t *testing.T) {
			path := writeFile(t, "secret", value)
			_, err := Load(envMap(map[string]string{name: value, name + "_FILE": path}))
			if want := name + " and " + name + "_FILE are both set; use one"; !hasLine(err, want) {
				t.Errorf("error %v, want line %q", err, want)
			}
			if hasSubstring(err, secret) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
		t.Run(name+" in yaml as _file", func(t *testing.T) {
			path := writeFile(t, "secret", value+"\n")
			key := strings.ToLower(strings.TrimPrefix(name, Prefix))
			cfg := writeFile(t, "config.yaml", key+"_file: "+path+"\n")
			c, err := Load(envMap(map[string]string{"JKNGATE_CONFIG": cfg}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if got := get(c); got != value {
				t.Errorf("got %q, want %q", got, value)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	const secret = "whsec_do-not-echo-me"
	tests := []struct {
		name string
		env  map[string]string
		yaml string
		want string // a substring of one line; {file} is the YAML path
	}{
		{"unknown yaml key", nil, "adress: :80\n", `{file}: unknown key "adress"`},
		{"yaml both value and _file", nil, "bpjs_secret: x\nbpjs_secret_file: /nope\n", "{file}: bpjs_secret and bpjs_secret_file are both set; use one"},
		{"yaml not a mapping", nil, "- a\n- b\n", "{file}: the top level must be a mapping of keys to values"},
		{"yaml syntax", nil, "addr: [\n", "{file}: line "},
		{"yaml duplicate key", nil, "addr: :1\naddr: :2\n", `{file}: line 2: mapping key "addr" already defined at line 1`},
		{"yaml bad duration", nil, "cache_fresh: soon\n", `{file}: cache_fresh: must be a duration like 2s, 15m or 6h, not "soon"`},
		{"yaml list for a scalar", nil, "addr: [a, b]\n", "{file}: addr: must be a single value"},
		{"yaml list of maps for clients", nil, "webhook_clients: [{a: b}]\n", "{file}: webhook_clients: must be a string or a list of strings"},
		{"missing config file", map[string]string{"JKNGATE_CONFIG": "/nonexistent/jkngate.yaml"}, "", "JKNGATE_CONFIG: open /nonexistent/jkngate.yaml"},
		{"missing secret file", map[string]string{"JKNGATE_BPJS_SECRET_FILE": "/nonexistent/s"}, "", "JKNGATE_BPJS_SECRET_FILE: open /nonexistent/s"},
		{"bad duration", map[string]string{"JKNGATE_BPJS_TIMEOUT": "2"}, "", `JKNGATE_BPJS_TIMEOUT: must be a duration like 2s, 15m or 6h, not "2"`},
		{"bad int", map[string]string{"JKNGATE_CACHE_SIZE": "lots"}, "", `JKNGATE_CACHE_SIZE: must be an integer, not "lots"`},
		{"bad float", map[string]string{"JKNGATE_BPJS_RATE": "fast"}, "", `JKNGATE_BPJS_RATE: must be a number, not "fast"`},
		{"bad bool", map[string]string{"JKNGATE_CALLBACK_ALLOW_PRIVATE": "yes"}, "", `JKNGATE_CALLBACK_ALLOW_PRIVATE: must be true or false, not "yes"`},
		{"client entry without id", map[string]string{"JKNGATE_WEBHOOK_CLIENTS": "oss:" + whsec('a', 24) + "," + secret}, "", "JKNGATE_WEBHOOK_CLIENTS: entry 2 is not client_id:whsec_..."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := envWithFile(t, tt.env, tt.yaml)
			_, err := Load(envMap(env))
			want := strings.ReplaceAll(tt.want, "{file}", env["JKNGATE_CONFIG"])
			if !hasSubstring(err, want) {
				t.Fatalf("error %v, want it to contain %q", err, want)
			}
			for _, l := range errLines(err) {
				if !strings.HasPrefix(l, "JKNGATE_") && (env["JKNGATE_CONFIG"] == "" || !strings.HasPrefix(l, env["JKNGATE_CONFIG"]+": ")) {
					t.Errorf("line %q names neither a variable nor the file", l)
				}
			}
			if hasSubstring(err, "do-not-echo-me") {
				t.Errorf("error leaks a secret: %v", err)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := Load(envMap(map[string]string{"JKNGATE_CACHE_SIZE": "x", "JKNGATE_BPJS_RATE": "y"}))
	if n := len(errLines(err)); n != 2 {
		t.Errorf("got %d lines, want 2: %v", n, err)
	}
}

func TestLoadServerTimeouts(t *testing.T) {
	env := map[string]string{
		"JKNGATE_CONFIG":        writeFile(t, "config.yaml", "read_timeout: 5s\nidle_timeout: 10s\n"),
		"JKNGATE_READ_TIMEOUT":  "7s",
		"JKNGATE_WRITE_TIMEOUT": "90s",
	}
	c, err := Load(envMap(env))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.ReadTimeout != 7*time.Second || c.WriteTimeout != 90*time.Second || c.IdleTimeout != 10*time.Second {
		t.Errorf("read %s write %s idle %s; want 7s (environment), 1m30s (environment), 10s (file)",
			c.ReadTimeout, c.WriteTimeout, c.IdleTimeout)
	}
}
