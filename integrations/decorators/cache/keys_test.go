package cache

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

var otherKey = []byte("fedcba9876543210fedcba9876543210")

// The shared tier sees neither the NIK or NIB nor any cached fact in plain
// text, and the process tier keeps no card number or name.
func TestSharedTierHoldsNoIdentifierOrPlainText(t *testing.T) {
	tier := newMapTier()
	r, _ := newTestRegistry(t, &fakeInner{}, newClock(), Options{Shared: tier})
	ctx := context.Background()
	if _, err := r.Employer(ctx, testNIB); err != nil {
		t.Fatal(err)
	}
	got, err := r.Participant(ctx, testNIK)
	if err != nil {
		t.Fatal(err)
	}
	if len(tier.m) != 2 {
		t.Fatalf("shared tier holds %d entries, want 2", len(tier.m))
	}
	p := testParticipant(testNIK)
	secrets := []string{testNIK, testNIB, p.CardNumber, p.Name, p.StatusText, p.SegmentText, testEmployer(testNIB).Name}
	for name, val := range tier.m {
		for _, s := range secrets {
			if strings.Contains(name, s) || bytes.Contains(val, []byte(s)) {
				t.Errorf("shared entry %q shows %q", name, s)
			}
		}
	}
	want := gate.Participant{NIK: testNIK, Status: p.Status, StatusText: p.StatusText, Segment: p.Segment, SegmentText: p.SegmentText}
	if got.Participant != want {
		t.Errorf("participant = %+v, want only %+v", got.Participant, want)
	}
	if e, _ := r.participants.local.Get(testNIK); e.Value != factsOf(p) {
		t.Errorf("process tier keeps %+v", e.Value)
	}
}

// sealedWithOldKey returns a shared tier holding testNIK's participant,
// sealed by a replica whose current key is otherKey (the key a rotation
// retires), and that replica's keys.
func sealedWithOldKey(t *testing.T) (*mapTier, *Keys) {
	t.Helper()
	tier := newMapTier()
	oldKeys, _ := NewKeys(otherKey)
	writer, _ := newTestRegistry(t, &fakeInner{}, newClock(), Options{Shared: tier, Keys: oldKeys})
	if _, err := writer.Participant(context.Background(), testNIK); err != nil {
		t.Fatal(err)
	}
	return tier, oldKeys
}

// After a rotation (new key current, old key previous) entries sealed with
// the old key are still served; a replica without the old key misses them
// quietly; a tampered or moved value is a counted miss, never an error.
func TestSharedTierKeyRotation(t *testing.T) {
	ctx := context.Background()
	tier, oldKeys := sealedWithOldKey(t)

	tests := []struct {
		name       string
		keys       *Keys
		tamper     func(m map[string][]byte)
		wantSource gate.Source
		wantDecode float64
	}{
		{"rotated: old key among the previous", testKeys(t, otherKey), nil, gate.SourceCache, 0},
		{"old key still current", oldKeys, nil, gate.SourceCache, 0},
		{"wrong key", testKeys(t), nil, gate.SourceLive, 0},
		{"tampered ciphertext", testKeys(t, otherKey), func(m map[string][]byte) {
			for k, v := range m {
				v = bytes.Clone(v)
				v[len(v)/2] ^= 0x40
				m[k] = v
			}
		}, gate.SourceLive, 1},
		{"value moved under another NIK's name", testKeys(t, otherKey), func(m map[string][]byte) {
			for _, v := range m {
				m[oldKeys.Name("participant", "1275014101900002")] = v
			}
		}, gate.SourceLive, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			copied := newMapTier()
			for k, v := range tier.m {
				copied.m[k] = v
			}
			nik := testNIK
			if tt.tamper != nil {
				tt.tamper(copied.m)
				if strings.Contains(tt.name, "moved") {
					nik = "1275014101900002"
				}
			}
			inner := &fakeInner{}
			r, reg := newTestRegistry(t, inner, newClock(), Options{Shared: copied, Keys: tt.keys})
			got, err := r.Participant(ctx, nik)
			if err != nil || !got.Found || got.Fetch.Source != tt.wantSource {
				t.Fatalf("lookup: %+v, %v; want found from %s", got, err, tt.wantSource)
			}
			if v := metricValue(t, reg, "jkngate_redis_errors_total", "op", opDecode); v != tt.wantDecode {
				t.Errorf("decode errors = %v, want %v", v, tt.wantDecode)
			}
		})
	}
}

func TestKeysRequiredAndChecked(t *testing.T) {
	_, err := New(&fakeInner{}, Options{Shared: newMapTier()})
	wantCode(t, err, gate.KindInvalid, "invalid_cache_options")
	for _, k := range [][]byte{nil, []byte("short"), append(testKey, 0)} {
		_, err := NewKeys(k)
		wantCode(t, err, gate.KindInvalid, "invalid_cache_key")
		_, err = NewKeys(testKey, k)
		wantCode(t, err, gate.KindInvalid, "invalid_cache_key")
	}
	k := testKeys(t, testKey, otherKey)
	if n := len(k.names("participant", testNIK)); n != 2 {
		t.Errorf("names = %d, want 2 (the current key listed again counts once)", n)
	}
	if a, b := k.Name("participant", testNIK), k.Name("employer", testNIK); a[strings.IndexByte(a, ':'):] == b[strings.IndexByte(b, ':'):] {
		t.Errorf("the same identifier hashes alike for employers and participants")
	}
}

// InvalidateEmployer drops entries under previous keys too.
func TestInvalidateDropsEntriesUnderPreviousKeys(t *testing.T) {
	ctx := context.Background()
	tier, _ := sealedWithOldKey(t)
	r, _ := newTestRegistry(t, &fakeInner{}, newClock(), Options{Shared: tier, Keys: testKeys(t, otherKey)})
	if err := r.InvalidateEmployer(ctx, testNIB, testNIK); err != nil {
		t.Fatal(err)
	}
	if len(tier.m) != 0 {
		t.Fatalf("shared tier still holds %d entries", len(tier.m))
	}
}
