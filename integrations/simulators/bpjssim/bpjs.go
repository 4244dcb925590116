package bpjssim

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
)

// Messages of the simulator's answers (metaData.message). Clients should
// act on metaData.code; the messages tell people what happened.
const (
	MsgParticipantNotFound = "Peserta tidak ditemukan"
	MsgEmployerNotFound    = "Badan usaha tidak terdaftar"
	MsgMissingHeaders      = "Header X-cons-id, X-timestamp, X-signature dan user_key wajib diisi"
	MsgBadConsID           = "Consumer ID tidak dikenal"
	MsgBadUserKey          = "user_key tidak valid"
	MsgBadSignature        = "Signature tidak valid"
	MsgTimestampOutOfRange = "Timestamp di luar toleransi 5 menit, periksa jam server"
)

// wib is Asia/Jakarta, fixed so that no tz database is needed.
var wib = time.FixedZone("WIB", 7*60*60)

// metaData is the VClaim envelope's status part.
type metaData struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// envelope is the VClaim response envelope; Response is null or the
// encrypted payload.
type envelope struct {
	MetaData metaData `json:"metaData"`
	Response *string  `json:"response"`
}

type kodeKeterangan struct {
	Kode       string `json:"kode"`
	Keterangan string `json:"keterangan"`
}

type pesertaPayload struct {
	Peserta struct {
		NoKartu       string         `json:"noKartu"`
		NIK           string         `json:"nik"`
		Nama          string         `json:"nama"`
		Sex           string         `json:"sex"`
		TglLahir      string         `json:"tglLahir"`
		TglTAT        string         `json:"tglTAT"`
		TglTMT        string         `json:"tglTMT"`
		StatusPeserta kodeKeterangan `json:"statusPeserta"`
		JenisPeserta  kodeKeterangan `json:"jenisPeserta"`
		HakKelas      kodeKeterangan `json:"hakKelas"`
		ProvUmum      struct {
			KdProvider string `json:"kdProvider"`
			NmProvider string `json:"nmProvider"`
		} `json:"provUmum"`
		// BadanUsaha is the employer that registered the participant, where
		// the simulated data names one.
		BadanUsaha *struct {
			Kode string `json:"kode"`
			Nama string `json:"nama"`
		} `json:"badanUsaha,omitempty"`
	} `json:"peserta"`
}

type badanUsahaPayload struct {
	BadanUsaha struct {
		KodeBadanUsaha string         `json:"kodeBadanUsaha"`
		NIB            string         `json:"nib"`
		NPWP           string         `json:"npwp"`
		Nama           string         `json:"nama"`
		Status         kodeKeterangan `json:"status"`
		JumlahPekerja  struct {
			Terdaftar int `json:"terdaftar"`
			Aktif     int `json:"aktif"`
		} `json:"jumlahPekerja"`
		Tunggakan struct {
			Bulan   int   `json:"bulan"`
			Nominal int64 `json:"nominal"`
		} `json:"tunggakan"`
		IuranTerakhir string `json:"iuranTerakhir"`
		TglData       string `json:"tglData"`
	} `json:"badanUsaha"`
}

// lookup answers a verified request with the payload to encrypt, or with a
// nil payload and the message of a metaData code "201" answer.
type lookup func(r *http.Request) (payload any, notFound string)

// bpjs serves a TrustMark-signed BPJS endpoint: count the call, apply the
// transport faults, verify the headers, look up, encrypt.
func (s *Server) bpjs(calls *atomic.Int64, find lookup) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		s.inFlight.Add(1)
		defer s.inFlight.Add(-1)
		f := s.Faults()
		if s.transportFault(w, r, f) {
			return
		}
		ts, err := trustmark.Verify(r.Header, s.creds, s.now(), TimestampTolerance)
		if err != nil {
			writeEnvelope(w, http.StatusUnauthorized, "401", authMessage(err), nil)
			return
		}
		payload, notFound := find(r)
		if payload == nil {
			writeEnvelope(w, http.StatusOK, "201", notFound, nil)
			return
		}
		secret := s.creds.Secret
		if s.draw(f.BadSignatureRate) {
			if f.BadSignatureMode == BadSignatureReject {
				writeEnvelope(w, http.StatusUnauthorized, "401", MsgBadSignature, nil)
				return
			}
			secret = "not-" + secret // decrypts to garbage, or fails to
		}
		plain, err := json.Marshal(payload)
		if err == nil {
			var enc string
			if enc, err = trustmark.Encrypt(plain, s.creds.ConsID, secret, ts); err == nil {
				writeEnvelope(w, http.StatusOK, "200", "OK", &enc)
				return
			}
		}
		s.log.Error("encrypting a response", "err", err)
		writeEnvelope(w, http.StatusInternalServerError, "500", "Internal Server Error", nil)
	})
}

