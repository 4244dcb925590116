package oss

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/jkngate/jkngate/gate"
)

// The tipe_dokumen values OSS sends.
const (
	DocOriginal     = "9" // original: submit
	DocUpdate       = "5" // update: submit again
	DocRevocation   = "3" // pencabutan: withdraw
	DocCancellation = "4" // pembatalan: withdraw
)

// scaleCodes maps skala_usaha codes to gate's business scales.
var scaleCodes = map[string]string{"01": "mikro", "02": "kecil", "03": "menengah", "04": "besar"}

// Item is one checklist permit as an application, with the OSS ids its
// statuses are reported under.
type Item struct {
	App      gate.Application
	Ref      Ref
	Withdraw bool // tipe_dokumen 3 or 4
	// WebhookID identifies the item's content: the same item sent again
	// gets the same id (and so the same decision); a changed one another.
	WebhookID string
}

// Ref is what receiveLicenseStatus reports a permit under.
type Ref struct {
	IDIzin   string
	NIB      string
	OSSID    string
	IDProyek string
	IDProduk string
	KdIzin   string
}

// Withdrawing reports whether tipe_dokumen withdraws the permits.
func (d *DataNIB) Withdrawing() bool {
	return d.TipeDokumen == DocRevocation || d.TipeDokumen == DocCancellation
}

// Applications turns each data_checklist item of d into one application,
// as the README's mapping table says: permit types from policy
// (oss_permit_types), callbacks to statusURL. Every fault is reported at
// once, each naming its field ("dataNIB.data_checklist[0].id_izin").
func Applications(d *DataNIB, policy gate.Policy, statusURL string) ([]Item, []FieldError) {
	var errs []FieldError
	add := func(field, msg string, args ...any) {
		errs = append(errs, FieldError{Field: "dataNIB." + field, Message: fmt.Sprintf(msg, args...)})
	}
	switch d.TipeDokumen {
	case DocOriginal, DocUpdate, DocRevocation, DocCancellation:
	default:
		add("tipe_dokumen", "must be 9, 5, 3 or 4")
	}
	if d.NIB == "" {
		add("nib", "is required")
	} else if !gate.ValidNIB(string(d.NIB)) {
		add("nib", "must be 13 digits")
	}
	scale := ""
	if d.SkalaUsaha != "" {
		s, ok := scaleCodes[string(d.SkalaUsaha)]
		if !ok {
			add("skala_usaha", "must be 01, 02, 03 or 04")
		}
		scale = s
	}
	if len(d.Checklist) == 0 {
		add("data_checklist", "must list at least one permit")
	}
	workers := make([]int, len(d.Proyek))
	for i, p := range d.Proyek {
		for _, f := range []struct {
			name string
			v    Lenient
		}{{"jumlah_tki_l", p.JumlahTKIL}, {"jumlah_tki_p", p.JumlahTKIP}, {"jumlah_tka_l", p.JumlahTKAL}, {"jumlah_tka_p", p.JumlahTKAP}} {
			n, ok := f.v.Count()
			if !ok {
				add(fmt.Sprintf("data_proyek[%d].%s", i, f.name), "must be a whole number from 0")
			}
			workers[i] += n
		}
	}
	items := make([]Item, 0, len(d.Checklist))
	seen := map[string]bool{}
	for i, c := range d.Checklist {
		at := fmt.Sprintf("data_checklist[%d].", i)
		if c.IDIzin == "" {
			add(at+"id_izin", "is required")
			continue
		}
		if seen[string(c.IDIzin)] {
			add(at+"id_izin", "is listed twice")
			continue
		}
		seen[string(c.IDIzin)] = true
		region := c.KdDaerah
		if region == "" {
			region = d.KdDaerah
		}
		if _, ok := gate.NormalizeRegionCode(string(region)); !ok {
			if c.KdDaerah != "" {
				add(at+"kd_daerah", "must be a 10-digit Kemendagri code")
			} else {
				add("kd_daerah", "must be a 10-digit Kemendagri code (or give one per checklist item)")
			}
		}
		declared, kbli := 0, []string{}
		matched := false
		for j, p := range d.Proyek {
			if c.IDProyek != "" && p.IDProyek == c.IDProyek {
				matched = true
				declared += workers[j]
				if p.KBLI != "" && !slices.Contains(kbli, string(p.KBLI)) {
					kbli = append(kbli, string(p.KBLI))
				}
			}
		}
		if !matched {
			for _, n := range workers {
				declared += n
			}
		}
		app := gate.Application{
			ID: string(c.IDIzin), NIB: string(d.NIB), NPWP: string(d.NPWPPerseroan),
			CompanyName: string(d.NamaPerseroan), RegionCode: string(region),
			PermitType: policy.OSSPermitType(string(c.KdIzin)), KBLI: kbli,
			BusinessScale: scale, DeclaredWorkers: declared,
			BPJSEmployerCode: string(d.NoVA), CallbackURL: statusURL,
		}
		items = append(items, Item{App: app, Withdraw: d.Withdrawing(),
			Ref: Ref{IDIzin: string(c.IDIzin), NIB: string(d.NIB), OSSID: string(d.OSSID),
				IDProyek: string(c.IDProyek), IDProduk: string(c.IDProduk), KdIzin: string(c.KdIzin)},
			WebhookID: contentID(app)})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	// gate's own checks, on the mapped values, named by OSS's fields.
	for i := range items {
		probe := items[i].App
		var ge *gate.Error
		if err := probe.Validate(); errors.As(err, &ge) {
			for _, f := range ge.Fields {
				errs = append(errs, FieldError{Field: fmt.Sprintf("dataNIB.data_checklist[%d] (%s)", i, ossField(f.Field)),
					Message: f.Message})
			}
		}
	}
	return items, errs
}

// ossField names the OSS field an application field comes from.
func ossField(appField string) string {
	switch appField {
	case "application_id":
		return "id_izin"
	case "nib":
		return "nib"
	case "npwp":
		return "npwp_perseroan"
	case "company_name":
		return "nama_perseroan"
	case "region_code":
		return "kd_daerah"
	case "business_scale":
		return "skala_usaha"
	case "bpjs_employer_code":
		return "no_va"
	case "declared_workers":
		return "data_proyek.jumlah_tki_l/_p, jumlah_tka_l/_p"
	}
	if len(appField) > 4 && appField[:4] == "kbli" {
		return "data_proyek.kbli"
	}
	return appField
}

// contentID is "oss_" and a hash of everything the decision depends on, so
// an unchanged item resent is recognised (webhook ids are at most 128
// characters of letters, digits and _-.).
func contentID(a gate.Application) string {
	b, _ := json.Marshal([]any{a.ID, a.NIB, a.NPWP, a.CompanyName, a.RegionCode, a.PermitType, a.KBLI,
		a.BusinessScale, a.DeclaredWorkers, a.BPJSEmployerCode})
	sum := sha256.Sum256(b)
	return "oss_" + hex.EncodeToString(sum[:16])
}
