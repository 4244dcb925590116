package cache

// Codes of the *gate.Error values this package makes besides the Registry
// codes it shares with gate (gate.CodeBPJSTimeout, ...).
const (
	// codeInvalidKey: a cache key secret that cannot be used.
	codeInvalidKey = "invalid_cache_key"
	// codeInvalidOptions: Options that cannot be used. gate.KindInvalid.
	codeInvalidOptions = "invalid_cache_options"
	// codeInvalidationFailed: cached answers could not be dropped.
	// gate.KindUnavailable.
	codeInvalidationFailed = "cache_invalidation_failed"
)
