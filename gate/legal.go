package gate

import (
	"fmt"
	"strings"
)

// cite joins the non-empty citations with "; ".
func cite(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// denyBasis is the legal basis of a denial: the region's own instrument
// first (the DPMPTSP withholds the permit under it), then the national
// duty that was not met, then the national sanction article.
func (p Policy) denyBasis(duties ...string) string {
	parts := append([]string{p.LegalBasis.Regional}, duties...)
	return cite(append(parts, p.LegalBasis.Sanction)...)
}

// regionalPolicy names the regional policy itself: its instrument when the
// policy names one, else the policy version.
func (p Policy) regionalPolicy() string {
	if p.LegalBasis.Regional != "" {
		return p.LegalBasis.Regional
	}
	return "kebijakan daerah " + p.Version
}

// sanctionAuthority names what a denial stands under, for review messages:
// the regional instrument, or the national sanction article when the policy
// names no instrument.
func (p Policy) sanctionAuthority() string {
	if p.LegalBasis.Regional != "" {
		return p.LegalBasis.Regional
	}
	return p.LegalBasis.Sanction
}

// where says where a business owner goes: the branch office serving the
// region, or a generic pointer, in Bahasa Indonesia and English.
func (p Policy) where(region string) (id, en string) {
	if b, ok := p.BranchOfficeFor(region); ok {
		office := "Kantor Cabang BPJS Kesehatan " + b.Name
		if b.Address != "" {
			office += ", " + b.Address
		}
		return office, office
	}
	return "kantor cabang BPJS Kesehatan yang melayani daerah Anda (BPJS Kesehatan Care Center 165)",
		"the BPJS Kesehatan branch office serving your region (BPJS Kesehatan Care Center 165)"
}

// remedy joins Indonesian and English remedy texts, each pair "id / en",
// and says where to go.
func (p Policy) remedy(region string, pairs ...[2]string) string {
	id, en := p.where(region)
	var b strings.Builder
	for i, pr := range pairs {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s / %s", pr[0], pr[1])
	}
	fmt.Fprintf(&b, " Bantuan: %s / Help: %s.", id, en)
	return b.String()
}
