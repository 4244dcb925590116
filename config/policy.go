package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jkngate/jkngate/gate"
	"go.yaml.in/yaml/v3"
)

// LoadPolicy reads the YAML policy file at path (README, "Policy", plus
// worker_sample_size); "" returns gate.DefaultPolicy(). Keys the file leaves
// out keep the default's value. Durations take time.ParseDuration syntax
// ("72h") or, as a convenience, whole days in front ("30d", "1d12h").
// The result passes gate.Policy.Validate. Errors, joined one per line, name
// the file and the key, e.g. "policy.yaml: min_worker_coverage: must be
// between 0 and 1"; unknown keys and keys without a value are errors.
func LoadPolicy(path string) (gate.Policy, error) {
	if path == "" {
		return gate.DefaultPolicy(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return gate.Policy{}, fmt.Errorf("%s: %w", Prefix+"POLICY_FILE", err)
	}
	return ParsePolicy(data, path)
}

// ParsePolicy reads a YAML policy document, as LoadPolicy does; name
// prefixes every error (a file name).
func ParsePolicy(data []byte, name string) (gate.Policy, error) {
	p := gate.DefaultPolicy()
	doc, err := decodeMapping(data)
	if err != nil {
		return gate.Policy{}, fmt.Errorf("%s: %w", name, err)
	}
	errs := applyPolicy(&p, doc, name, "", true)
	if regions, ok := doc["regions"]; ok {
		errs = append(errs, applyRegions(&p, &regions, name)...)
	}
	// Keys that could not be read kept their defaults, so the rest can
	// still be validated: every problem is reported at once.
	if err := p.Validate(); err != nil {
		var ge *gate.Error
		if !errors.As(err, &ge) || len(ge.Fields) == 0 {
			return gate.Policy{}, fmt.Errorf("%s: %w", name, err)
		}
		for _, f := range ge.Fields {
			errs = append(errs, fmt.Errorf("%s: %s: %s", name, f.Field, f.Message))
		}
	}
	if len(errs) > 0 {
		return gate.Policy{}, errors.Join(errs...)
	}
	return p, nil
}

// applyPolicy sets the keys of doc on p; errors name the file and the key
// under path ("" or "regions.1272."). The
// base policy (base true) also takes branch_offices and regions (which the
// caller applies once the base is complete).
func applyPolicy(p *gate.Policy, doc map[string]yaml.Node, name, path string, base bool) []error {
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
		"review_due_working_days": &p.ReviewDueWorkingDays,
		"holidays":                &p.Holidays,
		"legal_basis":             &p.LegalBasis,
	}
	if base {
		fields["branch_offices"] = &p.BranchOffices
		fields["oss_permit_types"] = &p.OSSPermitTypes
		fields["regions"] = nil // applied by applyRegions
	}
	var errs []error
	for _, key := range sortedKeys(doc) {
		field, ok := fields[key]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: %sunknown key %q", name, strings.ReplaceAll(path, ".", ": "), key))
			continue
		}
		if field == nil {
			continue
		}
		node := doc[key]
		if err := decodePolicyField(&node, field); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s%s: %w", name, path, key, err))
		}
	}
	return errs
}

// applyRegions builds the effective policy of each region under the regions
// key: the base policy with the region's keys changed.
func applyRegions(p *gate.Policy, n *yaml.Node, name string) []error {
	if n.Kind != yaml.MappingNode {
		return []error{fmt.Errorf("%s: regions: must be a mapping of region codes to policy keys", name)}
	}
	var errs []error
	p.Regions = map[string]gate.Policy{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		code, body := n.Content[i].Value, n.Content[i+1]
		var doc map[string]yaml.Node
		if body.Kind != yaml.MappingNode || body.Decode(&doc) != nil {
			errs = append(errs, fmt.Errorf("%s: regions.%s: must be a mapping of policy keys", name, code))
			continue
		}
		var regionErrs []error
		p.Regions[code] = p.Override(code, func(r *gate.Policy) {
			regionErrs = applyPolicy(r, doc, name, "regions."+code+".", false)
		})
		errs = append(errs, regionErrs...)
	}
	return errs
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
	case *gate.LegalBasis:
		return decodeLegalBasis(n, p)
	case *map[string]gate.BranchOffice:
		return decodeBranchOffices(n, p)
	case *map[string]gate.PermitType:
		return decodeOSSPermitTypes(n, p)
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

// decodeLegalBasis sets the citations n names, keeping the others.
func decodeLegalBasis(n *yaml.Node, lb *gate.LegalBasis) error {
	if n.Kind != yaml.MappingNode {
		return errors.New("must be a mapping with regional, registration, contribution, sanction, supervision")
	}
	fields := map[string]*string{"regional": &lb.Regional, "registration": &lb.Registration,
		"contribution": &lb.Contribution, "sanction": &lb.Sanction, "supervision": &lb.Supervision}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, v := n.Content[i].Value, n.Content[i+1]
		f, ok := fields[key]
		if !ok {
			return fmt.Errorf("unknown key %q", key)
		}
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("%s: must be a string", key)
		}
		*f = v.Value
	}
	return nil
}

// decodeBranchOffices reads region code -> {name, address}.
func decodeBranchOffices(n *yaml.Node, m *map[string]gate.BranchOffice) error {
	if n.Kind != yaml.MappingNode {
		return errors.New(`must be a mapping like "1275": {name: Medan, address: "..."}`)
	}
	out := map[string]gate.BranchOffice{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		code, v := n.Content[i].Value, n.Content[i+1]
		var b struct {
			Name    string `yaml:"name"`
			Address string `yaml:"address"`
		}
		if v.Kind != yaml.MappingNode || v.Decode(&b) != nil || b.Name == "" {
			return fmt.Errorf("%s: must be a mapping with a name and an address", code)
		}
		out[code] = gate.BranchOffice{Name: b.Name, Address: b.Address}
	}
	*m = out
	return nil
}
