package bpjs

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
)

func TestParticipantFound(t *testing.T) {
	var gotPath string
	srv := fakeBPJS(t, func(t *testing.T, w http.ResponseWriter, r *http.Request, ts string) {
		gotPath = r.URL.Path
		encrypted(pesertaJSON, testCreds)(t, w, r, ts)
	})
	l, err := newClient(t, srv.URL+"/vclaim-rest/", nil).Participant(context.Background(), testNIK)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/vclaim-rest/Peserta/nik/" + testNIK + "/tglSEP/" + testDate; gotPath != want {
		t.Errorf("path = %q, want %q", gotPath, want)
	}
	want := gate.ParticipantLookup{
		Found: true,
		Participant: gate.Participant{
			NIK: testNIK, CardNumber: "0000000000001", Name: "CONTOH PESERTA",
			Status: gate.ParticipantActive, StatusText: "AKTIF",
			Segment: "13", SegmentText: "PEGAWAI SWASTA",
		},
		Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: testNow},
	}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("lookup (-want +got):\n%s", diff)
	}
}

func TestEmployerFound(t *testing.T) {
	var gotPath string
	srv := fakeBPJS(t, func(t *testing.T, w http.ResponseWriter, r *http.Request, ts string) {
		gotPath = r.URL.Path
		encrypted(badanUsahaJSON, testCreds)(t, w, r, ts)
	})
	l, err := newClient(t, srv.URL, nil).Employer(context.Background(), testNIB)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/employer/BadanUsaha/nib/" + testNIB; gotPath != want {
		t.Errorf("path = %q, want %q", gotPath, want)
	}
	want := gate.EmployerLookup{
		Found: true,
		Employer: gate.Employer{
			Code: "01020304", NIB: testNIB, NPWP: "012345678901234", Name: "PT CONTOH SEJAHTERA",
			Status: gate.EmployerActive, StatusText: "AKTIF",
			RegisteredWorkers: 52, ActiveWorkers: 50, ArrearsMonths: 2, ArrearsAmount: 1500000,
			LastPaidPeriod: "2026-10", DataDate: "2026-11-21",
		},
		Fetch: gate.Fetch{Source: gate.SourceLive, AsOf: testNow},
	}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Errorf("lookup (-want +got):\n%s", diff)
	}
}

