package oss

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jkngate/jkngate/gate"
)

// OSS's status codes (Lampiran 10) that jkngate reports.
const (
	StatusConfirmation     = "41" // Konfirmasi Persyaratan: stops OSS's SLA clock
	StatusConfirmationData = "42" // Data Konfirmasi Persyaratan: restarts it
	StatusVerified         = "45" // Persyaratan terverifikasi
	StatusRejected         = "93" // Penolakan Persyaratan
)

// statusNames are the nama_status of each code.
var statusNames = map[string]string{
	StatusConfirmation:     "Konfirmasi Persyaratan",
	StatusConfirmationData: "Data Konfirmasi Persyaratan",
	StatusVerified:         "Persyaratan terverifikasi",
	StatusRejected:         "Penolakan Persyaratan",
}

// System is nip_status when no person made the decision.
const System = "SISTEM"

// MaxKeterangan bounds keterangan, in characters: OSS stores it in a
// limited column, and officers read it on a screen.
const MaxKeterangan = 1000

// jakarta is Asia/Jakarta (WIB, UTC+7, no daylight saving); the fixed zone
// is used when the time zone database is missing.
var jakarta = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Jakarta"); err == nil {
		return l
	}
	return time.FixedZone("WIB", 7*60*60)
}()

// LicenseStatus is IZINSTATUS, the body of receiveLicenseStatus.
type LicenseStatus struct {
	NIB        string `json:"nib"`
	IDProduk   string `json:"id_produk"`
	IDProyek   string `json:"id_proyek"`
	OSSID      string `json:"oss_id"`
	IDIzin     string `json:"id_izin"`
	KdIzin     string `json:"kd_izin"`
	KdInstansi string `json:"kd_instansi"`
	KdStatus   string `json:"kd_status"`
	TglStatus  string `json:"tgl_status"`
	NIPStatus  string `json:"nip_status"`
	NamaStatus string `json:"nama_status"`
	Keterangan string `json:"keterangan"`
}

// StatusRequest is the receiveLicenseStatus request body.
type StatusRequest struct {
	IzinStatus LicenseStatus `json:"IZINSTATUS"`
}

// StatusCode is the kd_status of a decision's own status: 45 allow, 93
// deny, 41 review.
func StatusCode(o gate.Outcome) string {
	switch o {
	case gate.OutcomeAllow:
		return StatusVerified
	case gate.OutcomeDeny:
		return StatusRejected
	default:
		return StatusConfirmation
	}
}

// BuildStatus builds the message of kind (gate.CallbackKindOSSStatus or
// gate.CallbackKindOSSConfirmation) reporting d, for the permit ref.
func BuildStatus(kind string, d gate.Decision, ref Ref, instansi string) StatusRequest {
	code := StatusCode(d.Outcome)
	if kind == gate.CallbackKindOSSConfirmation {
		code = StatusConfirmationData
	}
	nip := System
	if d.Review != nil && d.Review.State == gate.ReviewClosed && d.Review.By != "" {
		nip = d.Review.By // a reviewer's uphold or override
	}
	return StatusRequest{IzinStatus: LicenseStatus{
		NIB: ref.NIB, IDProduk: ref.IDProduk, IDProyek: ref.IDProyek, OSSID: ref.OSSID,
		IDIzin: d.ApplicationID, KdIzin: ref.KdIzin, KdInstansi: instansi,
		KdStatus: code, TglStatus: d.DecidedAt.In(jakarta).Format("2006-01-02 15:04:05"),
		NIPStatus: nip, NamaStatus: statusNames[code], Keterangan: Keterangan(code, d),
	}}
}

// Keterangan explains the status in Indonesian: the decision's reasons,
// most severe first, each with its remedy, cut to MaxKeterangan
// characters.
func Keterangan(code string, d gate.Decision) string {
	if code == StatusConfirmationData {
		return "Konfirmasi persyaratan BPJS Kesehatan telah diproses; status berikutnya menyusul."
	}
	reasons := append([]gate.Reason(nil), d.Reasons...)
	// Stable, so that equally severe reasons keep the engine's order.
	for i := 1; i < len(reasons); i++ {
		for j := i; j > 0 && reasons[j].Outcome.Severity() > reasons[j-1].Outcome.Severity(); j-- {
			reasons[j], reasons[j-1] = reasons[j-1], reasons[j]
		}
	}
	var b strings.Builder
	for i, r := range reasons {
		if i > 0 {
			b.WriteString(" | ")
		}
		b.WriteString(string(r.Code) + ": " + r.Message)
		if r.Remedy != "" {
			b.WriteString(" Tindak lanjut: " + r.Remedy)
		}
	}
	return truncate(b.String(), MaxKeterangan)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
