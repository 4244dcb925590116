package api_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// errorCode is what an error code looks like: lower snake case.
var errorCode = regexp.MustCompile(`^[a-z][a-z0-9_]*[a-z]$`)

// codeConst is one error-code constant: a const named code... or Code...
// whose value looks like an error code.
type codeConst struct {
	value, name, file string
}

// moduleSources parses every non-test Go file of the module (the parent of
// api), skipping testdata and hidden folders.
func moduleSources(t *testing.T) (*token.FileSet, map[string]*ast.File) {
	t.Helper()
	fset := token.NewFileSet()
	files := map[string]*ast.File{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != ".." && (name == "testdata" || strings.HasPrefix(name, ".") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(strings.TrimPrefix(path, "../"))] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("found %d Go files from the module root; is the test run from api/?", len(files))
	}
	return fset, files
}

// codeConsts returns the error-code constants declared in files.
func codeConsts(files map[string]*ast.File) []codeConst {
	var out []codeConst
	for path, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i >= len(vs.Values) || !strings.HasPrefix(strings.ToLower(name.Name), "code") {
						continue
					}
					if v, ok := stringLit(vs.Values[i]); ok && errorCode.MatchString(v) {
						out = append(out, codeConst{value: v, name: name.Name, file: path})
					}
				}
			}
		}
	}
	return out
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// TestErrorCodesSpelledOnce: every error code is a constant declared once
// (gate owns the domain's, api/httperr the HTTP layer's, an adapter its
// own), and no error is built or matched with the code spelled out, so a
// typo cannot make a second code that nobody documents or recognizes.
func TestErrorCodesSpelledOnce(t *testing.T) {
	fset, files := moduleSources(t)
	consts := codeConsts(files)
	byValue := map[string][]string{}
	for _, c := range consts {
		byValue[c.value] = append(byValue[c.value], c.file+": "+c.name)
	}
	for _, want := range []string{"already_reviewed", "store_unavailable", "malformed_json", "payload_too_large"} {
		if len(byValue[want]) == 0 {
			t.Errorf("no constant for %q found; the scan misses declarations", want)
		}
	}
	for v, where := range byValue {
		if len(where) > 1 {
			slices.Sort(where)
			t.Errorf("code %q is declared %d times: %s", v, len(where), strings.Join(where, "; "))
		}
	}

	// Where a code literal would be spelled: the Code field of an error
	// (gate.Error, httperr.Error, the JSON error body), the code argument
	// of gate.Errorf and FieldErrors.Error, and a comparison with CodeOf.
	errorTypes := map[string]bool{"Error": true, "ErrorDetailJSON": true}
	literal := func(e ast.Expr) bool {
		v, ok := stringLit(e)
		return ok && errorCode.MatchString(v)
	}
	isCodeOf := func(e ast.Expr) bool {
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return false
		}
		name := refName(call.Fun)
		return name == "CodeOf" || name == "codeOf"
	}
	declared := func(e ast.Expr) bool {
		v, _ := stringLit(e)
		return len(byValue[v]) > 0
	}
	checked := 0
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				typeName := refName(n.Type)
				if !errorTypes[typeName] {
					return true
				}
				for _, el := range n.Elts {
					if kv, ok := el.(*ast.KeyValueExpr); ok {
						if key, ok := kv.Key.(*ast.Ident); ok && key.Name == "Code" {
							checked++
							if literal(kv.Value) {
								t.Errorf("%s: %s{Code: ...} spells the code out; use its constant", fset.Position(kv.Pos()), typeName)
							}
						}
					}
				}
			case *ast.CallExpr:
				name := refName(n.Fun)
				switch {
				case name == "Errorf" && len(n.Args) >= 3 && kindArg(n.Args[0]):
					checked++
					if literal(n.Args[1]) {
						t.Errorf("%s: Errorf spells the code out; use its constant", fset.Position(n.Args[1].Pos()))
					}
				case name == "Error" && len(n.Args) == 2 && literal(n.Args[0]) && declared(n.Args[0]):
					t.Errorf("%s: FieldErrors.Error spells the code out; use its constant", fset.Position(n.Args[0].Pos()))
				}
			case *ast.BinaryExpr:
				if (n.Op == token.EQL || n.Op == token.NEQ) &&
					(isCodeOf(n.X) && literal(n.Y) || isCodeOf(n.Y) && literal(n.X)) {
					t.Errorf("%s: a code compared by its spelling; use its constant", fset.Position(n.Pos()))
				}
			}
			return true
		})
	}
	if checked < 100 {
		t.Errorf("only %d error constructions seen; the scan misses them", checked)
	}
}

