package gate

import (
	"fmt"
	"time"
)

// Policy is a region's rules for the gate (contract section 5).
type Policy struct {
	Version              string
	GatedPermitTypes     []PermitType
	ExemptBusinessScales []string
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
}

// DefaultPolicy returns the built-in policy of contract section 5.
func DefaultPolicy() Policy {
	return Policy{
		Version: "default-2026.11",
		GatedPermitTypes: []PermitType{PermitBusinessLicense, PermitBuildingPermit, PermitTender,
			PermitForeignWorker, PermitOutsourcingLicense},
		ExemptBusinessScales:  []string{},
		MinWorkerCoverage:     1.0,
		MaxArrearsMonths:      0,
		EmployerPaidSegments:  []string{"10", "13"},
		OnRegistryUnavailable: OutcomeReview,
		MaxDataAge:            72 * time.Hour,
		DecisionValidFor:      720 * time.Hour,
		RecheckFor:            24 * time.Hour,
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
	if len(fs) > 0 {
		return &Error{Kind: KindInvalid, Code: "invalid_policy",
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
