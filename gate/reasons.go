package gate

import (
	"fmt"
	"strings"
)

// Legal bases the reasons cite (domain.md, "Legal basis").
const (
	basisRegistration = "Perpres 82/2018 Pasal 13; PP 86/2013 Pasal 9"
	basisContribution = "Perpres 82/2018 Pasal 13 (iuran PPU 5%, jatuh tempo tanggal 10); PP 86/2013 Pasal 9"
	basisSupervision  = "PP 86/2013 Pasal 13"
	basisSanctions    = "PP 86/2013 Pasal 9"
)

// maxNamedWorkers caps how many workers a message names; details list all.
const maxNamedWorkers = 5

func permitNotGated(t PermitType) Reason {
	return Reason{Code: ReasonPermitNotGated, Outcome: OutcomeAllow,
		Message:    fmt.Sprintf("Jenis izin %s tidak disyaratkan kepatuhan BPJS Kesehatan oleh kebijakan daerah.", t),
		MessageEN:  fmt.Sprintf("The regional policy does not gate permit type %s on BPJS Kesehatan compliance.", t),
		LegalBasis: basisSanctions,
		Details:    map[string]any{"permit_type": string(t)}}
}

func scaleExempt(scale, policy string) Reason {
	return Reason{Code: ReasonScaleExempt, Outcome: OutcomeAllow,
		Message:    fmt.Sprintf("Usaha skala %s dikecualikan dari pemeriksaan oleh kebijakan daerah.", scale),
		MessageEN:  fmt.Sprintf("The regional policy exempts businesses of scale %s from the check.", scale),
		LegalBasis: basisSanctions + "; kebijakan daerah " + policy,
		Details:    map[string]any{"business_scale": scale}}
}

func compliant(f Findings, declared int, p Policy) Reason {
	details := map[string]any{"workers_checked": len(f.Workers)}
	if f.Employer.Found && f.EmployerErr == nil {
		details["declared"] = declared
		details["active"] = f.Employer.Employer.ActiveWorkers
		details["required"] = RequiredWorkers(declared, p.MinWorkerCoverage)
	}
	return Reason{Code: ReasonCompliant, Outcome: OutcomeAllow,
		Message:    "Pemberi kerja dan pekerjanya terdaftar aktif di BPJS Kesehatan.",
		MessageEN:  "The employer and its workers are actively registered with BPJS Kesehatan.",
		LegalBasis: "Perpres 82/2018 Pasal 13",
		Details:    details}
}

func employerNotRegistered(nib string) Reason {
	return Reason{Code: ReasonEmployerNotRegistered, Outcome: OutcomeDeny,
		Message:    fmt.Sprintf("Badan usaha dengan NIB %s tidak terdaftar di BPJS Kesehatan.", nib),
		MessageEN:  fmt.Sprintf("No employer with NIB %s is registered with BPJS Kesehatan.", nib),
		LegalBasis: basisRegistration,
		Remedy:     "Daftarkan badan usaha dan seluruh pekerja melalui e-Dabu atau kantor cabang BPJS Kesehatan / Register the business and all its workers through e-Dabu or a BPJS Kesehatan branch office.",
		Details:    map[string]any{"nib": nib}}
}

func employerInactive(e Employer) Reason {
	return Reason{Code: ReasonEmployerInactive, Outcome: OutcomeDeny,
		Message:    fmt.Sprintf("Kepesertaan badan usaha di BPJS Kesehatan tidak aktif (status %s %s).", e.Status, e.StatusText),
		MessageEN:  fmt.Sprintf("The employer's BPJS Kesehatan registration is not active (status %s %s).", e.Status, e.StatusText),
		LegalBasis: basisRegistration,
		Remedy:     "Aktifkan kembali kepesertaan badan usaha di kantor cabang BPJS Kesehatan / Reactivate the employer registration at a BPJS Kesehatan branch office.",
		Details:    map[string]any{"status": e.Status, "status_text": e.StatusText, "employer_code": e.Code}}
}

func employerStatusUnclear(e Employer) Reason {
	return Reason{Code: ReasonEmployerStatusUnclear, Outcome: OutcomeReview,
		Message:    fmt.Sprintf("Status badan usaha di BPJS Kesehatan (kode %q) tidak dikenal; perlu diperiksa petugas.", e.Status),
		MessageEN:  fmt.Sprintf("The employer's BPJS Kesehatan status (code %q) is not known; an officer must check it.", e.Status),
		LegalBasis: basisSupervision,
		Remedy:     "Petugas BPJS Kesehatan akan memeriksa status badan usaha / A BPJS Kesehatan officer will check the employer's status.",
		Details:    map[string]any{"status": e.Status, "status_text": e.StatusText, "employer_code": e.Code}}
}

func contributionArrears(e Employer, maxMonths int) Reason {
	return Reason{Code: ReasonContributionArrears, Outcome: OutcomeDeny,
		Message: fmt.Sprintf("Badan usaha menunggak iuran %d bulan (Rp%d); batas kebijakan %d bulan.",
			e.ArrearsMonths, e.ArrearsAmount, maxMonths),
		MessageEN: fmt.Sprintf("The employer is %d months (Rp%d) in contribution arrears; the policy allows %d.",
			e.ArrearsMonths, e.ArrearsAmount, maxMonths),
		LegalBasis: basisContribution,
		Remedy: fmt.Sprintf("Lunasi tunggakan iuran %d bulan (Rp%d) / Pay the %d months of arrears (Rp%d).",
			e.ArrearsMonths, e.ArrearsAmount, e.ArrearsMonths, e.ArrearsAmount),
		Details: map[string]any{"arrears_months": e.ArrearsMonths, "arrears_amount": e.ArrearsAmount,
			"max_arrears_months": maxMonths, "last_paid_period": e.LastPaidPeriod}}
}

