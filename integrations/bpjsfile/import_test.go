package bpjsfile_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

var testNow = time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)

func newImporter(t *testing.T) (*bpjsfile.Importer, *sqlite.Store) {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "jkngate.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return &bpjsfile.Importer{Store: s, Now: func() time.Time { return testNow }}, s
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func importFile(t *testing.T, im *bpjsfile.Importer, kind gate.ImportKind, path string) gate.ImportReport {
	t.Helper()
	rep, err := im.Import(t.Context(), kind, gate.ImportFile{Path: path, By: "admin-1"})
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return rep
}

const (
	nik1 = "1275014101900001"
	nik2 = "1275015202850002"
)

func TestImportCSVDialects(t *testing.T) {
	for name, content := range map[string]string{
		"comma":     "nik,status,jenis_peserta,kode_badan_usaha,tgl_data\n" + nik1 + ",0,13,01020304,2026-11-20\n" + nik2 + ",9,14,,2026-11-20\n",
		"semicolon": "nik;status;jenis_peserta;kode_badan_usaha;tgl_data\r\n" + nik1 + ";0;13;01020304;2026-11-20\r\n" + nik2 + ";9;14;;2026-11-20\r\n",
		"bom, upper case, extra column, blank end rows": "\ufeffNIK;Nama;STATUS;Jenis_Peserta;kode_badan_usaha;tgl_data\n" + nik1 + ";BUDI;0;13;01020304;2026-11-20\n" + nik2 + ";SITI;9;14;;2026-11-20\n;;;;;\n",
		"quoted": "\"nik\",\"status\",\"jenis_peserta\",\"kode_badan_usaha\",\"tgl_data\"\n\"" + nik1 + "\",\"0\",\"13\",\"01020304\",\"2026-11-20\"\n\"" + nik2 + "\",\"9\",\"14\",\"\",\"2026-11-20\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			im, s := newImporter(t)
			rep := importFile(t, im, gate.ImportParticipants, writeFile(t, "peserta.csv", content))
			if !rep.Accepted || rep.Record.Read != 2 || rep.Record.Applied != 2 {
				t.Fatalf("report = %+v", rep)
			}
			p, found, err := s.ImportedParticipant(t.Context(), nik1)
			if err != nil || !found || p.Participant.Status != "0" || p.Participant.Segment != "13" ||
				p.Participant.EmployerCode != "01020304" || p.DataDate != "2026-11-20" {
				t.Errorf("ImportedParticipant = %+v, %v, %v", p, found, err)
			}
		})
	}
}

