package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommand imports a file, refuses a bad one with its report and
// exit status 1, and lists the history, through run as the binary does.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"JKNGATE_DATABASE_URL": filepath.Join(dir, "jkngate.db"), "USER": "operator-7"}
	getenv := func(k string) string { return env[k] }
	jk := func(args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := run(t.Context(), args, getenv, &out, &errOut)
		return out.String(), errOut.String(), err
	}
	good := filepath.Join(dir, "peserta.csv")
	content := "nik;status;jenis_peserta;kode_badan_usaha;tgl_data\n1275014101900001;0;13;01020304;2026-11-20\n"
	if err := os.WriteFile(good, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := jk("import", "participants", good)
	if err != nil || !strings.Contains(out, "1 rows read, 1 applied, 0 unchanged, 0 older than stored") {
		t.Fatalf("import: %v\n%s", err, out)
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("nik,status,jenis_peserta,kode_badan_usaha,tgl_data\n1275014101900002,0,13,,2026-11-20\n1275014101900009,0,13,,20-11-2026\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := jk("import", "participants", bad, "--quiet")
	if err == nil || !strings.Contains(errOut, "row 3, column tgl_data: must be a date YYYY-MM-DD") {
		t.Fatalf("a bad file: err %v, report:\n%s", err, errOut)
	}
	if strings.Contains(errOut, "1275014101900009") {
		t.Errorf("the report quotes a NIK:\n%s", errOut)
	}

	out, _, err = jk("import", "list")
	if err != nil || !strings.Contains(out, `"operator-7"`) || !strings.Contains(out, `"peserta.csv"`) || strings.Contains(out, "bad.csv") {
		t.Errorf("import list: %v\n%s", err, out)
	}
	if _, _, err := jk("import", "workers", good); err == nil {
		t.Error("an unknown kind was accepted")
	}
}
