package gate

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Participant segments (jenisPeserta.kode) whose remedies differ. Which
// segments the employer pays is the policy's EmployerPaidSegments.
const (
	SegmentPrivateEmployee = "13" // PEGAWAI SWASTA
	SegmentMandiri         = "14" // PEKERJA MANDIRI (PBPU)
	SegmentPBIAPBN         = "21" // PBI paid by the state budget
	SegmentPBIAPBD         = "22" // PBI paid by a regional budget
)

// maxNamedWorkers caps how many workers a message names; details list all.
const maxNamedWorkers = 5

// WorkerSituation is a listed worker's situation as e-Dabu sees it: it
// decides the remedy a business owner can act on.
type WorkerSituation string

// The worker situations of the README's "Remedies".
const (
	SituationNotRegistered   WorkerSituation = "not_registered"
	SituationPBI             WorkerSituation = "pbi"
	SituationMandiri         WorkerSituation = "mandiri"
	SituationMandiriArrears  WorkerSituation = "mandiri_arrears"
	SituationEmployerArrears WorkerSituation = "employer_arrears"
	SituationMonthEnd        WorkerSituation = "inactive_month_end"
	SituationOtherEmployer   WorkerSituation = "other_employer"
	SituationUnclear         WorkerSituation = "unclear"
)

// situationOf places a worker the engine found at fault.
func situationOf(code ReasonCode, pt Participant, p Policy) WorkerSituation {
	switch code {
	case ReasonWorkerNotRegistered:
		return SituationNotRegistered
	case ReasonWorkerOtherEmployer:
		return SituationOtherEmployer
	case ReasonWorkerStatusUnclear:
		return SituationUnclear
	}
	pbi := pt.Segment == SegmentPBIAPBN || pt.Segment == SegmentPBIAPBD
	switch {
	case code == ReasonWorkerInactive && pt.Status == ParticipantInactiveMonthEnd:
		return SituationMonthEnd
	case code == ReasonWorkerInactive && p.EmployerPays(pt.Segment):
		return SituationEmployerArrears
	case code == ReasonWorkerInactive:
		return SituationMandiriArrears
	case pbi:
		return SituationPBI
	default:
		return SituationMandiri
	}
}

// situationRemedy is what to do, in e-Dabu's terms, per situation.
var situationRemedy = map[WorkerSituation][2]string{
	SituationNotRegistered: {"Pekerja yang belum terdaftar: daftarkan sebagai peserta PPU melalui e-Dabu (tambah tenaga kerja).",
		"Workers not registered: register them as wage-earner participants (PPU) through e-Dabu (add workers)."},
	SituationPBI: {"Pekerja peserta PBI: daftarkan sebagai PPU melalui e-Dabu; kepesertaan PBI-nya berakhir karena iurannya kini dibayar pemberi kerja.",
		"Workers covered as PBI: register them as PPU through e-Dabu; their PBI membership ends, since the employer now pays."},
	SituationMandiri: {"Pekerja peserta mandiri (PBPU): daftarkan sebagai PPU melalui e-Dabu (perubahan segmen dari mandiri).",
		"Workers covered as mandiri (PBPU): register them as PPU through e-Dabu (segment change from mandiri)."},
	SituationMandiriArrears: {"Pekerja mandiri yang menunggak: pekerja melunasi tunggakan iuran mandirinya lebih dahulu, lalu pemberi kerja mendaftarkannya sebagai PPU melalui e-Dabu.",
		"Mandiri workers in arrears: the worker first settles their own mandiri arrears, then the employer registers them as PPU through e-Dabu."},
	SituationEmployerArrears: {"Pekerja yang iurannya belum dibayar: bayar iuran PPU yang tertunggak untuk pekerja tersebut.",
		"Workers whose contributions are unpaid: pay the outstanding PPU contributions for them."},
	SituationMonthEnd: {"Pekerja yang tidak aktif di akhir bulan: aktifkan kembali atau daftarkan ulang sebagai PPU melalui e-Dabu bila masih bekerja.",
		"Workers inactive at month end: reactivate or re-register them as PPU through e-Dabu if they still work for you."},
	SituationOtherEmployer: {"Pekerja yang terdaftar di pemberi kerja lain: pemberi kerja sebelumnya menonaktifkan pekerja tersebut di e-Dabu lebih dahulu, lalu daftarkan sebagai PPU Anda.",
		"Workers registered at another employer: that employer first deactivates them in its e-Dabu, then register them as your PPU."},
	SituationUnclear: {"Tunggu verifikasi petugas BPJS Kesehatan atas status pekerja tersebut.",
		"Await BPJS Kesehatan staff's verification of these workers' status."},
}

