package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// mask stands in for a secret that is set.
const mask = "****"

// LogValue makes a Config safe to log whole, slog.Any("config", cfg): keys
// are the YAML keys, secrets show as "****" when set (empty when not),
// passwords in URLs are masked, and webhook clients show their ids with
// "whsec_****" for each secret.
func (c Config) LogValue() slog.Value {
	attrs := c.redactedAttrs()
	return slog.GroupValue(attrs...)
}

// Redacted returns the effective configuration keyed by YAML key, with
// every secret masked as in LogValue.
func (c Config) Redacted() map[string]any {
	attrs := c.redactedAttrs()
	m := make(map[string]any, len(attrs))
	for _, a := range attrs {
		m[a.Key] = a.Value.Any()
	}
	return m
}

// String formats the redacted configuration as key=value pairs, so that
// printing a Config with %v or %s by accident leaks no secret.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString("config{")
	for i, a := range c.redactedAttrs() {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%v", a.Key, a.Value.Any())
	}
	b.WriteByte('}')
	return b.String()
}

// GoString is String, so that %#v is as safe as %v.
func (c Config) GoString() string { return c.String() }

// redactedAttrs lists every setting in table order with secrets masked.
func (c Config) redactedAttrs() []slog.Attr {
	attrs := make([]slog.Attr, 0, len(settings)+1)
	if c.File != "" {
		attrs = append(attrs, slog.String("config_file", c.File))
	}
	for _, s := range settings {
		attrs = append(attrs, slog.Any(s.key, redactedValue(s, s.field(&c))))
	}
	return attrs
}

// redactedValue returns what may be shown of the field p points at.
func redactedValue(s setting, p any) any {
	switch p := p.(type) {
	case *string:
		switch s.show {
		case showSecret:
			if *p == "" {
				return ""
			}
			return mask
		case showURL:
			return redactURL(*p)
		}
		return *p
	case *[]WebhookClient:
		out := make([]string, 0, len(*p))
		for _, w := range *p {
			out = append(out, w.String())
		}
		return out
	case *time.Duration:
		return p.String()
	case *bool:
		return *p
	case *int:
		return *p
	case *float64:
		return *p
	}
	return mask // a field of a type not listed above is never shown
}

// redactURL masks the password of a URL (userinfo, or a password query
// parameter as libpq accepts). A SQLite path is shown as is unless it
// carries a password=; anything that does not parse is masked whole.
func redactURL(s string) string {
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		if strings.Contains(strings.ToLower(s), "password") {
			return mask
		}
		return s
	}
	u, err := url.Parse(s)
	if err != nil || (u.User == nil && strings.Contains(s, "@")) {
		// An "@" outside the userinfo means a password with unescaped
		// '/', '?' or '#' broke the parse: part of it may be anywhere.
		return mask
	}
	q := u.Query()
	masked := false
	for k := range q {
		if strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
			q[k] = []string{"xxxxx"}
			masked = true
		}
	}
	if masked {
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// maskWebhookSecret shows the whsec_ prefix, so that an operator can see the
// secret has the expected form, and nothing else.
func maskWebhookSecret(s string) string {
	if strings.HasPrefix(s, "whsec_") {
		return "whsec_" + mask
	}
	return mask
}
