package bpjs

import (
	"errors"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

func TestNew(t *testing.T) {
	valid := func() Config {
		return Config{BaseURL: "https://apijkn.bpjs-kesehatan.go.id/vclaim-rest", Credentials: testCreds}
	}
	tests := []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"valid", func(*Config) {}, true},
		{"with employer base", func(c *Config) { c.EmployerBaseURL = "http://bpjs-sim:8081/" }, true},
		{"no base", func(c *Config) { c.BaseURL = "" }, false},
		{"relative base", func(c *Config) { c.BaseURL = "/vclaim-rest" }, false},
		{"ftp base", func(c *Config) { c.BaseURL = "ftp://example.org" }, false},
		{"bad employer base", func(c *Config) { c.EmployerBaseURL = "bpjs-sim:8081" }, false},
		{"no cons id", func(c *Config) { c.Credentials.ConsID = "" }, false},
		{"no secret", func(c *Config) { c.Credentials.Secret = "" }, false},
		{"no user key", func(c *Config) { c.Credentials.UserKey = "" }, false},
		{"negative timeout", func(c *Config) { c.Timeout = -time.Second }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.edit(&cfg)
			c, err := New(cfg)
			if tt.ok {
				if err != nil || c == nil {
					t.Fatalf("New = %v, %v", c, err)
				}
				return
			}
			if !errors.Is(err, gate.ErrInvalid) || c != nil {
				t.Fatalf("New = %v, %v; want an invalid-config error", c, err)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{BaseURL: "http://x/", Credentials: testCreds})
	if err != nil {
		t.Fatal(err)
	}
	if c.timeout != DefaultTimeout || c.http == nil || c.now == nil || c.base != "http://x" {
		t.Errorf("defaults not applied: timeout %s, http %v, now set %v, base %q", c.timeout, c.http, c.now != nil, c.base)
	}
}
