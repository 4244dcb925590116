package gate

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestRequiredWorkersIsExactAndBounded(t *testing.T) {
	tests := []struct {
		declared int
		coverage float64
		want     int
	}{
		{100, 0.07, 7}, {1000, 0.07, 70}, {3, 1.0 / 3, 1}, {10_000_000, 1, 10_000_000},
		{10_000_000, 0.999999, 9_999_990}, {math.MaxInt, 1, MaxDeclaredWorkers}, {math.MinInt, 1, 0},
		{52, math.NaN(), 0}, {52, 2, 52}, {52, -1, 0},
	}
	for _, tt := range tests {
		if got := RequiredWorkers(tt.declared, tt.coverage); got != tt.want {
			t.Errorf("RequiredWorkers(%d, %v) = %d, want %d", tt.declared, tt.coverage, got, tt.want)
		}
	}
}

// A declared count no real employer reaches must never turn into an allow,
// whatever reaches Evaluate.
func TestHugeDeclaredWorkersNeverAllow(t *testing.T) {
	a := Application{ID: "A-1", NIB: "9120001234567", RegionCode: "1275", PermitType: PermitBusinessLicense,
		DeclaredWorkers: math.MaxInt}
	f := Findings{Employer: EmployerLookup{Found: true, Employer: Employer{Status: EmployerActive, ActiveWorkers: 52}}}
	d := Evaluate(a, f, DefaultPolicy(), time.Now())
	if d.Outcome != OutcomeDeny {
		t.Fatalf("outcome %s, want deny: %+v", d.Outcome, d.Reasons)
	}
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "declared_workers") &&
		!hasField(err, "declared_workers") {
		t.Errorf("Validate = %v, want declared_workers refused", err)
	}
}

func hasField(err error, field string) bool {
	e, ok := err.(*Error)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func TestValidateBounds(t *testing.T) {
	base := func() Application {
		return Application{ID: "A-1", NIB: "9120001234567", RegionCode: "1275", PermitType: PermitOther}
	}
	tests := []struct {
		name  string
		edit  func(*Application)
		field string
	}{
		{"declared over the bound", func(a *Application) { a.DeclaredWorkers = MaxDeclaredWorkers + 1 }, "declared_workers"},
		{"too many kbli", func(a *Application) { a.KBLI = make([]string, MaxKBLICodes+1) }, "kbli"},
		{"bidi override in id", func(a *Application) { a.ID = "A-\u202e1" }, "application_id"},
		{"zero-width in name", func(a *Application) { a.CompanyName = "PT\u200bX" }, "company_name"},
		{"invalid UTF-8 in name", func(a *Application) { a.CompanyName = "PT \xff" }, "company_name"},
		{"NUL in id", func(a *Application) { a.ID = "A\x001" }, "application_id"},
	}
	for _, tt := range tests {
		a := base()
		tt.edit(&a)
		if err := a.Validate(); !hasField(err, tt.field) {
			t.Errorf("%s: Validate = %v, want %s refused", tt.name, err, tt.field)
		}
	}
	a := base()
	a.DeclaredWorkers = MaxDeclaredWorkers
	if err := a.Validate(); err != nil {
		t.Errorf("declared at the bound: %v", err)
	}
}

func TestValidateCapsFieldErrors(t *testing.T) {
	a := Application{ID: "A-1", NIB: "9120001234567", RegionCode: "1275", PermitType: PermitOther,
		Workers: make([]Worker, 5000)}
	err := a.Validate().(*Error)
	if len(err.Fields) != MaxFieldErrors {
		t.Fatalf("%d fields listed, want %d", len(err.Fields), MaxFieldErrors)
	}
	if err.Omitted != 4950 || !strings.Contains(err.Message, "5000 invalid") || !strings.Contains(err.Message, "4950 more") {
		t.Errorf("message %q does not count the rest", err.Message)
	}
}

func TestEmployerCheckBounds(t *testing.T) {
	ok := Employer{RegisteredWorkers: 60, ActiveWorkers: 52, ArrearsMonths: 2, ArrearsAmount: 1_000_000}
	if err := ok.CheckBounds(); err != nil {
		t.Fatal(err)
	}
	for _, e := range []Employer{
		{ArrearsMonths: -1}, {ArrearsMonths: MaxArrearsMonths + 1}, {ArrearsAmount: -5},
		{ActiveWorkers: -1}, {RegisteredWorkers: MaxEmployerWorkers + 1}, {ActiveWorkers: math.MaxInt},
	} {
		if e.CheckBounds() == nil {
			t.Errorf("%+v passed", e)
		}
	}
}

func TestValidWebhookID(t *testing.T) {
	for id, want := range map[string]bool{
		"msg_2Kx": true, strings.Repeat("a", 256): true, strings.Repeat("a", 257): false, "": false,
		"msg 1": false, "msg\x00": false, "msgé": false, "msg\u202e": false,
	} {
		if ValidWebhookID(id) != want {
			t.Errorf("ValidWebhookID(%q) != %v", id, want)
		}
	}
}

func TestSubmitRefusesBadWebhookIDBeforeTheStore(t *testing.T) {
	s := &Service{} // no store: reaching it would panic
	_, err := s.Submit(t.Context(), "oss", strings.Repeat("x", 3000), Application{})
	if KindOf(err) != KindInvalid || CodeOf(err) != CodeInvalidWebhookID {
		t.Errorf("Submit = %v, want invalid_webhook_id", err)
	}
}

// Amounts read as Indonesian texts write them.
func TestRupiah(t *testing.T) {
	for _, c := range []struct {
		amount int64
		sep    string
		want   string
	}{
		{0, ".", "Rp0"}, {999, ".", "Rp999"}, {1000, ".", "Rp1.000"}, {24500000, ".", "Rp24.500.000"},
		{24500000, ",", "Rp24,500,000"}, {-1500, ".", "-Rp1.500"}, {1_000_000_000_000_000, ".", "Rp1.000.000.000.000.000"},
	} {
		if got := rupiah(c.amount, c.sep); got != c.want {
			t.Errorf("rupiah(%d, %q) = %q, want %q", c.amount, c.sep, got, c.want)
		}
	}
}
