package gate

import "context"

type backgroundKey struct{}

// WithBackground marks ctx as carrying background work (the recheck of
// decisions made during an outage) rather than a caller waiting for an
// answer. A Registry that limits its calls toward BPJS gives background
// lookups only the room that live requests leave, so that draining a
// backlog never slows a webhook down.
func WithBackground(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// IsBackground reports whether ctx was marked by WithBackground.
func IsBackground(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}
