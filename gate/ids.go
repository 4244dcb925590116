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