// participantStatusText is a status code's own text, BPJS's keterangan when it
// sent one.
func participantStatusText(pt Participant) string {
	if pt.StatusText != "" {
		return pt.StatusText
	}
	switch pt.Status {
	case ParticipantActive:
		return "AKTIF"
	case ParticipantUnpaid:
		return "NON AKTIF KARNA PREMI"
	case ParticipantInactiveMonthEnd:
		return "NON AKTIF DIAKHIR BULAN"
	}
	return ""
}

// workerReasonFor builds one reason for all listed workers that share a
// finding. Workers are named by masked NIK and list position only; each
// code is shown with its own text.
func workerReasonFor(code ReasonCode, ws []WorkerFinding, applicant string, p Policy, region string) Reason {
	list := make([]any, len(ws))
	var order []WorkerSituation
	for i, w := range ws {
		item := map[string]any{"position": w.Position, "nik": MaskNIK(w.NIK)}
		pt := w.Lookup.Participant
		sit := situationOf(code, pt, p)
		item["situation"] = string(sit)
		if w.Lookup.Found {
			item["status"], item["status_text"] = pt.Status, participantStatusText(pt)
			item["segment"], item["segment_text"] = pt.Segment, pt.SegmentText
			if pt.EmployerCode != "" {
				item["employer_code"] = pt.EmployerCode
			}
		}
		list[i] = item
		if !contains(order, sit) {
			order = append(order, sit)
		}
	}
	r := Reason{Code: code, Details: map[string]any{"count": len(ws), "workers": list}}
	n, who := len(ws), names(ws)
	switch code {
	case ReasonWorkerNotRegistered:
		r.Outcome, r.LegalBasis = OutcomeDeny, p.denyBasis(p.LegalBasis.Registration)
		r.Message = fmt.Sprintf("%d pekerja yang dicantumkan tidak terdaftar di BPJS Kesehatan: %s.", n, who)
		r.MessageEN = fmt.Sprintf("%s not registered with BPJS Kesehatan: %s.", listedAre(n), who)
	case ReasonWorkerInactive:
		r.Outcome, r.LegalBasis = OutcomeDeny, p.denyBasis(inactiveDuties(ws, p)...)
		r.Message, r.MessageEN = inactiveMessages(ws)
	case ReasonWorkerNotEmployerPaid:
		r.Outcome, r.LegalBasis = OutcomeReview, p.LegalBasis.Registration
		r.Message = fmt.Sprintf("%d pekerja yang dicantumkan aktif, tetapi tidak didaftarkan oleh pemberi kerja (%s): %s.", n, segmentsOf(ws), who)
		r.MessageEN = fmt.Sprintf("%s active, but not registered by the employer (%s): %s.", listedAre(n), segmentsOf(ws), who)
	case ReasonWorkerOtherEmployer:
		r.Outcome, r.LegalBasis = OutcomeReview, p.LegalBasis.Registration
		r.Message = fmt.Sprintf("%d pekerja yang dicantumkan aktif sebagai PPU, tetapi terdaftar pada badan usaha lain (bukan %s): %s.", n, applicant, who)
		r.MessageEN = fmt.Sprintf("%s active as PPU, but registered under another employer (not %s): %s.", listedAre(n), applicant, who)
	default: // ReasonWorkerStatusUnclear
		r.Outcome, r.LegalBasis = OutcomeReview, p.LegalBasis.Supervision
		r.Message = fmt.Sprintf("Status kepesertaan %d pekerja yang dicantumkan (%s) perlu diverifikasi petugas BPJS Kesehatan: %s.", n, statusesOf(ws), who)
		r.MessageEN = fmt.Sprintf("The membership status of %d listed workers (%s) needs verification by BPJS Kesehatan staff: %s.", n, statusesOf(ws), who)
	}
	pairs := make([][2]string, 0, len(order))
	for _, s := range order {
		pairs = append(pairs, situationRemedy[s])
	}
	r.Remedy = p.remedy(region, pairs...)
	return r
}

