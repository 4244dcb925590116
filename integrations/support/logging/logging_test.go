package logging

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestMaskingHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewMaskingHandler(slog.NewJSONHandler(&buf, nil), "sup3r-s3cret"))
	nik := "1275014101900001"
	jwt := "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJidWRpIn0.c2lnbmF0dXJlLWJ5dGVz"
	log.With("worker", nik).Info("looked up "+nik,
		"path", "/Peserta/nik/"+nik+"/tglSEP/2026-11-25",
		"err", errors.New("BPJS said no for "+nik),
		"auth", "Bearer "+jwt,
		"secret", "key=sup3r-s3cret",
		"hook", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		slog.Group("g", "nik", nik),
		"nib", "9120001234567", "long", "12345678901234567")
	out := buf.String()
	for _, leak := range []string{nik, jwt, "sup3r-s3cret", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q:\n%s", leak, out)
		}
	}
	for _, keep := range []string{"1275********0001", "9120001234567", "12345678901234567", "eyJh", "whsec_"} {
		if !strings.Contains(out, keep) {
			t.Errorf("log lost %q:\n%s", keep, out)
		}
	}
}

func TestMaskingHandlerAddsContextAttrs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewMaskingHandler(slog.NewJSONHandler(&buf, nil)))
	ctx := WithLogAttrs(context.Background(), slog.String("request_id", "req-1"), slog.String("client_id", "old"))
	ctx = WithLogAttrs(ctx, slog.String("client_id", "oss"), slog.String("who", "nik 1275014101900001"))
	log.InfoContext(ctx, "deep")
	log.Info("no context")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", buf.String())
	}
	for _, want := range []string{`"request_id":"req-1"`, `"client_id":"oss"`, `"who":"nik 1275********0001"`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line %s lacks %s", lines[0], want)
		}
	}
	if strings.Count(lines[0], "client_id") != 1 {
		t.Errorf("client_id not replaced: %s", lines[0])
	}
	if strings.Contains(lines[1], "request_id") {
		t.Errorf("a line logged without the context carries its attrs: %s", lines[1])
	}
	if got := logAttrs(WithLogAttrs(context.Background())); len(got) != 0 {
		t.Errorf("empty WithLogAttrs: %v", got)
	}
}
