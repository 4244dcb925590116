package config

import (
	"encoding/base64"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// envMap turns a map into a getenv function.
func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// envWithFile is a copy of env that, when yaml is not "", also names in
// JKNGATE_CONFIG a file holding yaml.
func envWithFile(t *testing.T, env map[string]string, yaml string) map[string]string {
	t.Helper()
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	if yaml != "" {
		out["JKNGATE_CONFIG"] = writeFile(t, "config.yaml", yaml)
	}
	return out
}

// writeFile writes content to name in a fresh temporary directory and
// returns the path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// whsec returns a valid webhook secret whose key is n bytes of fill.
func whsec(fill byte, n int) string {
	return "whsec_" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(fill), n)))
}

// errLines splits a joined error into its lines; nil has none.
func errLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

// hasLine reports whether one of err's lines is exactly want.
func hasLine(err error, want string) bool {
	for _, l := range errLines(err) {
		if l == want {
			return true
		}
	}
	return false
}

// hasSubstring reports whether one of err's lines contains want.
func hasSubstring(err error, want string) bool {
	return err != nil && strings.Contains(err.Error(), want)
}
