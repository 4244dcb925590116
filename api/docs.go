package api

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"go.yaml.in/yaml/v3"
)

// docsCSS is the page's only style; the Content-Security-Policy allows it
// by its hash and nothing else.
//
//go:embed docs.css
var docsCSS string

//go:embed docs.tmpl
var docsTemplate string

// docsPage is the rendered GET /docs page and its CSP, built once from the
// embedded document.
var docsPage struct {
	once sync.Once
	html []byte
	csp  string
	err  error
}

// serveDocs is GET /docs: openapi.yaml rendered as HTML on the server. The
// page loads nothing: no script, no font, no image, no external style.
func serveDocs(c echo.Context) error {
	docsPage.once.Do(func() {
		docsPage.html, docsPage.err = renderDocs(openAPIDocument)
		sum := sha256.Sum256([]byte(docsCSS))
		docsPage.csp = "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
			"'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	})
	if docsPage.err != nil {
		return fmt.Errorf("rendering /docs: %w", docsPage.err)
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", docsPage.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	return c.HTMLBlob(http.StatusOK, docsPage.html)
}

// The page's model.
type (
	docsView struct {
		Title, Version, Summary, Description string
		CSS                                  template.CSS
		Servers                              []docsServer
		Tags                                 []docsTag
		Webhooks                             []docsOperation
		Schemas                              []docsSchema
	}
	docsServer struct{ URL, Description string }
	docsTag    struct {
		Name, Description string
		Operations        []docsOperation
	}
	docsOperation struct {
		ID, Method, Path, Summary, Description string
		Roles                                  []string // nil: no bearer token
		Public                                 bool
		Parameters                             []docsParam
		Bodies                                 []docsBody
		Responses                              []docsResponse
	}
	docsParam struct {
		Name, In, Description string
		Required              bool
		Type                  template.HTML
	}
	docsBody struct {
		MediaType, Description string
		Type                   template.HTML
	}
	docsResponse struct {
		Status, Description string
		Codes               []string
		Bodies              []docsBody
	}
	docsSchema struct {
		Name, Description string
		Type              template.HTML
		Properties        []docsProperty
	}
	docsProperty struct {
		Name, Description string
		Required          bool
		Type              template.HTML
	}
)

// renderDocs turns the OpenAPI document src into the page.
func renderDocs(src []byte) ([]byte, error) {
	var root map[string]any
	if err := yaml.Unmarshal(src, &root); err != nil {
		return nil, err
	}
	d := docsDoc{root: root}
	info := d.mapAt(root, "info")
	v := docsView{Title: d.str(info, "title"), Version: d.str(info, "version"), Summary: d.str(info, "summary"),
		Description: d.str(info, "description"), CSS: template.CSS(docsCSS)}
	for _, s := range d.list(root, "servers") {
		sm, _ := s.(map[string]any)
		v.Servers = append(v.Servers, docsServer{URL: d.str(sm, "url"), Description: d.str(sm, "description")})
	}
	ops := d.operations(d.mapAt(root, "paths"))
	for _, t := range d.list(root, "tags") {
		tm, _ := t.(map[string]any)
		tag := docsTag{Name: d.str(tm, "name"), Description: d.str(tm, "description")}
		for _, op := range ops {
			if slices.Contains(op.tags, tag.Name) {
				tag.Operations = append(tag.Operations, op.docsOperation)
			}
		}
		v.Tags = append(v.Tags, tag)
	}
	for _, op := range d.operations(d.mapAt(root, "webhooks")) {
		v.Webhooks = append(v.Webhooks, op.docsOperation)
	}
	schemas := d.mapAt(d.mapAt(root, "components"), "schemas")
	for _, name := range sortedKeys(schemas) {
		v.Schemas = append(v.Schemas, d.schema(name, d.resolveSchema(schemas[name])))
	}
	t, err := template.New("docs").Funcs(template.FuncMap{"md": inlineMarkdown}).Parse(docsTemplate)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// docsDoc reads the decoded YAML document.
type docsDoc struct{ root map[string]any }

type taggedOperation struct {
	docsOperation
	tags []string
}

var docsMethods = []string{"get", "put", "post", "delete", "patch", "options", "head", "trace"}

// operations lists the operations of a paths or webhooks object, by path
// and then method.
func (d docsDoc) operations(paths map[string]any) []taggedOperation {
	var out []taggedOperation
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range docsMethods {
			op, ok := item[method].(map[string]any)
			if !ok {
				continue
			}
			o := docsOperation{ID: d.str(op, "operationId"), Method: strings.ToUpper(method), Path: path,
				Summary: d.str(op, "summary"), Description: d.str(op, "description")}
			sec, hasSec := op["security"].([]any)
			o.Public = hasSec && len(sec) == 0
			for _, req := range sec {
				for _, scopes := range req.(map[string]any) {
					for _, r := range scopes.([]any) {
						o.Roles = append(o.Roles, fmt.Sprint(r))
					}
				}
			}
			for _, p := range d.list(op, "parameters") {
				pm := d.resolve(p)
				o.Parameters = append(o.Parameters, docsParam{Name: d.str(pm, "name"), In: d.str(pm, "in"),
					Description: d.str(pm, "description"), Required: pm["required"] == true, Type: d.typeOf(pm["schema"])})
			}
			if rb, ok := op["requestBody"]; ok {
				o.Bodies = d.bodies(d.resolve(rb))
			}
			responses := d.mapAt(op, "responses")
			for _, status := range sortedKeys(responses) {
				r := d.resolve(responses[status])
				o.Responses = append(o.Responses, docsResponse{Status: status, Description: d.str(r, "description"),
					Codes: d.errorCodes(r), Bodies: d.bodies(r)})
			}
			tags := []string{}
			for _, t := range d.list(op, "tags") {
				tags = append(tags, fmt.Sprint(t))
			}
			out = append(out, taggedOperation{o, tags})
		}
	}
	return out
}

func (d docsDoc) bodies(m map[string]any) []docsBody {
	content := d.mapAt(m, "content")
	var out []docsBody
	for _, mt := range sortedKeys(content) {
		cm, _ := content[mt].(map[string]any)
		out = append(out, docsBody{MediaType: mt, Description: d.str(m, "description"), Type: d.typeOf(cm["schema"])})
	}
	return out
}

// errorCodes returns the error codes an error response pins down
// (properties.error.properties.code's const or enum).
func (d docsDoc) errorCodes(resp map[string]any) []string {
	var codes []string
	content := d.mapAt(resp, "content")
	for _, mt := range sortedKeys(content) {
		s := d.mapAt(content[mt].(map[string]any), "schema")
		code := d.mapAt(d.mapAt(d.mapAt(d.mapAt(s, "properties"), "error"), "properties"), "code")
		if c, ok := code["const"]; ok {
			codes = append(codes, fmt.Sprint(c))
		}
		for _, e := range d.list(code, "enum") {
			codes = append(codes, fmt.Sprint(e))
		}
	}
	return codes
}

func (d docsDoc) schema(name string, s map[string]any) docsSchema {
	out := docsSchema{Name: name, Description: d.str(s, "description"), Type: d.typeOf(s)}
	props := d.mapAt(s, "properties")
	var required []string
	for _, r := range d.list(s, "required") {
		required = append(required, fmt.Sprint(r))
	}
	for _, p := range sortedKeys(props) {
		pm, _ := props[p].(map[string]any)
		out.Properties = append(out.Properties, docsProperty{Name: p, Description: d.str(pm, "description"),
			Required: slices.Contains(required, p), Type: d.typeOf(pm)})
	}
	return out
}

// resolveSchema merges a schema that extends another by $ref with the
// properties of what it refers to, for display.
func (d docsDoc) resolveSchema(v any) map[string]any {
	s, _ := v.(map[string]any)
	ref, ok := s["$ref"].(string)
	if !ok || len(s) == 1 {
		return s
	}
	base := d.resolveSchema(d.at(ref))
	merged := map[string]any{}
	for k, v := range base {
		merged[k] = v
	}
	props := map[string]any{}
	for k, v := range d.mapAt(base, "properties") {
		props[k] = v
	}
	for k, v := range d.mapAt(s, "properties") {
		if pm, ok := v.(map[string]any); ok {
			if bm, ok := props[k].(map[string]any); ok {
				m := map[string]any{}
				for k2, v2 := range bm {
					m[k2] = v2
				}
				for k2, v2 := range pm {
					m[k2] = v2
				}
				pm = m
			}
			props[k] = pm
		}
	}
	merged["properties"] = props
	merged["required"] = append(d.list(base, "required"), d.list(s, "required")...)
	if desc, ok := s["description"]; ok {
		merged["description"] = desc
	}
	return merged
}

// typeOf renders a schema in one line: a link to a named schema, a type
// with its enum, pattern or format, an array of something, or one of
// several.
func (d docsDoc) typeOf(v any) template.HTML {
	s, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if ref, ok := s["$ref"].(string); ok {
		name := ref[strings.LastIndex(ref, "/")+1:]
		link := template.HTML(fmt.Sprintf(`<a href="#schema-%s">%s</a>`, template.HTMLEscapeString(name), template.HTMLEscapeString(name)))
		if extra := d.constraints(s); extra != "" {
			link += " " + extra
		}
		return link
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		if alts := d.list(s, key); len(alts) > 0 {
			parts := make([]string, len(alts))
			for i, a := range alts {
				parts[i] = string(d.typeOf(a))
			}
			return template.HTML("one of " + strings.Join(parts, " | "))
		}
	}
	var typ string
	switch t := s["type"].(type) {
	case string:
		typ = t
	case []any:
		parts := make([]string, len(t))
		for i, p := range t {
			parts[i] = fmt.Sprint(p)
		}
		typ = strings.Join(parts, " or ")
	}
	out := template.HTML(template.HTMLEscapeString(typ))
	if items, ok := s["items"]; ok {
		out = "array of " + d.typeOf(items)
	}
	if extra := d.constraints(s); extra != "" {
		out += " " + extra
	}
	return out
}

func (d docsDoc) constraints(s map[string]any) template.HTML {
	var parts []string
	if e := d.list(s, "enum"); len(e) > 0 {
		vals := make([]string, len(e))
		for i, x := range e {
			vals[i] = "<code>" + template.HTMLEscapeString(fmt.Sprint(x)) + "</code>"
		}
		parts = append(parts, "one of "+strings.Join(vals, ", "))
	}
	if c, ok := s["const"]; ok {
		parts = append(parts, "always <code>"+template.HTMLEscapeString(fmt.Sprint(c))+"</code>")
	}
	for _, k := range []string{"format", "pattern", "minimum", "maximum", "minLength", "maxLength", "default"} {
		if x, ok := s[k]; ok {
			parts = append(parts, k+" <code>"+template.HTMLEscapeString(fmt.Sprint(x))+"</code>")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return template.HTML("(" + strings.Join(parts, "; ") + ")")
}

// resolve follows a local $ref of a parameter, response or body.
func (d docsDoc) resolve(v any) map[string]any {
	for range 10 {
		m, _ := v.(map[string]any)
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		v = d.at(ref)
	}
	return nil
}

// at returns what a local ref ("#/components/...") points to.
func (d docsDoc) at(ref string) any {
	var cur any = d.root
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, _ := cur.(map[string]any)
		cur = m[tok]
	}
	return cur
}

func (docsDoc) mapAt(m map[string]any, key string) map[string]any {
	v, _ := m[key].(map[string]any)
	return v
}

func (docsDoc) list(m map[string]any, key string) []any {
	v, _ := m[key].([]any)
	return v
}

func (docsDoc) str(m map[string]any, key string) string {
	v, _ := m[key].(string)
	return v
}

// codeSpan matches a Markdown code span in escaped text.
var codeSpan = regexp.MustCompile("`([^`]+)`")

// inlineMarkdown escapes s and renders its code spans (the only Markdown
// the document's descriptions use besides paragraphs, which the page keeps
// with white-space: pre-wrap).
func inlineMarkdown(s string) template.HTML {
	return template.HTML(codeSpan.ReplaceAllString(template.HTMLEscapeString(s), "<code>$1</code>"))
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
