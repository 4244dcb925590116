package config

import (
	"errors"
	"fmt"

	"github.com/jkngate/jkngate/gate"
	"go.yaml.in/yaml/v3"
)

// decodeOSSPermitTypes reads oss_permit_types: a mapping of OSS kd_izin
// codes to permit types, each of which must be one gate knows.
func decodeOSSPermitTypes(n *yaml.Node, p *map[string]gate.PermitType) error {
	if n.Kind != yaml.MappingNode {
		return errors.New("must be a mapping of OSS kd_izin codes to permit types")
	}
	m := make(map[string]gate.PermitType, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" || v.Kind != yaml.ScalarNode {
			return errors.New("must be a mapping of OSS kd_izin codes to permit types")
		}
		t := gate.PermitType(v.Value)
		known := false
		for _, x := range gate.PermitTypes {
			known = known || x == t
		}
		if !known {
			return fmt.Errorf("%s: must be one of the permit types, not %q", k.Value, v.Value)
		}
		m[k.Value] = t
	}
	*p = m
	return nil
}
