package bpjssim

// region is a city the simulator places employers and participants in.
type region struct {
	Code      string // Kemendagri code
	Name      string
	Districts int // kecamatan count: NIK district codes run 01..Districts
	// Contribution is the monthly PPU contribution per worker in rupiah
	// (5% of a wage near the city's minimum wage): arrears are counted in
	// it. Approximate; the simulator only needs plausible numbers.
	Contribution int64
}

// regions are the cities of the project's origin stories, plus Jakarta's
// five cities.
var regions = []region{
	{"1275", "KOTA MEDAN", 21, 195_000},
	{"1272", "KOTA TANJUNGBALAI", 6, 155_000},
	{"3573", "KOTA MALANG", 5, 175_000},
	{"5371", "KOTA KUPANG", 6, 115_000},
	{"3171", "KOTA JAKARTA SELATAN", 10, 270_000},
	{"3172", "KOTA JAKARTA TIMUR", 10, 270_000},
	{"3173", "KOTA JAKARTA PUSAT", 8, 270_000},
	{"3174", "KOTA JAKARTA BARAT", 8, 270_000},
	{"3175", "KOTA JAKARTA UTARA", 6, 270_000},
}

// RegionCodes lists the region codes the simulator generates data for.
func RegionCodes() []string {
	out := make([]string, len(regions))
	for i, r := range regions {
		out[i] = r.Code
	}
	return out
}

// Texts of the codes the simulator sends (keterangan).
var (
	employerStatusText = map[string]string{
		"1": "AKTIF", "2": "NONAKTIF", "3": "DIBEKUKAN", "8": "DALAM VERIFIKASI",
	}
	participantStatusText = map[string]string{
		"0": "AKTIF", "2": "MENINGGAL", "6": "TIDAK DITANGGUNG (BATAS USIA)",
		"7": "PENANGGUHAN PESERTA", "9": "NON AKTIF KARNA PREMI", "15": "NON AKTIF DI AKHIR BULAN",
		"99": "STATUS LAIN",
	}
	segmentText = map[string]string{
		"10": "PEGAWAI PEMERINTAH NON PNS", "13": "PEGAWAI SWASTA", "14": "PEKERJA MANDIRI",
		"21": "PBI (APBN)", "22": "PBI (APBD)",
	}
	classText = map[string]string{"1": "KELAS I", "2": "KELAS II", "3": "KELAS III"}
)

var (
	companyForms  = []string{"PT", "PT", "PT", "CV", "CV", "KOPERASI"}
	companyWords1 = []string{"SUMBER", "KARYA", "MITRA", "CAHAYA", "BINA", "PRIMA", "SINAR",
		"TUNAS", "GRAHA", "INTI", "PUTRA", "SAMUDRA", "BUMI", "CIPTA", "MEGA", "DUTA"}
	companyWords2 = []string{"SEJAHTERA", "MAKMUR", "ABADI", "JAYA", "SENTOSA", "NUSANTARA",
		"BERKAH", "MANDIRI", "UTAMA", "LESTARI", "PERKASA", "SEJATI", "GEMILANG", "BERSAMA"}
	companyWords3 = []string{"", "", "TEKNIK", "NIAGA", "LOGISTIK", "PANGAN", "KONSTRUKSI",
		"TEKSTIL", "FARMA", "MEDIA", "AGRO", "SOLUSI"}

	maleNames = []string{"BUDI", "AGUS", "ANDI", "RUDI", "HENDRA", "JOKO", "YOHANES",
		"FERDINAND", "RIZKY", "AHMAD", "DEDI", "SURYA", "MARTINUS", "IMAM", "BAYU", "TOGAR"}
	femaleNames = []string{"SITI", "DEWI", "RINA", "MARIA", "NURUL", "LESTARI", "YULIANA",
		"AYU", "FITRI", "MARGARETHA", "INDAH", "PUTRI", "SRI", "ELISABETH", "WULAN", "RATNA"}
	familyNames = []string{"SANTOSO", "SIREGAR", "NASUTION", "LUBIS", "HARAHAP", "WIJAYA",
		"PRASETYO", "NDOLU", "BENU", "FANGGIDAE", "KUSUMA", "HIDAYAT", "SARAGIH", "GINTING",
		"SIMANJUNTAK", "SETIAWAN", "PURBA", "TANJUNG", "RAHMAN", "LAKA"}
	providerKinds = []string{"PUSKESMAS", "KLINIK PRATAMA", "DR."}
)
