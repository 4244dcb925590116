package bpjs

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/jkngate/jkngate/gate"
)

// The decrypted payloads. Pointers mark the parts a decision rests on, so
// that a missing part is told from a zero one: an absent "tunggakan" must
// not read as "no arrears".

type codeText struct {
	Kode       flexString `json:"kode"`
	Keterangan string     `json:"keterangan"`
}

type peserta struct {
	NoKartu       string    `json:"noKartu"`
	NIK           string    `json:"nik"`
	Nama          string    `json:"nama"`
	StatusPeserta *codeText `json:"statusPeserta"`
	JenisPeserta  *codeText `json:"jenisPeserta"`
	// BadanUsaha names the employer that registered the participant, where
	// BPJS's data says; absent, gate skips the other-employer check.
	BadanUsaha *struct {
		Kode flexString `json:"kode"`
	} `json:"badanUsaha"`
}

type badanUsaha struct {
	KodeBadanUsaha string    `json:"kodeBadanUsaha"`
	NIB            string    `json:"nib"`
	NPWP           string    `json:"npwp"`
	Nama           string    `json:"nama"`
	Status         *codeText `json:"status"`
	JumlahPekerja  *struct {
		Terdaftar flexInt `json:"terdaftar"`
		Aktif     flexInt `json:"aktif"`
	} `json:"jumlahPekerja"`
	Tunggakan *struct {
		Bulan   flexInt `json:"bulan"`
		Nominal flexInt `json:"nominal"`
	} `json:"tunggakan"`
	IuranTerakhir string `json:"iuranTerakhir"`
	TglData       string `json:"tglData"`
}

// decodeParticipant maps VClaim's {"peserta": {...}} for a lookup of nik.
// Its errors never quote the payload, which holds personal data.
func decodeParticipant(plain []byte, nik string) (gate.Participant, error) {
	var body struct {
		Peserta *peserta `json:"peserta"`
	}
	if err := json.Unmarshal(plain, &body); err != nil {
		return gate.Participant{}, fmt.Errorf("decrypted payload: %w", jsonErr(err))
	}
	p := body.Peserta
	switch {
	case p == nil:
		return gate.Participant{}, errors.New("decrypted payload has no peserta")
	case p.StatusPeserta == nil || p.StatusPeserta.Kode == "":
		return gate.Participant{}, errors.New("peserta has no statusPeserta.kode")
	case p.JenisPeserta == nil || p.JenisPeserta.Kode == "":
		return gate.Participant{}, errors.New("peserta has no jenisPeserta.kode")
	case p.NIK != "" && p.NIK != nik:
		return gate.Participant{}, errors.New("peserta is for another NIK")
	}
	out := gate.Participant{
		NIK:         nik,
		CardNumber:  p.NoKartu,
		Name:        p.Nama,
		Status:      string(p.StatusPeserta.Kode),
		StatusText:  p.StatusPeserta.Keterangan,
		Segment:     string(p.JenisPeserta.Kode),
		SegmentText: p.JenisPeserta.Keterangan,
	}
	if p.BadanUsaha != nil {
		out.EmployerCode = string(p.BadanUsaha.Kode)
	}
	return out, nil
}

// decodeEmployer maps the data-sharing endpoint's {"badanUsaha": {...}}
// (README, "The BPJS simulator": BadanUsaha/nib) for a lookup of nib.
func decodeEmployer(plain []byte, nib string) (gate.Employer, error) {
	var body struct {
		BadanUsaha *badanUsaha `json:"badanUsaha"`
	}
	if err := json.Unmarshal(plain, &body); err != nil {
		return gate.Employer{}, fmt.Errorf("decrypted payload: %w", jsonErr(err))
	}
	b := body.BadanUsaha
	switch {
	case b == nil:
		return gate.Employer{}, errors.New("decrypted payload has no badanUsaha")
	case b.Status == nil || b.Status.Kode == "":
		return gate.Employer{}, errors.New("badanUsaha has no status.kode")
	case b.JumlahPekerja == nil:
		return gate.Employer{}, errors.New("badanUsaha has no jumlahPekerja")
	case b.Tunggakan == nil:
		return gate.Employer{}, errors.New("badanUsaha has no tunggakan")
	case b.NIB != "" && b.NIB != nib:
		return gate.Employer{}, fmt.Errorf("badanUsaha is for NIB %q, not %q", b.NIB, nib)
	}
	e := gate.Employer{
		Code:              b.KodeBadanUsaha,
		NIB:               nib,
		NPWP:              b.NPWP,
		Name:              b.Nama,
		Status:            string(b.Status.Kode),
		StatusText:        b.Status.Keterangan,
		RegisteredWorkers: int(b.JumlahPekerja.Terdaftar),
		ActiveWorkers:     int(b.JumlahPekerja.Aktif),
		ArrearsMonths:     int(b.Tunggakan.Bulan),
		ArrearsAmount:     int64(b.Tunggakan.Nominal),
		LastPaidPeriod:    b.IuranTerakhir,
		DataDate:          b.TglData,
	}
	// A count or amount no employer can have is a broken answer, not a
	// fact to decide on: a negative arrears would pass a denial.
	if err := e.CheckBounds(); err != nil {
		return gate.Employer{}, fmt.Errorf("badanUsaha: %w", err)
	}
	return e, nil
}

// jsonErr keeps encoding/json's error kind but drops any quoted value.
func jsonErr(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("not JSON (offset %d)", syn.Offset)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Errorf("field %s has the wrong type (%s)", typ.Field, typ.Value)
	}
	return errors.New("invalid JSON value")
}

// flexInt accepts a JSON integer or a string holding one: counts and
// rupiah amounts are whole numbers, but not every exporter writes them as
// numbers. null is 0.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not a whole number: %w", err)
	}
	*f = flexInt(n)
	return nil
}
