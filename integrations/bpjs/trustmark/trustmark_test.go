package trustmark

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The published TrustMark test vectors (fake credentials).
const (
	vecConsID    = "1234"
	vecSecret    = "pwd"
	vecTimestamp = "433223232"
	vecPlain     = `{"peserta":{"noKartu":"0000000000001","nik":"3201014101900001","nama":"CONTOH PESERTA","statusPeserta":{"kode":"0","keterangan":"AKTIF"},"jenisPeserta":{"kode":"13","keterangan":"PEGAWAI SWASTA"}}}`
	vecCipher    = "vBgfM7imABG5vvq2oOfc/z+hCaZehkGUJltgAYwDxCGOIsXQ2hWWgHFB+bfTZYKhXAIAUXTTnuHGdwmeERzxSwLVRbxxy1v5OgY4YIDvA2q202ot/0EOYGcFHTe1+hAbssSYaOyw+g9V4O0DwwEj+QlhS4nVvExGMoWr2tWIrUOCIOMTCvPHZF2rjEdjNzn82UfAi3JoOi5DINJFACj+WuycYL5o0Whk6RGIsmrcS+Ze4C5MWx6C/0150fUfTdsUChmC0CYOpa3aovnh/C3zrJ379rPLj5HpPXXDsrqJjfo="
)

func TestSignatureVectors(t *testing.T) {
	// The first vector has message "aaa", which no consID+"&"+timestamp
	// spells, so it checks the HMAC underneath Signature.
	if got := hmacBase64("bbb", "aaa"); got != "20BKS3PWnD3XU4JbSSZvVlGi2WWnDa8Sv9uHJ+wsELA=" {
		t.Errorf("HMAC(key bbb, aaa) = %q", got)
	}
	if got := Signature(vecConsID, vecSecret, vecTimestamp); got != "eXMtvX2r7e7CLCIu3kpEpCrvciZgK8FuOhKv06NDAHk=" {
		t.Errorf("Signature(1234, pwd, 433223232) = %q", got)
	}
}

func TestKeyVector(t *testing.T) {
	k := Key(vecConsID, vecSecret, vecTimestamp)
	if got := hex.EncodeToString(k[:]); got != "f75bf2014da65c8f1c39a47de848ba383d051f4e218fa70774fcd3fb216c5f9b" {
		t.Fatalf("Key = %s", got)
	}
}

func TestEncryptDecryptVector(t *testing.T) {
	got, err := Encrypt([]byte(vecPlain), vecConsID, vecSecret, vecTimestamp)
	if err != nil {
		t.Fatal(err)
	}
	if got != vecCipher {
		t.Errorf("Encrypt = %q, want the published vector", got)
	}
	plain, err := Decrypt(vecCipher, vecConsID, vecSecret, vecTimestamp)
	if err != nil {
		t.Fatal(err)
	}
	if string(plain) != vecPlain {
		t.Errorf("Decrypt = %q, want %q", plain, vecPlain)
	}
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	for _, s := range []string{"", "{}", "Bahasa ✓ ä 😀", strings.Repeat(`{"a":1}`, 5000)} {
		c, err := Encrypt([]byte(s), "c", "s", "1700000000")
		if err != nil {
			t.Fatal(err)
		}
		p, err := Decrypt(c, "c", "s", "1700000000")
		if err != nil || string(p) != s {
			t.Errorf("round trip of %d bytes: got %d bytes, %v", len(s), len(p), err)
		}
	}
}

func TestDecryptRejects(t *testing.T) {
	key := Key(vecConsID, vecSecret, vecTimestamp)
	tests := map[string]string{
		"not base64":         "not base64!!",
		"url base64":         strings.NewReplacer("+", "-", "/", "_").Replace(vecCipher),
		"empty":              "",
		"not a block":        base64.StdEncoding.EncodeToString(make([]byte, 15)),
		"wrong timestamp":    mustEncrypt(t, vecPlain, vecConsID, vecSecret, "433223233"),
		"wrong secret":       mustEncrypt(t, vecPlain, vecConsID, "pwd2", vecTimestamp),
		"pad byte 0":         rawCBC(t, key, "BIUwNmD2A0AEDuk\x00"),
		"pad byte 17":        rawCBC(t, key, "BIUwNmD2A0AEDuk\x11"),
		"inconsistent pad":   rawCBC(t, key, "BIUwNmD2A0AED\x02\x03\x03"),
		"not lz-string":      rawCBC(t, key, "BIUw*mD2A0AEDu\x02\x02"),
		"full block 16 pads": rawCBC(t, key, strings.Repeat("\x10", 15)+"\x0f"),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Decrypt(in, vecConsID, vecSecret, vecTimestamp)
			if err == nil {
				t.Fatalf("Decrypt = %q, want an error", got)
			}
		})
	}
}

func TestDecryptPadding(t *testing.T) {
	// A compressed payload that fills whole blocks gets a whole block of
	// padding (16 bytes of 0x10); others get 1 to 15 bytes.
	for n := 1; n < 200; n++ {
		s := strings.Repeat("a", n)
		c := CompressToEncodedURIComponent(s)
		enc := mustEncrypt(t, s, "c", "s", "1")
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			t.Fatal(err)
		}
		if want := (len(c)/aes.BlockSize + 1) * aes.BlockSize; len(raw) != want {
			t.Fatalf("%d-char payload encrypted to %d bytes, want %d", len(c), len(raw), want)
		}
		got, err := Decrypt(enc, "c", "s", "1")
		if err != nil || string(got) != s {
			t.Fatalf("Decrypt(Encrypt(%q)) = %q, %v", s, got, err)
		}
	}
}

