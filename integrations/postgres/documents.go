package postgres

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// The jsonb documents of the reasons, evidence, review and application
// columns. They have the SQLite store's shapes, so that data moves between
// the two stores unchanged; gate's types carry no JSON tags, and the stored
// form must not change when a Go field is renamed, so the store owns these.
// jsonb keeps neither key order nor whitespace, which decoding ignores.

// docTimeLayout is the layout of times inside documents (evidence as_of,
// review at): the SQLite store's, UTC with nanoseconds.
const docTimeLayout = "2006-01-02T15:04:05.000000000Z"

// formatDocTime stores the zero time as "", so that it reads back as the
// zero time rather than as year 1 UTC.
func formatDocTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(docTimeLayout)
}

func parseDocTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(docTimeLayout, s)
}

type reasonDoc struct {
	Code       string         `json:"code"`
	Outcome    string         `json:"outcome"`
	Message    string         `json:"message"`
	MessageEN  string         `json:"message_en"`
	LegalBasis string         `json:"legal_basis"`
	Remedy     string         `json:"remedy"`
	Details    map[string]any `json:"details,omitempty"`
}

type evidenceDoc struct {
	Source         string       `json:"source"`
	AsOf           string       `json:"as_of,omitempty"`
	WorkersListed  int          `json:"workers_listed"`
	WorkersChecked int          `json:"workers_checked"`
	Employer       *employerDoc `json:"employer,omitempty"`
}

type employerDoc struct {
	Code              string `json:"code"`
	NIB               string `json:"nib"`
	NPWP              string `json:"npwp"`
	Name              string `json:"name"`
	Status            string `json:"status"`
	StatusText        string `json:"status_text"`
	RegisteredWorkers int    `json:"registered_workers"`
	ActiveWorkers     int    `json:"active_workers"`
	ArrearsMonths     int    `json:"arrears_months"`
	ArrearsAmount     int64  `json:"arrears_amount"`
	LastPaidPeriod    string `json:"last_paid_period"`
	DataDate          string `json:"data_date"`
}

// applicationDoc is the submitted application. Workers hold NIKs: personal
// data, erased by the retention job.
type applicationDoc struct {
	ID              string   `json:"application_id"`
	NIB             string   `json:"nib"`
	NPWP            string   `json:"npwp,omitempty"`
	CompanyName     string   `json:"company_name,omitempty"`
	RegionCode      string   `json:"region_code"`
	PermitType      string   `json:"permit_type"`
	KBLI            []string `json:"kbli,omitempty"`
	RiskLevel       string   `json:"risk_level,omitempty"`
	BusinessScale   string   `json:"business_scale,omitempty"`
	DeclaredWorkers int      `json:"declared_workers"`
	Workers         []string `json:"workers,omitempty"`
	CallbackURL     string   `json:"callback_url,omitempty"`
}

type reviewDoc struct {
	State  string `json:"state"`
	Action string `json:"action,omitempty"`
	Note   string `json:"note,omitempty"`
	By     string `json:"by,omitempty"`
	At     string `json:"at,omitempty"`
}

func encodeReview(r gate.Review) (string, error) {
	b, err := json.Marshal(reviewDoc{State: r.State, Action: r.Action, Note: r.Note, By: r.By,
		At: formatDocTime(r.At)})
	return string(b), err
}

func decodeReview(s string) (*gate.Review, error) {
	var doc reviewDoc
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return nil, err
	}
	at, err := parseDocTime(doc.At)
	if err != nil {
		return nil, err
	}
	return &gate.Review{State: doc.State, Action: doc.Action, Note: doc.Note, By: doc.By, At: at}, nil
}

// encodeApplication returns nil (NULL) for an application without an id.
func encodeApplication(a gate.Application) (*string, error) {
	if a.ID == "" {
		return nil, nil
	}
	doc := applicationDoc{ID: a.ID, NIB: a.NIB, NPWP: a.NPWP, CompanyName: a.CompanyName,
		RegionCode: a.RegionCode, PermitType: string(a.PermitType), KBLI: a.KBLI, RiskLevel: a.RiskLevel,
		BusinessScale: a.BusinessScale, DeclaredWorkers: a.DeclaredWorkers, CallbackURL: a.CallbackURL}
	for _, w := range a.Workers {
		doc.Workers = append(doc.Workers, w.NIK)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	s := string(b)
	return &s, nil
}

func decodeApplication(s *string) (gate.Application, error) {
	if s == nil {
		return gate.Application{}, nil
	}
	var doc applicationDoc
	if err := json.Unmarshal([]byte(*s), &doc); err != nil {
		return gate.Application{}, err
	}
	a := gate.Application{ID: doc.ID, NIB: doc.NIB, NPWP: doc.NPWP, CompanyName: doc.CompanyName,
		RegionCode: doc.RegionCode, PermitType: gate.PermitType(doc.PermitType), KBLI: doc.KBLI,
		RiskLevel: doc.RiskLevel, BusinessScale: doc.BusinessScale, DeclaredWorkers: doc.DeclaredWorkers,
		CallbackURL: doc.CallbackURL}
	for _, nik := range doc.Workers {
		a.Workers = append(a.Workers, gate.Worker{NIK: nik})
	}
	return a, nil
}

func unmarshalNumbers(s string, v any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	return dec.Decode(v)
}

// decodeNumbers replaces the json.Numbers in v (decoded with UseNumber) by
// int when the number is an integer that fits, and by float64 otherwise, as
// the SQLite store does: an integer detail reads back as the int it was
// recorded as (int64 and other integer types become int), not as float64.
// jsonb keeps numbers as numeric, so 52 comes back as 52 and 12345678901
// without loss.
func decodeNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil && int64(int(i)) == i {
			return int(i)
		}
		f, _ := v.Float64() // valid JSON numbers always parse; huge ones become ±Inf
		return f
	case map[string]any:
		for k, x := range v {
			v[k] = decodeNumbers(x)
		}
		return v
	case []any:
		for i, x := range v {
			v[i] = decodeNumbers(x)
		}
		return v
	default:
		return v
	}
}
