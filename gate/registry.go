package gate

import (
	"context"
	"time"
)

// Source says where the data behind a decision came from.
type Source string

// The evidence sources of a decision (api/openapi.yaml, Source).
const (
	SourceLive  Source = "live"  // fetched from BPJS for this decision
	SourceCache Source = "cache" // cached and still fresh
	SourceStale Source = "stale" // cached, past its fresh time, within the policy's max_data_age
	SourceNone  Source = "none"  // no data
	// SourceImport is data from a BPJS data file imported under a
	// data-sharing agreement, within the policy's max_data_age of its
	// tgl_data; the evidence's as-of is that tgl_data.
	SourceImport Source = "import"
)

// Employer status codes in BPJS's employer data (status.kode).
const (
	EmployerActive    = "1" // AKTIF
	EmployerInactive  = "2" // NONAKTIF
	EmployerSuspended = "3" // DIBEKUKAN
)

// Participant status codes (statusPeserta.kode) that gate knows. Only
// ParticipantActive means covered; any code not listed here is unclear.
const (
	ParticipantActive           = "0"
	ParticipantDeceased         = "2"
	ParticipantAgeLimit         = "6"
	ParticipantSuspended        = "7"
	ParticipantUnpaid           = "9"
	ParticipantInactiveMonthEnd = "15"
)

// Employer is what BPJS Kesehatan knows of a registered employer (badan
// usaha).
type Employer struct {
	Code              string // kode badan usaha
	NIB               string
	NPWP              string
	Name              string
	Status            string // status.kode: EmployerActive, EmployerInactive, EmployerSuspended, or unknown
	StatusText        string // status.keterangan as BPJS sent it
	RegisteredWorkers int
	ActiveWorkers     int
	ArrearsMonths     int
	ArrearsAmount     int64  // rupiah
	LastPaidPeriod    string // YYYY-MM
	DataDate          string // YYYY-MM-DD: when BPJS's data was current
}

// Participant is what BPJS Kesehatan knows of a JKN participant.
type Participant struct {
	NIK         string
	CardNumber  string // noKartu
	Name        string // personal data: never log unmasked
	Status      string // statusPeserta.kode
	StatusText  string
	Segment     string // jenisPeserta.kode
	SegmentText string
	// EmployerCode is the kode badan usaha of the employer that registered
	// the participant, where BPJS says (peserta.badanUsaha.kode); empty
	// when it does not.
	EmployerCode string
}

// Fetch says where a looked-up record came from and how old it is.
type Fetch struct {
	Source Source
	AsOf   time.Time // when the data was fetched from BPJS
}

// EmployerLookup is the result of looking an employer up. Found is false when
// BPJS answered that no employer is registered under the NIB.
type EmployerLookup struct {
	Found    bool
	Employer Employer
	Fetch    Fetch
}

// ParticipantLookup is the result of looking a NIK up. Found is false when
// BPJS answered that the NIK is not a participant.
type ParticipantLookup struct {
	Found       bool
	Participant Participant
	Fetch       Fetch
}

// Registry looks employers and participants up at BPJS Kesehatan (directly,
// or through a cache).
//
// A definite "not registered" answer is a lookup with Found false, never an
// error. Errors mean that no answer could be had: they are of KindUnavailable
// when BPJS could not be reached, answered garbage, timed out or rejected our
// signature. A Registry never turns an outage into "not registered".
type Registry interface {
	// Employer looks an employer up by NIB. It returns an error of
	// KindUnavailable with code "employer_source_disabled" when no employer
	// data source is configured.
	Employer(ctx context.Context, nib string) (EmployerLookup, error)
	// Participant looks a participant up by NIK.
	Participant(ctx context.Context, nik string) (ParticipantLookup, error)
}
