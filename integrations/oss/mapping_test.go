package oss

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

const message = `{"dataNIB":{
	"nib":"9120001234567","oss_id":"OSS1","kd_daerah":"3201000000","no_va":"01020304",
	"npwp_perseroan":"01.234.567.8-901.000","nama_perseroan":"PT Maju","skala_usaha":"02",
	"tipe_dokumen ":"9",
	"data_proyek":[
		{"id_proyek":"P1","kbli":"47111","jumlah_tki_l":"10","jumlah_tki_p":5,"jumlah_tka_l":"1.00","jumlah_tka_p":null},
		{"id_proyek":"P2","kbli":"10110","jumlah_tki_l":3,"jumlah_tki_p":"","jumlah_tka_l":0,"jumlah_tka_p":"2"}
	],
	"data_checklist":[
		{"id_izin":"I1","kd_izin":"K-A","id_proyek":"P1","kd_daerah":"3273000000","id_produk":7},
		{"id_izin":"I2","kd_izin":"K-B","id_proyek":"P9"},
		{"id_izin":"I3","kd_izin":"K-A","id_proyek":"P2"}
	]}}`

// Each row of the mapping table.
func TestApplicationsMapping(t *testing.T) {
	d, err := Parse([]byte(message))
	if err != nil {
		t.Fatal(err)
	}
	policy := gate.DefaultPolicy()
	policy.OSSPermitTypes = map[string]gate.PermitType{"K-B": gate.PermitBuildingPermit}
	items, faults := Applications(d, policy, "https://oss.example/receiveLicenseStatus")
	if len(faults) > 0 {
		t.Fatal(faults)
	}
	if len(items) != 3 {
		t.Fatalf("%d items", len(items))
	}
	a0, a1, a2 := items[0].App, items[1].App, items[2].App
	for _, c := range []struct {
		row       string
		got, want any
	}{
		{"application_id from id_izin", a0.ID, "I1"},
		{"nib", a0.NIB, "9120001234567"},
		{"company_name from nama_perseroan", a0.CompanyName, "PT Maju"},
		{"npwp from npwp_perseroan", a0.NPWP, "01.234.567.8-901.000"}, // normalized by gate at Validate
		{"region_code from the item's kd_daerah", a0.RegionCode, "3273000000"},
		{"region_code else dataNIB.kd_daerah", a1.RegionCode, "3201000000"},
		{"permit_type from oss_permit_types", a1.PermitType, gate.PermitBuildingPermit},
		{"permit_type else business_license", a0.PermitType, gate.PermitBusinessLicense},
		{"declared_workers over the matching project", a0.DeclaredWorkers, 16},
		{"declared_workers over all projects when none matches", a1.DeclaredWorkers, 21},
		{"declared_workers of the other project", a2.DeclaredWorkers, 5},
		{"business_scale from skala_usaha", a0.BusinessScale, "kecil"},
		{"kbli of the matching project", strings.Join(a0.KBLI, ","), "47111"},
		{"no kbli when no project matches", len(a1.KBLI), 0},
		{"bpjs_employer_code from no_va", a0.BPJSEmployerCode, "01020304"},
		{"callback to OSS", a0.CallbackURL, "https://oss.example/receiveLicenseStatus"},
		{"id_produk as sent, a number", items[0].Ref.IDProduk, "7"},
		{"tipe_dokumen with OSS's trailing space", string(d.TipeDokumen), "9"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.row, c.got, c.want)
		}
	}
	for _, it := range items {
		app := it.App
		if err := app.Validate(); err != nil {
			t.Errorf("%s does not validate: %v", app.ID, err)
		}
	}
	// Region normalization is gate's: the 10-digit code becomes its regency.
	app := a0
	_ = app.Validate()
	if app.RegionCode != "3273" {
		t.Errorf("normalized region %q, want 3273", app.RegionCode)
	}
}

func TestApplicationsScaleCodes(t *testing.T) {
	for code, want := range map[string]string{"01": "mikro", "02": "kecil", "03": "menengah", "04": "besar"} {
		d, _ := Parse([]byte(strings.Replace(message, `"skala_usaha":"02"`, `"skala_usaha":"`+code+`"`, 1)))
		items, faults := Applications(d, gate.DefaultPolicy(), "")
		if len(faults) > 0 || items[0].App.BusinessScale != want {
			t.Errorf("%s: %v %v", code, faults, items)
		}
	}
}

