# The compliance check of gate.Evaluate under the default policy, in Rego:
# the Open Policy Agent target of TestLoadSideBySide ("an equivalent Rego
# policy over HTTP, no durable record"). input is the webhook body
# (application.submitted); data.bpjs is BPJS's data as the gate would have
# it cached: employers by NIB and participants by NIK, written by the test
# from the BPJS simulator. The reasons carry what jkngate's carry: code,
# outcome, both languages, legal basis, remedy and the numbers behind them.
# Served at POST /v0/data/jkngate/decision, which takes the body as input.
package jkngate

app := input.data

perpres := "Perpres 82/2018 tentang Jaminan Kesehatan sebagaimana terakhir diubah dengan Perpres 59/2024"

registration := concat("", [perpres, ", Pasal 13"])

contribution := concat("", [perpres, ", Pasal 39"])

sanction := "PP 86/2013 Pasal 9"

supervision := "PP 86/2013 Pasal 13"

help := " Bantuan: kantor cabang BPJS Kesehatan / Help: the BPJS Kesehatan branch office."

gated := {"business_license", "building_permit", "tender", "foreign_worker", "outsourcing_license"}

employer_paid := {"13"}

severity := {"allow": 0, "review": 1, "deny": 2}

employer := data.bpjs.employers[app.nib]

# applicant is the employer code workers must be registered under.
applicant := employer.code if employer.code != ""

else := app.bpjs_employer_code

required := app.declared_workers

reasons contains r if {
	not app.permit_type in gated
	r := {
		"code": "PERMIT_NOT_GATED", "outcome": "allow",
		"message": sprintf("Jenis izin %s tidak disyaratkan kepatuhan BPJS Kesehatan oleh kebijakan daerah.", [app.permit_type]),
		"message_en": sprintf("The regional policy does not gate permit type %s on BPJS Kesehatan compliance.", [app.permit_type]),
		"legal_basis": "kebijakan daerah default-2026.11", "details": {"permit_type": app.permit_type},
	}
}

reasons contains r if {
	app.permit_type in gated
	not data.bpjs.employers[app.nib]
	r := {
		"code": "EMPLOYER_NOT_REGISTERED", "outcome": "deny",
		"message": sprintf("Badan usaha dengan NIB %s tidak terdaftar di BPJS Kesehatan.", [app.nib]),
		"message_en": sprintf("No employer with NIB %s is registered with BPJS Kesehatan.", [app.nib]),
		"legal_basis": concat("; ", [registration, sanction]),
		"remedy": concat("", ["Daftarkan badan usaha, lalu seluruh pekerja sebagai peserta PPU melalui e-Dabu. / Register the business, then all its workers as wage-earner participants (PPU) through e-Dabu.", help]),
		"details": {"nib": app.nib},
	}
}

reasons contains r if {
	app.permit_type in gated
	employer.status in {"2", "3"}
	r := {
		"code": "EMPLOYER_INACTIVE", "outcome": "deny",
		"message": sprintf("Kepesertaan badan usaha di BPJS Kesehatan tidak aktif (status %s %s).", [employer.status, employer.status_text]),
		"message_en": sprintf("The employer's BPJS Kesehatan registration is not active (status %s %s).", [employer.status, employer.status_text]),
		"legal_basis": concat("; ", [registration, sanction]),
		"remedy": concat("", ["Aktifkan kembali kepesertaan badan usaha dan lunasi iuran yang tertunggak. / Reactivate the employer registration and pay any contributions due.", help]),
		"details": {"status": employer.status, "status_text": employer.status_text, "employer_code": employer.code},
	}
}

reasons contains r if {
	app.permit_type in gated
	not employer.status in {"1", "2", "3"}
	r := {
		"code": "EMPLOYER_STATUS_UNCLEAR", "outcome": "review",
		"message": sprintf("Status badan usaha di BPJS Kesehatan (kode %q %s) tidak dikenal; petugas BPJS Kesehatan perlu memverifikasi.", [employer.status, employer.status_text]),
		"message_en": sprintf("The employer's BPJS Kesehatan status (code %q %s) is not known; BPJS Kesehatan staff must verify it.", [employer.status, employer.status_text]),
		"legal_basis": supervision,
		"details": {"status": employer.status, "status_text": employer.status_text, "employer_code": employer.code},
	}
}

reasons contains r if {
	app.permit_type in gated
	employer.arrears_months > 0
	r := {
		"code": "CONTRIBUTION_ARREARS", "outcome": "deny",
		"message": sprintf("Badan usaha menunggak iuran %d bulan (Rp%d); batas kebijakan 0 bulan.", [employer.arrears_months, employer.arrears_amount]),
		"message_en": sprintf("The employer is %d months (Rp%d) in contribution arrears; the policy allows 0.", [employer.arrears_months, employer.arrears_amount]),
		"legal_basis": concat("; ", [contribution, sanction]),
		"remedy": concat("", [sprintf("Lunasi tunggakan iuran %d bulan melalui kanal pembayaran BPJS Kesehatan. / Pay the %d months of arrears through a BPJS Kesehatan payment channel.", [employer.arrears_months, employer.arrears_months]), help]),
		"details": {"arrears_months": employer.arrears_months, "arrears_amount": employer.arrears_amount, "max_arrears_months": 0},
	}
}

