package api

import (
	"strconv"
)

// decodeSubmission reads a body that checkJSON accepted with no folded keys
// into the submission's expected shape, in one pass and without reflection:
// what json.Unmarshal(body, &submission{}) does for such a body, member for
// member. Members of other names are skipped; null leaves a field as it was
// (a nil pointer or slice, an empty string); an empty array is an empty,
// non-nil slice; any other JSON type than a field's, or a number that is
// not an int, fails the decoding (ok false), as it fails Unmarshal.
// FuzzDecodeSubmission holds the two to the same result.
//
// checkJSON has already refused what this does not look for: invalid JSON
// or UTF-8, duplicate keys, deep nesting, long arrays. Keys without upper
// case or non-ASCII letters match Unmarshal's case-insensitive names
// exactly.
func decodeSubmission(body []byte) (sub submission, ok bool) {
	d := subDecoder{jsonScanner{b: body}}
	d.space()
	ok = d.object(func(key []byte) bool {
		switch string(key) {
		case "type":
			return d.stringPtr(&sub.Type)
		case "data":
			return d.data(&sub.Data)
		}
		return d.skip()
	})
	if !ok {
		return submission{}, false
	}
	return sub, true
}

type subDecoder struct{ jsonScanner }

// null steps past a null and reports whether there was one.
func (d *subDecoder) null() bool {
	if d.i+len("null") <= len(d.b) && string(d.b[d.i:d.i+len("null")]) == "null" {
		d.i += len("null")
		return true
	}
	return false
}

// object calls member for each key, the scanner on the key's value, and
// fails unless the value is an object (null passes, calling nothing).
func (d *subDecoder) object(member func(key []byte) bool) bool {
	if d.null() {
		return true
	}
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	if d.open('}') {
		return true
	}
	for {
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return false
		}
		key, err := d.str()
		if err != nil {
			return false
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return false
		}
		d.i++
		d.space()
		if !member(key) {
			return false
		}
		if !d.next() {
			return false
		}
		if d.b[d.i-1] == '}' {
			d.space()
			return true
		}
		d.space()
	}
}

// array calls elem for each element, the scanner on it, and fails unless
// the value is an array; empty reports whether it was "[]", and isNull
// whether it was null (elem then not called).
func (d *subDecoder) array(elem func() bool) (empty, isNull, ok bool) {
	if d.null() {
		return false, true, true
	}
	if d.i >= len(d.b) || d.b[d.i] != '[' {
		return false, false, false
	}
	if d.open(']') {
		return true, false, true
	}
	for {
		if !elem() || !d.next() {
			return false, false, false
		}
		if d.b[d.i-1] == ']' {
			d.space()
			return false, false, true
		}
		d.space()
	}
}

// next steps past the comma or closing character after a member. On a
// body checkJSON accepted there is always one; on any other it fails
// rather than read past the end.
func (d *subDecoder) next() bool {
	d.space()
	if d.i >= len(d.b) || !(d.b[d.i] == ',' || d.b[d.i] == '}' || d.b[d.i] == ']') {
		return false
	}
	d.i++
	return true
}

// skip steps past any value.
func (d *subDecoder) skip() bool { return d.value(0) == nil }

// string sets *v to a string value; null leaves it.
func (d *subDecoder) string(v *string) bool {
	if d.null() {
		return true
	}
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	s, err := d.str()
	if err != nil {
		return false
	}
	*v = string(s)
	return true
}

// stringPtr sets *v to a new string; null leaves it nil.
func (d *subDecoder) stringPtr(v **string) bool {
	if d.null() {
		return true
	}
	var s string
	if !d.string(&s) {
		return false
	}
	*v = &s
	return true
}

// intPtr sets *v to a new int from a number with no fraction or exponent
// that fits an int; null leaves it nil.
func (d *subDecoder) intPtr(v **int) bool {
	if d.null() {
		return true
	}
	start := d.i
	if d.i >= len(d.b) || !(d.b[d.i] == '-' || d.b[d.i] >= '0' && d.b[d.i] <= '9') {
		return false
	}
	if d.number() != nil {
		return false
	}
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, strconv.IntSize)
	if err != nil {
		return false
	}
	i := int(n)
	*v = &i
	return true
}

// data decodes the application object.
func (d *subDecoder) data(v **applicationJSON) bool {
	if d.null() {
		return true
	}
	a := new(applicationJSON)
	if !d.object(func(key []byte) bool {
		switch string(key) {
		case "application_id":
			return d.string(&a.ApplicationID)
		case "nib":
			return d.string(&a.NIB)
		case "npwp":
			return d.string(&a.NPWP)
		case "company_name":
			return d.string(&a.CompanyName)
		case "region_code":
			return d.string(&a.RegionCode)
		case "permit_type":
			return d.string(&a.PermitType)
		case "kbli":
			return list(d, &a.KBLI, d.string) // a null element is ""
		case "risk_level":
			return d.string(&a.RiskLevel)
		case "business_scale":
			return d.string(&a.BusinessScale)
		case "declared_workers":
			return d.intPtr(&a.DeclaredWorkers)
		case "workers":
			// A null element is a worker with no NIK; members other than
			// nik are skipped.
			return list(d, &a.Workers, func(w *struct {
				NIK string `json:"nik"`
			}) bool {
				return d.object(func(key []byte) bool {
					if string(key) == "nik" {
						return d.string(&w.NIK)
					}
					return d.skip()
				})
			})
		case "callback_url":
			return d.string(&a.CallbackURL)
		case "bpjs_employer_code":
			return d.string(&a.BPJSEmployerCode)
		}
		return d.skip()
	}) {
		return false
	}
	*v = a
	return true
}

// list decodes an array into *v, elem decoding each element, as Unmarshal
// fills a slice: null leaves *v as it was, [] makes it empty and non-nil.
func list[T any](d *subDecoder, v *[]T, elem func(*T) bool) bool {
	var out []T
	empty, isNull, ok := d.array(func() bool {
		var zero T
		out = append(out, zero)
		return elem(&out[len(out)-1])
	})
	switch {
	case !ok:
		return false
	case isNull:
	case empty:
		*v = []T{}
	default:
		*v = out
	}
	return true
}
