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

// formatV1 is the leading byte of every shared-tier value. Readers treat any
// other leading byte as a miss, so replicas of different versions can share a
// tier during a rolling deploy. Readers ignore trailing bytes, so a field may
// be appended without a new version; a changed meaning needs one.
//
// Layout after the version byte: FetchedAt as a varint of Unix nanoseconds, a
// flags byte (bit 0: Found), then, when Found, the value's fields in
// declaration order: strings as a uvarint length and bytes, integers as
// varints.
const formatV1 byte = 1

const flagFound byte = 1

// errCorrupt reports a value that claims a known version but is malformed.
var errCorrupt = errors.New("cache: malformed shared-tier value")

// errUnknownVersion reports a value written by another format version.
var errUnknownVersion = errors.New("cache: unknown shared-tier format version")

func appendHeader(b []byte, fetchedAt time.Time, found bool) []byte {
	b = append(b, formatV1)
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

func encodeParticipant(e entry[gate.Participant]) []byte {
	b := appendHeader(make([]byte, 0, 96), e.FetchedAt, e.Found)
	if !e.Found {
		return b
	}
	v := e.Value
	for _, s := range []string{v.NIK, v.CardNumber, v.Name, v.Status, v.StatusText, v.Segment, v.SegmentText} {
		b = appendString(b, s)
	}
	return b
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

// header reads the version byte, FetchedAt and the flags.
func (r *reader) header() (time.Time, bool) {
	if len(r.b) == 0 {
		r.err = errCorrupt
		return time.Time{}, false
	}
	if r.b[0] != formatV1 {
		r.err = errUnknownVersion
		return time.Time{}, false
	}
	r.b = r.b[1:]
	at := time.Unix(0, r.varint()).UTC()
	if r.err != nil || len(r.b) == 0 {
		r.err = errCorrupt
		return time.Time{}, false
	}
	flags := r.b[0]
	r.b = r.b[1:]
	return at, flags&flagFound != 0
}

// decodeEmployer returns errUnknownVersion or errCorrupt for values it
// cannot use; both are misses to the caller.
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
func decodeParticipant(b []byte) (entry[gate.Participant], error) {
	r := reader{b: b}
	var e entry[gate.Participant]
	e.FetchedAt, e.Found = r.header()
	if e.Found {
		v := &e.Value
		v.NIK, v.CardNumber, v.Name = r.string(), r.string(), r.string()
		v.Status, v.StatusText = r.string(), r.string()
		v.Segment, v.SegmentText = r.string(), r.string()
	}
	return e, r.err
}
