package bpjssim

import (
	"fmt"
	"strings"
	"time"
)

// nik draws a NIK that no one in the data set has yet: the city's code, a
// district, the birth date as DDMMYY with 40 added to the day for women, and
// a 4-digit serial.
func (g *generator) nik(reg region, female bool, birth time.Time) string {
	day := birth.Day()
	if female {
		day += 40
	}
	for {
		nik := fmt.Sprintf("%s%02d%02d%02d%02d%04d", reg.Code, 1+g.rng.IntN(reg.Districts),
			day, int(birth.Month()), birth.Year()%100, 1+g.rng.IntN(9999))
		if !g.niks[nik] {
			g.niks[nik] = true
			return nik
		}
	}
}

// unknownNIK draws a valid NIK that is reserved so that no participant ever
// gets it.
func (g *generator) unknownNIK(reg region) string {
	birth := time.Date(1960+g.rng.IntN(45), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	return g.nik(reg, g.rng.IntN(2) == 0, birth)
}

// nib draws a 13-digit NIB not used yet, by an employer or as an
// unregistered NIB.
func (g *generator) nib() string {
	for {
		nib := g.digits("912", 13)
		if !g.nibs[nib] {
			g.nibs[nib] = true
			return nib
		}
	}
}

// digits returns prefix followed by random digits, n characters in all.
func (g *generator) digits(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for b.Len() < n {
		b.WriteByte(byte('0' + g.rng.IntN(10)))
	}
	return b.String()
}

func (g *generator) companyName() string {
	name := g.pick(companyForms...) + " " + g.pick(companyWords1...) + " " + g.pick(companyWords2...)
	if w := g.pick(companyWords3...); w != "" {
		name += " " + w
	}
	return name
}

func (g *generator) personName(female bool) string {
	if female {
		return g.pick(femaleNames...) + " " + g.pick(familyNames...)
	}
	return g.pick(maleNames...) + " " + g.pick(familyNames...)
}

func (g *generator) pick(options ...string) string { return options[g.rng.IntN(len(options))] }

func (g *generator) region() region { return regions[g.rng.IntN(len(regions))] }

func (g *generator) regionIndex(reg region) int {
	for i, r := range regions {
		if r.Code == reg.Code {
			return i
		}
	}
	return 0
}
