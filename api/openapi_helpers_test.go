package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/jkngate/jkngate/api"
)

// openAPIBase is the URL the document is known by to the schema compiler;
// its schemas are compiled as openAPIBase + "#" + a JSON pointer, so that
// the document's own "#/components/schemas/X" refs resolve within it.
const openAPIBase = "https://jkngate.invalid/openapi.json"

// openAPIDoc is the served document, parsed, with a JSON Schema 2020-12
// compiler (the dialect of OpenAPI 3.1) that knows it as a resource.
type openAPIDoc struct {
	root map[string]any

	mu        sync.Mutex
	compiler  *jsonschema.Compiler
	schemas   map[string]*jsonschema.Schema // by pointer
	exercised map[string]bool               // "METHOD /path STATUS" validated so far
}

var (
	openAPIOnce   sync.Once
	openAPIParsed *openAPIDoc
	openAPIErr    error
)

// loadOpenAPI parses api.OpenAPIDocument once per test binary.
func loadOpenAPI(t testing.TB) *openAPIDoc {
	t.Helper()
	openAPIOnce.Do(func() { openAPIParsed, openAPIErr = parseOpenAPI(api.OpenAPIDocument()) })
	if openAPIErr != nil {
		t.Fatalf("openapi.yaml: %v", openAPIErr)
	}
	return openAPIParsed
}

func parseOpenAPI(src []byte) (*openAPIDoc, error) {
	var raw any
	if err := yaml.Unmarshal(src, &raw); err != nil {
		return nil, err
	}
	// Through JSON, so that the compiler sees exactly what a JSON client
	// would (string keys, json.Number).
	js, err := json.Marshal(jsonCompatible(raw))
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return nil, err
	}
	root, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("the document is not a mapping")
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat() // date-time, uri, ...: drift in formats is caught too
	if err := c.AddResource(openAPIBase, doc); err != nil {
		return nil, err
	}
	return &openAPIDoc{root: root, compiler: c, schemas: map[string]*jsonschema.Schema{},
		exercised: map[string]bool{}}, nil
}

// jsonCompatible turns yaml.v3's decoded values into what encoding/json
// can encode: mappings with non-string keys get string keys.
func jsonCompatible(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = jsonCompatible(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[fmt.Sprint(k)] = jsonCompatible(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = jsonCompatible(e)
		}
		return out
	}
	return v
}

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func pointer(tokens ...string) string {
	var b strings.Builder
	for _, tok := range tokens {
		b.WriteString("/" + escapePointer(tok))
	}
	return b.String()
}

// at returns the value at a JSON pointer ("/paths/~1healthz") of the
// document.
func (o *openAPIDoc) at(ptr string) (any, bool) {
	var cur any = o.root
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// deref follows a local "$ref" of a non-schema object (a response, a
// parameter, a header) and returns the pointer of the object it names.
func (o *openAPIDoc) deref(ptr string) (string, map[string]any, error) {
	for range 10 {
		v, ok := o.at(ptr)
		if !ok {
			return "", nil, fmt.Errorf("nothing at #%s", ptr)
		}
		m, ok := v.(map[string]any)
		if !ok {
			return "", nil, fmt.Errorf("#%s is not an object", ptr)
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return ptr, m, nil
		}
		if !strings.HasPrefix(ref, "#/") {
			return "", nil, fmt.Errorf("#%s: only local refs are used, not %q", ptr, ref)
		}
		ptr = strings.TrimPrefix(ref, "#")
	}
	return "", nil, fmt.Errorf("#%s: too many refs", ptr)
}

// schema compiles the schema at a JSON pointer of the document.
func (o *openAPIDoc) schema(ptr string) (*jsonschema.Schema, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if s, ok := o.schemas[ptr]; ok {
		return s, nil
	}
	s, err := o.compiler.Compile(openAPIBase + "#" + ptr)
	if err != nil {
		return nil, err
	}
	o.schemas[ptr] = s
	return s, nil
}

// validate checks a JSON document against the schema at ptr.
func (o *openAPIDoc) validate(ptr string, body []byte) error {
	s, err := o.schema(ptr)
	if err != nil {
		return fmt.Errorf("compiling #%s: %w", ptr, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	return s.Validate(inst)
}

// operationPointer is the pointer of the operation for method and an
// OpenAPI path template ("/v1/decisions/{decision_id}").
func operationPointer(method, route string) string {
	return pointer("paths", route, strings.ToLower(method))
}

// validateResponse checks a recorded response against the document: the
// operation documents the status (explicitly: "default" does not count),
// the response's headers marked required are present, its media type is
// documented, and a JSON body is valid against that media type's schema
// (object schemas forbid unknown fields, so drift either way fails). A
// response without content must have no body.
func (o *openAPIDoc) validateResponse(method, route string, status int, header http.Header, body []byte) error {
	op := operationPointer(method, route)
	if _, ok := o.at(op); !ok {
		return fmt.Errorf("%s %s is not in the document", method, route)
	}
	respPtr, resp, err := o.deref(op + pointer("responses", strconv.Itoa(status)))
	if err != nil {
		return fmt.Errorf("%s %s: status %d is not documented (%v)", method, route, status, err)
	}
	o.mu.Lock()
	o.exercised[method+" "+route+" "+strconv.Itoa(status)] = true
	o.mu.Unlock()

	if headers, ok := resp["headers"].(map[string]any); ok {
		for name := range headers {
			_, h, err := o.deref(respPtr + pointer("headers", name))
			if err != nil {
				return err
			}
			if req, _ := h["required"].(bool); req && header.Get(name) == "" {
				return fmt.Errorf("%s %s %d: the documented header %s is missing", method, route, status, name)
			}
		}
	}

	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			return fmt.Errorf("%s %s %d: a body, but the document says none", method, route, status)
		}
		return nil
	}
	ct := header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("%s %s %d: Content-Type %q: %v", method, route, status, ct, err)
	}
	if _, ok := content[mt]; !ok {
		return fmt.Errorf("%s %s %d: media type %s is not documented (%v)", method, route, status, mt, slices.Sorted(maps.Keys(content)))
	}
	schemaPtr := respPtr + pointer("content", mt, "schema")
	if mt != "application/json" {
		return nil // CSV, YAML, Prometheus text: documented as strings
	}
	if err := o.validate(schemaPtr, body); err != nil {
		return fmt.Errorf("%s %s %d: the body does not match #%s:\n%v\nbody: %s", method, route, status, schemaPtr, err, truncateBody(body))
	}
	return nil
}

// checkResponse is validateResponse for a recorded response; it fails t.
func (o *openAPIDoc) checkResponse(t testing.TB, method, route string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if err := o.validateResponse(method, route, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
		t.Error(err)
	}
}

// documentedStatuses lists "METHOD /path STATUS" for every explicitly
// documented response of every operation.
func (o *openAPIDoc) documentedStatuses() []string {
	var out []string
	for route, item := range o.root["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			responses, _ := op.(map[string]any)["responses"].(map[string]any)
			for status := range responses {
				if status != "default" {
					out = append(out, strings.ToUpper(method)+" "+route+" "+status)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

func truncateBody(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "..."
	}
	return string(b)
}
