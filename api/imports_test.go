package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/api/internal/uploadtest"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
)

// importerFor imports into store when it keeps imported data (the SQLite
// store of the tests does).
func importerFor(store gate.PeopleStore) gate.Importer {
	s, ok := store.(bpjsfile.Store)
	if !ok {
		return nil
	}
	return &bpjsfile.Importer{Store: s, Now: func() time.Time { return now }}
}

// upload posts a multipart form with the given kind (omitted when "") and
// file (omitted when name is "").
func (p *peopleEnv) upload(t *testing.T, a actor, kind, name, content string) *httptest.ResponseRecorder {
	t.Helper()
	body, contentType := uploadtest.Body(t, kind, name, content)
	req := httptest.NewRequest("POST", "/v1/imports", body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+a.token(t))
	rec := httptest.NewRecorder()
	p.e.ServeHTTP(rec, req)
	return rec
}

func participantsCSV(rows ...string) string {
	return "nik;status;jenis_peserta;kode_badan_usaha;tgl_data\n" + strings.Join(rows, "\n") + "\n"
}

func TestUploadImport(t *testing.T) {
	p := newPeopleEnv(t)
	date := now.AddDate(0, 0, -1).Format(time.DateOnly)
	rec := p.upload(t, admin, "participants", `C:\exports\peserta.csv`, participantsCSV("1275014101900001;0;13;01020304;"+date))
	rep := decode[api.ImportReportJSON](t, rec)
	if !rep.Accepted || rep.Import.ID == nil || rep.Import.RowsRead != 1 || rep.Import.RowsApplied != 1 ||
		rep.Import.FileName != "peserta.csv" || rep.Import.By != admin.sub || rep.Import.Kind != "participants" {
		t.Errorf("report = %+v", rep)
	}
	list := decode[api.ImportListJSON](t, p.as(t, admin, "GET", "/v1/imports", nil))
	if len(list.Items) != 1 || list.Items[0].ID == nil || *list.Items[0].ID != *rep.Import.ID {
		t.Errorf("history = %+v", list)
	}
	audit := decode[api.AuditListJSON](t, p.as(t, admin, "GET", "/v1/audit", nil))
	actions := map[string]bool{}
	for _, e := range audit.Items {
		actions[e.Action] = true
	}
	if !actions["imports.upload"] || !actions["imports.list"] {
		t.Errorf("audit actions = %v; want imports.upload and imports.list", actions)
	}
}

func TestUploadImportRefused(t *testing.T) {
	p := newPeopleEnv(t)
	const nik = "1275014101900001"
	rec := p.upload(t, admin, "participants", "p.csv", participantsCSV(nik+";0;13;;2026-11-20", nik+";0;13;;2026-11-20", "12;X;13;;2026-11-20"))
	if rec.Code != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), nik) {
		t.Errorf("the report quotes a NIK: %s", rec.Body)
	}
	var rep api.ImportReportJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Accepted || rep.Error == nil || rep.Error.Code != "import_refused" || rep.Import.ID != nil {
		t.Errorf("report = %+v", rep)
	}
	want := map[string]bool{"3 nik": true, "4 nik": true, "4 status": true}
	for _, pr := range rep.Problems {
		delete(want, strings.Join([]string{itoa(pr.Row), pr.Column}, " "))
	}
	if len(want) != 0 {
		t.Errorf("problems %+v miss %v", rep.Problems, want)
	}
	if list := decode[api.ImportListJSON](t, p.as(t, admin, "GET", "/v1/imports", nil)); len(list.Items) != 0 {
		t.Errorf("a refused file is in the history: %+v", list)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestUploadImportBadRequests(t *testing.T) {
	p := newPeopleEnv(t)
	good := participantsCSV("1275014101900001;0;13;;2026-11-20")
	for _, tc := range []struct {
		name       string
		kind, file string
		status     int
		field      string
	}{
		{"no file", "participants", "", 422, "file"},
		{"no kind", "", "p.csv", 422, "kind"},
		{"unknown kind", "workers", "p.csv", 422, "kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := p.upload(t, admin, tc.kind, tc.file, good)
			if rec.Code != tc.status {
				t.Fatalf("status %d, body %s", rec.Code, rec.Body)
			}
			if e := errorBody(t, rec); e.Code != "invalid_upload" || !strings.Contains(fmtFields(e.Fields), tc.field) {
				t.Errorf("error = %+v, want invalid_upload on %s", e, tc.field)
			}
		})
	}
	if rec := p.as(t, admin, "POST", "/v1/imports", map[string]string{"kind": "participants"}); rec.Code != 422 {
		t.Errorf("a JSON body: status %d, want 422", rec.Code)
	}
	if rec := p.upload(t, reviewer1275, "participants", "p.csv", good); rec.Code != http.StatusForbidden {
		t.Errorf("a reviewer's upload: status %d, want 403", rec.Code)
	}
	if rec := p.as(t, officer1275, "GET", "/v1/imports", nil); rec.Code != http.StatusForbidden {
		t.Errorf("an officer's listing: status %d, want 403", rec.Code)
	}
	if rec := p.oversizedUpload(t, admin); rec.Code != http.StatusRequestEntityTooLarge || errorBody(t, rec).Code != "payload_too_large" {
		t.Errorf("an oversized upload: status %d, body %s", rec.Code, rec.Body)
	}
}

// oversizedUpload announces a body larger than an upload may be.
func (p *peopleEnv) oversizedUpload(t *testing.T, a actor) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", "/v1/imports", strings.NewReader("--x--"))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("Authorization", "Bearer "+a.token(t))
	req.ContentLength = api.MaxImportBytes + 2<<20
	rec := httptest.NewRecorder()
	p.e.ServeHTTP(rec, req)
	return rec
}

// TestImportsFailClosed: when the access trail refuses the entry, an
// upload applies nothing and the history serves nothing.
func TestImportsFailClosed(t *testing.T) {
	tried := &atomic.Int32{}
	p := newPeopleEnvWith(t, func(s gate.PeopleStore) gate.PeopleStore { return failingAudit{s, tried} })
	rec := p.upload(t, admin, "participants", "p.csv", participantsCSV(validNIK+";0;13;;2026-11-20"))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("upload: status %d, body %s; want 503", rec.Code, rec.Body)
	}
	if _, found, err := p.store.(bpjsfile.Lookups).ImportedParticipant(t.Context(), validNIK); found || err != nil {
		t.Errorf("the upload was applied without its audit entry (found %v, %v)", found, err)
	}
	if rec := p.as(t, admin, "GET", "/v1/imports", nil); rec.Code != http.StatusServiceUnavailable {
		t.Errorf("listing: status %d; want 503", rec.Code)
	}
	if tried.Load() != 2 {
		t.Errorf("%d audit writes tried, want 2", tried.Load())
	}
}
