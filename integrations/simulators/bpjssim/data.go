package bpjssim

import (
	"slices"

	"github.com/jkngate/jkngate/gate"
)

// Scenario labels a simulated employer by the gate outcome it is built to
// produce under gate.DefaultPolicy, so that tests and the demo can pick a
// company for each path of the README's reason table.
type Scenario string

// The employer scenarios. Each is built so that an application using the
// employer's DeclaredWorkers and Workers gets exactly the reasons that
// Expectation returns under the default policy.
const (
	// ScenarioCompliant: status 1, no arrears, every worker active (status
	// 0) in segment 13, registered = active = declared.
	ScenarioCompliant Scenario = "compliant"
	// ScenarioCompliantMixed: like compliant, but BPJS names the employer
	// (peserta.badanUsaha) for only some of the workers: where it is absent
	// the other-employer check is skipped.
	ScenarioCompliantMixed Scenario = "compliant_mixed_segments"
	// ScenarioUnderRegistered: active < declared; some registered workers
	// are not active (status 9 or 15, not listed) and/or some declared
	// workers were never registered.
	ScenarioUnderRegistered Scenario = "under_registered"
	// ScenarioInactive: employer status 2 (NONAKTIF).
	ScenarioInactive Scenario = "inactive"
	// ScenarioSuspended: employer status 3 (DIBEKUKAN).
	ScenarioSuspended Scenario = "suspended"
	// ScenarioUnknownStatus: employer status code "8", which nobody knows.
	ScenarioUnknownStatus Scenario = "unknown_status"
	// ScenarioArrears1, ScenarioArrears2, ScenarioArrears3Plus: status 1,
	// every worker active, contribution arrears of 1, 2, or 3 to 12 months.
	ScenarioArrears1     Scenario = "arrears_1_month"
	ScenarioArrears2     Scenario = "arrears_2_months"
	ScenarioArrears3Plus Scenario = "arrears_3plus_months"
	// ScenarioWorkerNotEmployerPaid: the worker list holds people who are
	// active but as PBI (21 or 22) and as mandiri (14), not registered by
	// this employer: one of each, and sometimes one more.
	ScenarioWorkerNotEmployerPaid Scenario = "worker_not_employer_paid"
	// ScenarioWorkerStatusUnclear: the worker list holds 1-2 registered
	// workers with status 2, 6, 7 or the unknown code "99".
	ScenarioWorkerStatusUnclear Scenario = "worker_status_unclear"
	// ScenarioWorkerInactive: the worker list holds two registered workers,
	// one with status 9 (unpaid contributions) and one with status 15
	// (inactive at month end).
	ScenarioWorkerInactive Scenario = "worker_inactive"
	// ScenarioWorkerNotRegistered: the worker list holds 1-2 NIKs that are
	// not participants at all (also listed in Data.UnknownNIKs).
	ScenarioWorkerNotRegistered Scenario = "worker_not_registered"
	// ScenarioWorkerMandiriArrears: the worker list holds a mandiri (14)
	// participant inactive for their own unpaid contributions (status 9).
	ScenarioWorkerMandiriArrears Scenario = "worker_mandiri_arrears"
	// ScenarioWorkerOtherEmployer: the worker list holds a person active in
	// segment 13 whom BPJS has under another employer's code.
	ScenarioWorkerOtherEmployer Scenario = "worker_other_employer"
	// ScenarioEmployerNumberMismatch: the application's bpjs_employer_code
	// (Employer.ApplicationCode) differs from BPJS's kodeBadanUsaha.
	ScenarioEmployerNumberMismatch Scenario = "employer_number_mismatch"
	// ScenarioUnregistered labels the NIBs in Data.UnregisteredNIBs: BPJS
	// answers "Badan usaha tidak terdaftar". No Employer carries it.
	ScenarioUnregistered Scenario = "unregistered"
)

// Scenarios lists every scenario carried by a simulated employer, in a
// stable order. ScenarioUnregistered is not among them.
var Scenarios = []Scenario{ScenarioCompliant, ScenarioCompliantMixed, ScenarioUnderRegistered,
	ScenarioInactive, ScenarioSuspended, ScenarioUnknownStatus, ScenarioArrears1, ScenarioArrears2,
	ScenarioArrears3Plus, ScenarioWorkerNotEmployerPaid, ScenarioWorkerStatusUnclear,
	ScenarioWorkerInactive, ScenarioWorkerNotRegistered, ScenarioWorkerMandiriArrears,
	ScenarioWorkerOtherEmployer, ScenarioEmployerNumberMismatch}

// Expectation returns the outcome and reason codes a scenario's company gets
// under gate.DefaultPolicy, when an application declares DeclaredWorkers and
// lists Workers. It returns false for an unknown scenario.
func (s Scenario) Expectation() (gate.Outcome, []gate.ReasonCode, bool) {
	switch s {
	case ScenarioCompliant, ScenarioCompliantMixed:
		return gate.OutcomeAllow, []gate.ReasonCode{gate.ReasonCompliant}, true
	case ScenarioUnderRegistered:
		return gate.OutcomeDeny, []gate.ReasonCode{gate.ReasonWorkersUnderRegistered}, true
	case ScenarioInactive, ScenarioSuspended:
		return gate.OutcomeDeny, []gate.ReasonCode{gate.ReasonEmployerInactive}, true
	case ScenarioUnknownStatus:
		return gate.OutcomeReview, []gate.ReasonCode{gate.ReasonEmployerStatusUnclear}, true
	case ScenarioArrears1, ScenarioArrears2, ScenarioArrears3Plus:
		return gate.OutcomeDeny, []gate.ReasonCode{gate.ReasonContributionArrears}, true
	case ScenarioWorkerNotEmployerPaid:
		return gate.OutcomeReview, []gate.ReasonCode{gate.ReasonWorkerNotEmployerPaid}, true
	case ScenarioWorkerStatusUnclear:
		return gate.OutcomeReview, []gate.ReasonCode{gate.ReasonWorkerStatusUnclear}, true
	case ScenarioWorkerInactive, ScenarioWorkerMandiriArrears:
		return gate.OutcomeDeny, []gate.ReasonCode{gate.ReasonWorkerInactive}, true
	case ScenarioWorkerOtherEmployer:
		return gate.OutcomeReview, []gate.ReasonCode{gate.ReasonWorkerOtherEmployer}, true
	case ScenarioEmployerNumberMismatch:
		return gate.OutcomeReview, []gate.ReasonCode{gate.ReasonEmployerNumberMismatch}, true
	case ScenarioWorkerNotRegistered:
		return gate.OutcomeDeny, []gate.ReasonCode{gate.ReasonWorkerNotRegistered}, true
	case ScenarioUnregistered:
		return gate.OutcomeDeny, []gate.ReasonCode{gate.ReasonEmployerNotRegistered}, true
	}
	return "", nil, false
}

