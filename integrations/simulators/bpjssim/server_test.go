package bpjssim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

var testNow = time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC) // 10:00 WIB

type envelope struct {
	MetaData struct{ Code, Message string } `json:"metaData"`
	Response *string                        `json:"response"`
}

// start serves a simulator with seed 1 and a fixed clock.
func start(t *testing.T, cfg bpjssim.Config) (*bpjssim.Server, *httptest.Server) {
	t.Helper()
	cfg.Seed = 1
	cfg.Now = func() time.Time { return testNow }
	sim := bpjssim.New(cfg)
	ts := httptest.NewServer(sim.Handler())
	t.Cleanup(ts.Close)
	return sim, ts
}

// get sends a TrustMark-signed GET, signed at signedAt, and returns the
// response and the timestamp sent.
func get(t *testing.T, url string, c trustmark.Credentials, signedAt time.Time) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	stamp := trustmark.Sign(req.Header, c, signedAt)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp, stamp
}

func decodeEnvelope(t *testing.T, resp *http.Response) envelope {
	t.Helper()
	var e envelope
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("decoding envelope (status %d): %v", resp.StatusCode, err)
	}
	return e
}

func TestParticipantLookupDecrypts(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{})
	want := sim.Data().ParticipantsWith("0", "13")[0]
	resp, stamp := get(t, ts.URL+"/Peserta/nik/"+want.NIK+"/tglSEP/2026-11-22", bpjssim.DefaultCredentials, testNow)
	e := decodeEnvelope(t, resp)
	if resp.StatusCode != 200 || e.MetaData.Code != "200" || e.Response == nil {
		t.Fatalf("status %d, metaData %+v", resp.StatusCode, e.MetaData)
	}
	plain, err := trustmark.Decrypt(*e.Response, "sim-cons", "sim-secret", stamp)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Peserta struct {
			NIK, NoKartu, Nama, Sex, TglLahir, TglTMT, TglTAT string
			StatusPeserta, JenisPeserta, HakKelas             struct{ Kode, Keterangan string }
			ProvUmum                                          struct{ KdProvider, NmProvider string }
		}
	}
	if err := json.Unmarshal(plain, &got); err != nil {
		t.Fatal(err)
	}
	p := got.Peserta
	if p.NIK != want.NIK || p.NoKartu != want.CardNumber || p.Nama != want.Name || p.TglLahir != want.BirthDate ||
		p.StatusPeserta.Kode != "0" || p.StatusPeserta.Keterangan != "AKTIF" || p.JenisPeserta.Kode != "13" ||
		p.HakKelas.Kode == "" || p.ProvUmum.KdProvider == "" || p.Sex == "" || p.TglTMT == "" || p.TglTAT == "" {
		t.Errorf("decrypted %+v, want the data of %+v", p, want)
	}
}

func TestEmployerLookupDecrypts(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{})
	want, _ := sim.Data().Pick(bpjssim.ScenarioArrears2)
	resp, stamp := get(t, ts.URL+"/BadanUsaha/nib/"+want.NIB, bpjssim.DefaultCredentials, testNow)
	e := decodeEnvelope(t, resp)
	if e.MetaData.Code != "200" || e.Response == nil {
		t.Fatalf("metaData %+v", e.MetaData)
	}
	plain, err := trustmark.Decrypt(*e.Response, "sim-cons", "sim-secret", stamp)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		BadanUsaha map[string]any `json:"badanUsaha"`
	}
	if err := json.Unmarshal(plain, &got); err != nil {
		t.Fatal(err)
	}
	wantJSON := map[string]any{
		"kodeBadanUsaha": want.Code, "nib": want.NIB, "npwp": want.NPWP, "nama": want.Name,
		"status":        map[string]any{"kode": "1", "keterangan": "AKTIF"},
		"jumlahPekerja": map[string]any{"terdaftar": float64(want.Registered), "aktif": float64(want.Active)},
		"tunggakan":     map[string]any{"bulan": float64(2), "nominal": float64(want.ArrearsAmount)},
		"iuranTerakhir": "2026-08", "tglData": "2026-11-21",
	}
	g, _ := json.Marshal(got.BadanUsaha)
	w, _ := json.Marshal(wantJSON)
	if !bytes.Equal(g, w) {
		t.Errorf("badanUsaha\n got %s\nwant %s", g, w)
	}
}

