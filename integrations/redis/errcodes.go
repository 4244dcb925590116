package redis

// Codes of the *gate.Error values this package returns; gate's codes are
// for what other packages recognize, these only describe.
const (
	// codeUnavailable: Redis could not be reached or failed the command.
	// gate.KindUnavailable.
	codeUnavailable = "redis_unavailable"
	// codeInvalidTTL: a cache entry without a positive ttl. gate.KindInvalid.
	codeInvalidTTL = "invalid_ttl"
	// codeInvalidURL: a Redis URL that cannot be used. gate.KindInvalid.
	codeInvalidURL = "invalid_redis_url"
)
