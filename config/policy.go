package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"time"

	"github.com/jkngate/jkngate/gate"
	"go.yaml.in/yaml/v3"
)

// LoadPolicy reads the YAML policy file at path (contract section 5, plus
// worker_sample_size); "" returns gate.DefaultPolicy(). Keys the file leaves
// out keep the default's value. Durations take time.ParseDuration syntax
// ("72h") or, as a convenience, whole days in front ("30d", "1d12h").
// The result passes gate.Policy.Validate. Errors, joined one per line, name
// the file and the key, e.g. "policy.yaml: min_worker_coverage: must be
// between 0 and 1"; unknown keys and keys without a value are errors.
func LoadPolicy(path string) (gate.Policy, error) {
	p := gate.DefaultPolicy()
	if path == "" {
		return p, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return gate.Policy{}, fmt.Errorf("%s: %w", Prefix+"POLICY_FILE", err)
	}
	doc, err := decodeMapping(data)
	if err != nil {
		return gate.Policy{}, fmt.Errorf("%s: %w", path, err)
	}
	fields := map[string]any{
		"version":                 &p.Version,
		"gated_permit_types":      &p.GatedPermitTypes,
		"exempt_business_scales":  &p.ExemptBusinessScales,
		"min_worker_coverage":     &p.MinWorkerCoverage,
		"max_arrears_months":      &p.MaxArrearsMonths,
		"employer_paid_segments":  &p.EmployerPaidSegments,
		"on_registry_unavailable": &p.OnRegistryUnavailable,
		"max_data_age":            &p.MaxDataAge,
		"decision_valid_for":      &p.DecisionValidFor,
		"recheck_for":             &p.RecheckFor,
		"worker_sample_size":      &p.WorkerSampleSize,
	}
	var errs []error
	for _, key := range sortedKeys(doc) {
		field, ok := fields[key]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: unknown key %q", path, key))
			continue
		}
		node := doc[key]
		if err := decodePolicyField(&node, field); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", path, key, err))
		}
	}
	// Validate even after decoding errors, so that one run reports every
	// fault; a key that failed to decode kept its default, which is valid.
	if err := p.Validate(); err != nil {
		var ge *gate.Error
		if !errors.As(err, &ge) || len(ge.Fields) == 0 {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
		} else {
			for _, f := range ge.Fields {
				errs = append(errs, fmt.Errorf("%s: %s: %s", path, f.Field, f.Message))
			}
		}
	}
	if len(errs) > 0 {
		return gate.Policy{}, errors.Join(errs...)
	}
	return p, nil
}

// decodePolicyField decodes one policy value into the field p points at.
// A key without a value is refused rather than read as zero, because a
// silent zero coverage or an empty gated list would let every permit pass.
func decodePolicyField(n *yaml.Node, p any) error {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return errors.New("has no value (write [] for an empty list)")
	}
	switch p := p.(type) {
	case *time.Duration:
		if n.Kind != yaml.ScalarNode {
			return errors.New("must be a duration like 72h or 30d")
		}
		d, err := parseDays(n.Value)
		if err != nil {
			return fmt.Errorf("must be a duration like 72h or 30d, not %q", n.Value)
		}
		*p = d
	case *float64:
		f, err := strconv.ParseFloat(n.Value, 64)
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || err != nil {
			return errors.New("must be a number")
		}
		*p = f
	case *int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || err != nil {
			return errors.New("must be an integer")
		}
		*p = i
	case *string:
		if n.Kind != yaml.ScalarNode {
			return errors.New("must be a string")
		}
		*p = n.Value
	case *gate.Outcome:
		if n.Kind != yaml.ScalarNode {
			return errors.New("must be a string")
		}
		*p = gate.Outcome(n.Value)
	case *[]string:
		list, err := stringList(n)
		if err != nil {
			return err
		}
		*p = list
	case *[]gate.PermitType:
		list, err := stringList(n)
		if err != nil {
			return err
		}
		*p = make([]gate.PermitType, len(list))
		for i, s := range list {
			(*p)[i] = gate.PermitType(s)
		}
	default:
		panic(fmt.Sprintf("config: no policy decoder for %T", p))
	}
	return nil
}

// stringList returns the items of a YAML list of scalars; [] is an empty,
// non-nil list.
func stringList(n *yaml.Node) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, errors.New("must be a list of strings, like [a, b]")
	}
	list := make([]string, 0, len(n.Content))
	for _, item := range n.Content {
		if item.Kind != yaml.ScalarNode {
			return nil, errors.New("must be a list of strings, like [a, b]")
		}
		list = append(list, item.Value)
	}
	return list, nil
}

// daysPrefix matches a leading whole number of days: "30d", "1d12h".
var daysPrefix = regexp.MustCompile(`^(\d+)d(.*)$`)

// parseDays is time.ParseDuration that also accepts whole days in front.
func parseDays(s string) (time.Duration, error) {
	m := daysPrefix.FindStringSubmatch(s)
	if m == nil {
		return time.ParseDuration(s)
	}
	days, err := strconv.Atoi(m[1])
	if err != nil || days > int(time.Duration(1<<63-1)/(24*time.Hour)) {
		return 0, fmt.Errorf("bad days in %q", s)
	}
	d := time.Duration(days) * 24 * time.Hour
	if m[2] == "" {
		return d, nil
	}
	rest, err := time.ParseDuration(m[2])
	if err != nil || rest < 0 || d+rest < d {
		return 0, fmt.Errorf("bad duration %q", s)
	}
	return d + rest, nil
}
