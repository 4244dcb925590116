package decisiondoc

import (
	"bytes"
	"encoding/json"
)

// unmarshalNumbers decodes the first JSON value in b into v, with numbers
// in untyped places (details) as json.Number.
func unmarshalNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// decodeNumbers replaces the json.Numbers in v (decoded with UseNumber) by
// int when the number is an integer that fits, and by float64 otherwise.
// Plain encoding/json would turn every number into float64, so that the
// engine's int details (declared: 52) would read back as 52.0 and an int64
// above 2^53 would lose digits; this way an integer detail reads back as the
// int it was recorded as (int64 and other integer types become int). Maps
// and slices are changed in place.
func decodeNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil && int64(int(i)) == i {
			return int(i)
		}
		f, _ := v.Float64() // valid JSON numbers always parse; huge ones become ±Inf
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = decodeNumbers(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = decodeNumbers(x)
		}
		return v
	default:
		return v
	}
}
