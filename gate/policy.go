package gate

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Policy is a region's rules for the gate (README, "Policy").
type Policy struct {
	Version              string
	GatedPermitTypes     []PermitType
	ExemptBusinessScales []string
	// OSSPermitTypes maps OSS's kd_izin (the permit's code in OSS) to the
	// permit type its applications are decided as; a kd_izin not listed is
	// a business_license.
	OSSPermitTypes map[string]PermitType
	// MinWorkerCoverage is the share of declared workers that must be
	// actively registered, in [0, 1]. The required count rounds up.
	MinWorkerCoverage float64
	// MaxArrearsMonths is the longest contribution arrears that still passes.
	MaxArrearsMonths int
	// EmployerPaidSegments are the jenisPeserta codes the employer pays for.
	EmployerPaidSegments []string
	// OnRegistryUnavailable is the outcome when BPJS cannot be reached and
	// no usable cached data exists (review by default).
	OnRegistryUnavailable Outcome
	// MaxDataAge is how old cached data may be and still be used.
	MaxDataAge time.Duration
	// DecisionValidFor is how long a decision stays valid.
	DecisionValidFor time.Duration
	// RecheckFor is how long a decision answered while BPJS could not be
	// reached keeps being evaluated again in the background.
	RecheckFor time.Duration
	// WorkerSampleSize, when > 0, checks a random sample of that many listed
	// workers instead of all of them.
	WorkerSampleSize int
	// ReviewDueWorkingDays is how many working days (Monday to Friday in
	// Asia/Jakarta, Holidays excepted) an open review has before it is
	// overdue; licensing deadlines approve a permit automatically after.
	ReviewDueWorkingDays int
	// Holidays are national holidays (YYYY-MM-DD) that are no working days.
	Holidays []string
	// LegalBasis holds the citations the reasons give, so that a region's
	// legal team corrects them without a release.
	LegalBasis LegalBasis
	// BranchOffices maps a region code to the BPJS Kesehatan branch office
	// that serves it; remedies name the office of the longest matching code,
	// or a generic one.
	BranchOffices map[string]BranchOffice
	// Regions holds the effective policy of each region that overrides this
	// one, by region code; For picks the longest matching code. An effective
	// regional policy has no Regions of its own.
	Regions map[string]Policy
	// Region is the region code whose override this policy is; empty for the
	// base policy.
	Region string
}

// LegalBasis is the set of citations a policy's reasons rest on (README,
// "Policy").
type LegalBasis struct {
	// Regional is the region's own instrument (a Perda or a mayor's or
	// regent's regulation) under which the DPMPTSP withholds the permit;
	// empty when the policy names none.
	Regional string
	// Registration is the employer's duty to register itself and its
	// workers.
	Registration string
	// Contribution is the employer's duty to collect and pay contributions.
	Contribution string
	// Sanction is the national article that lets a public-service unit
	// withhold a business permit.
	Sanction string
	// Supervision is BPJS's supervision of employer data: the basis for BPJS
	// staff verifying facts on review, never for a decision.
	Supervision string
}

// BranchOffice is a BPJS Kesehatan branch office (Kantor Cabang).
type BranchOffice struct {
	Name    string
	Address string
}

// DefaultLegalBasis returns the national citations of the built-in policy.
func DefaultLegalBasis() LegalBasis {
	const perpres = "Perpres 82/2018 tentang Jaminan Kesehatan sebagaimana terakhir diubah dengan Perpres 59/2024"
	return LegalBasis{
		Registration: perpres + ", Pasal 13",
		Contribution: perpres + ", Pasal 39",
		Sanction:     "PP 86/2013 Pasal 9",
		Supervision:  "PP 86/2013 Pasal 13",
	}
}

// DefaultPolicy returns the built-in policy (README, "Policy").
func DefaultPolicy() Policy {
	return Policy{
		Version: "default-2026.11",
		GatedPermitTypes: []PermitType{PermitBusinessLicense, PermitBuildingPermit, PermitTender,
			PermitForeignWorker, PermitOutsourcingLicense},
		ExemptBusinessScales:  []string{},
		MinWorkerCoverage:     1.0,
		MaxArrearsMonths:      0,
		EmployerPaidSegments:  []string{"13"},
		OnRegistryUnavailable: OutcomeReview,
		MaxDataAge:            72 * time.Hour,
		DecisionValidFor:      720 * time.Hour,
		RecheckFor:            24 * time.Hour,
		ReviewDueWorkingDays:  3,
		LegalBasis:            DefaultLegalBasis(),
	}
}

