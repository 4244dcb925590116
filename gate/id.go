package gate

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// crockford is the Crockford base32 alphabet ULIDs use.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// The prefixes of gate's ids. Each names what the id is of, and is
// followed by a ULID.
const (
	decisionIDPrefix = "dec_"
	callbackIDPrefix = "cb_"
	auditIDPrefix    = "aud_"
)

// NewULID returns a new ULID made at now: 48 bits of milliseconds and 80
// random bits, in 26 Crockford base32 characters, so ids sort by time. Ids
// made in the same millisecond by one process still sort in the order they
// were made. For ids of things gate does not name (OSS message ids); gate's
// own ids have constructors of their own.
func NewULID(now time.Time) string { return ulids.next(now) }

// NewDecisionID returns a new decision id, "dec_" followed by a ULID.
func NewDecisionID(now time.Time) string { return decisionIDPrefix + ulids.next(now) }

// NewCallbackID returns a new outbound delivery (callback) id, "cb_"
// followed by a ULID made at now.
func NewCallbackID(now time.Time) string { return callbackIDPrefix + ulids.next(now) }

// NewAuditID returns a new id of an access trail entry made at at, "aud_"
// followed by a ULID, so that entries sort by time.
func NewAuditID(at time.Time) string { return auditIDPrefix + ulids.next(at) }

// ValidDecisionID reports whether s has the form of a decision id: "dec_"
// and a ULID. An id of another form cannot name a decision, so callers can
// answer not found without asking a store.
func ValidDecisionID(s string) bool { return validID(s, decisionIDPrefix) }

// ValidCallbackID reports whether s has the form of a callback id: "cb_"
// and a ULID.
func ValidCallbackID(s string) bool { return validID(s, callbackIDPrefix) }

// ValidAuditID reports whether s has the form of an access trail entry's
// id: "aud_" and a ULID.
func ValidAuditID(s string) bool { return validID(s, auditIDPrefix) }

func validID(s, prefix string) bool {
	return strings.HasPrefix(s, prefix) && validULID(s[len(prefix):])
}

// validULID reports whether s is 26 characters of the Crockford base32
// alphabet (upper case).
func validULID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(crockford, s[i]) < 0 {
			return false
		}
	}
	return true
}

type ulidSource struct {
	mu     sync.Mutex
	lastMs uint64
	last   [10]byte
}

var ulids ulidSource

func (u *ulidSource) next(now time.Time) string {
	ms := uint64(now.UnixMilli())
	u.mu.Lock()
	if ms <= u.lastMs {
		// Same (or earlier) millisecond: increment the random part so ids
		// stay monotonic.
		ms = u.lastMs
		for i := len(u.last) - 1; i >= 0; i-- {
			u.last[i]++
			if u.last[i] != 0 {
				break
			}
		}
	} else {
		u.lastMs = ms
		_, _ = rand.Read(u.last[:])
	}
	var b [16]byte
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	copy(b[6:], u.last[:])
	u.mu.Unlock()
	return encodeULID(b)
}

func encodeULID(b [16]byte) string {
	// 128 bits -> 26 base32 characters (the first holds 3 bits).
	var out [26]byte
	var acc uint64
	hi := binary.BigEndian.Uint64(b[0:8])
	lo := binary.BigEndian.Uint64(b[8:16])
	for i := 25; i >= 0; i-- {
		acc = lo & 31
		out[i] = crockford[acc]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}
