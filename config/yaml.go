package config

import (
	"bytes"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeMapping parses a YAML document whose top level must be a mapping;
// an empty document is an empty mapping. Values are left as nodes so that
// each key can be checked on its own. Errors never quote the content.
func decodeMapping(data []byte) (map[string]yaml.Node, error) {
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return map[string]yaml.Node{}, nil
		}
		return nil, errors.New(oneLine(err))
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("the top level must be a mapping of keys to values")
	}
	var doc map[string]yaml.Node
	if err := root.Content[0].Decode(&doc); err != nil {
		return nil, errors.New(oneLine(err))
	}
	return doc, nil
}

// sortedKeys returns m's keys in order, so that errors come out stably.
func sortedKeys(m map[string]yaml.Node) []string {
	return slices.Sorted(maps.Keys(m))
}

// oneLine flattens a yaml.v3 error (which may list several lines) into one
// line without the package's "yaml: " prefixes.
func oneLine(err error) string {
	s := strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n")
	s = strings.TrimPrefix(s, "yaml: ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, "; ")
}
