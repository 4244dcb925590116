// Package logging holds the process's slog plumbing: a handler that masks
// personal data and secrets in every record, and the request-scoped
// attributes it adds to lines logged with a request's context. The domain
// (gate) logs through a plain *slog.Logger with the caller's context and
// knows nothing of either.
package logging

import (
	"context"
	"log/slog"
	"strings"

	"github.com/jkngate/jkngate/gate"
)

// MaskingHandler is a slog.Handler that masks personal data and secrets in
// every record before the next handler sees it: any run of exactly 16 digits
// (a NIK) becomes its gate.MaskNIK form, anything that looks like a JWT or a
// Standard Webhooks secret is cut to its first characters, and every string
// in Secrets is replaced by "****". Code does not have to remember to mask:
// wrapping the process's handler once is enough.
type MaskingHandler struct {
	next    slog.Handler
	secrets []string
}

// logAttrsKey is the context key of the attributes WithLogAttrs adds.
type logAttrsKey struct{}

// WithLogAttrs returns a copy of ctx carrying attrs besides those it
// already carries (an attribute with the key of an earlier one replaces
// it). MaskingHandler adds them to every record logged with a context
// derived from it (slog's ...Context methods), so that request-scoped
// facts such as the request id appear on every line without every caller
// passing them.
func WithLogAttrs(ctx context.Context, attrs ...slog.Attr) context.Context {
	old := logAttrs(ctx)
	merged := make([]slog.Attr, 0, len(old)+len(attrs))
	merged = append(merged, old...)
next:
	for _, a := range attrs {
		for i := range merged {
			if merged[i].Key == a.Key {
				merged[i] = a
				continue next
			}
		}
		merged = append(merged, a)
	}
	return context.WithValue(ctx, logAttrsKey{}, merged)
}

// logAttrs returns the attributes WithLogAttrs put in ctx; the slice must
// not be modified.
func logAttrs(ctx context.Context) []slog.Attr {
	if ctx == nil {
		return nil
	}
	attrs, _ := ctx.Value(logAttrsKey{}).([]slog.Attr)
	return attrs
}

// NewMaskingHandler wraps next. Empty and very short secrets are ignored (they
// would mask ordinary words).
func NewMaskingHandler(next slog.Handler, secrets ...string) *MaskingHandler {
	h := &MaskingHandler{next: next}
	for _, s := range secrets {
		if len(s) >= 6 {
			h.secrets = append(h.secrets, s)
		}
	}
	return h
}

// Enabled implements slog.Handler.
func (h *MaskingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle implements slog.Handler. The attributes WithLogAttrs put in ctx
// are added after the record's own, masked like them (inside the groups
// opened with WithGroup, as slog adds a record's attributes).
func (h *MaskingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.mask(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	for _, a := range logAttrs(ctx) {
		out.AddAttrs(h.attr(a))
	}
	return h.next.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h *MaskingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = h.attr(a)
	}
	return &MaskingHandler{next: h.next.WithAttrs(masked), secrets: h.secrets}
}

// WithGroup implements slog.Handler.
func (h *MaskingHandler) WithGroup(name string) slog.Handler {
	return &MaskingHandler{next: h.next.WithGroup(name), secrets: h.secrets}
}

func (h *MaskingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.mask(v.String()))
	case slog.KindGroup:
		g := v.Group()
		masked := make([]any, len(g))
		for i, x := range g {
			masked[i] = h.attr(x)
		}
		return slog.Group(a.Key, masked...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, h.mask(err.Error()))
		}
		if s, ok := v.Any().(interface{ String() string }); ok {
			return slog.String(a.Key, h.mask(s.String()))
		}
		return slog.String(a.Key, h.mask(v.String()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}

// mask applies every rule to s.
func (h *MaskingHandler) mask(s string) string {
	for _, secret := range h.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "****")
		}
	}
	return maskTokens(maskNIKs(s))
}

// maskNIKs masks every run of exactly 16 digits.
func maskNIKs(s string) string {
	var b []byte // allocated only when something is masked
	run := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			run++
			continue
		}
		if run == 16 {
			if b == nil {
				b = []byte(s)
			}
			copy(b[i-16:i], gate.MaskNIK(s[i-16:i]))
		}
		run = 0
	}
	if b == nil {
		return s
	}
	return string(b)
}

// maskTokens cuts JWTs ("eyJ...") and webhook secrets ("whsec_...") to a
// recognizable prefix.
func maskTokens(s string) string {
	for _, prefix := range []string{"eyJ", "whsec_"} {
		for from := 0; ; {
			i := strings.Index(s[from:], prefix)
			if i < 0 {
				break
			}
			i += from
			end := i
			for end < len(s) && isTokenChar(s[end]) {
				end++
			}
			keep := i + len(prefix) + 4
			if end-i <= len(prefix)+8 || keep >= end {
				from = end
				continue
			}
			s = s[:keep] + "****" + s[end:]
			from = keep + 4
		}
	}
	return s
}

func isTokenChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '+' || c == '/' || c == '='
}
