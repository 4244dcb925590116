package api_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestOpenAPILint applies the checks of Redocly's and Spectral's
// recommended rulesets that matter for this document (no-empty-servers,
// info-contact, info-license, operation-operationId(-unique/-url-safe),
// operation-summary, operation-description, operation-tags,
// operation-tag-defined, tag-description, operation-2xx-response,
// operation-4xx-response, parameter-description, no-unused-components,
// no-path-trailing-slash, security-defined), so that the document stays
// lint-clean without a Node.js linter in CI.
func TestOpenAPILint(t *testing.T) {
	doc := loadOpenAPI(t)
	root := doc.root

	servers, _ := root["servers"].([]any)
	if len(servers) == 0 {
		t.Errorf("servers: empty (no-empty-servers)")
	}
	for i, s := range servers {
		if u, _ := s.(map[string]any)["url"].(string); u == "" || strings.Contains(u, "example.com") {
			t.Errorf("servers/%d: url %q must be set and not example.com", i, u)
		}
	}
	info := root["info"].(map[string]any)
	if c, _ := info["contact"].(map[string]any); c == nil || (c["url"] == nil && c["email"] == nil) {
		t.Errorf("info.contact: needs a url or email (info-contact)")
	}
	if l, _ := info["license"].(map[string]any); l == nil || l["name"] == nil || (l["url"] == nil && l["identifier"] == nil) {
		t.Errorf("info.license: needs a name and a url or identifier (info-license, info-license-url)")
	}
	if d, _ := info["description"].(string); d == "" {
		t.Errorf("info.description: empty (info-description)")
	}

	declared := map[string]bool{}
	for _, tag := range root["tags"].([]any) {
		m := tag.(map[string]any)
		name, _ := m["name"].(string)
		declared[name] = true
		if d, _ := m["description"].(string); d == "" {
			t.Errorf("tag %s: no description (tag-description)", name)
		}
	}
	used := map[string]bool{}
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_.~-]+$`)
	_, hasGlobalSecurity := root["security"]
	for _, section := range []string{"paths", "webhooks"} {
		for route, item := range root[section].(map[string]any) {
			if section == "paths" && len(route) > 1 && strings.HasSuffix(route, "/") {
				t.Errorf("%s: trailing slash (no-path-trailing-slash)", route)
			}
			for method, o := range item.(map[string]any) {
				if !slices.Contains(httpMethods, method) {
					continue
				}
				op := o.(map[string]any)
				where := section + " " + strings.ToUpper(method) + " " + route
				if id, _ := op["operationId"].(string); !urlSafe.MatchString(id) {
					t.Errorf("%s: operationId %q is not URL-safe (operation-operationId-url-safe)", where, id)
				}
				for _, field := range []string{"summary", "description"} {
					if s, _ := op[field].(string); strings.TrimSpace(s) == "" {
						t.Errorf("%s: no %s (operation-%s)", where, field, field)
					}
				}
				tags, _ := op["tags"].([]any)
				if len(tags) == 0 {
					t.Errorf("%s: no tags (operation-tags)", where)
				}
				for _, tg := range tags {
					name, _ := tg.(string)
					used[name] = true
					if !declared[name] {
						t.Errorf("%s: tag %q is not declared (operation-tag-defined)", where, name)
					}
				}
				if _, ok := op["security"]; !ok && !hasGlobalSecurity && section == "paths" {
					t.Errorf("%s: no security requirement, and no global one (security-defined)", where)
				}
				var has2xx, has4xx bool
				for status := range op["responses"].(map[string]any) {
					has2xx = has2xx || strings.HasPrefix(status, "2")
					has4xx = has4xx || strings.HasPrefix(status, "4")
				}
				if !has2xx {
					t.Errorf("%s: no 2xx response (operation-2xx-response)", where)
				}
				if !has4xx && !noClientError[route] {
					t.Errorf("%s: no 4xx response (operation-4xx-response)", where)
				}
				params, _ := op["parameters"].([]any)
				for i := range params {
					_, p, err := doc.deref(pointer(section, route, method, "parameters", strconv.Itoa(i)))
					if err != nil {
						t.Errorf("%s: parameter %d: %v", where, i, err)
						continue
					}
					if d, _ := p["description"].(string); d == "" {
						t.Errorf("%s: parameter %v has no description (parameter-description)", where, p["name"])
					}
				}
			}
		}
	}
	for name := range declared {
		if !used[name] {
			t.Errorf("tag %s is declared but no operation uses it", name)
		}
	}

	// no-unused-components: every component is referenced from somewhere
	// else (security schemes by a security requirement).
	refs := map[string]bool{}
	walk(root, "", func(ptr string, m map[string]any) {
		if ref, ok := m["$ref"].(string); ok {
			refs[ref] = true
		}
	})
	walk(root, "", func(ptr string, m map[string]any) {
		if sec, ok := m["security"].([]any); ok && !strings.Contains(ptr, "/properties/") {
			for _, req := range sec {
				for name := range req.(map[string]any) {
					refs["#/components/securitySchemes/"+name] = true
				}
			}
		}
	})
	for kind, comps := range root["components"].(map[string]any) {
		for name := range comps.(map[string]any) {
			if ref := "#/components/" + kind + "/" + name; !refs[ref] {
				t.Errorf("%s is never used (no-unused-components)", ref)
			}
		}
	}
}

// TestOpenAPIExamples validates every example in the document against its
// schema (Redocly's no-invalid-media-type-examples and
// no-invalid-parameter-examples, Spectral's oas3-valid-media-example and
// oas3-valid-schema-example): "examples" arrays of schemas, and "example"
// or "examples" maps of parameters, headers and media types.
func TestOpenAPIExamples(t *testing.T) {
	doc := loadOpenAPI(t)
	n := 0
	check := func(where, schemaPtr string, v any) {
		n++
		js, err := json.Marshal(v)
		if err != nil {
			t.Errorf("%s: %v", where, err)
			return
		}
		if err := doc.validate(schemaPtr, js); err != nil {
			t.Errorf("%s: the example %s does not fit its schema: %v", where, truncateBody(js), err)
		}
	}
	walk(doc.root, "", func(ptr string, m map[string]any) {
		_, hasSchema := m["schema"].(map[string]any)
		if ex, ok := m["example"]; ok {
			if hasSchema {
				check("#"+ptr+"/example", ptr+"/schema", ex)
			} else {
				check("#"+ptr+"/example", ptr, ex)
			}
		}
		switch exs := m["examples"].(type) {
		case []any: // a schema's examples
			for i, ex := range exs {
				check("#"+ptr+"/examples/"+strconv.Itoa(i), ptr, ex)
			}
		case map[string]any: // Example objects of a parameter, header or media type
			if !hasSchema {
				t.Errorf("#%s: examples without a schema", ptr)
				return
			}
			names := make([]string, 0, len(exs))
			for name := range exs {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				_, exObj, err := doc.deref(ptr + pointer("examples", name))
				if err != nil {
					t.Errorf("#%s/examples/%s: %v", ptr, name, err)
					continue
				}
				if v, ok := exObj["value"]; ok {
					check("#"+ptr+pointer("examples", name, "value"), ptr+"/schema", v)
				}
			}
		}
	})
	if n < 10 {
		t.Errorf("only %d examples checked: the walk missed them", n)
	}
}

// noClientError lists the operational routes exempt from
// operation-4xx-response: they take no parameters or body, so there is
// nothing a client can get wrong and no 4xx to document.
var noClientError = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true, "/openapi.yaml": true, "/docs": true}

// walk calls fn for every mapping in v, depth first, with its JSON pointer.
func walk(v any, ptr string, fn func(ptr string, m map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		fn(ptr, v)
		for k, e := range v {
			walk(e, ptr+pointer(k), fn)
		}
	case []any:
		for i, e := range v {
			walk(e, ptr+"/"+strconv.Itoa(i), fn)
		}
	}
}