// refName is the name e refers to, bare (Error) or qualified (gate.Error
// gives Error); "" for any other expression.
func refName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

// kindArg reports whether e names an error kind (gate.KindInvalid, ...),
// which is how gate.Errorf's first argument reads.
func kindArg(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return strings.HasPrefix(e.Name, "Kind") || e.Name == "kind"
	case *ast.SelectorExpr:
		return strings.HasPrefix(e.Sel.Name, "Kind")
	}
	return false
}

// notAnswered lists the codes of gate's and the HTTP layer's catalogs that
// the API never answers, and why; every other code must be documented in
// openapi.yaml.
var notAnswered = map[string]string{
	"lookup_budget_exceeded": "a worker's lookup error inside the facts; the engine turns it into a reason",
	"invalid_policy":         "policies are loaded at startup and by the policy command, never over HTTP",
	"invalid_import_kind":    "upload.Read refuses an unknown kind first (invalid_upload)",
	"bpjs_unavailable":       "Registry errors become reasons (REGISTRY_UNAVAILABLE ...) or registry_unavailable",
	"bpjs_timeout":           "as bpjs_unavailable",
	"bpjs_circuit_open":      "as bpjs_unavailable",
	"bpjs_rate_limited":      "as bpjs_unavailable",
	"bpjs_busy":              "as bpjs_unavailable",
	"bpjs_lookup_abandoned":  "as bpjs_unavailable",
	"decision_not_found":     "gate answers a store's not-found as not_found",
	"application_not_found":  "the OSS status path; answered in OSS's own reply, not as an error code",
	"callback_not_found":     "gate answers a store's not-found as not_found",
	"recheck_not_found":      "rechecks run in the background",
	"store_error":            "KindInternal: answered as internal",
	"unencodable_decision":   "KindInternal: answered as internal",
	"unencodable_review":     "KindInternal: answered as internal",
	"corrupt_decision":       "KindInternal: answered as internal",
	"corrupt_row":            "KindInternal: answered as internal",
	"invalid_decision":       "a store's refusal of what gate itself asked; a bug, not a request's fault",
	"invalid_review_state":   "gate checks review states first (invalid_query)",
	"invalid_claim":          "outbox claims are made by the background workers",
	"store_conflict":         "a uniqueness rule the API's writes cannot break (ids are made by gate)",
	"store_invalid_value":    "gate validates what it stores; a refused value is a bug",
}

// TestAnsweredCodesDocumented: every code of gate/errcodes.go and
// api/httperr/codes.go that the API can answer appears in openapi.yaml, so
// that a new code cannot reach clients undocumented.
func TestAnsweredCodesDocumented(t *testing.T) {
	_, files := moduleSources(t)
	doc, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, c := range codeConsts(files) {
		if c.file != "gate/errcodes.go" && c.file != "api/httperr/codes.go" {
			continue
		}
		known[c.value] = true
		if _, ok := notAnswered[c.value]; ok {
			continue
		}
		mention := regexp.MustCompile(`(^|[^a-z0-9_])` + regexp.QuoteMeta(c.value) + `([^a-z0-9_]|$)`)
		if !mention.Match(doc) {
			t.Errorf("%s (%s, %s) can be answered but openapi.yaml does not mention it", c.value, c.name, c.file)
		}
	}
	if len(known) < 40 {
		t.Fatalf("only %d codes found in the catalogs", len(known))
	}
	for code := range notAnswered {
		if !known[code] {
			t.Errorf("notAnswered lists %q, which no catalog declares", code)
		}
	}
}