// inactiveDuties are the duties inactive workers show unmet: registration
// for status 15 (no longer registered as working there), contribution for
// status 9 (contributions unpaid).
func inactiveDuties(ws []WorkerFinding, p Policy) []string {
	var duties []string
	for _, w := range ws {
		d := p.LegalBasis.Contribution
		if w.Lookup.Participant.Status == ParticipantInactiveMonthEnd {
			d = p.LegalBasis.Registration
		}
		if !contains(duties, d) {
			duties = append(duties, d)
		}
	}
	slices.SortStableFunc(duties, func(a, b string) int { // registration before contribution
		return cmp.Compare(boolInt(a != p.LegalBasis.Registration), boolInt(b != p.LegalBasis.Registration))
	})
	return duties
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// inactiveMessages tells status 9 (contributions unpaid) from status 15
// (inactive at month end, e.g. after leaving a job): both are inactive, for
// different reasons.
func inactiveMessages(ws []WorkerFinding) (id, en string) {
	var unpaid, monthEnd []WorkerFinding
	for _, w := range ws {
		if w.Lookup.Participant.Status == ParticipantInactiveMonthEnd {
			monthEnd = append(monthEnd, w)
		} else {
			unpaid = append(unpaid, w)
		}
	}
	var ids, ens []string
	if len(unpaid) > 0 {
		ids = append(ids, fmt.Sprintf("%d pekerja tidak aktif karena iuran belum dibayar (status 9 %s): %s",
			len(unpaid), participantStatusText(unpaid[0].Lookup.Participant), names(unpaid)))
		ens = append(ens, fmt.Sprintf("%s inactive because contributions are unpaid (status 9 %s): %s",
			listedAre(len(unpaid)), participantStatusText(unpaid[0].Lookup.Participant), names(unpaid)))
	}
	if len(monthEnd) > 0 {
		ids = append(ids, fmt.Sprintf("%d pekerja tidak aktif sejak akhir bulan, misalnya setelah berhenti bekerja (status 15 %s): %s",
			len(monthEnd), participantStatusText(monthEnd[0].Lookup.Participant), names(monthEnd)))
		ens = append(ens, fmt.Sprintf("%s inactive as of the end of a month, e.g. after leaving a job (status 15 %s): %s",
			listedAre(len(monthEnd)), participantStatusText(monthEnd[0].Lookup.Participant), names(monthEnd)))
	}
	return strings.Join(ids, "; ") + ".", strings.Join(ens, "; ") + "."
}

// listedAre is "1 listed worker is" or "n listed workers are".
func listedAre(n int) string {
	if n == 1 {
		return "1 listed worker is"
	}
	return fmt.Sprintf("%d listed workers are", n)
}

// names lists workers by position and masked NIK, at most maxNamedWorkers.
func names(ws []WorkerFinding) string {
	named := make([]string, 0, maxNamedWorkers)
	for i, w := range ws {
		if i == maxNamedWorkers {
			break
		}
		named = append(named, fmt.Sprintf("#%d %s", w.Position, MaskNIK(w.NIK)))
	}
	who := strings.Join(named, ", ")
	if len(ws) > maxNamedWorkers {
		who += fmt.Sprintf(", +%d", len(ws)-maxNamedWorkers)
	}
	return who
}

// segmentsOf lists the distinct segments of the workers with their text.
func segmentsOf(ws []WorkerFinding) string {
	return distinct(ws, func(pt Participant) string { return codeText(pt.Segment, pt.SegmentText) })
}

// statusesOf lists the distinct statuses of the workers with their text.
func statusesOf(ws []WorkerFinding) string {
	return distinct(ws, func(pt Participant) string {
		return "status " + codeText(pt.Status, participantStatusText(pt))
	})
}

func distinct(ws []WorkerFinding, f func(Participant) string) string {
	var out []string
	for _, w := range ws {
		if s := f(w.Lookup.Participant); !contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, ", ")
}

func codeText(code, text string) string {
	if text == "" {
		return code
	}
	return code + " " + text
}
