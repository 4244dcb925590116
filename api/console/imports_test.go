package console_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api/internal/uploadtest"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
)

const employerHeader = "nib,kode_badan_usaha,nama,npwp,status,pekerja_terdaftar,pekerja_aktif,tunggakan_bulan,tunggakan_nominal,iuran_terakhir,tgl_data"

// employerRow is a valid employer row of nib, with data of date.
func employerRow(nib, date string) string {
	return nib + ",01020304,PT MAJU JAYA," + "012345678901234,1,52,50,0,0,2026-10," + date
}

// uploadForm posts the console's upload form (kind, file) with the
// cookies given, from site (the Sec-Fetch-Site a browser would send).
func (e *env) uploadForm(t *testing.T, site, kind, name, content string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	body, contentType := uploadtest.Body(t, kind, name, content)
	req := httptest.NewRequest(http.MethodPost, "/console/imports", body)
	req.Header.Set("Content-Type", contentType)
	req.Host = "127.0.0.1:8080"
	req.Header.Set("Sec-Fetch-Site", site)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return serve(e, req)
}

// An admin uploads a valid employers file through the form: the summary
// shows, the data is stored and the history lists the file, its name's NIK
// masked.
func TestImportUpload(t *testing.T) {
	e := newEnv(t, "")
	admin := e.signIn(t, 2)
	body := e.do(t, http.MethodGet, "/console/imports", nil, admin).Body.String()
	for _, want := range []string{`enctype="multipart/form-data"`, `name="kind"`, `value="participants"`, `type="file"`,
		`<label for="im-kind">`, `<label for="im-file">`, "Belum ada impor."} {
		if !strings.Contains(body, want) {
			t.Errorf("the imports page does not have %q", want)
		}
	}
	if strings.Contains(body, "belum tersedia") || strings.Contains(body, "tidak dikonfigurasi") {
		t.Error("the imports page still says the upload is not available")
	}

	date := e.clock.now().AddDate(0, 0, -1).Format(time.DateOnly)
	csv := strings.Join([]string{employerHeader, employerRow("9120001234567", date), employerRow("9120001234568", date)}, "\n") + "\n"
	w := e.uploadForm(t, "same-origin", "employers", `C:\BPJS\1275014101900001-bu.csv`, csv, admin)
	if w.Code != http.StatusOK {
		t.Fatalf("upload: HTTP %d %s", w.Code, w.Body)
	}
	body = w.Body.String()
	for _, want := range []string{"Berkas diterima dan diterapkan", "Baris dibaca</dt><dd>2<", "Diterapkan</dt><dd>2<",
		"Tidak berubah</dt><dd>0<", "Lebih lama dari yang tersimpan</dt><dd>0<", "1275********0001-bu.csv", "admin-1"} {
		if !strings.Contains(body, want) {
			t.Errorf("the upload's page does not show %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "1275014101900001") {
		t.Error("the page shows a NIK in a file name unmasked")
	}
	if _, found, err := e.store.ImportedEmployer(t.Context(), "9120001234567"); !found || err != nil {
		t.Errorf("the imported employer is not stored: %v %v", found, err)
	}

	// The history lists it, in English too.
	body = e.do(t, http.MethodGet, "/console/imports?lang=en", nil, admin).Body.String()
	for _, want := range []string{"Import history", "1275********0001-bu.csv", "employers", "admin-1", "Older than stored"} {
		if !strings.Contains(body, want) {
			t.Errorf("the history does not show %q", want)
		}
	}
	recs, err := (&bpjsfile.Importer{Store: e.store}).Imports(t.Context(), 1)
	if err != nil || len(recs) != 1 {
		t.Fatalf("history: %v %v", recs, err)
	}
	if !strings.Contains(body, ">"+recs[0].SHA256[:12]+"<") {
		t.Error("the history does not show the shortened SHA-256")
	}
}

// A file with an invalid row is refused: the problems are listed by row
// and column, no NIK is shown, and nothing is applied.
func TestImportUploadRefused(t *testing.T) {
	e := newEnv(t, "")
	admin := e.signIn(t, 2)
	date := e.clock.now().AddDate(0, 0, -1).Format(time.DateOnly)
	csv := strings.Join([]string{employerHeader, employerRow("9120001234567", date),
		"9120001234569,01020304,PT B,012345678901234,4,52,50,0,0,2026-10," + date}, "\n") + "\n"
	w := e.uploadForm(t, "same-origin", "employers", "bu.csv", csv, admin)
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("upload: HTTP %d %s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, want := range []string{"Berkas ditolak: 1 masalah", "<td class=\"num\">3</td>", "<code>status</code>", `id="im-file"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the refusal does not show %q:\n%s", want, body)
		}
	}
	if _, found, err := e.store.ImportedEmployer(t.Context(), "9120001234567"); found || err != nil {
		t.Errorf("the valid row of a refused file was applied: %v %v", found, err)
	}
	if !strings.Contains(body, "Belum ada impor.") {
		t.Error("a refused file is in the history")
	}

	// A participants file with a wrong row never shows its NIKs.
	nik := "1275014101900001"
	w = e.uploadForm(t, "same-origin", "participants", "peserta.csv",
		"nik;status;jenis_peserta;kode_badan_usaha;tgl_data\n"+nik+";7;13;01020304;"+date+"\n"+nik+";0;13;01020304;"+date+"\n", admin)
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("participants upload: HTTP %d %s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), nik) {
		t.Errorf("the refusal shows a NIK:\n%s", w.Body)
	}

	// No file, or an unknown kind: the error is next to its field.
	w = e.uploadForm(t, "same-origin", "employers", "", "", admin)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="e-file"`) {
		t.Errorf("no file: HTTP %d %s", w.Code, w.Body)
	}
	w = e.uploadForm(t, "same-origin", "companies", "bu.csv", csv, admin)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="e-kind"`) {
		t.Errorf("unknown kind: HTTP %d %s", w.Code, w.Body)
	}
}

// Only admins see or use the upload, and only from the console's own
// origin.
func TestImportUploadRefusedToOthers(t *testing.T) {
	e := newEnv(t, "")
	date := e.clock.now().AddDate(0, 0, -1).Format(time.DateOnly)
	csv := employerHeader + "\n" + employerRow("9120001234567", date) + "\n"
	for _, i := range []int{0, 1} {
		who := e.signIn(t, i)
		if w := e.do(t, http.MethodGet, "/console/imports", nil, who); w.Code != http.StatusForbidden {
			t.Errorf("user %d opens the imports page: HTTP %d, want 403", i, w.Code)
		}
		if w := e.uploadForm(t, "same-origin", "employers", "bu.csv", csv, who); w.Code != http.StatusForbidden {
			t.Errorf("user %d uploads: HTTP %d, want 403", i, w.Code)
		}
	}
	admin := e.signIn(t, 2)
	w := e.uploadForm(t, "cross-site", "employers", "bu.csv", csv, admin)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "Permintaan dari situs lain ditolak") {
		t.Errorf("cross-site upload: HTTP %d %s", w.Code, w.Body)
	}
	if _, found, err := e.store.ImportedEmployer(t.Context(), "9120001234567"); found || err != nil {
		t.Errorf("a cross-site upload was applied: %v %v", found, err)
	}
	if w := e.uploadForm(t, "same-origin", "employers", "bu.csv", csv); w.Code != http.StatusUnauthorized {
		t.Errorf("signed-out upload: HTTP %d, want 401", w.Code)
	}
}
