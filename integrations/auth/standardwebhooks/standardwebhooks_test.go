package standardwebhooks_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	official "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
)

// Vectors from the official library's webhook_test.go (v0.0.1).
const (
	vectorSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorMsgID   = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorPayload = `{"test": 2432232314}`
	vectorSig     = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	otherSig      = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
)

var vectorTime = time.Unix(1614265330, 0)

func mustSecret(t *testing.T, s string) standardwebhooks.Secret {
	t.Helper()
	sec, err := standardwebhooks.ParseSecret(s)
	if err != nil {
		t.Fatalf("ParseSecret(%q): %v", s, err)
	}
	return sec
}

func headers(id string, ts time.Time, sig string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", fmt.Sprint(ts.Unix()))
	h.Set("webhook-signature", sig)
	return h
}

func TestSignVector(t *testing.T) {
	got := standardwebhooks.Sign(mustSecret(t, vectorSecret), vectorMsgID, vectorTime, []byte(vectorPayload))
	if got != vectorSig {
		t.Fatalf("Sign = %q, want %q", got, vectorSig)
	}
}

func TestParseSecret(t *testing.T) {
	for _, s := range []string{"", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_!!notbase64"} {
		_, err := standardwebhooks.ParseSecret(s)
		if err == nil {
			t.Errorf("ParseSecret(%q) succeeded, want error", s)
		} else if key := strings.TrimPrefix(s, "whsec_"); key != "" && strings.Contains(err.Error(), key) {
			t.Errorf("ParseSecret(%q) error %q repeats the secret", s, err)
		}
	}
	sec := mustSecret(t, vectorSecret)
	if sec.Encode() != vectorSecret {
		t.Errorf("Encode = %q, want %q", sec.Encode(), vectorSecret)
	}
	if s := fmt.Sprintf("%v %s %#v %+v", sec, sec, sec, sec); strings.Contains(s, "MfKQ") {
		t.Errorf("formatting reveals the key: %s", s)
	}
	// Unpadded base64 is accepted too.
	raw := standardwebhooks.NewSecret([]byte("abcd"))
	if _, err := standardwebhooks.ParseSecret(strings.TrimRight(raw.Encode(), "=")); err != nil {
		t.Errorf("unpadded secret: %v", err)
	}
}

