package gate

import (
	"fmt"
	"strconv"
	"strings"
)

// Reasons cite the policy's LegalBasis (README, "Reason codes"): a denial
// begins with the regional instrument when the policy names one.

func permitNotGated(t PermitType, p Policy) Reason {
	return Reason{Code: ReasonPermitNotGated, Outcome: OutcomeAllow,
		Message:    fmt.Sprintf("Jenis izin %s tidak disyaratkan kepatuhan BPJS Kesehatan oleh kebijakan daerah.", t),
		MessageEN:  fmt.Sprintf("The regional policy does not gate permit type %s on BPJS Kesehatan compliance.", t),
		LegalBasis: p.regionalPolicy(),
		Details:    map[string]any{"permit_type": string(t)}}
}

func scaleExempt(scale string, p Policy) Reason {
	return Reason{Code: ReasonScaleExempt, Outcome: OutcomeAllow,
		Message:    fmt.Sprintf("Usaha skala %s dikecualikan dari pemeriksaan oleh kebijakan daerah.", scale),
		MessageEN:  fmt.Sprintf("The regional policy exempts businesses of scale %s from the check.", scale),
		LegalBasis: p.regionalPolicy(),
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
		LegalBasis: cite(p.LegalBasis.Regional, p.LegalBasis.Registration),
		Details:    details}
}

func employerNotRegistered(nib string, p Policy, region string) Reason {
	return Reason{Code: ReasonEmployerNotRegistered, Outcome: OutcomeDeny,
		Message:    fmt.Sprintf("Badan usaha dengan NIB %s tidak terdaftar di BPJS Kesehatan.", nib),
		MessageEN:  fmt.Sprintf("No employer with NIB %s is registered with BPJS Kesehatan.", nib),
		LegalBasis: p.denyBasis(p.LegalBasis.Registration),
		Remedy: p.remedy(region, [2]string{
			"Daftarkan badan usaha, lalu seluruh pekerja sebagai peserta PPU melalui e-Dabu.",
			"Register the business, then all its workers as wage-earner participants (PPU) through e-Dabu."}),
		Details: map[string]any{"nib": nib}}
}

func employerInactive(e Employer, p Policy, region string) Reason {
	return Reason{Code: ReasonEmployerInactive, Outcome: OutcomeDeny,
		Message:    fmt.Sprintf("Kepesertaan badan usaha di BPJS Kesehatan tidak aktif (status %s %s).", e.Status, e.StatusText),
		MessageEN:  fmt.Sprintf("The employer's BPJS Kesehatan registration is not active (status %s %s).", e.Status, e.StatusText),
		LegalBasis: p.denyBasis(p.LegalBasis.Registration),
		Remedy: p.remedy(region, [2]string{
			"Aktifkan kembali kepesertaan badan usaha dan lunasi iuran yang tertunggak.",
			"Reactivate the employer registration and pay any contributions due."}),
		Details: map[string]any{"status": e.Status, "status_text": e.StatusText, "employer_code": e.Code}}
}

func employerStatusUnclear(e Employer, p Policy, region string) Reason {
	return Reason{Code: ReasonEmployerStatusUnclear, Outcome: OutcomeReview,
		Message:    fmt.Sprintf("Status badan usaha di BPJS Kesehatan (kode %q %s) tidak dikenal; petugas BPJS Kesehatan perlu memverifikasi.", e.Status, e.StatusText),
		MessageEN:  fmt.Sprintf("The employer's BPJS Kesehatan status (code %q %s) is not known; BPJS Kesehatan staff must verify it.", e.Status, e.StatusText),
		LegalBasis: p.LegalBasis.Supervision,
		Remedy: p.remedy(region, [2]string{
			"Tunggu verifikasi petugas BPJS Kesehatan atas status badan usaha.",
			"Await BPJS Kesehatan staff's verification of the employer's status."}),
		Details: map[string]any{"status": e.Status, "status_text": e.StatusText, "employer_code": e.Code}}
}

func employerNumberMismatch(given string, e Employer, p Policy, region string) Reason {
	return Reason{Code: ReasonEmployerNumberMismatch, Outcome: OutcomeReview,
		Message: fmt.Sprintf("Nomor pendaftaran BPJS Kesehatan pada permohonan (%s) berbeda dengan kode badan usaha di BPJS Kesehatan untuk NIB ini (%s).",
			given, e.Code),
		MessageEN: fmt.Sprintf("The BPJS Kesehatan registration number in the application (%s) differs from BPJS Kesehatan's employer code for this NIB (%s).",
			given, e.Code),
		LegalBasis: p.LegalBasis.Supervision,
		Remedy: p.remedy(region, [2]string{
			"Periksa nomor pendaftaran badan usaha di e-Dabu dan perbaiki data permohonan.",
			"Check the employer registration number in e-Dabu and correct the application."}),
		Details: map[string]any{"given": given, "employer_code": e.Code}}
}

