package gate

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestIdentifiers(t *testing.T) {
	niks := map[string]bool{
		"1275014101900001": true,  // woman born 01-01-90
		"1275010101900001": true,  // man
		"1275017112990001": true,  // day 71 (31 + 40)
		"1275013201900001": false, // day 32
		"1275014001900001": false, // day 40
		"1275017201900001": false, // day 72
		"1275010113900001": false, // month 13
		"1275010100900001": false, // month 00
		"127501410190000":  false, // 15 digits
		"12750141019000a1": false,
	}
	for nik, want := range niks {
		if got := ValidNIK(nik); got != want {
			t.Errorf("ValidNIK(%s) = %v, want %v", nik, got, want)
		}
	}
	if !ValidNIB("9120001234567") || ValidNIB("912000123456") || ValidNIB("912000123456x") {
		t.Error("ValidNIB")
	}
	for in, want := range map[string]string{"01.234.567.8-901.234": "012345678901234", "0012345678901234": "0012345678901234"} {
		if got, ok := NormalizeNPWP(in); !ok || got != want {
			t.Errorf("NormalizeNPWP(%s) = %s, %v", in, got, ok)
		}
	}
	if _, ok := NormalizeNPWP("1234"); ok {
		t.Error("NormalizeNPWP accepted 4 digits")
	}
	if !RegionCovers("12", "1275") || !RegionCovers("1275", "1275") || RegionCovers("12", "3573") || RegionCovers("1275", "12") {
		t.Error("RegionCovers")
	}
	if got := MaskNIK("1275014101900001"); got != "1275********0001" {
		t.Errorf("MaskNIK = %s", got)
	}
	if got := MaskNIK("12345"); got != "*****" {
		t.Errorf("MaskNIK of a malformed NIK = %s", got)
	}
	if got := MaskName("BUDI SANTOSO"); got != "B*** S******" {
		t.Errorf("MaskName = %s", got)
	}
}

func TestApplicationValidateReportsEveryField(t *testing.T) {
	a := Application{ID: "", NIB: "123", NPWP: "12", RegionCode: "127", PermitType: "fishing",
		KBLI: []string{"47111", "4711"}, RiskLevel: "huge", BusinessScale: "giant", DeclaredWorkers: -1,
		Workers: []Worker{{NIK: "1275014101900001"}, {NIK: "1275019901900001"}}, CallbackURL: "ftp://x"}
	err := a.Validate()
	var ge *Error
	if !errors.As(err, &ge) || ge.Kind != KindInvalid || ge.Code != "invalid_application" {
		t.Fatalf("Validate() = %v, want invalid_application", err)
	}
	want := []string{"application_id", "nib", "npwp", "region_code", "permit_type", "kbli[1]",
		"risk_level", "business_scale", "declared_workers", "workers[1].nik", "callback_url"}
	var got []string
	for _, f := range ge.Fields {
		got = append(got, f.Field)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("fields = %v\nwant     %v", got, want)
	}

	ok := Application{ID: "OSS-1", NIB: "9120001234567", NPWP: "01.234.567.8-901.234", RegionCode: "1275",
		PermitType: PermitBusinessLicense, DeclaredWorkers: 0}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid application: %v", err)
	}
	if ok.NPWP != "012345678901234" {
		t.Errorf("NPWP not normalized: %s", ok.NPWP)
	}

	many := ok
	many.Workers = make([]Worker, MaxListedWorkers+1)
	if err := many.Validate(); !errors.As(err, &ge) || ge.Fields[0].Field != "workers" {
		t.Errorf("over-long worker list: %v", err)
	}
}

func TestPolicyValidate(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Fatalf("default policy invalid: %v", err)
	}
	p := DefaultPolicy()
	p.MinWorkerCoverage = 1.5
	p.OnRegistryUnavailable = "maybe"
	p.GatedPermitTypes = append(p.GatedPermitTypes, "fishing")
	p.MaxDataAge = 0
	var ge *Error
	if err := p.Validate(); !errors.As(err, &ge) || len(ge.Fields) != 4 {
		t.Fatalf("Validate() = %v, want 4 fields", err)
	}
}

func TestDecisionIDsSortByTime(t *testing.T) {
	a := NewDecisionID(t0)
	b := NewDecisionID(t0) // same millisecond: still later
	c := NewDecisionID(t0.Add(time.Millisecond))
	if !(a < b && b < c) || len(a) != 30 || !strings.HasPrefix(a, "dec_") {
		t.Errorf("ids %s %s %s not increasing or malformed", a, b, c)
	}
}

func TestApplicationRejectsControlCharacters(t *testing.T) {
	a := Application{ID: "OSS-1\x00", NIB: "9120001234567", RegionCode: "1275", PermitType: PermitTender,
		CompanyName: "PT A\nB", CallbackURL: "https://x.example/\x7f"}
	var ge *Error
	if err := a.Validate(); !errors.As(err, &ge) || len(ge.Fields) != 3 {
		t.Fatalf("Validate() = %v, want application_id, company_name and callback_url at fault", err)
	}
}