func TestLookupOutcomes(t *testing.T) {
	wrongKey := trustmark.Credentials{ConsID: testCreds.ConsID, Secret: "another secret"}
	slow := func(_ *testing.T, _ http.ResponseWriter, r *http.Request, _ string) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	tests := []struct {
		name     string
		employer bool
		answer   answer
		edit     func(*Config)
		wantCode string // "" means no error
		found    bool
		alsoIs   error // another error the result must match, if any
	}{
		{name: "participant found", answer: encrypted(pesertaJSON, testCreds), found: true},
		{name: "participant 201", answer: envelopeOnly(200, "metaData", "201", "Peserta tidak ditemukan", nil)},
		{name: "employer found", employer: true, answer: encrypted(badanUsahaJSON, testCreds), found: true},
		{name: "employer 201", employer: true, answer: envelopeOnly(200, "metaData", "201", "Badan usaha tidak terdaftar", nil)},
		{name: "lowercase metadata, numeric 200", answer: func(t *testing.T, w http.ResponseWriter, _ *http.Request, ts string) {
			c, _ := trustmark.Encrypt([]byte(pesertaJSON), testCreds.ConsID, testCreds.Secret, ts)
			writeEnvelope(t, w, 200, "metadata", 200, "OK", c)
		}, found: true},
		{name: "lowercase metadata, numeric 201", employer: true, answer: envelopeOnly(200, "metadata", 201, "tidak terdaftar", nil)},
		{name: "201 with empty string response", answer: envelopeOnly(200, "metaData", "201", "x", "")},
		{name: "signature rejected", edit: func(c *Config) { c.Credentials.Secret = "wrong" }, wantCode: CodeSignatureRejected},
		{name: "clock drift", edit: func(c *Config) { c.Now = func() time.Time { return testNow.Add(-time.Hour) } }, wantCode: CodeSignatureRejected},
		{name: "401 code under HTTP 200", answer: envelopeOnly(200, "metaData", "401", "Unauthorized", nil), wantCode: CodeSignatureRejected},
		{name: "HTML page with 200", answer: raw(200, "text/html", "<html><body>Gateway error</body></html>"), wantCode: gate.CodeBPJSUnavailable},
		{name: "HTML page with 503", employer: true, answer: raw(503, "text/html", "<html>Service Unavailable</html>"), wantCode: gate.CodeBPJSUnavailable},
		{name: "empty body", answer: raw(200, "application/json", ""), wantCode: gate.CodeBPJSUnavailable},
		{name: "500 with envelope", answer: envelopeOnly(500, "metaData", "500", "Internal error", nil), wantCode: gate.CodeBPJSUnavailable},
		{name: "JSON without envelope", answer: raw(200, "application/json", `{"status":"ok"}`), wantCode: gate.CodeBPJSUnavailable},
		{name: "code as boolean", answer: raw(200, "application/json", `{"metaData":{"code":true},"response":null}`), wantCode: gate.CodeBPJSUnavailable},
		{name: "200 with null response", answer: envelopeOnly(200, "metaData", "200", "OK", nil), wantCode: gate.CodeBPJSUnavailable},
		{name: "200 with object response", answer: envelopeOnly(200, "metaData", "200", "OK", map[string]any{"peserta": nil}), wantCode: gate.CodeBPJSUnavailable},
		{name: "201 with a response", employer: true, answer: envelopeOnly(200, "metaData", "201", "?", "abc"), wantCode: gate.CodeBPJSUnavailable},
		{name: "garbage base64", answer: envelopeOnly(200, "metaData", "200", "OK", "%%% not base64 %%%"), wantCode: gate.CodeBPJSUnavailable},
		{name: "wrong encryption key", answer: encrypted(pesertaJSON, wrongKey), wantCode: gate.CodeBPJSUnavailable},
		{name: "inner payload not JSON", answer: encrypted("<peserta/>", testCreds), wantCode: gate.CodeBPJSUnavailable},
		{name: "inner payload without peserta", answer: encrypted(`{"badanUsaha":{}}`, testCreds), wantCode: gate.CodeBPJSUnavailable},
		{name: "peserta without status", answer: encrypted(`{"peserta":{"nik":"3201014101900001","jenisPeserta":{"kode":"13"}}}`, testCreds), wantCode: gate.CodeBPJSUnavailable},
		{name: "peserta for another NIK", answer: encrypted(strings.Replace(pesertaJSON, testNIK, "3201014101900002", 1), testCreds), wantCode: gate.CodeBPJSUnavailable},
		{name: "employer without arrears", employer: true, answer: encrypted(`{"badanUsaha":{"nib":"9120001234567","status":{"kode":"1"},"jumlahPekerja":{"terdaftar":1,"aktif":1}}}`, testCreds), wantCode: gate.CodeBPJSUnavailable},
		{name: "employer counts as strings", employer: true, answer: encrypted(strings.Replace(badanUsahaJSON, `"terdaftar":52`, `"terdaftar":"52"`, 1), testCreds), found: true},
		{name: "employer count fractional", employer: true, answer: encrypted(strings.Replace(badanUsahaJSON, `"nominal":1500000`, `"nominal":1.5`, 1), testCreds), wantCode: gate.CodeBPJSUnavailable},
		{name: "employer negative arrears", employer: true, answer: encrypted(strings.Replace(badanUsahaJSON, `"bulan":2`, `"bulan":-3`, 1), testCreds), wantCode: gate.CodeBPJSUnavailable},
		{name: "employer arrears amount huge", employer: true, answer: encrypted(strings.Replace(badanUsahaJSON, `"nominal":1500000`, `"nominal":9223372036854775807`, 1), testCreds), wantCode: gate.CodeBPJSUnavailable},
		{name: "employer active count huge", employer: true, answer: encrypted(strings.Replace(badanUsahaJSON, `"aktif":50`, `"aktif":"9223372036854775807"`, 1), testCreds), wantCode: gate.CodeBPJSUnavailable},
		{name: "other business code", answer: envelopeOnly(200, "metaData", "400", "Format tanggal salah", nil), wantCode: CodeRejected},
		{name: "404 with envelope", answer: envelopeOnly(404, "metaData", "201", "not found", nil), wantCode: CodeRejected},
		{name: "redirect not followed", answer: func(_ *testing.T, w http.ResponseWriter, r *http.Request, _ string) {
			http.Redirect(w, r, "http://example.invalid/", http.StatusFound)
		}, wantCode: gate.CodeBPJSUnavailable},
		{name: "body over 1 MiB", answer: raw(200, "application/json", `{"metaData":{"code":"200"},"response":"`+strings.Repeat("A", maxBody)+`"}`), wantCode: gate.CodeBPJSUnavailable},
		{name: "slow server", answer: slow, edit: func(c *Config) { c.Timeout = 50 * time.Millisecond }, wantCode: gate.CodeBPJSUnavailable, alsoIs: context.DeadlineExceeded},
		{name: "employer source disabled", employer: true, edit: func(c *Config) { c.EmployerBaseURL = "" }, wantCode: gate.CodeEmployerSourceDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.answer
			if a == nil {
				a = func(t *testing.T, _ http.ResponseWriter, _ *http.Request, _ string) {
					t.Error("request passed verification, want it rejected or not sent")
				}
			}
			srv := fakeBPJS(t, a)
			found, err := lookup(t, newClient(t, srv.URL, tt.edit), context.Background(), tt.employer)
			checkOutcome(t, err, tt.wantCode, tt.alsoIs)
			if found != tt.found {
				t.Errorf("Found = %v, want %v", found, tt.found)
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, employer := range []bool{false, true} {
		found, err := lookup(t, newClient(t, "http://"+addr, nil), context.Background(), employer)
		checkOutcome(t, err, gate.CodeBPJSUnavailable, nil)
		if found {
			t.Error("Found with the server down")
		}
	}
}

func TestContextCanceled(t *testing.T) {
	t.Run("before the call", func(t *testing.T) {
		srv := fakeBPJS(t, encrypted(pesertaJSON, testCreds))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := lookup(t, newClient(t, srv.URL, nil), ctx, false)
		checkOutcome(t, err, gate.CodeBPJSUnavailable, context.Canceled)
	})
	t.Run("during the call", func(t *testing.T) {
		arrived := make(chan struct{})
		srv := fakeBPJS(t, func(_ *testing.T, _ http.ResponseWriter, r *http.Request, _ string) {
			close(arrived)
			<-r.Context().Done()
		})
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel() }()
		_, err := lookup(t, newClient(t, srv.URL, nil), ctx, true)
		checkOutcome(t, err, gate.CodeBPJSUnavailable, context.Canceled)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Error("a cancellation reported as a timeout")
		}
	})
	t.Run("caller's deadline", func(t *testing.T) {
		srv := fakeBPJS(t, func(_ *testing.T, _ http.ResponseWriter, r *http.Request, _ string) { <-r.Context().Done() })
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		defer cancel()
		_, err := lookup(t, newClient(t, srv.URL, nil), ctx, false)
		checkOutcome(t, err, gate.CodeBPJSUnavailable, context.DeadlineExceeded)
	})
}

func TestIDsArePathEscaped(t *testing.T) {
	var got string
	srv := fakeBPJS(t, func(t *testing.T, w http.ResponseWriter, r *http.Request, _ string) {
		got = r.URL.EscapedPath()
		writeEnvelope(t, w, 200, "metaData", "201", "tidak ditemukan", nil)
	})
	if _, err := newClient(t, srv.URL, nil).Employer(context.Background(), "91/../x?y"); err != nil {
		t.Fatal(err)
	}
	if want := "/employer/BadanUsaha/nib/91%2F..%2Fx%3Fy"; got != want {
		t.Errorf("path = %q, want %q", got, want)
	}
}

func TestEmptyIDs(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1", nil)
	if _, err := c.Participant(context.Background(), ""); !errors.Is(err, gate.ErrInvalid) {
		t.Errorf("Participant(\"\") = %v, want invalid", err)
	}
	if _, err := c.Employer(context.Background(), ""); !errors.Is(err, gate.ErrInvalid) {
		t.Errorf("Employer(\"\") = %v, want invalid", err)
	}
}

// checkOutcome asserts err's gate code (none when wantCode is ""), that
// every error is KindUnavailable and matches alsoIs, and that no error
// carries the NIK.
func checkOutcome(t *testing.T, err error, wantCode string, alsoIs error) {
	t.Helper()
	if wantCode == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var ge *gate.Error
	if !errors.As(err, &ge) || !errors.Is(err, gate.ErrUnavailable) {
		t.Fatalf("error %v (%T), want a *gate.Error of KindUnavailable", err, err)
	}
	if ge.Code != wantCode {
		t.Errorf("code = %q, want %q (error: %v)", ge.Code, wantCode, err)
	}
	if alsoIs != nil && !errors.Is(err, alsoIs) {
		t.Errorf("error %v does not match %v", err, alsoIs)
	}
	if strings.Contains(err.Error(), testNIK) {
		t.Errorf("error carries the NIK: %v", err)
	}
}