// An unchanged item keeps its id; any change to what is decided changes it.
func TestWebhookIDFollowsContent(t *testing.T) {
	ids := func(msg string) []string {
		d, err := Parse([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		items, faults := Applications(d, gate.DefaultPolicy(), "")
		if len(faults) > 0 {
			t.Fatal(faults)
		}
		var out []string
		for _, it := range items {
			if !gate.ValidWebhookID(it.WebhookID) {
				t.Errorf("invalid webhook id %q", it.WebhookID)
			}
			out = append(out, it.WebhookID)
		}
		return out
	}
	base := ids(message)
	if again := ids(message); strings.Join(again, ",") != strings.Join(base, ",") {
		t.Errorf("the same message gave other ids")
	}
	changed := ids(strings.Replace(message, `"jumlah_tki_l":"10"`, `"jumlah_tki_l":"11"`, 1))
	if changed[0] == base[0] || changed[1] == base[1] || changed[2] != base[2] {
		t.Errorf("changing P1's workers: ids %v -> %v (want I1 and I2 changed, I3 not)", base, changed)
	}
}

func TestApplicationsFaultsNameFields(t *testing.T) {
	for _, c := range []struct{ from, to, field string }{
		{`"jumlah_tki_l":"10"`, `"jumlah_tki_l":"-1"`, "dataNIB.data_proyek[0].jumlah_tki_l"},
		{`"jumlah_tki_l":"10"`, `"jumlah_tki_l":"1.5"`, "dataNIB.data_proyek[0].jumlah_tki_l"},
		{`"skala_usaha":"02"`, `"skala_usaha":"5"`, "dataNIB.skala_usaha"},
		{`"tipe_dokumen ":"9"`, `"tipe_dokumen ":"1"`, "dataNIB.tipe_dokumen"},
		{`{"id_izin":"I2"`, `{"id_izin":""`, "dataNIB.data_checklist[1].id_izin"},
		{`{"id_izin":"I2"`, `{"id_izin":"I1"`, "dataNIB.data_checklist[1].id_izin"},
		{`"kd_daerah":"3273000000"`, `"kd_daerah":"32x"`, "dataNIB.data_checklist[0].kd_daerah"},
		{`"nib":"9120001234567"`, `"nib":"912"`, "dataNIB.nib"},
		{`"no_va":"01020304"`, `"no_va":"01-02"`, "no_va"},
		{`"kbli":"47111"`, `"kbli":"471"`, "data_proyek.kbli"},
	} {
		msg := strings.Replace(message, c.from, c.to, 1)
		if msg == message {
			t.Fatalf("%s not in the message", c.from)
		}
		d, err := Parse([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		_, faults := Applications(d, gate.DefaultPolicy(), "")
		found := false
		for _, f := range faults {
			found = found || strings.Contains(f.Field, c.field)
		}
		if !found {
			t.Errorf("%s: faults %v do not name %s", c.to, faults, c.field)
		}
	}
}

func TestLenient(t *testing.T) {
	for in, want := range map[string]string{`"12"`: "12", `12`: "12", `null`: "", `" 7 "`: "7", `true`: "true"} {
		var l Lenient
		if err := json.Unmarshal([]byte(in), &l); err != nil || string(l) != want {
			t.Errorf("%s: %q %v", in, l, err)
		}
	}
	var l Lenient
	if err := json.Unmarshal([]byte(`{"a":1}`), &l); err == nil {
		t.Error("an object was read as a value")
	}
	for in, want := range map[Lenient]int{"": 0, "3": 3, "3.00": 3} {
		if n, ok := in.Count(); !ok || n != want {
			t.Errorf("Count(%q) = %d, %v", in, n, ok)
		}
	}
	for _, in := range []Lenient{"-1", "2.5", "x", "1e12"} {
		if _, ok := in.Count(); ok {
			t.Errorf("Count(%q) accepted", in)
		}
	}
}

// Strip keeps what a decision needs and drops people.
func TestStripDropsPersonalData(t *testing.T) {
	body := `{"dataNIB":{"nib":"9120001234567","nama_perseroan":"PT Maju",
		"penanggung_jwb":[{"nama_penanggung_jwb":"Siti","no_identitas_penanggung_jwb":"3273014101900002"}],
		"pemegang_saham":[{"nama_pemegang_saham":"Siti"}],"nama_user_proses":"Budi","email_user_proses":"b@x.invalid",
		"data_proyek":[{"id_proyek":"P1","jumlah_tki_l":"3","nama_pj":"Budi","no_identitas_pj":"3273010101900001"}]}}`
	out := string(Strip([]byte(body)))
	for _, gone := range []string{"Siti", "Budi", "3273014101900002", "3273010101900001", "b@x.invalid"} {
		if strings.Contains(out, gone) {
			t.Errorf("%q kept: %s", gone, out)
		}
	}
	for _, kept := range []string{"9120001234567", "PT Maju", `"jumlah_tki_l":"3"`} {
		if !strings.Contains(out, kept) {
			t.Errorf("%q dropped: %s", kept, out)
		}
	}
}

func TestParseNamesAWrongType(t *testing.T) {
	_, err := Parse([]byte(strings.Replace(message, `"kd_daerah":"3201000000"`, `"kd_daerah":{"a":1}`, 1)))
	if err == nil || !strings.Contains(err.Error(), "kd_daerah") {
		t.Errorf("got %v, want an error naming kd_daerah", err)
	}
	_, err = Parse([]byte(strings.Replace(message, `"jumlah_tki_p":5`, `"jumlah_tki_p":[5]`, 1)))
	if err == nil || !strings.Contains(err.Error(), "jumlah_tki_p") {
		t.Errorf("got %v, want an error naming jumlah_tki_p", err)
	}
}