func contributionArrears(e Employer, p Policy, region string) Reason {
	return Reason{Code: ReasonContributionArrears, Outcome: OutcomeDeny,
		Message: fmt.Sprintf("Badan usaha menunggak iuran %d bulan (%s); batas kebijakan %d bulan.",
			e.ArrearsMonths, rupiah(e.ArrearsAmount, "."), p.MaxArrearsMonths),
		MessageEN: fmt.Sprintf("The employer is %d months (%s) in contribution arrears; the policy allows %d.",
			e.ArrearsMonths, rupiah(e.ArrearsAmount, ","), p.MaxArrearsMonths),
		LegalBasis: p.denyBasis(p.LegalBasis.Contribution),
		Remedy: p.remedy(region, [2]string{
			fmt.Sprintf("Lunasi tunggakan iuran %d bulan (%s) melalui kanal pembayaran BPJS Kesehatan.", e.ArrearsMonths, rupiah(e.ArrearsAmount, ".")),
			fmt.Sprintf("Pay the %d months of arrears (%s) through a BPJS Kesehatan payment channel.", e.ArrearsMonths, rupiah(e.ArrearsAmount, ","))}),
		Details: map[string]any{"arrears_months": e.ArrearsMonths, "arrears_amount": e.ArrearsAmount,
			"max_arrears_months": p.MaxArrearsMonths, "last_paid_period": e.LastPaidPeriod}}
}

func workersUnderRegistered(declared, active, required, registered int, p Policy, region string) Reason {
	missing := required - active
	return Reason{Code: ReasonWorkersUnderRegistered, Outcome: OutcomeDeny,
		Message:    fmt.Sprintf("Baru %d dari %d pekerja yang dilaporkan terdaftar aktif di BPJS Kesehatan.", active, declared),
		MessageEN:  fmt.Sprintf("Only %d of %d declared workers are actively registered with BPJS Kesehatan.", active, declared),
		LegalBasis: p.denyBasis(p.LegalBasis.Registration),
		Remedy: p.remedy(region, [2]string{
			fmt.Sprintf("Daftarkan %d pekerja lagi sebagai peserta PPU melalui e-Dabu.", missing),
			fmt.Sprintf("Register %d more %s as wage-earner participants (PPU) through e-Dabu.", missing, plural(missing, "worker", "workers"))}),
		Details: map[string]any{"declared": declared, "active": active, "required": required,
			"registered": registered}}
}

// insufficientEvidence: there is no employer data, and the listed workers
// found active and employer-paid do not reach the required count, so
// nothing shows the declared workforce is covered.
func insufficientEvidence(declared, required, listed, activeListed int, p Policy, region string) Reason {
	return Reason{Code: ReasonInsufficientEvidence, Outcome: OutcomeReview,
		Message: fmt.Sprintf("Tidak ada data badan usaha dari BPJS Kesehatan, dan hanya %d dari %d pekerja yang disyaratkan (dari %d yang dilaporkan) tercantum aktif sebagai PPU; petugas BPJS Kesehatan perlu memverifikasi.",
			activeListed, required, declared),
		MessageEN: fmt.Sprintf("There is no BPJS Kesehatan employer data, and only %d of the %d workers required (of %d declared) are listed and active as employer-paid; BPJS Kesehatan staff must verify.",
			activeListed, required, declared),
		LegalBasis: p.LegalBasis.Supervision,
		Remedy: p.remedy(region, [2]string{
			fmt.Sprintf("Cantumkan NIK sekurang-kurangnya %d pekerja yang terdaftar sebagai PPU, atau tunggu verifikasi petugas.", required),
			fmt.Sprintf("List the NIKs of at least %d workers registered as PPU, or await the staff's verification.", required)}),
		Details: map[string]any{"declared": declared, "required": required, "listed": listed,
			"active_listed": activeListed}}
}

func registryUnavailable(u unavailableCounts, p Policy) Reason {
	basis := p.LegalBasis.Supervision
	if p.OnRegistryUnavailable == OutcomeDeny {
		basis = p.denyBasis(p.LegalBasis.Registration)
	}
	return Reason{Code: ReasonRegistryUnavailable, Outcome: p.OnRegistryUnavailable,
		Message:    "Data BPJS Kesehatan tidak dapat diakses saat ini dan tidak ada data tersimpan yang dapat dipakai.",
		MessageEN:  "BPJS Kesehatan data cannot be reached right now and no usable cached data exists.",
		LegalBasis: basis,
		Remedy:     "Tidak perlu tindakan; keputusan akan diperbarui setelah data BPJS Kesehatan tersedia / No action needed; the decision will be updated once BPJS Kesehatan data is available.",
		Details:    map[string]any{"employer_unavailable": u.employer, "workers_unavailable": u.workers}}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// rupiah writes an amount as Indonesian texts do, "Rp24.500.000", with sep
// ("." in Bahasa Indonesia, "," in English) between thousands.
func rupiah(amount int64, sep string) string {
	digits := strconv.FormatInt(amount, 10)
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	var b strings.Builder
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(d)
	}
	if neg {
		return "-Rp" + b.String()
	}
	return "Rp" + b.String()
}