reasons contains r if {
	app.permit_type in gated
	employer.active < required
	missing := required - employer.active
	r := {
		"code": "WORKERS_UNDER_REGISTERED", "outcome": "deny",
		"message": sprintf("Baru %d dari %d pekerja yang dilaporkan terdaftar aktif di BPJS Kesehatan.", [employer.active, app.declared_workers]),
		"message_en": sprintf("Only %d of %d declared workers are actively registered with BPJS Kesehatan.", [employer.active, app.declared_workers]),
		"legal_basis": concat("; ", [registration, sanction]),
		"remedy": concat("", [sprintf("Daftarkan %d pekerja lagi sebagai peserta PPU melalui e-Dabu. / Register %d more workers as wage-earner participants (PPU) through e-Dabu.", [missing, missing]), help]),
		"details": {"declared": app.declared_workers, "active": employer.active, "required": required, "registered": employer.registered},
	}
}

reasons contains r if {
	app.permit_type in gated
	app.bpjs_employer_code != ""
	employer.code != ""
	app.bpjs_employer_code != employer.code
	r := {
		"code": "EMPLOYER_NUMBER_MISMATCH", "outcome": "review",
		"message": sprintf("Nomor pendaftaran BPJS Kesehatan pada permohonan (%s) berbeda dengan kode badan usaha di BPJS Kesehatan untuk NIB ini (%s).", [app.bpjs_employer_code, employer.code]),
		"message_en": sprintf("The BPJS Kesehatan registration number in the application (%s) differs from BPJS Kesehatan's employer code for this NIB (%s).", [app.bpjs_employer_code, employer.code]),
		"legal_basis": supervision,
		"details": {"given": app.bpjs_employer_code, "employer_code": employer.code},
	}
}

# worker_reason classifies one listed worker; "" is active, employer-paid
# and registered under the applicant. Each participant is looked up once.
worker_reason(nik) := participant_reason(data.bpjs.participants[nik]) if {
	data.bpjs.participants[nik]
} else := "WORKER_NOT_REGISTERED"

participant_reason(p) := "WORKER_NOT_EMPLOYER_PAID" if {
	p.status == "0"
	not p.segment in employer_paid
} else := "WORKER_OTHER_EMPLOYER" if {
	p.status == "0"
	applicant != ""
	p.employer_code != ""
	p.employer_code != applicant
} else := "" if {
	p.status == "0"
} else := "WORKER_INACTIVE" if {
	p.status in {"9", "15"}
} else := "WORKER_STATUS_UNCLEAR"

worker_codes := {nik: code |
	some w in app.workers
	nik := w.nik
	code := worker_reason(nik)
}

# worker_problems are the reason codes some listed worker has.
worker_problems contains code if {
	some code in worker_codes
	code != ""
}

worker_texts := {
	"WORKER_NOT_REGISTERED": ["deny", "pekerja yang dicantumkan tidak terdaftar sebagai peserta JKN", "listed workers are not JKN participants"],
	"WORKER_INACTIVE": ["deny", "pekerja yang dicantumkan tidak aktif", "listed workers are not active"],
	"WORKER_NOT_EMPLOYER_PAID": ["review", "pekerja yang dicantumkan tidak didaftarkan sebagai PPU oleh pemberi kerja", "listed workers are not registered as employer-paid (PPU)"],
	"WORKER_OTHER_EMPLOYER": ["review", "pekerja yang dicantumkan terdaftar pada pemberi kerja lain", "listed workers are registered under another employer"],
	"WORKER_STATUS_UNCLEAR": ["review", "pekerja yang dicantumkan berstatus yang perlu diverifikasi", "listed workers have a status that must be verified"],
}

worker_basis := {
	"WORKER_NOT_REGISTERED": concat("; ", [registration, sanction]),
	"WORKER_INACTIVE": concat("; ", [registration, contribution, sanction]),
	"WORKER_NOT_EMPLOYER_PAID": registration,
	"WORKER_OTHER_EMPLOYER": registration,
	"WORKER_STATUS_UNCLEAR": supervision,
}

reasons contains r if {
	app.permit_type in gated
	some code in worker_problems
	t := worker_texts[code]
	niks := [masked | some nik, c in worker_codes; c == code; masked := concat("", [substring(nik, 0, 6), "******", substring(nik, 12, 4)])]
	count(niks) > 0
	basis := worker_basis[code]
	r := {
		"code": code, "outcome": t[0],
		"message": sprintf("%d %s.", [count(niks), t[1]]),
		"message_en": sprintf("%d %s.", [count(niks), t[2]]),
		"legal_basis": basis,
		"details": {"count": count(niks), "workers": niks},
	}
}

reasons contains r if {
	app.permit_type in gated
	count([x | some x in problems]) == 0
	r := {
		"code": "COMPLIANT", "outcome": "allow",
		"message": "Pemberi kerja dan pekerjanya terdaftar aktif di BPJS Kesehatan.",
		"message_en": "The employer and its workers are actively registered with BPJS Kesehatan.",
		"legal_basis": registration,
		"details": {"workers_checked": count(app.workers), "declared": app.declared_workers, "active": employer.active, "required": required},
	}
}

# problems are the codes of the checks that found something, for COMPLIANT
# (which cannot look at reasons itself: that would be recursion).
problems contains "employer" if not data.bpjs.employers[app.nib]

problems contains "employer" if not employer.status == "1"

problems contains "employer" if employer.arrears_months > 0

problems contains "employer" if employer.active < required

problems contains "employer" if {
	app.bpjs_employer_code != ""
	employer.code != ""
	app.bpjs_employer_code != employer.code
}

problems contains code if some code in worker_problems

outcome := o if {
	top := max([severity[r.outcome] | some r in reasons])
	some o, s in severity
	s == top
}

decision := {
	"application_id": app.application_id,
	"nib": app.nib,
	"region_code": app.region_code,
	"policy_version": "default-2026.11",
	"outcome": outcome,
	"reasons": reasons,
}
