package config

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// CacheKeyBytes is the length of a cache key once decoded.
const CacheKeyBytes = 32

// CacheKeys decodes CacheKey and CachePreviousKeys. current is nil when
// CacheKey is empty. Errors name the variable but never quote a key.
func (c Config) CacheKeys() (current []byte, previous [][]byte, err error) {
	if c.CacheKey != "" {
		if current, err = decodeCacheKey(c.CacheKey); err != nil {
			return nil, nil, fmt.Errorf("%sCACHE_KEY: %w", Prefix, err)
		}
	}
	if previous, err = decodePreviousKeys(c.CachePreviousKeys); err != nil {
		return nil, nil, fmt.Errorf("%sCACHE_PREVIOUS_KEYS: %w", Prefix, err)
	}
	return current, previous, nil
}

func decodePreviousKeys(list string) ([][]byte, error) {
	var keys [][]byte
	for i, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		k, err := decodeCacheKey(s)
		if err != nil {
			return nil, fmt.Errorf("key %d %w", i+1, err)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// decodeCacheKey accepts standard or URL-safe base64, padded or not, as
// `openssl rand -base64 32` and most secret stores produce it.
func decodeCacheKey(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	var b []byte
	var err error
	if strings.ContainsAny(s, "-_") {
		b, err = base64.RawURLEncoding.DecodeString(s)
	} else {
		b, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return nil, fmt.Errorf("must be base64 (try: openssl rand -base64 %d)", CacheKeyBytes)
	}
	if len(b) != CacheKeyBytes {
		return nil, fmt.Errorf("must decode to %d bytes, not %d (try: openssl rand -base64 %d)", CacheKeyBytes, len(b), CacheKeyBytes)
	}
	return b, nil
}

// checkCacheKeys reports what is wrong with the cache keys: serve needs a
// key with Redis (the demo makes one up), and every key given must decode.
func (c Config) checkCacheKeys(mode string) []keyValue {
	var msgs []keyValue
	switch {
	case c.CacheKey == "" && c.RedisURL != "" && mode == ModeServe:
		msgs = append(msgs, keyValue{"cache_key", "required with " + Prefix + "REDIS_URL: it keys and encrypts what the cache holds in Redis"})
	case c.CacheKey != "":
		if _, err := decodeCacheKey(c.CacheKey); err != nil {
			msgs = append(msgs, keyValue{"cache_key", err.Error()})
		}
	}
	if _, err := decodePreviousKeys(c.CachePreviousKeys); err != nil {
		msgs = append(msgs, keyValue{"cache_previous_keys", err.Error()})
	} else if c.CacheKey == "" && strings.TrimSpace(c.CachePreviousKeys) != "" {
		msgs = append(msgs, keyValue{"cache_previous_keys", "needs " + Prefix + "CACHE_KEY as the current key"})
	}
	return msgs
}
