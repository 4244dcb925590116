package config

import (
	"strings"
	"testing"
)

// The console's settings are checked together: an issuer needs a client id
// and a session key; keys, URLs and claim paths must be well-formed; no
// message quotes the key.
func TestValidateConsoleSettings(t *testing.T) {
	key := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	cases := []struct {
		name string
		set  func(*Config)
		want string // "" means valid
	}{
		{"off by default", func(*Config) {}, ""},
		{"complete", func(c *Config) {
			c.OIDC.Issuer, c.OIDC.ClientID, c.SessionKey = "https://sso.example.go.id/realms/dpmptsp", "jkngate", key
			c.OIDC.RolesClaim = "realm_access.roles"
		}, ""},
		{"issuer without client id", func(c *Config) { c.OIDC.Issuer, c.SessionKey = "https://sso.example", key },
			"JKNGATE_OIDC_CLIENT_ID: required with JKNGATE_OIDC_ISSUER"},
		{"issuer without session key", func(c *Config) { c.OIDC.Issuer, c.OIDC.ClientID = "https://sso.example", "j" },
			"JKNGATE_SESSION_KEY: required with JKNGATE_OIDC_ISSUER"},
		{"issuer not a URL", func(c *Config) { c.OIDC.Issuer, c.OIDC.ClientID, c.SessionKey = "sso", "j", key },
			"JKNGATE_OIDC_ISSUER:"},
		{"short session key", func(c *Config) { c.SessionKey = "c2hvcnQ=" },
			"JKNGATE_SESSION_KEY: must decode to at least 32 bytes, not 5"},
		{"session key not base64", func(c *Config) { c.SessionKey = "secret!secret!" },
			"JKNGATE_SESSION_KEY: must be base64"},
		{"redirect elsewhere", func(c *Config) { c.OIDC.RedirectURL = "https://gate.example/callback" },
			"JKNGATE_OIDC_REDIRECT_URL: must end in /console/callback"},
		{"bad claim path", func(c *Config) { c.OIDC.RolesClaim = "realm_access..roles" },
			"JKNGATE_OIDC_ROLES_CLAIM: must be a claim name or a dotted path"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.set(&c)
			err := c.Validate(ModeDemo)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Validate = %v, want %q", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "secret!"):
				t.Fatalf("the message quotes the key: %v", err)
			}
		})
	}
}

// JKNGATE_SESSION_KEY_FILE is read like every secret's _FILE form, and the
// key is masked in the configuration's log line.
func TestSessionKeyLoadsAndIsMasked(t *testing.T) {
	key := "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	c, err := Load(func(k string) string {
		return map[string]string{"JKNGATE_SESSION_KEY": key, "JKNGATE_OIDC_ROLES_CLAIM": "realm_access.roles"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if b, err := c.SessionKeyBytes(); err != nil || len(b) != 32 {
		t.Fatalf("SessionKeyBytes = %d bytes, %v", len(b), err)
	}
	if c.OIDC.RolesClaim != "realm_access.roles" {
		t.Errorf("roles claim %q", c.OIDC.RolesClaim)
	}
	if s := c.String(); strings.Contains(s, key) {
		t.Errorf("the log line shows the session key: %s", s)
	}
}