func TestImportXLSX(t *testing.T) {
	im, s := newImporter(t)
	path := filepath.Join(t.TempDir(), "badan_usaha.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := bpjsfile.NewWriter(f, "xlsx")
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{bpjsfile.Columns(gate.ImportEmployers),
		{"9120001234567", "01020304", "PT CONTOH SEJAHTERA", "01.234.567.8-901.234", "1", "52", "50", "0", "0", "2026-10", "2026-11-21"},
		{"9120001234568", "01020305", "CV LAIN", "", "3", "5", "0", "4", "1200000", "2026-06", "2026-11-21"}}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	rep := importFile(t, im, gate.ImportEmployers, path)
	if !rep.Accepted || rep.Record.Read != 2 || rep.Record.Applied != 2 || rep.Record.FileName != "badan_usaha.xlsx" || len(rep.Record.SHA256) != 64 {
		t.Fatalf("report = %+v", rep)
	}
	e, found, err := s.ImportedEmployer(t.Context(), "9120001234567")
	if err != nil || !found || e.Code != "01020304" || e.NPWP != "012345678901234" || e.ActiveWorkers != 50 || e.StatusText != "AKTIF" {
		t.Errorf("ImportedEmployer = %+v, %v, %v", e, found, err)
	}
	hist, err := im.Imports(t.Context(), 10)
	if err != nil || len(hist) != 1 || hist[0].By != "admin-1" || hist[0].Kind != gate.ImportEmployers {
		t.Errorf("history = %+v, %v", hist, err)
	}
}

type problemKey struct {
	row int
	col string
}

func problemSet(ps []gate.ImportProblem) map[problemKey]string {
	m := map[problemKey]string{}
	for _, p := range ps {
		m[problemKey{p.Row, p.Column}] = p.Problem
	}
	return m
}

func TestEmployerValidationReport(t *testing.T) {
	im, s := newImporter(t)
	content := strings.Join([]string{
		"nib,kode_badan_usaha,nama,npwp,status,pekerja_terdaftar,pekerja_aktif,tunggakan_bulan,tunggakan_nominal,iuran_terakhir,tgl_data",
		"9120001234567,01020304,PT BAIK,012345678901234,1,52,50,0,0,2026-10,2026-11-21",      // 2: valid
		"912000123456,01020304,PT A,012345678901234,1,52,50,0,0,2026-10,2026-11-21",          // 3: NIB 12 digits
		"9120001234569,01020304,PT B,012345678901234,4,52,50,0,0,2026-10,2026-11-21",         // 4: status 4
		"9120001234570,01020304,PT C,012345678901234,1,-1,50,0,0,2026-10,2026-11-21",         // 5: negative
		"9120001234571,01020304,PT D,012345678901234,1,52,60,0,0,2026-10,2026-11-21",         // 6: aktif > terdaftar
		"9120001234572,01020304,PT E,012345678901234,1,52,50,99999,0,2026-10,2026-11-21",     // 7: arrears months
		"9120001234573,01020304,PT F,012345678901234,1,52,50,0,0,2026-13,2026-02-30",         // 8: bad month, bad date
		"9120001234574,01020304,PT G,012345678901234,1,52,50,0,0,2026-10,2027-01-01",         // 9: future
		"9120001234567,01020304,PT BAIK LAGI,012345678901234,1,52,50,0,0,2026-10,2026-11-21", // 10: duplicate of 2
		"9120001234575,,PT H,12345,1,5x,50,0,0,2026-10,21/11/2026",                           // 11: several
	}, "\n")
	rep := importFile(t, im, gate.ImportEmployers, writeFile(t, "bu.csv", content))
	if rep.Accepted {
		t.Fatal("a file with invalid rows was accepted")
	}
	got := problemSet(rep.Problems)
	for _, want := range []problemKey{{3, "nib"}, {4, "status"}, {5, "pekerja_terdaftar"}, {6, "pekerja_aktif"},
		{7, "tunggakan_bulan"}, {8, "iuran_terakhir"}, {8, "tgl_data"}, {9, "tgl_data"}, {10, "nib"},
		{11, "kode_badan_usaha"}, {11, "npwp"}, {11, "pekerja_terdaftar"}, {11, "tgl_data"}} {
		if _, ok := got[want]; !ok {
			t.Errorf("no problem reported at row %d column %s; got %v", want.row, want.col, rep.Problems)
		}
	}
	if p := got[problemKey{10, "nib"}]; !strings.Contains(p, "row 2") {
		t.Errorf("duplicate problem = %q, want it to name row 2", p)
	}
	for k := range got {
		if k.row == 2 {
			t.Errorf("the valid row 2 has a problem: %v", got[k])
		}
	}
	if _, found, _ := s.ImportedEmployer(t.Context(), "9120001234567"); found {
		t.Error("a refused file was half-applied: row 2 is stored")
	}
	if h, _ := im.Imports(t.Context(), 10); len(h) != 0 {
		t.Errorf("a refused file is in the history: %v", h)
	}
}

func TestParticipantValidationReportHidesNIKs(t *testing.T) {
	im, _ := newImporter(t)
	badMonth := "1275014113900001" // month 13
	content := "nik,status,jenis_peserta,kode_badan_usaha,tgl_data\n" +
		nik1 + ",0,13,01020304,2026-11-20\n" +
		badMonth + ",0,13,,2026-11-20\n" +
		"127501410190000,0,13,,2026-11-20\n" + // 15 digits
		nik2 + ",X,13,,2026-11-20\n" +
		nik1 + ",0,13,,2026-11-20\n" + // duplicate of row 2
		"1275016101900003,0,,ab-cd,2026-11-20\n"
	rep := importFile(t, im, gate.ImportParticipants, writeFile(t, "p.csv", content))
	got := problemSet(rep.Problems)
	for _, want := range []problemKey{{3, "nik"}, {4, "nik"}, {5, "status"}, {6, "nik"}, {7, "jenis_peserta"}, {7, "kode_badan_usaha"}} {
		if _, ok := got[want]; !ok {
			t.Errorf("no problem reported at row %d column %s; got %v", want.row, want.col, rep.Problems)
		}
	}
	for _, p := range rep.Problems {
		for _, n := range []string{nik1, nik2, badMonth, "127501410190000"} {
			if strings.Contains(p.Problem, n) {
				t.Errorf("problem %q quotes a NIK", p.Problem)
			}
		}
	}
}

func TestProblemsAreCapped(t *testing.T) {
	im, _ := newImporter(t)
	var b strings.Builder
	b.WriteString("nik,status,jenis_peserta,kode_badan_usaha,tgl_data\n")
	for i := range 150 {
		fmt.Fprintf(&b, "%016d,0,13,,2026-11-20\n", i) // day 00: invalid
	}
	rep := importFile(t, im, gate.ImportParticipants, writeFile(t, "p.csv", b.String()))
	if len(rep.Problems) != gate.MaxImportProblems || rep.MoreProblems != 50 || rep.Record.Read != 150 {
		t.Errorf("problems = %d, more = %d, read = %d; want %d, 50, 150", len(rep.Problems), rep.MoreProblems, rep.Record.Read, gate.MaxImportProblems)
	}
}

func TestMissingColumnsAndEmptyFile(t *testing.T) {
	im, _ := newImporter(t)
	rep := importFile(t, im, gate.ImportParticipants, writeFile(t, "p.csv", "nik,status,tgl_data\n"+nik1+",0,2026-11-20\n"))
	got := problemSet(rep.Problems)
	if _, ok := got[problemKey{1, "jenis_peserta"}]; rep.Accepted || !ok {
		t.Errorf("missing column not reported: %+v", rep)
	}
	rep = importFile(t, im, gate.ImportEmployers, writeFile(t, "e.csv", ""))
	if rep.Accepted || len(rep.Problems) == 0 {
		t.Errorf("an empty file was accepted: %+v", rep)
	}
	rep = importFile(t, im, gate.ImportEmployers, writeFile(t, "e.xlsx", "PK\x03\x04 not really a zip"))
	if rep.Accepted || len(rep.Problems) != 1 {
		t.Errorf("a broken XLSX: %+v", rep)
	}
}

func TestNewerOnlyThroughFiles(t *testing.T) {
	im, s := newImporter(t)
	head := "nik,status,jenis_peserta,kode_badan_usaha,tgl_data\n"
	importFile(t, im, gate.ImportParticipants, writeFile(t, "a.csv", head+nik1+",0,13,,2026-11-20\n"+nik2+",0,13,,2026-11-20\n"))
	rep := importFile(t, im, gate.ImportParticipants, writeFile(t, "b.csv", head+nik1+",9,13,,2026-11-19\n"+nik2+",9,13,,2026-11-21\n"))
	if r := rep.Record; !rep.Accepted || r.Applied != 1 || r.Older != 1 || r.Unchanged != 0 {
		t.Fatalf("report = %+v", rep)
	}
	p1, _, _ := s.ImportedParticipant(t.Context(), nik1)
	p2, _, _ := s.ImportedParticipant(t.Context(), nik2)
	if p1.Participant.Status != "0" || p2.Participant.Status != "9" {
		t.Errorf("statuses = %s, %s; want the older file ignored (0) and the newer applied (9)", p1.Participant.Status, p2.Participant.Status)
	}
}
