package gate

import (
	"fmt"
	"strings"
)

// PermitType is the kind of permit an application is for.
type PermitType string

// The permit types the licensing system sends.
const (
	PermitBusinessLicense    PermitType = "business_license"
	PermitBuildingPermit     PermitType = "building_permit"
	PermitTender             PermitType = "tender"
	PermitForeignWorker      PermitType = "foreign_worker_permit"
	PermitOutsourcingLicense PermitType = "outsourcing_license"
	PermitOther              PermitType = "other"
)

// PermitTypes lists every permit type, in the order api/openapi.yaml lists them.
var PermitTypes = []PermitType{PermitBusinessLicense, PermitBuildingPermit, PermitTender,
	PermitForeignWorker, PermitOutsourcingLicense, PermitOther}

// RiskLevels are OSS-RBA's risk levels.
var RiskLevels = []string{"rendah", "menengah_rendah", "menengah_tinggi", "tinggi"}

// BusinessScales are OSS's business scales (skala usaha).
var BusinessScales = []string{"mikro", "kecil", "menengah", "besar"}

// MaxListedWorkers bounds how many workers one application may list.
const MaxListedWorkers = 10000

// Application is a permit application that reached the compliance step of
// the licensing workflow.
type Application struct {
	ID              string // the licensing system's application id
	NIB             string
	NPWP            string // normalized digits, or empty
	CompanyName     string
	RegionCode      string
	PermitType      PermitType
	KBLI            []string
	RiskLevel       string // empty when not given
	BusinessScale   string // empty when not given
	DeclaredWorkers int
	Workers         []Worker // listed workers; may be empty
	CallbackURL     string   // empty when not given
	// BPJSEmployerCode is the company's BPJS Kesehatan registration number
	// as the licensing system knows it (OSS's no_va); empty when not given.
	BPJSEmployerCode string
}

// Worker is a worker listed in an application.
type Worker struct {
	NIK string
}

// Validate checks every field of the application and reports all that are at
// fault at once, as a KindInvalid *Error with code "invalid_application".
// Field names are paths relative to the application ("nib",
// "workers[2].nik"). It normalizes the NPWP, the region code and the
// business scale in place.
func (a *Application) Validate() error {
	var fs FieldErrors
	add := func(field, format string, args ...any) {
		fs.Add(field, fmt.Sprintf(format, args...))
	}
	switch {
	case strings.TrimSpace(a.ID) == "":
		add("application_id", "is required")
	case len(a.ID) > 128:
		add("application_id", "must be at most 128 characters")
	}
	if a.NIB == "" {
		add("nib", "is required")
	} else if !ValidNIB(a.NIB) {
		add("nib", "must be 13 digits")
	}
	if a.NPWP != "" {
		if n, ok := NormalizeNPWP(a.NPWP); ok {
			a.NPWP = n
		} else {
			add("npwp", "must be 15 or 16 digits")
		}
	}
	if len(a.CompanyName) > 256 {
		add("company_name", "must be at most 256 characters")
	}
	if a.RegionCode == "" {
		add("region_code", "is required")
	} else if r, ok := NormalizeRegionCode(a.RegionCode); ok {
		a.RegionCode = r
	} else {
		add("region_code", "must be a Kemendagri code of 2, 4, 6 or 10 digits, with or without dots")
	}
	if a.PermitType == "" {
		add("permit_type", "is required")
	} else if !contains(PermitTypes, a.PermitType) {
		add("permit_type", "must be one of %s", joinQuoted(PermitTypes))
	}
	if len(a.KBLI) > MaxKBLICodes {
		add("kbli", "must list at most %d codes", MaxKBLICodes)
	} else {
		for i, k := range a.KBLI {
			if !ValidKBLI(k) {
				add(fmt.Sprintf("kbli[%d]", i), "must be a 5-digit KBLI code")
			}
		}
	}
	if a.RiskLevel != "" && !contains(RiskLevels, a.RiskLevel) {
		add("risk_level", "must be one of %s", joinQuoted(RiskLevels))
	}
	if a.BusinessScale != "" {
		if sc, ok := NormalizeBusinessScale(a.BusinessScale); ok {
			a.BusinessScale = sc
		} else {
			add("business_scale", "must be one of %s, or OSS's code 01-04", joinQuoted(BusinessScales))
		}
	}
	if a.BPJSEmployerCode != "" && !ValidEmployerCode(a.BPJSEmployerCode) {
		add("bpjs_employer_code", "must be 1 to 32 letters and digits")
	}
	if a.DeclaredWorkers < 0 || a.DeclaredWorkers > MaxDeclaredWorkers {
		add("declared_workers", "must be an integer from 0 to %d", MaxDeclaredWorkers)
	}
	if len(a.Workers) > MaxListedWorkers {
		add("workers", "must list at most %d workers", MaxListedWorkers)
	} else {
		for i, w := range a.Workers {
			if !ValidNIK(w.NIK) {
				add(fmt.Sprintf("workers[%d].nik", i), "must be a 16-digit NIK with a valid birth date part")
			}
		}
	}
	if a.CallbackURL != "" && !strings.HasPrefix(a.CallbackURL, "https://") && !strings.HasPrefix(a.CallbackURL, "http://") {
		add("callback_url", "must be an http(s) URL")
	} else if len(a.CallbackURL) > 2048 {
		add("callback_url", "must be at most 2048 characters")
	}
	// Free text must be printable: a NUL cannot be stored by PostgreSQL,
	// and control, bidi and zero-width characters have no place in a name
	// or an id (they make a record read as something it is not).
	for _, f := range []struct{ name, v string }{{"application_id", a.ID}, {"company_name", a.CompanyName},
		{"callback_url", a.CallbackURL}} {
		if msg := TextProblem(f.v, false); msg != "" {
			add(f.name, "%s", msg)
		}
	}
	if err := fs.Error(CodeInvalidApplication, "the application"); err != nil {
		return err
	}
	return nil
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func joinQuoted[T ~string](list []T) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
