package config

import (
	"errors"

	"github.com/jkngate/jkngate/gate"
)

// LoadAll loads the configuration (Load), validates it for mode
// (Validate) and loads the policy file it names (LoadPolicy), and reports
// every problem of all three in one error, one line each, so that an
// operator fixes them in one go rather than one start-up at a time. A
// setting that fails to parse keeps its default while the rest is checked.
// The policy is gate.DefaultPolicy() when no file is named; on error the
// returned values must not be used.
func LoadAll(getenv func(string) string, mode string) (Config, gate.Policy, error) {
	cfg, loadErr := Load(getenv)
	validateErr := cfg.Validate(mode)
	policy, policyErr := LoadPolicy(cfg.PolicyFile)
	return cfg, policy, errors.Join(loadErr, validateErr, policyErr)
}