// Employer is one simulated employer (badan usaha) and the application a
// company in its scenario would send.
type Employer struct {
	Code           string // kodeBadanUsaha, 8 digits
	NIB            string // 13 digits
	NPWP           string // 15 digits
	Name           string
	RegionCode     string // 4-digit Kemendagri code of the city
	Status         string // status.kode
	StatusText     string // status.keterangan
	Registered     int    // jumlahPekerja.terdaftar: participants whose EmployerNIB is NIB
	Active         int    // jumlahPekerja.aktif: those of them with status 0
	ArrearsMonths  int
	ArrearsAmount  int64 // rupiah
	ContribMonthly int64 // the monthly contribution the arrears are counted in
	Scenario       Scenario
	// DeclaredWorkers and Workers are what an application for this company
	// should declare and list to get Scenario.Expectation(). Workers may
	// hold NIKs of people not registered by this employer (mandiri, PBI,
	// or not participants at all), depending on the scenario.
	DeclaredWorkers int
	Workers         []string
	// ApplicationCode is the bpjs_employer_code an application for this
	// company sends: Code, except in ScenarioEmployerNumberMismatch.
	ApplicationCode string
}

// Participant is one simulated JKN participant. Name is personal data,
// fake as it is: never log it unmasked.
type Participant struct {
	NIK           string
	CardNumber    string // noKartu, 13 digits
	Name          string
	Sex           string // "L" or "P"
	BirthDate     string // yyyy-MM-dd, agrees with the NIK
	Status        string // statusPeserta.kode
	StatusText    string
	Segment       string // jenisPeserta.kode
	SegmentText   string
	Class         string // hakKelas.kode: "1", "2" or "3"
	ProviderCode  string // provUmum.kdProvider
	ProviderName  string
	CoverageStart string // tglTMT, yyyy-MM-dd
	CoverageEnd   string // tglTAT, yyyy-MM-dd
	// EmployerNIB is the employer that registered this participant (segments
	// 10 and 13 only); empty otherwise.
	EmployerNIB string
	// EmployerCode and EmployerName are what BPJS serves as
	// peserta.badanUsaha; empty when it names no employer.
	EmployerCode, EmployerName string
}

// Data is everything the simulator serves. It is generated once from the
// seed and never changes; treat it as read-only.
type Data struct {
	Employers    []Employer
	Participants []Participant
	// UnregisteredNIBs are valid NIBs that no employer has: looking them up
	// answers code 201 "Badan usaha tidak terdaftar".
	UnregisteredNIBs []string
	// UnknownNIKs are structurally valid NIKs that are not participants:
	// looking them up answers code 201 "Peserta tidak ditemukan".
	UnknownNIKs []string
}

// EmployersIn returns the employers of a scenario, in generation order.
func (d Data) EmployersIn(s Scenario) []Employer {
	var out []Employer
	for _, e := range d.Employers {
		if e.Scenario == s {
			out = append(out, e)
		}
	}
	return out
}

// EmployersInRegion returns the employers of a scenario in a region; an empty
// scenario matches every scenario.
func (d Data) EmployersInRegion(s Scenario, region string) []Employer {
	var out []Employer
	for _, e := range d.Employers {
		if (s == "" || e.Scenario == s) && e.RegionCode == region {
			out = append(out, e)
		}
	}
	return out
}

// Pick returns the first employer of a scenario; false when there is none
// (every scenario in Scenarios has at least one).
func (d Data) Pick(s Scenario) (Employer, bool) {
	i := slices.IndexFunc(d.Employers, func(e Employer) bool { return e.Scenario == s })
	if i < 0 {
		return Employer{}, false
	}
	return d.Employers[i], true
}

// Employer returns the employer registered under nib.
func (d Data) Employer(nib string) (Employer, bool) {
	i := slices.IndexFunc(d.Employers, func(e Employer) bool { return e.NIB == nib })
	if i < 0 {
		return Employer{}, false
	}
	return d.Employers[i], true
}

// Participant returns the participant with the NIK.
func (d Data) Participant(nik string) (Participant, bool) {
	i := slices.IndexFunc(d.Participants, func(p Participant) bool { return p.NIK == nik })
	if i < 0 {
		return Participant{}, false
	}
	return d.Participants[i], true
}

// ParticipantsWith returns the participants with a status code and, unless
// segment is empty, a segment code.
func (d Data) ParticipantsWith(status, segment string) []Participant {
	var out []Participant
	for _, p := range d.Participants {
		if p.Status == status && (segment == "" || p.Segment == segment) {
			out = append(out, p)
		}
	}
	return out
}
