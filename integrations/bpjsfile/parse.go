package bpjsfile

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jkngate/jkngate/gate"
)

// The columns of each kind of file (names are matched case-insensitively).
var (
	employerColumns = []string{"nib", "kode_badan_usaha", "nama", "npwp", "status", "pekerja_terdaftar",
		"pekerja_aktif", "tunggakan_bulan", "tunggakan_nominal", "iuran_terakhir", "tgl_data"}
	participantColumns = []string{"nik", "status", "jenis_peserta", "kode_badan_usaha", "tgl_data"}
)

// Bounds of the numbers in an employer file.
const (
	maxWorkers       = 10_000_000
	maxArrearsMonths = 1200
	maxArrearsAmount = 1_000_000_000_000_000 // rupiah
	maxNameLength    = 300
)

// fields reads one data row by column name and collects its problems.
type fields struct {
	row      []string
	idx      map[string]int
	number   int
	problems []gate.ImportProblem
	today    string // YYYY-MM-DD in Asia/Jakarta, plus a day of slack
}

func (f *fields) get(col string) string {
	i, ok := f.idx[col]
	if !ok || i >= len(f.row) {
		return ""
	}
	return strings.TrimSpace(f.row[i])
}

func (f *fields) bad(col, format string, args ...any) {
	f.problems = append(f.problems, gate.ImportProblem{Row: f.number, Column: col, Problem: fmt.Sprintf(format, args...)})
}

func (f *fields) number64(col string, max int64) int64 {
	v := f.get(col)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > max || !allDigits(v) {
		f.bad(col, "must be a whole number from 0 to %d", max)
		return 0
	}
	return n
}

func (f *fields) date(col string) string {
	v := f.get(col)
	t, err := time.Parse(time.DateOnly, v)
	switch {
	case v == "":
		f.bad(col, "required: a date YYYY-MM-DD")
	case err != nil || t.Format(time.DateOnly) != v:
		f.bad(col, "must be a date YYYY-MM-DD")
	case v > f.today:
		f.bad(col, "must not be in the future")
	default:
		return v
	}
	return ""
}

// code reads a status or segment code: 1 to 3 digits.
func (f *fields) code(col string) string {
	v := f.get(col)
	if v == "" || len(v) > 3 || !allDigits(v) {
		f.bad(col, "must be a code of 1 to 3 digits")
		return ""
	}
	return v
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// employer reads and validates one employer row.
func (f *fields) employer() gate.Employer {
	e := gate.Employer{
		NIB:  f.get("nib"),
		Code: f.get("kode_badan_usaha"),
		Name: f.get("nama"),
	}
	if !gate.ValidNIB(e.NIB) {
		f.bad("nib", "must be a NIB: 13 digits")
	}
	if !gate.ValidEmployerCode(e.Code) {
		f.bad("kode_badan_usaha", "must be 1 to 32 letters and digits")
	}
	if e.Name == "" || !utf8.ValidString(e.Name) || utf8.RuneCountInString(e.Name) > maxNameLength {
		f.bad("nama", "required, valid text of at most %d characters", maxNameLength)
	}
	if v := f.get("npwp"); v != "" {
		npwp, ok := gate.NormalizeNPWP(v)
		if !ok {
			f.bad("npwp", "must be an NPWP: 15 or 16 digits")
		}
		e.NPWP = npwp
	}
	switch e.Status = f.get("status"); e.Status {
	case gate.EmployerActive:
		e.StatusText = "AKTIF"
	case gate.EmployerInactive:
		e.StatusText = "NONAKTIF"
	case gate.EmployerSuspended:
		e.StatusText = "DIBEKUKAN"
	default:
		f.bad("status", "must be 1 (AKTIF), 2 (NONAKTIF) or 3 (DIBEKUKAN)")
	}
	e.RegisteredWorkers = int(f.number64("pekerja_terdaftar", maxWorkers))
	e.ActiveWorkers = int(f.number64("pekerja_aktif", maxWorkers))
	if e.ActiveWorkers > e.RegisteredWorkers {
		f.bad("pekerja_aktif", "must not exceed pekerja_terdaftar")
	}
	e.ArrearsMonths = int(f.number64("tunggakan_bulan", maxArrearsMonths))
	e.ArrearsAmount = f.number64("tunggakan_nominal", maxArrearsAmount)
	if v := f.get("iuran_terakhir"); v != "" {
		t, err := time.Parse("2006-01", v)
		if err != nil || t.Format("2006-01") != v {
			f.bad("iuran_terakhir", "must be a month YYYY-MM")
		}
		e.LastPaidPeriod = v
	}
	e.DataDate = f.date("tgl_data")
	return e
}

// participant reads and validates one participant row. Problems never
// quote the NIK.
func (f *fields) participant() gate.ImportedParticipant {
	p := gate.Participant{
		NIK:          f.get("nik"),
		EmployerCode: f.get("kode_badan_usaha"),
	}
	if !gate.ValidNIK(p.NIK) {
		f.bad("nik", "must be a NIK: 16 digits with a birth date part (day 01-31 or 41-71, month 01-12)")
	}
	p.Status = f.code("status")
	p.Segment = f.code("jenis_peserta")
	if p.EmployerCode != "" && !gate.ValidEmployerCode(p.EmployerCode) {
		f.bad("kode_badan_usaha", "must be empty or 1 to 32 letters and digits")
	}
	return gate.ImportedParticipant{Participant: p, DataDate: f.date("tgl_data")}
}