// authMessage tells the kinds of Verify's errors apart, the clock problem
// most of all.
func authMessage(err error) string {
	switch {
	case errors.Is(err, trustmark.ErrTimestampOutOfRange):
		return MsgTimestampOutOfRange
	case errors.Is(err, trustmark.ErrMissingHeaders):
		return MsgMissingHeaders
	case errors.Is(err, trustmark.ErrBadConsID):
		return MsgBadConsID
	case errors.Is(err, trustmark.ErrBadUserKey):
		return MsgBadUserKey
	default:
		return MsgBadSignature
	}
}

func (s *Server) lookupParticipant(r *http.Request) (any, string) {
	nik, date := r.PathValue("nik"), r.PathValue("date")
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, "Format tanggal SEP tidak sesuai (yyyy-MM-dd)"
	}
	if !gate.ValidNIK(nik) {
		return nil, "NIK tidak valid"
	}
	p, ok := s.participants[nik]
	if !ok {
		return nil, MsgParticipantNotFound
	}
	var out pesertaPayload
	q := &out.Peserta
	q.NoKartu, q.NIK, q.Nama, q.Sex = p.CardNumber, p.NIK, p.Name, p.Sex
	q.TglLahir, q.TglTAT, q.TglTMT = p.BirthDate, p.CoverageEnd, p.CoverageStart
	q.StatusPeserta = kodeKeterangan{p.Status, p.StatusText}
	q.JenisPeserta = kodeKeterangan{p.Segment, p.SegmentText}
	q.HakKelas = kodeKeterangan{p.Class, classText[p.Class]}
	q.ProvUmum.KdProvider, q.ProvUmum.NmProvider = p.ProviderCode, p.ProviderName
	if p.EmployerCode != "" {
		q.BadanUsaha = &struct {
			Kode string `json:"kode"`
			Nama string `json:"nama"`
		}{p.EmployerCode, p.EmployerName}
	}
	return out, ""
}

func (s *Server) lookupEmployer(r *http.Request) (any, string) {
	e, ok := s.employers[r.PathValue("nib")]
	if !ok {
		return nil, MsgEmployerNotFound
	}
	var out badanUsahaPayload
	b := &out.BadanUsaha
	b.KodeBadanUsaha, b.NIB, b.NPWP, b.Nama = e.Code, e.NIB, e.NPWP, e.Name
	b.Status = kodeKeterangan{e.Status, e.StatusText}
	b.JumlahPekerja.Terdaftar, b.JumlahPekerja.Aktif = e.Registered, e.Active
	b.Tunggakan.Bulan, b.Tunggakan.Nominal = e.ArrearsMonths, e.ArrearsAmount
	// The data is as of yesterday; last month's contribution is the latest
	// one due, and every month in arrears moves the last paid one back.
	today := s.now().In(wib)
	b.TglData = today.AddDate(0, 0, -1).Format(time.DateOnly)
	firstOfMonth := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, wib)
	b.IuranTerakhir = firstOfMonth.AddDate(0, -1-e.ArrearsMonths, 0).Format("2006-01")
	return out, ""
}

// writeEnvelope writes a VClaim envelope; response nil is JSON null.
func writeEnvelope(w http.ResponseWriter, status int, code, message string, response *string) {
	writeJSON(w, status, envelope{MetaData: metaData{Code: code, Message: message}, Response: response})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, fmt.Sprintf("bpjssim: %v", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}
