package api

import (
	"encoding/json"
	"reflect"
	"testing"
)

// decodeSubmissionSeeds are bodies where a one-pass decoder could part
// from json.Unmarshal: nulls, empty and null lists, null elements, members
// of other names and types, escapes, numbers that are not ints, other
// top-level values.
var decodeSubmissionSeeds = []string{
	`{"type":"application.submitted","data":{"application_id":"A-1","nib":"9120001234567","region_code":"1275","permit_type":"business_license","declared_workers":52}}`,
	`{"type":"application.submitted","timestamp":"2026-11-22T10:00:00Z","data":{"application_id":"A-2","nib":"9120001234567","npwp":"01.234.567.8-901.234","company_name":"PT Contoh","region_code":"12","permit_type":"tender","kbli":["47111","01111"],"risk_level":"tinggi","business_scale":"mikro","declared_workers":0,"workers":[{"nik":"1275014101900001"},{"nik":"1275010101900002","x":1}],"callback_url":"https://licensing.example/h","extra":true}}`,
	`{"type":null,"data":null}`,
	`{"type":"application.submitted","data":{"kbli":[],"workers":[],"declared_workers":-0}}`,
	`{"type":"application.submitted","data":{"kbli":null,"workers":null,"declared_workers":null}}`,
	`{"type":"application.submitted","data":{"kbli":[null,"1"],"workers":[null,{"nik":null},{}],"declared_workers":1}}`,
	`{"type":"application.submitted","data":{"workers":["1275014101900001"]}}`,
	`{"type":"application.submitted","data":{"workers":[{"nik":1275014101900001}]}}`,
	`{"type":"application.submitted","data":{"declared_workers":52.5}}`,
	`{"type":"application.submitted","data":{"declared_workers":1e2}}`,
	`{"type":"application.submitted","data":{"declared_workers":99999999999999999999}}`,
	`{"type":"application.submitted","data":{"declared_workers":"52"}}`,
	`{"type":"application.submitted","data":{"nib":"\u0039\n\"x\"","company_name":"PT \ud83d\ude00"}}`,
	`{"type":"application.submitted","data":{"nested":{"a":[1,{"b":null}],"c":"d"},"nib":true}}`,
	`{"type":1,"data":{}}`,
	`{"type":"application.submitted","data":[]}`,
	`{"data":{"application_id":"A"},"type":"application.submitted"}`,
	` { "type" : "application.submitted" , "data" : { "workers" : [ { "nik" : "1" } , null ] } } `,
	`[1,2]`, `null`, `"x"`, `1`, `{}`,
}

// FuzzDecodeSubmission: on every body checkJSON accepts with no folded
// keys, decodeSubmission gives what json.Unmarshal into submission gives
// (both fail, or both succeed with equal results); on any other body it
// must not panic.
func FuzzDecodeSubmission(f *testing.F) {
	for _, s := range decodeSubmissionSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := decodeSubmission(body)
		if shape, err := checkJSON(body); err != nil || shape.foldedKeys {
			return
		}
		var want submission
		wantErr := json.Unmarshal(body, &want)
		if ok != (wantErr == nil) {
			t.Fatalf("%s: decodeSubmission ok=%v, json.Unmarshal error %v", body, ok, wantErr)
		}
		if ok && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\ndecodeSubmission %s\njson.Unmarshal   %s", body, dump(got), dump(want))
		}
	})
}

func dump(s submission) string {
	b, _ := json.Marshal(s)
	return string(b)
}
