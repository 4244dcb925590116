package cache

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// entry is one cached BPJS answer. Errors are never entries: only answers
// (Found or not) are cached.
type entry[V any] struct {
	FetchedAt time.Time // when BPJS gave the answer; UTC, no monotonic reading
	Found     bool
	Value     V
}

// formatV2 is the leading byte of every shared-tier value. Readers treat any
// other leading byte as a miss, so replicas of different versions can share a
// tier during a rolling deploy. Version 1 held plain text, NIK and name
// included; version 2 is sealed (see Keys) and holds only what a decision
// needs. Readers ignore trailing bytes of the plain text, so a field may be
// appended without a new version; a changed meaning needs one.
//
// Plain-text layout: FetchedAt as a varint of Unix nanoseconds, a flags byte
// (bit 0: Found), then, when Found, the value's fields in declaration order:
// strings as a uvarint length and bytes, integers as varints.
const formatV2 byte = 2

const flagFound byte = 1

// errCorrupt reports a value that claims a known version but is malformed.
var errCorrupt = errors.New("cache: malformed shared-tier value")

// errUnknownVersion reports a value written by another format version.
var errUnknownVersion = errors.New("cache: unknown shared-tier format version")

func appendHeader(b []byte, fetchedAt time.Time, found bool) []byte {
	b = binary.AppendVarint(b, fetchedAt.UnixNano())
	var flags byte
	if found {
		flags |= flagFound
	}
	return append(b, flags)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func encodeEmployer(e entry[gate.Employer]) []byte {
	b := appendHeader(make([]byte, 0, 128), e.FetchedAt, e.Found)
	if !e.Found {
		return b
	}
	v := e.Value
	for _, s := range []string{v.Code, v.NIB, v.NPWP, v.Name, v.Status, v.StatusText} {
		b = appendString(b, s)
	}
	b = binary.AppendVarint(b, int64(v.RegisteredWorkers))
	b = binary.AppendVarint(b, int64(v.ActiveWorkers))
	b = binary.AppendVarint(b, int64(v.ArrearsMonths))
	b = binary.AppendVarint(b, v.ArrearsAmount)
	b = appendString(b, v.LastPaidPeriod)
	return appendString(b, v.DataDate)
}

func encodeParticipant(e entry[participantFacts]) []byte {
	b := appendHeader(make([]byte, 0, 64), e.FetchedAt, e.Found)
	if !e.Found {
		return b
	}
	v := e.Value
	for _, s := range []string{v.Status, v.StatusText, v.Segment, v.SegmentText, v.EmployerCode} {
		b = appendString(b, s)
	}
	return b
}

// participantFacts is all that either tier keeps of a participant: what a
// decision reads (status and segment, with BPJS's texts for them, and the
// code of the employer that registered the participant). The NIK,
// card number, name and birth date are never cached: a cache is a copy of
// personal data that nobody audits.
type participantFacts struct {
	Status      string // statusPeserta.kode
	StatusText  string
	Segment     string // jenisPeserta.kode
	SegmentText string
	// EmployerCode is peserta.badanUsaha.kode (appended to the layout
	// later: a value without it reads as empty).
	EmployerCode string
}

func factsOf(p gate.Participant) participantFacts {
	return participantFacts{Status: p.Status, StatusText: p.StatusText, Segment: p.Segment, SegmentText: p.SegmentText,
		EmployerCode: p.EmployerCode}
}

// participant gives the facts back as a gate.Participant for nik.
func (f participantFacts) participant(nik string) gate.Participant {
	return gate.Participant{NIK: nik, Status: f.Status, StatusText: f.StatusText, Segment: f.Segment, SegmentText: f.SegmentText,
		EmployerCode: f.EmployerCode}
}

// reader decodes a value; the first failure sticks in err so that callers
// check once at the end.
type reader struct {
	b   []byte
	err error
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) int() int { return int(r.varint()) }

func (r *reader) string() string {
	if r.err != nil {
		return ""
	}
	l, n := binary.Uvarint(r.b)
	if n <= 0 || uint64(len(r.b)-n) < l {
		r.err = errCorrupt
		return ""
	}
	s := string(r.b[n : n+int(l)])
	r.b = r.b[n+int(l):]
	return s
}

// header reads FetchedAt and the flags.
func (r *reader) header() (time.Time, bool) {
	at := time.Unix(0, r.varint()).UTC()
	if r.err != nil || len(r.b) == 0 {
		r.err = errCorrupt
		return time.Time{}, false
	}
	flags := r.b[0]
	r.b = r.b[1:]
	return at, flags&flagFound != 0
}

// decodeEmployer decodes the plain text of an employer entry; it returns
// errCorrupt when it cannot.
func decodeEmployer(b []byte) (entry[gate.Employer], error) {
	r := reader{b: b}
	var e entry[gate.Employer]
	e.FetchedAt, e.Found = r.header()
	if e.Found {
		v := &e.Value
		v.Code, v.NIB, v.NPWP, v.Name = r.string(), r.string(), r.string(), r.string()
		v.Status, v.StatusText = r.string(), r.string()
		v.RegisteredWorkers, v.ActiveWorkers, v.ArrearsMonths = r.int(), r.int(), r.int()
		v.ArrearsAmount = r.varint()
		v.LastPaidPeriod, v.DataDate = r.string(), r.string()
	}
	return e, r.err
}

// decodeParticipant is decodeEmployer for participants.
func decodeParticipant(b []byte) (entry[participantFacts], error) {
	r := reader{b: b}
	var e entry[participantFacts]
	e.FetchedAt, e.Found = r.header()
	if e.Found {
		v := &e.Value
		v.Status, v.StatusText = r.string(), r.string()
		v.Segment, v.SegmentText = r.string(), r.string()
		if r.err == nil && len(r.b) > 0 {
			v.EmployerCode = r.string()
		}
	}
	return e, r.err
}
