package gate

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

// crockford is the Crockford base32 alphabet ULIDs use.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewDecisionID returns a new decision id, "dec_" followed by a ULID: 48 bits
// of milliseconds and 80 random bits, so ids sort by time. Ids made in the
// same millisecond by one process still sort in the order they were made.
func NewDecisionID(now time.Time) string { return "dec_" + ulids.next(now) }

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
