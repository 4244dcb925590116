package config

import (
	"fmt"
	"slices"
	"strings"
)

// reserved are variables of jkngate's published configuration that this
// build may not read yet (adapters and features added over time). They are
// known, so setting one ahead of time draws no warning.
var reserved = []string{
	"oss_user_key", "oss_basic_auth", "oss_status_url", "oss_status_user_key", "oss_instansi",
	"oidc_issuer", "oidc_client_id", "oidc_client_secret", "oidc_redirect_url",
	"oidc_roles_claim", "oidc_regions_claim", "session_key",
	"read_timeout", "write_timeout", "idle_timeout", "cache_key", "tracing",
}

// reservedSecrets are the reserved variables that also take <NAME>_FILE.
var reservedSecrets = []string{
	"oss_user_key", "oss_basic_auth", "oss_status_user_key", "oidc_client_secret", "session_key", "cache_key",
}

// harnessPrefixes are JKNGATE_* prefixes the test suites and load tests
// read; they are not configuration and draw no warning.
var harnessPrefixes = []string{Prefix + "TEST_", Prefix + "LOAD", Prefix + "BENCH_"}

// KnownVariables returns, sorted, every JKNGATE_* variable that configures
// jkngate: JKNGATE_CONFIG, each setting's name and, for secrets, its _FILE
// form, taken from the same table Load reads, plus the published names
// this build does not read yet.
func KnownVariables() []string {
	seen := map[string]bool{FileVar: true}
	for _, s := range settings {
		seen[s.envName()] = true
		if s.file {
			seen[s.envName()+"_FILE"] = true
		}
	}
	for _, k := range reserved {
		seen[Prefix+strings.ToUpper(k)] = true
	}
	for _, k := range reservedSecrets {
		seen[Prefix+strings.ToUpper(k)+"_FILE"] = true
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// UnknownVariables returns one warning for each JKNGATE_* variable in
// environ (NAME=VALUE entries, as os.Environ returns them) that jkngate
// does not know, in the order given, each naming the closest known
// variable: "JKNGATE_DATABSE_URL is not a jkngate variable and is ignored;
// did you mean JKNGATE_DATABASE_URL?". Values are never quoted.
func UnknownVariables(environ []string) []string {
	known := KnownVariables()
	var warnings []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, Prefix) || slices.Contains(known, name) || hasAnyPrefix(name, harnessPrefixes) {
			continue
		}
		warnings = append(warnings, fmt.Sprintf("%s is not a jkngate variable and is ignored; did you mean %s?",
			name, closest(name, known)))
	}
	return warnings
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// closest returns the candidate with the least edit distance to s (the
// first of equals, candidates being sorted).
func closest(s string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		if d := levenshtein(s, c); bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// levenshtein is the edit distance between a and b (insertions, deletions
// and substitutions of bytes; the names are ASCII).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
