package cache

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jkngate/jkngate/gate"
)

func TestEntryEncodingRoundTrips(t *testing.T) {
	at := time.Date(2026, 11, 22, 9, 58, 1, 123456789, time.UTC)
	emps := []entry[gate.Employer]{
		{FetchedAt: at, Found: true, Value: testEmployer(testNIB)},
		{FetchedAt: at, Found: true, Value: gate.Employer{NIB: testNIB, ArrearsAmount: -1, RegisteredWorkers: 1 << 40}},
		{FetchedAt: at},
	}
	for _, e := range emps {
		got, err := decodeEmployer(encodeEmployer(e))
		if err != nil {
			t.Fatalf("decode: %v", err)
		}
		if diff := cmp.Diff(e, got); diff != "" {
			t.Errorf("employer round trip (-want +got):\n%s", diff)
		}
	}
	p := entry[participantFacts]{FetchedAt: at, Found: true, Value: factsOf(testParticipant(testNIK))}
	got, err := decodeParticipant(encodeParticipant(p))
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	if diff := cmp.Diff(p, got); diff != "" {
		t.Errorf("participant round trip (-want +got):\n%s", diff)
	}
}

func TestDecodeRejectsWhatItCannotRead(t *testing.T) {
	good := encodeParticipant(entry[participantFacts]{FetchedAt: time.Now(), Found: true, Value: factsOf(testParticipant(testNIK))})
	tests := []struct {
		name string
		val  []byte
		want error
	}{
		{"empty", nil, errCorrupt},
		{"truncated", good[:len(good)-3], errCorrupt},
		{"time only", good[:len(good)-20], errCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := decodeParticipant(tt.val); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestUnknownVersionInSharedTierIsAMiss(t *testing.T) {
	tests := []struct {
		name       string
		val        []byte
		wantDecode float64 // jkngate_redis_errors_total{op="decode"}
	}{
		{"newer version", append([]byte{0x7f}, "whatever a newer replica writes"...), 0},
		{"version 1 plain text", append([]byte{1, 0x80, 0x01, 1}, testNIK+"CONTOH PESERTA"...), 0},
		{"sealed with an unknown key", append([]byte{formatV2, 0xff}, make([]byte, 40)...), 0},
		{"tampered current version", nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tier := newMapTier()
			name := sharedName(t, "participant", testNIK)
			if tt.val == nil {
				e := entry[participantFacts]{FetchedAt: time.Now(), Found: true, Value: participantFacts{Status: "0"}}
				tt.val = testKeys(t).seal(name, encodeParticipant(e))
				tt.val[len(tt.val)-1] ^= 1
			}
			_ = tier.Set(context.Background(), name, tt.val, time.Hour)
			inner := &fakeInner{}
			r, reg := newTestRegistry(t, inner, newClock(), Options{Shared: tier})
			got, err := r.Participant(context.Background(), testNIK)
			if err != nil || got.Fetch.Source != gate.SourceLive {
				t.Fatalf("lookup: %+v, %v; want a live answer", got, err)
			}
			if n := inner.participantCalls.Load(); n != 1 {
				t.Fatalf("inner calls = %d, want 1", n)
			}
			if v := metricValue(t, reg, "jkngate_redis_errors_total", "op", opDecode); v != tt.wantDecode {
				t.Fatalf("decode errors = %v, want %v", v, tt.wantDecode)
			}
			if b, _, _ := tier.Get(context.Background(), name); b[0] != formatV2 {
				t.Fatalf("the shared tier was not overwritten with the current format")
			}
		})
	}
}

func TestNewRejectsNonsense(t *testing.T) {
	tests := []struct {
		name  string
		inner gate.Registry
		opts  Options
	}{
		{"nil inner", nil, Options{}},
		{"fresh beyond max age", &fakeInner{}, Options{Fresh: 100 * time.Hour}},
		{"negative rate", &fakeInner{}, Options{Rate: -1}},
		{"ratio above one", &fakeInner{}, Options{BreakerFailureRatio: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.inner, tt.opts)
			wantCode(t, err, gate.KindInvalid, "invalid_cache_options")
		})
	}
}

// The employer code of a participant (peserta.badanUsaha.kode) survives the
// shared tier, so WORKER_OTHER_EMPLOYER works on cached data; a value
// written before the field was appended reads as having none.
func TestParticipantEmployerCodeRoundTrips(t *testing.T) {
	at := time.Date(2026, 11, 22, 9, 58, 1, 0, time.UTC)
	p := entry[participantFacts]{FetchedAt: at, Found: true,
		Value: participantFacts{Status: "0", Segment: "13", EmployerCode: "01020304"}}
	b := encodeParticipant(p)
	got, err := decodeParticipant(b)
	if err != nil || got.Value.EmployerCode != "01020304" {
		t.Fatalf("decoded %+v (%v), want employer code 01020304", got.Value, err)
	}
	if got.Value.participant(testNIK).EmployerCode != "01020304" {
		t.Error("participant() dropped the employer code")
	}
	old := b[:len(b)-len("01020304")-1] // the layout before the field
	got, err = decodeParticipant(old)
	if err != nil || got.Value.EmployerCode != "" || got.Value.Segment != "13" {
		t.Errorf("old layout decoded %+v (%v), want segment 13 and no employer code", got.Value, err)
	}
}
