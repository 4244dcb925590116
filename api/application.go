package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/jkngate/jkngate/gate"
)

// applicationFields is the order of an application's fields in the documented webhook body;
// field errors are reported in this order.
var applicationFields = []string{"application_id", "nib", "npwp", "company_name", "region_code",
	"permit_type", "kbli", "risk_level", "business_scale", "declared_workers", "workers", "callback_url",
	"bpjs_employer_code"}

// parseApplication decodes an application's data object (README, "The
// webhook in brief") field by field, so that every field of the wrong JSON type is named,
// not only the first, and then runs gate's validation. Field paths are
// prefixed with prefix ("data." in the webhook). The error, if any, is an
// invalid_application *gate.Error naming every field at fault.
func parseApplication(raw json.RawMessage, prefix string) (gate.Application, error) {
	var app gate.Application
	p := fieldParser{prefix: prefix}
	obj, ok := p.object(raw, strings.TrimSuffix(prefix, "."))
	if !ok {
		return app, p.err()
	}
	p.exactKeys(obj, prefix, applicationFields)
	app.ID = p.str(obj, "application_id")
	app.NIB = p.str(obj, "nib")
	app.NPWP = p.str(obj, "npwp")
	app.CompanyName = p.str(obj, "company_name")
	app.RegionCode = p.str(obj, "region_code")
	app.PermitType = gate.PermitType(p.str(obj, "permit_type"))
	app.RiskLevel = p.str(obj, "risk_level")
	app.BusinessScale = p.str(obj, "business_scale")
	app.CallbackURL = p.str(obj, "callback_url")
	app.BPJSEmployerCode = p.str(obj, "bpjs_employer_code")
	app.DeclaredWorkers = p.declaredWorkers(obj["declared_workers"])
	if arr, ok := p.array(obj["kbli"], "kbli"); ok {
		app.KBLI = make([]string, len(arr))
		if len(arr) <= gate.MaxKBLICodes { // gate reports the length alone
			for i, el := range arr {
				app.KBLI[i] = p.decodeString(el, fmt.Sprintf("kbli[%d]", i))
			}
		}
	}
	if arr, ok := p.array(obj["workers"], "workers"); ok {
		app.Workers = make([]gate.Worker, len(arr))
		if len(arr) <= gate.MaxListedWorkers { // gate reports the length alone
			for i, el := range arr {
				path := fmt.Sprintf("workers[%d]", i)
				if w, ok := p.object(el, prefix+path); ok {
					p.exactKeys(w, prefix+path+".", workerFields)
					app.Workers[i].NIK = p.decodeString(w["nik"], path+".nik")
				}
			}
		}
	}

	// gate checks the values; shape errors already name their fields, so
	// gate's complaint about the same (zero-valued) field is dropped.
	if err := app.Validate(); err != nil {
		ge, ok := err.(*gate.Error)
		if !ok {
			return app, err
		}
		for _, f := range ge.Fields {
			f.Field = prefix + f.Field
			if !p.covered(f.Field) {
				p.add(f.Field, f.Message)
			}
		}
		p.omitted += ge.Omitted
	}
	return app, p.err()
}

// workerFields are the keys of a listed worker.
var workerFields = []string{"nik"}

// exactKeys names every key of obj that is one of known only when case is
// ignored ("NIB", "Nik"): key names are exact, and such a key is not
// silently dropped either, since its sender meant it.
func (p *fieldParser) exactKeys(obj map[string]json.RawMessage, path string, known []string) {
	for _, f := range misspeltKeys(obj, path, known) {
		p.add(f.Field, f.Message)
	}
}