func TestNotFoundAnswers201(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{})
	d := sim.Data()
	tests := map[string]struct{ path, message string }{
		"unknown NIK":      {"/Peserta/nik/" + d.UnknownNIKs[0] + "/tglSEP/2026-11-22", bpjssim.MsgParticipantNotFound},
		"unregistered NIB": {"/BadanUsaha/nib/" + d.UnregisteredNIBs[0], bpjssim.MsgEmployerNotFound},
		"malformed NIK":    {"/Peserta/nik/12345/tglSEP/2026-11-22", "NIK tidak valid"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			resp, _ := get(t, ts.URL+tt.path, bpjssim.DefaultCredentials, testNow)
			e := decodeEnvelope(t, resp)
			if resp.StatusCode != 200 || e.MetaData.Code != "201" || e.MetaData.Message != tt.message || e.Response != nil {
				t.Errorf("status %d, metaData %+v, response %v", resp.StatusCode, e.MetaData, e.Response)
			}
		})
	}
}

func TestRejectsBadCredentials(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{Credentials: trustmark.Credentials{Secret: "s3cret"}})
	good := sim.Credentials()
	with := func(f func(*trustmark.Credentials)) trustmark.Credentials { c := good; f(&c); return c }
	tests := map[string]struct {
		creds    trustmark.Credentials
		signedAt time.Time
		message  string
	}{
		"wrong secret":    {with(func(c *trustmark.Credentials) { c.Secret = "sim-secret" }), testNow, bpjssim.MsgBadSignature},
		"wrong cons id":   {with(func(c *trustmark.Credentials) { c.ConsID = "other" }), testNow, bpjssim.MsgBadConsID},
		"wrong user_key":  {with(func(c *trustmark.Credentials) { c.UserKey = "other" }), testNow, bpjssim.MsgBadUserKey},
		"old timestamp":   {good, testNow.Add(-6 * time.Minute), bpjssim.MsgTimestampOutOfRange},
		"future":          {good, testNow.Add(6 * time.Minute), bpjssim.MsgTimestampOutOfRange},
		"missing headers": {trustmark.Credentials{}, testNow, bpjssim.MsgMissingHeaders},
	}
	nib := sim.Data().Employers[0].NIB
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var resp *http.Response
			if tt.creds == (trustmark.Credentials{}) {
				r, err := http.Get(ts.URL + "/BadanUsaha/nib/" + nib)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Body.Close()
				resp = r
			} else {
				resp, _ = get(t, ts.URL+"/BadanUsaha/nib/"+nib, tt.creds, tt.signedAt)
			}
			e := decodeEnvelope(t, resp)
			if resp.StatusCode != 401 || e.MetaData.Code != "401" || e.MetaData.Message != tt.message || e.Response != nil {
				t.Errorf("status %d, metaData %+v", resp.StatusCode, e.MetaData)
			}
		})
	}
	// Within tolerance is fine.
	resp, _ := get(t, ts.URL+"/BadanUsaha/nib/"+nib, good, testNow.Add(-4*time.Minute))
	if e := decodeEnvelope(t, resp); e.MetaData.Code != "200" {
		t.Errorf("4 minutes old: metaData %+v", e.MetaData)
	}
}

