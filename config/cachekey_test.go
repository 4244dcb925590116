package config

import (
	"bytes"
	"strings"
	"testing"
)

func TestCacheKeysDecodeEveryBase64Form(t *testing.T) {
	want := []byte("0123456789abcdef0123456789abcdef")
	std := testCacheKey
	for _, s := range []string{std, strings.TrimRight(std, "="), "  " + std + " "} {
		c := Default()
		c.CacheKey = s
		c.CachePreviousKeys = " " + s + ", ,\t" + s
		cur, prev, err := c.CacheKeys()
		if err != nil || !bytes.Equal(cur, want) || len(prev) != 2 || !bytes.Equal(prev[1], want) {
			t.Errorf("CacheKeys(%q) = %x, %d previous, %v", s, cur, len(prev), err)
		}
	}
	url := make([]byte, 32)
	url[0], url[1] = 0xfb, 0xff // "-_" in URL-safe base64
	c := Default()
	c.CacheKey = "-_8" + strings.Repeat("A", 40)
	if cur, _, err := c.CacheKeys(); err != nil || !bytes.Equal(cur, url) {
		t.Errorf("URL-safe key = %x, %v", cur, err)
	}
}

func TestCacheKeysAreMaskedInTheLogLine(t *testing.T) {
	c := Default()
	c.CacheKey, c.CachePreviousKeys = testCacheKey, testCacheKey
	if s := c.String(); strings.Contains(s, testCacheKey) || !strings.Contains(s, "cache_key=****") {
		t.Errorf("config line = %s", s)
	}
}