func workersUnderRegistered(declared, active, required, registered int) Reason {
	missing := required - active
	return Reason{Code: ReasonWorkersUnderRegistered, Outcome: OutcomeDeny,
		Message:    fmt.Sprintf("Baru %d dari %d pekerja yang dilaporkan terdaftar aktif di BPJS Kesehatan.", active, declared),
		MessageEN:  fmt.Sprintf("Only %d of %d declared workers are actively registered with BPJS Kesehatan.", active, declared),
		LegalBasis: basisRegistration,
		Remedy:     fmt.Sprintf("Daftarkan %d pekerja lagi melalui e-Dabu / Register %d more workers through e-Dabu.", missing, missing),
		Details: map[string]any{"declared": declared, "active": active, "required": required,
			"registered": registered}}
}

// workerReasonFor builds one reason for all listed workers that share a
// finding. Workers are named by masked NIK and list position only.
func workerReasonFor(code ReasonCode, ws []WorkerFinding) Reason {
	list := make([]any, len(ws))
	named := make([]string, 0, maxNamedWorkers)
	for i, w := range ws {
		item := map[string]any{"position": w.Position, "nik": MaskNIK(w.NIK)}
		if w.Lookup.Found {
			item["status"] = w.Lookup.Participant.Status
			item["segment"] = w.Lookup.Participant.Segment
		}
		list[i] = item
		if i < maxNamedWorkers {
			named = append(named, fmt.Sprintf("#%d %s", w.Position, MaskNIK(w.NIK)))
		}
	}
	who := strings.Join(named, ", ")
	if len(ws) > maxNamedWorkers {
		who += fmt.Sprintf(", +%d", len(ws)-maxNamedWorkers)
	}
	details := map[string]any{"count": len(ws), "workers": list}
	n := len(ws)
	r := Reason{Code: code, Details: details}
	switch code {
	case ReasonWorkerNotRegistered:
		r.Outcome, r.LegalBasis = OutcomeDeny, basisRegistration
		r.Message = fmt.Sprintf("%d pekerja yang dicantumkan tidak terdaftar di BPJS Kesehatan: %s.", n, who)
		r.MessageEN = fmt.Sprintf("%d listed workers are not registered with BPJS Kesehatan: %s.", n, who)
		r.Remedy = "Daftarkan pekerja tersebut melalui e-Dabu / Register these workers through e-Dabu."
	case ReasonWorkerInactive:
		r.Outcome, r.LegalBasis = OutcomeDeny, basisContribution
		r.Message = fmt.Sprintf("%d pekerja yang dicantumkan tidak aktif karena iuran belum dibayar: %s.", n, who)
		r.MessageEN = fmt.Sprintf("%d listed workers are inactive because contributions are unpaid: %s.", n, who)
		r.Remedy = "Bayar iuran yang tertunggak untuk pekerja tersebut / Pay the outstanding contributions for these workers."
	case ReasonWorkerNotEmployerPaid:
		r.Outcome, r.LegalBasis = OutcomeReview, "Perpres 82/2018 Pasal 13"
		r.Message = fmt.Sprintf("%d pekerja yang dicantumkan aktif, tetapi tidak didaftarkan oleh pemberi kerja (mandiri atau PBI): %s.", n, who)
		r.MessageEN = fmt.Sprintf("%d listed workers are active, but not registered by the employer (self-employed or PBI): %s.", n, who)
		r.Remedy = "Daftarkan pekerja tersebut sebagai PPU melalui e-Dabu / Register these workers as employer-paid wage earners (PPU) through e-Dabu."
	default: // ReasonWorkerStatusUnclear
		r.Outcome, r.LegalBasis = OutcomeReview, basisSupervision
		r.Message = fmt.Sprintf("Status kepesertaan %d pekerja yang dicantumkan perlu diperiksa petugas: %s.", n, who)
		r.MessageEN = fmt.Sprintf("The membership status of %d listed workers needs an officer's check: %s.", n, who)
		r.Remedy = "Petugas BPJS Kesehatan akan memeriksa status pekerja tersebut / A BPJS Kesehatan officer will check these workers' status."
	}
	return r
}

func insufficientEvidence() Reason {
	return Reason{Code: ReasonInsufficientEvidence, Outcome: OutcomeReview,
		Message:    "Tidak ada sumber data badan usaha dan tidak ada pekerja yang dicantumkan; perlu pemeriksaan petugas.",
		MessageEN:  "There is no employer data source and no workers are listed; an officer must review.",
		LegalBasis: basisSupervision,
		Remedy:     "Cantumkan NIK pekerja dalam permohonan, atau tunggu pemeriksaan petugas / List the workers' NIKs in the application, or await an officer's review.",
		Details:    map[string]any{"employer_source": false, "workers_listed": 0}}
}

func registryUnavailable(u unavailableCounts, outcome Outcome) Reason {
	return Reason{Code: ReasonRegistryUnavailable, Outcome: outcome,
		Message:    "Data BPJS Kesehatan tidak dapat diakses saat ini dan tidak ada data tersimpan yang dapat dipakai.",
		MessageEN:  "BPJS Kesehatan data cannot be reached right now and no usable cached data exists.",
		LegalBasis: basisSupervision,
		Remedy:     "Tidak perlu tindakan; keputusan akan diperbarui setelah data BPJS Kesehatan tersedia / No action needed; the decision will be updated once BPJS Kesehatan data is available.",
		Details:    map[string]any{"employer_unavailable": u.employer, "workers_unavailable": u.workers}}
}