// Validate checks the policy and returns a KindInvalid *Error with code
// "invalid_policy" naming every field at fault (by its YAML key).
func (p Policy) Validate() error {
	var fs []FieldError
	add := func(field, format string, args ...any) {
		fs = append(fs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if p.Version == "" {
		add("version", "is required")
	}
	for i, t := range p.GatedPermitTypes {
		if !contains(PermitTypes, t) {
			add(fmt.Sprintf("gated_permit_types[%d]", i), "unknown permit type %q", t)
		}
	}
	for i, s := range p.ExemptBusinessScales {
		if !contains(BusinessScales, s) {
			add(fmt.Sprintf("exempt_business_scales[%d]", i), "unknown business scale %q", s)
		}
	}
	if !(p.MinWorkerCoverage >= 0 && p.MinWorkerCoverage <= 1) {
		add("min_worker_coverage", "must be between 0 and 1")
	}
	if p.MaxArrearsMonths < 0 {
		add("max_arrears_months", "must be >= 0")
	}
	if !contains([]Outcome{OutcomeAllow, OutcomeDeny, OutcomeReview}, p.OnRegistryUnavailable) {
		add("on_registry_unavailable", "must be allow, deny or review")
	}
	if p.MaxDataAge <= 0 {
		add("max_data_age", "must be a positive duration")
	}
	if p.DecisionValidFor <= 0 {
		add("decision_valid_for", "must be a positive duration")
	}
	if p.RecheckFor < 0 {
		add("recheck_for", "must be a duration >= 0")
	}
	if p.WorkerSampleSize < 0 {
		add("worker_sample_size", "must be >= 0")
	}
	if p.ReviewDueWorkingDays < 1 {
		add("review_due_working_days", "must be >= 1")
	}
	for i, h := range p.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			add(fmt.Sprintf("holidays[%d]", i), "must be a date like 2026-12-25")
		}
	}
	for key, v := range map[string]string{"registration": p.LegalBasis.Registration,
		"contribution": p.LegalBasis.Contribution, "sanction": p.LegalBasis.Sanction,
		"supervision": p.LegalBasis.Supervision} {
		if v == "" {
			add("legal_basis."+key, "is required")
		}
	}
	for code := range p.BranchOffices {
		if !ValidRegionCode(code) {
			add("branch_offices."+code, "must be a 2-digit province or 4-digit regency/city code")
		}
	}
	baseFields := slices.Clone(fs)
	for code, r := range p.Regions {
		if !ValidRegionCode(code) {
			add("regions."+code, "must be a 2-digit province or 4-digit regency/city code")
			continue
		}
		if err := r.Validate(); err != nil {
			if ge, ok := err.(*Error); ok {
				for _, f := range ge.Fields {
					if !contains(baseFields, f) { // an inherited problem is reported once
						add("regions."+code+"."+f.Field, "%s", f.Message)
					}
				}
			}
		}
	}
	slices.SortFunc(fs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	if len(fs) > 0 {
		return &Error{Kind: KindInvalid, Code: CodeInvalidPolicy,
			Message: fmt.Sprintf("the policy has %d invalid field(s)", len(fs)), Fields: fs}
	}
	return nil
}

// Gates reports whether the policy gates permits of type t.
func (p Policy) Gates(t PermitType) bool { return contains(p.GatedPermitTypes, t) }

// Exempts reports whether the policy exempts businesses of the given scale.
func (p Policy) Exempts(scale string) bool {
	return scale != "" && contains(p.ExemptBusinessScales, scale)
}

// EmployerPays reports whether the employer pays for participants in segment.
func (p Policy) EmployerPays(segment string) bool { return contains(p.EmployerPaidSegments, segment) }

// For returns the policy in effect for an application from region: the
// override of the longest region code that covers it, or p itself.
func (p Policy) For(region string) Policy {
	best := ""
	for code := range p.Regions {
		if RegionCovers(code, region) && len(code) > len(best) {
			best = code
		}
	}
	if best == "" {
		return p
	}
	return p.Regions[best]
}

// Override returns the effective policy of region: p with the regional
// changes apply made to a copy. Its version is p's version with the region
// appended ("default-2026.11/1272") unless apply sets its own.
func (p Policy) Override(region string, apply func(*Policy)) Policy {
	r := p
	r.Regions = nil
	r.Region = region
	r.GatedPermitTypes = slices.Clone(p.GatedPermitTypes)
	r.ExemptBusinessScales = slices.Clone(p.ExemptBusinessScales)
	r.EmployerPaidSegments = slices.Clone(p.EmployerPaidSegments)
	r.Holidays = slices.Clone(p.Holidays)
	apply(&r)
	if r.Version == p.Version {
		r.Version = p.Version + "/" + region
	}
	return r
}

// BranchOfficeFor returns the BPJS Kesehatan branch office serving region: the
// longest configured code that covers it; false when none does.
func (p Policy) BranchOfficeFor(region string) (BranchOffice, bool) {
	best, found := "", false
	for code := range p.BranchOffices {
		if RegionCovers(code, region) && len(code) >= len(best) {
			best, found = code, true
		}
	}
	return p.BranchOffices[best], found
}

// OSSPermitType returns the permit type of OSS permits with code kdIzin:
// the policy's oss_permit_types entry, else business_license.
func (p Policy) OSSPermitType(kdIzin string) PermitType {
	if t, ok := p.OSSPermitTypes[kdIzin]; ok {
		return t
	}
	return PermitBusinessLicense
}
