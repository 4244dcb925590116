package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactionHidesEverySecret(t *testing.T) {
	wh1, wh2 := whsec('p', 24), whsec('q', 32)
	secrets := []string{
		"dbpassw0rd", "redispassw0rd", "bpjs-cons-secret", "bpjs-user-key-42",
		strings.Repeat("h", 40), "querypassw0rd",
		strings.TrimPrefix(wh1, "whsec_"), strings.TrimPrefix(wh2, "whsec_"),
	}
	c := Default()
	c.File = "/etc/jkngate.yaml"
	c.DatabaseURL = "postgres://jk:dbpassw0rd@db.example:5432/jk?sslmode=require&password=querypassw0rd"
	c.RedisURL = "rediss://default:redispassw0rd@redis.example:6380/0"
	c.BPJSURL = "https://apijkn.example/vclaim-rest"
	c.BPJSConsID = "1234"
	c.BPJSSecret = "bpjs-cons-secret"
	c.BPJSUserKey = "bpjs-user-key-42"
	c.JWTHS256Secret = strings.Repeat("h", 40)
	c.WebhookClients = []WebhookClient{{ID: "oss", Secrets: []string{wh1, wh2}}, {ID: "lpse", Secrets: []string{wh2}}}

	var jsonOut, textOut bytes.Buffer
	slog.New(slog.NewJSONHandler(&jsonOut, nil)).Info("starting", "config", c)
	slog.New(slog.NewTextHandler(&textOut, nil)).Info("starting", "config", c)
	outputs := map[string]string{
		"slog json": jsonOut.String(),
		"slog text": textOut.String(),
		"%v":        fmt.Sprintf("%v", c),
		"%+v":       fmt.Sprintf("%+v", c),
		"%#v":       fmt.Sprintf("%#v", c),
		"Redacted":  fmt.Sprintf("%v", c.Redacted()),
		"clients":   fmt.Sprintf("%v %+v", c.WebhookClients, c.WebhookClients),
	}
	for name, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s output contains secret %q:\n%s", name, s, out)
			}
		}
	}
	for _, want := range []string{"oss:whsec_****", "lpse:whsec_****", "db.example", "1234", "apijkn.example", "/etc/jkngate.yaml"} {
		if !strings.Contains(jsonOut.String(), want) {
			t.Errorf("slog json output lacks %q:\n%s", want, jsonOut.String())
		}
	}
	r := c.Redacted()
	if r["bpjs_secret"] != "****" || r["jwt_hs256_secret"] != "****" || r["addr"] != ":8080" {
		t.Errorf("Redacted = %v", r)
	}
	if got := len(r); got != len(settings)+1 {
		t.Errorf("Redacted has %d keys, want every setting and config_file (%d)", got, len(settings)+1)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"jkngate.db", "jkngate.db"},
		{"file:jk.db?_pragma=busy_timeout(5000)", "file:jk.db?_pragma=busy_timeout(5000)"},
		{"host=db password=x", "****"},
		{"postgres://jk:pw@db/jk", "postgres://jk:xxxxx@db/jk"},
		{"postgres://jk@db/jk?password=pw&sslmode=disable", "postgres://jk@db/jk?password=xxxxx&sslmode=disable"},
		{"redis://:pw@cache:6379/1", "redis://:xxxxx@cache:6379/1"},
		{"redis://cache:6379", "redis://cache:6379"},
		{"postgres://jk:p@ss word@db/jk", "****"},
		{"postgres://jk:123/x@db/jk", "****"},
	}
	for _, tt := range tests {
		if got := redactURL(tt.in); got != tt.want {
			t.Errorf("redactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSlogLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError} {
		if got := (Config{LogLevel: in}).SlogLevel(); got != want {
			t.Errorf("SlogLevel(%q) = %v, want %v", in, got, want)
		}
	}
}
