package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

// The fast path and the field-by-field parser agree on every valid body,
// and the fast path declines every body the parser rejects.
func TestFastPathAgreesWithTheFieldParser(t *testing.T) {
	bodies := []string{
		`{"type":"application.submitted","data":{"application_id":"A-1","nib":"9120001234567","region_code":"1275","permit_type":"business_license","declared_workers":52}}`,
		`{"type":"application.submitted","timestamp":"2026-11-22T10:00:00Z","data":{"application_id":"A-2","nib":"9120001234567","npwp":"01.234.567.8-901.234","company_name":"PT Contoh","region_code":"12","permit_type":"tender","kbli":["47111","01111"],"risk_level":"tinggi","business_scale":"mikro","declared_workers":0,"workers":[{"nik":"1275014101900001"},{"nik":"1275010101900002","x":1}],"callback_url":"https://licensing.example/h","extra":true}}`,
		// rejected ones: the fast path must decline them all
		`{"type":"application.submitted","data":{"application_id":"A-3","nib":"9120001234567","region_code":"1275","permit_type":"business_license","declared_workers":52.5}}`,
		`{"type":"application.submitted","data":{"application_id":"A-3","nib":"9120001234567","region_code":"1275","permit_type":"business_license","declared_workers":"52"}}`,
		`{"type":"application.submitted","data":{"application_id":"A-3","nib":"9120001234567","region_code":"1275","permit_type":"business_license"}}`,
		`{"type":"application.submitted","data":{"application_id":"A-3","nib":null,"region_code":"1275","permit_type":"business_license","declared_workers":1}}`,
		`{"type":"application.submitted","data":{"application_id":"A-3","nib":"9120001234567","region_code":"1275","permit_type":"business_license","declared_workers":1,"workers":[{"nik":1275014101900001}]}}`,
		`{"type":"application.submitted","data":{"application_id":"A-3","nib":"9120001234567","region_code":"1275","permit_type":"fishing","declared_workers":1}}`,
		`{"type":"application.updated","data":{"application_id":"A-3","nib":"9120001234567","region_code":"1275","permit_type":"tender","declared_workers":1}}`,
		`{"data":{"application_id":"A-3","nib":"9120001234567","region_code":"1275","permit_type":"tender","declared_workers":1}}`,
		`[1,2]`,
	}
	for i, body := range bodies {
		fast, ok := parseValidSubmission([]byte(body))
		var event map[string]json.RawMessage
		_ = json.Unmarshal([]byte(body), &event)
		slow, err := parseApplication(event["data"], "data.")
		var typ string
		_ = json.Unmarshal(event["type"], &typ)
		slowOK := err == nil && typ == eventApplicationSubmitted
		if ok != slowOK {
			t.Errorf("body %d: fast path ok=%v, field parser ok=%v (%v)", i, ok, slowOK, err)
			continue
		}
		if ok && !reflect.DeepEqual(fast, slow) {
			t.Errorf("body %d: fast path %+v\nfield parser %+v", i, fast, slow)
		}
	}
}