func TestVerify(t *testing.T) {
	sec := mustSecret(t, vectorSecret)
	rotatedOld := mustSecret(t, "whsec_"+"c2Vjb25kLXNlY3JldC1rZXktZm9yLXJvdGF0aW9u")
	body := []byte(vectorPayload)
	now := vectorTime
	valid := headers(vectorMsgID, now, vectorSig)
	with := func(mod func(h http.Header)) http.Header {
		h := valid.Clone()
		mod(h)
		return h
	}
	tests := []struct {
		name    string
		h       http.Header
		body    []byte
		secrets []standardwebhooks.Secret
		now     time.Time
		want    error
	}{
		{"valid", valid, body, []standardwebhooks.Secret{sec}, now, nil},
		{"missing id", with(func(h http.Header) { h.Del("webhook-id") }), body, nil, now, standardwebhooks.ErrMissingHeaders},
		{"missing timestamp", with(func(h http.Header) { h.Del("webhook-timestamp") }), body, nil, now, standardwebhooks.ErrMissingHeaders},
		{"missing signature", with(func(h http.Header) { h.Del("webhook-signature") }), body, nil, now, standardwebhooks.ErrMissingHeaders},
		{"empty signature", with(func(h http.Header) { h.Set("webhook-signature", " ") }), body, nil, now, standardwebhooks.ErrMissingHeaders},
		{"wrong signature", with(func(h http.Header) { h.Set("webhook-signature", otherSig) }), body, []standardwebhooks.Secret{sec}, now, standardwebhooks.ErrInvalidSignature},
		{"partial signature", with(func(h http.Header) { h.Set("webhook-signature", "v1,") }), body, []standardwebhooks.Secret{sec}, now, standardwebhooks.ErrInvalidSignature},
		{"wrong version", with(func(h http.Header) { h.Set("webhook-signature", "v2,"+strings.TrimPrefix(vectorSig, "v1,")) }), body, []standardwebhooks.Secret{sec}, now, standardwebhooks.ErrInvalidSignature},
		{"tampered body", valid, []byte(`{"test": 2432232315}`), []standardwebhooks.Secret{sec}, now, standardwebhooks.ErrInvalidSignature},
		{"other id", with(func(h http.Header) { h.Set("webhook-id", "msg_other") }), body, []standardwebhooks.Secret{sec}, now, standardwebhooks.ErrInvalidSignature},
		{"no secrets", valid, body, nil, now, standardwebhooks.ErrInvalidSignature},
		{"malformed timestamp", with(func(h http.Header) { h.Set("webhook-timestamp", "2021-02-25T15:02:10Z") }), body, []standardwebhooks.Secret{sec}, now, standardwebhooks.ErrInvalidSignature},
		{"signed timestamp", with(func(h http.Header) { h.Set("webhook-timestamp", "+1614265330") }), body, []standardwebhooks.Secret{sec}, now, standardwebhooks.ErrInvalidSignature},
		{"huge timestamp", with(func(h http.Header) { h.Set("webhook-timestamp", strings.Repeat("9", 30)) }), body, []standardwebhooks.Secret{sec}, now, standardwebhooks.ErrInvalidSignature},
		{"5 min old passes", valid, body, []standardwebhooks.Secret{sec}, now.Add(standardwebhooks.Tolerance), nil},
		{"5 min ahead passes", valid, body, []standardwebhooks.Secret{sec}, now.Add(-standardwebhooks.Tolerance), nil},
		{"too old", valid, body, []standardwebhooks.Secret{sec}, now.Add(standardwebhooks.Tolerance + time.Second), standardwebhooks.ErrTimestampOutOfTolerance},
		{"too new", valid, body, []standardwebhooks.Secret{sec}, now.Add(-standardwebhooks.Tolerance - time.Second), standardwebhooks.ErrTimestampOutOfTolerance},
		{"multiple signatures, one valid", with(func(h http.Header) {
			h.Set("webhook-signature", strings.Join([]string{otherSig, "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", vectorSig, otherSig}, " "))
		}), body, []standardwebhooks.Secret{sec}, now, nil},
		{"rotation: second secret matches", valid, body, []standardwebhooks.Secret{rotatedOld, sec}, now, nil},
		{"rotation: signed with the old key", with(func(h http.Header) {
			h.Set("webhook-signature", standardwebhooks.Sign(rotatedOld, vectorMsgID, now, body))
		}), body, []standardwebhooks.Secret{sec, rotatedOld}, now, nil},
		{"rotation: neither secret matches", valid, body, []standardwebhooks.Secret{rotatedOld, rotatedOld}, now, standardwebhooks.ErrInvalidSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := standardwebhooks.Verify(tt.h, tt.body, tt.secrets, tt.now)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestOfficialLibrary checks interoperability both ways with the reference
// Go implementation.
func TestOfficialLibrary(t *testing.T) {
	wh, err := official.NewWebhook(vectorSecret)
	if err != nil {
		t.Fatal(err)
	}
	sec := mustSecret(t, vectorSecret)
	now := time.Now()
	body := []byte(`{"type":"application.submitted","data":{"nib":"9120001234567"}}`)

	// Ours -> theirs.
	h := http.Header{}
	standardwebhooks.SetHeaders(h, sec, "msg_ours", now, body)
	if err := wh.Verify(body, h); err != nil {
		t.Errorf("official library rejects our signature: %v", err)
	}

	// Theirs -> ours.
	sig, err := wh.Sign("msg_theirs", now, body)
	if err != nil {
		t.Fatal(err)
	}
	h = headers("msg_theirs", now, sig)
	if err := standardwebhooks.Verify(h, body, []standardwebhooks.Secret{sec}, now); err != nil {
		t.Errorf("we reject the official library's signature: %v", err)
	}
	if got := standardwebhooks.Sign(sec, "msg_theirs", now, body); got != sig {
		t.Errorf("Sign = %q, official library %q", got, sig)
	}
}
