// Package osssim simulates OSS-RBA for jkngate: it sends receiveNIB
// messages built from bpjs-sim's seeded employers (one per scenario) and
// receives receiveLicenseStatus messages, with switchable failures. It is
// for development, tests and the demo; it speaks OSS's real shapes (worker
// counts as strings and numbers, ids as strings).
package osssim

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// Options shape a built message.
type Options struct {
	// Items is how many data_checklist permits it carries; 1 when zero.
	// Item i (from 0) has id_izin "<nib>-I<i+1>", its own project and
	// kd_izin KdIzin[i] when given.
	Items int
	// KdIzin are the kd_izin of the items; "I-BPJS" when not given.
	KdIzin []string
	// TipeDokumen: "9" when empty.
	TipeDokumen string
	// ExtraWorkers is added to the first project's Indonesian workers:
	// a changed message, for an update (tipe_dokumen 5).
	ExtraWorkers int
}

// Message is a built receiveNIB message and what it was built from.
type Message struct {
	Scenario bpjssim.Scenario `json:"scenario"`
	NIB      string           `json:"nib"`
	IDIzin   []string         `json:"id_izin"`
	Body     json.RawMessage  `json:"-"`
}

// Build makes the receiveNIB body for employer e. The project's worker
// counts add up to e.DeclaredWorkers; men arrive as a string and women as
// a number, as OSS sends them. The person in charge and a shareholder are
// fake people, so that what jkngate keeps of them can be checked.
func Build(e bpjssim.Employer, o Options) Message {
	if o.Items <= 0 {
		o.Items = 1
	}
	tipe := o.TipeDokumen
	if tipe == "" {
		tipe = "9"
	}
	m := Message{Scenario: e.Scenario, NIB: e.NIB}
	var projects, checklist []map[string]any
	for i := 0; i < o.Items; i++ {
		idProyek := fmt.Sprintf("P%s%02d", e.NIB[len(e.NIB)-6:], i+1)
		idIzin := fmt.Sprintf("%s-I%d", e.NIB, i+1)
		m.IDIzin = append(m.IDIzin, idIzin)
		workers := 0
		if i == 0 {
			workers = e.DeclaredWorkers + o.ExtraWorkers
		}
		projects = append(projects, map[string]any{
			"id_proyek": idProyek, "nomor_proyek": "R-" + idProyek, "uraian_usaha": "Usaha simulasi",
			"jumlah_tki_l": strconv.Itoa(workers - workers/2), "jumlah_tki_p": workers / 2,
			"jumlah_tka_l": "0", "jumlah_tka_p": 0, "kbli": "47111", "skala_usaha": "03",
			"nama_pj": "Budi Santoso (fiktif)", "no_identitas_pj": "3273010101900001",
		})
		kd := "I-BPJS"
		if i < len(o.KdIzin) {
			kd = o.KdIzin[i]
		}
		checklist = append(checklist, map[string]any{
			"id_produk": fmt.Sprintf("%d", 1000+i), "id_proyek": idProyek, "id_izin": idIzin,
			"jenis_izin": "01", "kd_izin": kd, "kd_daerah": e.RegionCode + "000000",
			"nama_izin": "Sertifikat Standar", "instansi": "DPMPTSP", "flag_checklist": "Y",
		})
	}
	data := map[string]any{
		"nib": e.NIB, "tgl_terbit_nib": "2024-01-15", "oss_id": "OSS" + e.NIB,
		"kd_daerah": e.RegionCode + "000000", "no_va": e.ApplicationCode, "npwp_perseroan": e.NPWP,
		"nama_perseroan": e.Name, "skala_usaha": "03", "status_penanaman_modal": "01", "versi_pia": "4.3.22",
		"penanggung_jwb": []map[string]any{{"nama_penanggung_jwb": "Siti Aminah (fiktif)",
			"no_identitas_penanggung_jwb": "3273014101900002", "jabatan_penanggung_jwb": "Direktur",
			"email_penanggung_jwb": "siti@example.invalid"}},
		"pemegang_saham": []map[string]any{{"nama_pemegang_saham": "Siti Aminah (fiktif)",
			"no_identitas_pemegang_saham": "3273014101900002", "total_modal_pemegang": 50000000}},
		"data_proyek": projects, "data_checklist": checklist, "tipe_dokumen": tipe,
	}
	m.Body, _ = json.Marshal(map[string]any{"dataNIB": data})
	return m
}

// Seeded returns one message per scenario of data (and one for an
// unregistered NIB), in bpjssim.Scenarios order.
func Seeded(data bpjssim.Data) []Message {
	var out []Message
	for _, s := range bpjssim.Scenarios {
		if e, ok := data.Pick(s); ok {
			out = append(out, Build(e, Options{}))
		}
	}
	if len(data.UnregisteredNIBs) > 0 && len(data.Employers) > 0 {
		e := bpjssim.Employer{NIB: data.UnregisteredNIBs[0], NPWP: "", Name: "PT Belum Terdaftar (simulasi)",
			RegionCode: data.Employers[0].RegionCode, DeclaredWorkers: 12, Scenario: bpjssim.ScenarioUnregistered}
		out = append(out, Build(e, Options{}))
	}
	return out
}
