package gate

import "strings"

// ValidNIB reports whether s is a NIB: exactly 13 digits.
func ValidNIB(s string) bool { return len(s) == 13 && allDigits(s) }

// ValidNIK reports whether s has the structure of a NIK: 16 digits whose
// birth date part has a day of 01-31 (or 41-71 for women) and a month of
// 01-12. A NIK has no check digit, so structure is all that can be checked.
func ValidNIK(s string) bool {
	if len(s) != 16 || !allDigits(s) {
		return false
	}
	day := int(s[6]-'0')*10 + int(s[7]-'0')
	month := int(s[8]-'0')*10 + int(s[9]-'0')
	if !(day >= 1 && day <= 31) && !(day >= 41 && day <= 71) {
		return false
	}
	return month >= 1 && month <= 12
}

// NormalizeNPWP strips the dots and dashes people write in an NPWP and
// reports whether what remains is a valid NPWP: 15 digits (the old form) or
// 16 digits (since 2024).
func NormalizeNPWP(s string) (string, bool) {
	d := strings.Map(func(r rune) rune {
		if r == '.' || r == '-' || r == ' ' {
			return -1
		}
		return r
	}, s)
	return d, (len(d) == 15 || len(d) == 16) && allDigits(d)
}

// ValidRegionCode reports whether s is a Kemendagri region code without
// dots: 2 digits for a province or 4 for a regency or city.
func ValidRegionCode(s string) bool { return (len(s) == 2 || len(s) == 4) && allDigits(s) }

// NormalizeRegionCode reads a Kemendagri region code in any of the forms
// OSS and people write it: 2, 4, 6 or 10 digits, with or without dots
// ("12.75", "1275", "1275000000"). Trailing zero parts are dropped
// ("1200000000" is the province "12"), and a district or village code
// becomes its regency, the level a DPMPTSP decides at. It reports false for
// anything else.
func NormalizeRegionCode(s string) (string, bool) {
	d := strings.ReplaceAll(s, ".", "")
	if !allDigits(d) || (len(d) != 2 && len(d) != 4 && len(d) != 6 && len(d) != 10) || d[:2] == "00" {
		return "", false
	}
	if strings.Contains(s, ".") && !dottedRegion(s) {
		return "", false
	}
	if len(d) == 2 || d[2:4] == "00" {
		if strings.Trim(d[2:], "0") != "" {
			return "", false // a village under regency 00 does not exist
		}
		return d[:2], true
	}
	return d[:4], true
}

// dottedRegion reports whether s puts its dots where Kemendagri does:
// 12.75.01.1001.
func dottedRegion(s string) bool {
	parts := strings.Split(s, ".")
	want := []int{2, 2, 2, 4}
	if len(parts) > len(want) {
		return false
	}
	for i, p := range parts {
		if len(p) != want[i] {
			return false
		}
	}
	return true
}

// businessScaleCodes maps OSS's skala_usaha codes to gate's scale names.
var businessScaleCodes = map[string]string{"01": "mikro", "02": "kecil", "03": "menengah", "04": "besar"}

// NormalizeBusinessScale reads a business scale by name or by OSS code
// ("01"-"04"); it reports false for anything else.
func NormalizeBusinessScale(s string) (string, bool) {
	if name, ok := businessScaleCodes[s]; ok {
		return name, true
	}
	return s, contains(BusinessScales, s)
}

// ValidEmployerCode reports whether s can be a BPJS Kesehatan employer
// registration number: 1 to 32 letters and digits.
func ValidEmployerCode(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// RegionCovers reports whether the region code scope covers region: equal
// codes, or a 2-digit province code that prefixes a 4-digit one.
func RegionCovers(scope, region string) bool {
	if scope == region {
		return true
	}
	return len(scope) == 2 && len(region) == 4 && strings.HasPrefix(region, scope)
}

// ValidKBLI reports whether s is a 5-digit KBLI 2020 code.
func ValidKBLI(s string) bool { return len(s) == 5 && allDigits(s) }

// MaskNIK hides the middle of a NIK so that it can be shown or logged:
// 1275014101900001 -> 1275********0001. Anything that is not 16 characters
// long is masked whole, so that a malformed NIK never leaks either.
func MaskNIK(nik string) string {
	if len(nik) != 16 {
		return strings.Repeat("*", len(nik))
	}
	return nik[:4] + "********" + nik[12:]
}

// IsMaskedNIK reports whether nik is masked (by MaskNIK, or any other
// masking with '*'), not a full NIK: the worker's personal data was erased
// under the retention policy, or never given in full.
func IsMaskedNIK(nik string) bool { return strings.Contains(nik, "*") }

// MaskName keeps the first letter of each word of a person's name:
// "BUDI SANTOSO" -> "B*** S******".
func MaskName(name string) string {
	var b strings.Builder
	first := true
	for _, r := range name {
		switch {
		case r == ' ':
			first = true
			b.WriteRune(r)
		case first:
			first = false
			b.WriteRune(r)
		default:
			b.WriteByte('*')
		}
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