func TestSignVerify(t *testing.T) {
	creds := Credentials{ConsID: "cons", Secret: "secret", UserKey: "uk"}
	now := time.Unix(1_800_000_000, 0)
	signed := func(t *testing.T, at time.Time) http.Header {
		t.Helper()
		h := http.Header{}
		if ts := Sign(h, creds, at); ts != h.Get(HeaderTimestamp) {
			t.Fatalf("Sign returned %q, header has %q", ts, h.Get(HeaderTimestamp))
		}
		return h
	}
	tests := []struct {
		name   string
		header func(t *testing.T) http.Header
		want   error
	}{
		{"valid", func(t *testing.T) http.Header { return signed(t, now) }, nil},
		{"at tolerance, past", func(t *testing.T) http.Header { return signed(t, now.Add(-5*time.Minute)) }, nil},
		{"at tolerance, future", func(t *testing.T) http.Header { return signed(t, now.Add(5*time.Minute)) }, nil},
		{"too old", func(t *testing.T) http.Header { return signed(t, now.Add(-5*time.Minute-time.Second)) }, ErrTimestampOutOfRange},
		{"too new", func(t *testing.T) http.Header { return signed(t, now.Add(5*time.Minute+time.Second)) }, ErrTimestampOutOfRange},
		{"no headers", func(*testing.T) http.Header { return http.Header{} }, ErrMissingHeaders},
		{"no user_key", func(t *testing.T) http.Header { h := signed(t, now); h.Del(HeaderUserKey); return h }, ErrMissingHeaders},
		{"no signature", func(t *testing.T) http.Header { h := signed(t, now); h.Del(HeaderSignature); return h }, ErrMissingHeaders},
		{"wrong cons id", func(t *testing.T) http.Header { h := signed(t, now); h.Set(HeaderConsID, "other"); return h }, ErrBadConsID},
		{"wrong user_key", func(t *testing.T) http.Header { h := signed(t, now); h.Set(HeaderUserKey, "uk2"); return h }, ErrBadUserKey},
		{"wrong secret", func(*testing.T) http.Header {
			h := http.Header{}
			Sign(h, Credentials{ConsID: "cons", Secret: "nope", UserKey: "uk"}, now)
			return h
		}, ErrBadSignature},
		{"timestamp changed after signing", func(t *testing.T) http.Header {
			h := signed(t, now)
			h.Set(HeaderTimestamp, "1800000001")
			return h
		}, ErrBadSignature},
		{"timestamp not a number", func(t *testing.T) http.Header { h := signed(t, now); h.Set(HeaderTimestamp, "soon"); return h }, ErrTimestampOutOfRange},
		{"hostile timestamp", func(*testing.T) http.Header {
			h := http.Header{}
			ts := "-9223372036854775808"
			h.Set(HeaderConsID, "cons")
			h.Set(HeaderTimestamp, ts)
			h.Set(HeaderSignature, Signature("cons", "secret", ts))
			h.Set(HeaderUserKey, "uk")
			return h
		}, ErrTimestampOutOfRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.header(t)
			ts, err := Verify(h, creds, now, 5*time.Minute)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
			if err == nil && ts != h.Get(HeaderTimestamp) {
				t.Fatalf("Verify returned %q, header has %q", ts, h.Get(HeaderTimestamp))
			}
		})
	}
}

func TestSignHeaderValues(t *testing.T) {
	h := http.Header{}
	ts := Sign(h, Credentials{ConsID: vecConsID, Secret: vecSecret, UserKey: "uk"}, time.Unix(433223232, 0))
	if ts != vecTimestamp {
		t.Fatalf("timestamp = %q, want %q", ts, vecTimestamp)
	}
	want := map[string]string{
		HeaderConsID:    vecConsID,
		HeaderTimestamp: vecTimestamp,
		HeaderSignature: "eXMtvX2r7e7CLCIu3kpEpCrvciZgK8FuOhKv06NDAHk=",
		HeaderUserKey:   "uk",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func mustEncrypt(t *testing.T, plain, consID, secret, timestamp string) string {
	t.Helper()
	c, err := Encrypt([]byte(plain), consID, secret, timestamp)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// rawCBC encrypts data, whose length must be a multiple of 16, without
// adding padding, so that tests can hand Decrypt padding of their choice.
func rawCBC(t *testing.T, key [32]byte, data string) string {
	t.Helper()
	if len(data)%aes.BlockSize != 0 {
		t.Fatalf("rawCBC: %d bytes is not whole blocks", len(data))
	}
	block, err := aes.NewCipher(key[:])
	if err != nil {
		t.Fatal(err)
	}
	out := []byte(data)
	cipher.NewCBCEncrypter(block, key[:aes.BlockSize]).CryptBlocks(out, out)
	return base64.StdEncoding.EncodeToString(out)
}
