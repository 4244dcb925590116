package bpjs

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
)

// A fake BPJS: it implements the TrustMark scheme with package trustmark,
// so that the client is tested against the scheme, not against itself.

var (
	testCreds = trustmark.Credentials{ConsID: "cons-1", Secret: "s3cret", UserKey: "uk-1"}
	// 20:30 UTC is 03:30 the next day in Jakarta: the tglSEP must say so.
	testNow  = time.Date(2026, 11, 21, 20, 30, 0, 0, time.UTC)
	testDate = "2026-11-22"
)

const (
	testNIK = "3201014101900001"
	testNIB = "9120001234567"

	pesertaJSON    = `{"peserta":{"noKartu":"0000000000001","nik":"3201014101900001","nama":"CONTOH PESERTA","sex":"P","tglLahir":"1990-01-01","statusPeserta":{"kode":"0","keterangan":"AKTIF"},"jenisPeserta":{"kode":"13","keterangan":"PEGAWAI SWASTA"},"hakKelas":{"kode":"1","keterangan":"KELAS I"}}}`
	badanUsahaJSON = `{"badanUsaha":{"kodeBadanUsaha":"01020304","nib":"9120001234567","npwp":"012345678901234","nama":"PT CONTOH SEJAHTERA","status":{"kode":"1","keterangan":"AKTIF"},"jumlahPekerja":{"terdaftar":52,"aktif":50},"tunggakan":{"bulan":2,"nominal":1500000},"iuranTerakhir":"2026-10","tglData":"2026-11-21"}}`
)

// answer is how a fake BPJS answers one verified request; ts is the
// request's X-timestamp, the one to encrypt with.
type answer func(t *testing.T, w http.ResponseWriter, r *http.Request, ts string)

// fakeBPJS starts a server that checks the TrustMark headers as BPJS does
// (HTTP 401 with code "401" when they are wrong) and then answers with a.
func fakeBPJS(t *testing.T, a answer) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts, err := trustmark.Verify(r.Header, testCreds, testNow, 5*time.Minute)
		if err != nil {
			writeEnvelope(t, w, http.StatusUnauthorized, "metaData", "401", err.Error(), nil)
			return
		}
		a(t, w, r, ts)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// writeEnvelope writes {"<metaKey>":{"code":code,"message":msg},"response":response}.
func writeEnvelope(t *testing.T, w http.ResponseWriter, status int, metaKey string, code any, msg string, response any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		metaKey:    map[string]any{"code": code, "message": msg},
		"response": response,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(body)
}

// encrypted answers code 200 with payload encrypted under key material
// creds+ts, as BPJS does.
func encrypted(payload string, creds trustmark.Credentials) answer {
	return func(t *testing.T, w http.ResponseWriter, _ *http.Request, ts string) {
		t.Helper()
		c, err := trustmark.Encrypt([]byte(payload), creds.ConsID, creds.Secret, ts)
		if err != nil {
			t.Fatal(err)
		}
		writeEnvelope(t, w, http.StatusOK, "metaData", "200", "OK", c)
	}
}

// raw answers with a fixed status, content type and body.
func raw(status int, contentType, body string) answer {
	return func(_ *testing.T, w http.ResponseWriter, _ *http.Request, _ string) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

// envelopeOnly answers with an envelope carrying response as given.
func envelopeOnly(status int, metaKey string, code any, msg string, response any) answer {
	return func(t *testing.T, w http.ResponseWriter, _ *http.Request, _ string) {
		writeEnvelope(t, w, status, metaKey, code, msg, response)
	}
}

// newClient returns a client for srv's URL as both bases.
func newClient(t *testing.T, baseURL string, edit func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:         baseURL,
		EmployerBaseURL: baseURL + "/employer/",
		Credentials:     testCreds,
		Timeout:         time.Second,
		Now:             func() time.Time { return testNow },
	}
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// lookup calls Employer or Participant and reduces the result to what all
// cases compare.
func lookup(t *testing.T, c *Client, ctx context.Context, employer bool) (found bool, err error) {
	t.Helper()
	if employer {
		l, err := c.Employer(ctx, testNIB)
		checkLookup(t, l.Found, l.Fetch, err)
		return l.Found, err
	}
	l, err := c.Participant(ctx, testNIK)
	checkLookup(t, l.Found, l.Fetch, err)
	return l.Found, err
}

// checkLookup asserts the Registry contract: a found lookup is live and
// dated, an error comes with an empty lookup.
func checkLookup(t *testing.T, found bool, f gate.Fetch, err error) {
	t.Helper()
	if err != nil && found {
		t.Errorf("Found with an error: %v", err)
	}
	if found && (f.Source != gate.SourceLive || !f.AsOf.Equal(testNow)) {
		t.Errorf("Fetch = %+v, want live as of %s", f, testNow)
	}
}
