// Package oss speaks OSS-RBA's integration API (Panduan Integrasi API, PIA
// 4.3.22): it reads the dataNIB that OSS pushes with receiveNIB, turns each
// permit of its checklist into a gate.Application, and builds and sends
// the receiveLicenseStatus messages that report each permit's status back.
package oss

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Lenient is a JSON value OSS sends sometimes as a string and sometimes as
// a number ("12" or 12); null and absent read as "".
type Lenient string

// UnmarshalJSON accepts a string, a number, a boolean or null.
func (l *Lenient) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*l = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = Lenient(strings.TrimSpace(s))
	case b[0] == '{' || b[0] == '[':
		// A type error, so that encoding/json names the field.
		return &json.UnmarshalTypeError{Value: "object or array", Type: reflect.TypeFor[string]()}
	default:
		*l = Lenient(b)
	}
	return nil
}

// Count reads a worker count: empty is 0; anything but a whole number
// from 0 up is refused (OSS writes "12", 12 or "12.00").
func (l Lenient) Count() (int, bool) {
	s := strings.TrimSpace(string(l))
	if s == "" {
		return 0, true
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, n >= 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != float64(int64(f)) || f > 1e9 {
		return 0, false
	}
	return int(f), true
}

// Envelope is the body of receiveNIB.
type Envelope struct {
	DataNIB *DataNIB `json:"dataNIB"`
}

// DataNIB is the part of OSS's dataNIB that deciding needs, plus the ids
// reported back. Everything else OSS sends (shareholders, persons in
// charge, legal documents) is not read here.
type DataNIB struct {
	NIB           Lenient     `json:"nib"`
	OSSID         Lenient     `json:"oss_id"`
	KdDaerah      Lenient     `json:"kd_daerah"`
	NoVA          Lenient     `json:"no_va"`
	NPWPPerseroan Lenient     `json:"npwp_perseroan"`
	NamaPerseroan Lenient     `json:"nama_perseroan"`
	SkalaUsaha    Lenient     `json:"skala_usaha"`
	TipeDokumen   Lenient     `json:"tipe_dokumen"`
	Proyek        []Proyek    `json:"data_proyek"`
	Checklist     []Checklist `json:"data_checklist"`
}

// Proyek is one data_proyek entry: a business activity (project).
type Proyek struct {
	IDProyek   Lenient `json:"id_proyek"`
	KBLI       Lenient `json:"kbli"`
	JumlahTKIL Lenient `json:"jumlah_tki_l"`
	JumlahTKIP Lenient `json:"jumlah_tki_p"`
	JumlahTKAL Lenient `json:"jumlah_tka_l"`
	JumlahTKAP Lenient `json:"jumlah_tka_p"`
	SkalaUsaha Lenient `json:"skala_usaha"`
}

// Checklist is one data_checklist entry: a permit to process.
type Checklist struct {
	IDProduk Lenient `json:"id_produk"`
	IDProyek Lenient `json:"id_proyek"`
	IDIzin   Lenient `json:"id_izin"`
	KdIzin   Lenient `json:"kd_izin"`
	KdDaerah Lenient `json:"kd_daerah"`
	NamaIzin Lenient `json:"nama_izin"`
}

// Parse reads a receiveNIB body. OSS's own guide writes the key
// "tipe_dokumen " with a trailing space, so that spelling is read too.
// Errors name the field at fault.
func Parse(body []byte) (*DataNIB, error) {
	var raw struct {
		DataNIB json.RawMessage `json:"dataNIB"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, &FieldError{Field: "dataNIB", Message: "the body must be a JSON object {\"dataNIB\": {...}}"}
	}
	if len(raw.DataNIB) == 0 || string(raw.DataNIB) == "null" {
		return nil, &FieldError{Field: "dataNIB", Message: "is required"}
	}
	var d DataNIB
	if err := json.Unmarshal(raw.DataNIB, &d); err != nil {
		return nil, &FieldError{Field: "dataNIB" + jsonPath(err), Message: "has a value of the wrong type"}
	}
	if d.TipeDokumen == "" {
		var spaced struct {
			T Lenient `json:"tipe_dokumen "`
		}
		if json.Unmarshal(raw.DataNIB, &spaced) == nil {
			d.TipeDokumen = spaced.T
		}
	}
	return &d, nil
}

// jsonPath renders where a type error occurred, ".data_proyek.jumlah_tki_l".
func jsonPath(err error) string {
	var te *json.UnmarshalTypeError
	if ok := asTypeError(err, &te); ok && te.Field != "" {
		return "." + te.Field
	}
	return ""
}

func asTypeError(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

// FieldError is a fault in OSS's message, naming the field (a path like
// "dataNIB.data_checklist[1].id_izin").
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Message is a receiveNIB message as stored for operators.
type Message struct {
	ID          string
	NIB         string
	TipeDokumen string
	ReceivedAt  time.Time
	// Body is OSS's JSON without personal data (see Strip).
	Body []byte
	// Refs are the message's permits.
	Refs []Ref
}