func TestSimDataListsWhatItServes(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{})
	resp, err := http.Get(ts.URL + "/_sim/data")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Employers []struct {
			NIB, Status, Name, Scenario string
			RegionCode                  string `json:"region_code"`
			Registered, Active          int
			Workers                     []string
		}
		Participants []struct {
			NIK, Status, Segment string
			EmployerNIB          string `json:"employer_nib"`
		}
		UnregisteredNIBs []string `json:"unregistered_nibs"`
		UnknownNIKs      []string `json:"unknown_niks"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	d := sim.Data()
	if len(v.Employers) != len(d.Employers) || len(v.Participants) != len(d.Participants) ||
		len(v.UnregisteredNIBs) != len(d.UnregisteredNIBs) || len(v.UnknownNIKs) != len(d.UnknownNIKs) {
		t.Fatalf("listed %d/%d/%d/%d, serving %d/%d/%d/%d", len(v.Employers), len(v.Participants),
			len(v.UnregisteredNIBs), len(v.UnknownNIKs), len(d.Employers), len(d.Participants),
			len(d.UnregisteredNIBs), len(d.UnknownNIKs))
	}
	e, p := v.Employers[0], v.Participants[0]
	if e.NIB != d.Employers[0].NIB || e.Status == "" || e.Scenario == "" || e.RegionCode == "" || len(e.Workers) == 0 ||
		p.NIK != d.Participants[0].NIK || p.Status == "" || p.Segment == "" {
		t.Errorf("first employer %+v, participant %+v", e, p)
	}

	resp, err = http.Get(ts.URL + "/_sim/data?scenario=suspended&region=1275")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	v.Employers = nil
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if len(v.Employers) != len(d.EmployersInRegion(bpjssim.ScenarioSuspended, "1275")) {
		t.Errorf("filtered list has %d employers", len(v.Employers))
	}
	for _, e := range v.Employers {
		if e.Scenario != "suspended" || e.RegionCode != "1275" || e.Status != "3" {
			t.Errorf("filtered list holds %+v", e)
		}
	}
}

func TestStatsCountCalls(t *testing.T) {
	sim, ts := start(t, bpjssim.Config{})
	d := sim.Data()
	get(t, ts.URL+"/BadanUsaha/nib/"+d.Employers[0].NIB, sim.Credentials(), testNow)
	get(t, ts.URL+"/BadanUsaha/nib/"+d.UnregisteredNIBs[0], sim.Credentials(), testNow)
	get(t, ts.URL+"/Peserta/nik/"+d.Participants[0].NIK+"/tglSEP/2026-11-22", trustmark.Credentials{ConsID: "x"}, testNow)
	if got := sim.Stats(); got != (bpjssim.Stats{EmployerCalls: 2, ParticipantCalls: 1}) {
		t.Errorf("Stats() = %+v", got)
	}
	resp, err := http.Get(ts.URL + "/_sim/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if strings.TrimSpace(string(body)) != `{"employer_calls":2,"participant_calls":1,"in_flight":0}` {
		t.Errorf("/_sim/stats = %s", body)
	}
	req, _ := http.NewRequest(http.MethodDelete, ts.URL+"/_sim/stats", nil)
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	if got := sim.Stats(); got != (bpjssim.Stats{}) {
		t.Errorf("after reset Stats() = %+v", got)
	}
}

func TestLogsMaskNIKs(t *testing.T) {
	var logs bytes.Buffer
	sim, ts := start(t, bpjssim.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	p := sim.Data().Participants[0]
	get(t, ts.URL+"/Peserta/nik/"+p.NIK+"/tglSEP/2026-11-22", sim.Credentials(), testNow)
	get(t, ts.URL+"/Peserta/nik/123456789/tglSEP/2026-11-22", sim.Credentials(), testNow)
	out := logs.String()
	if strings.Contains(out, p.NIK) || strings.Contains(out, p.Name) || strings.Contains(out, "123456789") ||
		!strings.Contains(out, gate.MaskNIK(p.NIK)) {
		t.Errorf("logs leak or miss the masked NIK:\n%s", out)
	}
}
