package oss

import (
	"encoding/json"
	"strings"
)

// personalKeys mark the parts of a dataNIB that name or identify people:
// persons in charge, shareholders, the OSS user who filed, the project's
// person in charge and foreign-worker plans with their Indonesian
// counterparts. A key containing one of them is dropped, with its value.
var personalKeys = []string{"penanggung_jwb", "pemegang_saham", "user_proses", "rptka", "_pj",
	"nik", "email", "telp", "no_hp", "hp_", "fax", "alamat", "identitas", "paspor", "nama_notaris", "pendamping"}

// Strip returns body (a receiveNIB message) without personal data: what a
// decision needs (the company, its region, projects, worker counts and
// permits) is kept; people are not. A body that is not JSON is returned as
// "{}".
func Strip(body []byte) []byte {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []byte("{}")
	}
	out, err := json.Marshal(strip(v))
	if err != nil {
		return []byte("{}")
	}
	return out
}

func strip(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if personal(k) {
				delete(v, k)
				continue
			}
			v[k] = strip(x)
		}
	case []any:
		for i, x := range v {
			v[i] = strip(x)
		}
	}
	return v
}

func personal(key string) bool {
	k := strings.ToLower(key)
	for _, p := range personalKeys {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}