// misspeltKeys returns a field error, in key order, for each key of obj
// that equals one of known only when case is ignored.
func misspeltKeys(obj map[string]json.RawMessage, path string, known []string) []gate.FieldError {
	var out []gate.FieldError
	for k := range obj {
		if slices.Contains(known, k) {
			continue
		}
		for _, want := range known {
			if strings.EqualFold(k, want) {
				out = append(out, gate.FieldError{Field: path + strings.Trim(strconv.QuoteToASCII(truncate(k, 64)), `"`),
					Message: fmt.Sprintf("key names are exact: %q is not %q", truncate(k, 64), want)})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b gate.FieldError) int { return strings.Compare(a.Field, b.Field) })
	return out
}

// fieldParser collects field errors while decoding: at most
// gate.MaxFieldErrors, the rest only counted.
type fieldParser struct {
	prefix  string
	fields  []gate.FieldError
	omitted int
	seen    map[string]bool
}

func (p *fieldParser) add(field, msg string) {
	if p.seen == nil {
		p.seen = map[string]bool{}
	}
	p.seen[field] = true
	if len(p.fields) >= gate.MaxFieldErrors {
		p.omitted++
		return
	}
	p.fields = append(p.fields, gate.FieldError{Field: field, Message: msg})
}

// covered reports whether field, or a field containing it ("workers[2]" for
// "workers[2].nik"), already has an error.
func (p *fieldParser) covered(field string) bool {
	for {
		if p.seen[field] {
			return true
		}
		i := strings.LastIndexAny(field, ".[")
		if i <= 0 {
			return false
		}
		field = field[:i]
	}
}

func (p *fieldParser) err() error {
	if len(p.fields) == 0 {
		return nil
	}
	fields := slices.Clone(p.fields)
	slices.SortStableFunc(fields, func(a, b gate.FieldError) int {
		ra, ia := fieldRank(strings.TrimPrefix(a.Field, p.prefix))
		rb, ib := fieldRank(strings.TrimPrefix(b.Field, p.prefix))
		if ra != rb {
			return ra - rb
		}
		return ia - ib
	})
	return &gate.Error{Kind: gate.KindInvalid, Code: gate.CodeInvalidApplication,
		Message: gate.FieldErrorsMessage("the application", len(fields), p.omitted), Fields: fields,
		Omitted: p.omitted}
}

var indexedPath = regexp.MustCompile(`^([a-z_]+)(?:\[(\d+)\])?`)

// fieldRank orders a field path by its top-level field's position in the
// documented body, then by list index.
func fieldRank(path string) (rank, index int) {
	m := indexedPath.FindStringSubmatch(path)
	if m == nil {
		return -1, 0
	}
	index, _ = strconv.Atoi(m[2])
	return slices.Index(applicationFields, m[1]), index
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// object decodes an object; null or absent is "is required".
func (p *fieldParser) object(raw json.RawMessage, path string) (map[string]json.RawMessage, bool) {
	if isNull(raw) {
		p.add(path, "is required")
		return nil, false
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		p.add(path, "must be an object")
		return nil, false
	}
	return obj, true
}

// array decodes an optional array; null or absent is no array.
func (p *fieldParser) array(raw json.RawMessage, field string) ([]json.RawMessage, bool) {
	if isNull(raw) {
		return nil, false
	}
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) != nil {
		p.add(p.prefix+field, "must be an array")
		return nil, false
	}
	return arr, true
}

// str decodes the string field name of obj; null or absent is "".
func (p *fieldParser) str(obj map[string]json.RawMessage, name string) string {
	return p.decodeString(obj[name], name)
}

func (p *fieldParser) decodeString(raw json.RawMessage, field string) string {
	if isNull(raw) {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		p.add(p.prefix+field, "must be a string")
	}
	return s
}

var integerLiteral = regexp.MustCompile(`^-?[0-9]+$`)

// declaredWorkers decodes declared_workers, which is required and must be a
// JSON integer: absent or null differs from 0, and 52.5 or "52" are field
// errors, not malformed JSON.
func (p *fieldParser) declaredWorkers(raw json.RawMessage) int {
	const field = "declared_workers"
	raw = bytes.TrimSpace(raw)
	if isNull(raw) {
		p.add(p.prefix+field, "is required")
		return 0
	}
	// Out of range (also past int64) is the same field error as gate's,
	// which then is not repeated.
	n, err := strconv.Atoi(string(raw))
	if !integerLiteral.Match(raw) || err != nil || n < 0 || n > gate.MaxDeclaredWorkers {
		p.add(p.prefix+field, fmt.Sprintf("must be an integer from 0 to %d", gate.MaxDeclaredWorkers))
		return 0
	}
	return n
}
