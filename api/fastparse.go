package api

import "github.com/jkngate/jkngate/gate"

// submission is the webhook body in its expected shape, for the fast path.
type submission struct {
	Type *string          `json:"type"`
	Data *applicationJSON `json:"data"`
}

// applicationJSON is an application's data object with exactly the JSON
// types the webhook body documents; any other type makes decoding fail.
type applicationJSON struct {
	ApplicationID   string   `json:"application_id"`
	NIB             string   `json:"nib"`
	NPWP            string   `json:"npwp"`
	CompanyName     string   `json:"company_name"`
	RegionCode      string   `json:"region_code"`
	PermitType      string   `json:"permit_type"`
	KBLI            []string `json:"kbli"`
	RiskLevel       string   `json:"risk_level"`
	BusinessScale   string   `json:"business_scale"`
	DeclaredWorkers *int     `json:"declared_workers"`
	Workers         []struct {
		NIK string `json:"nik"`
	} `json:"workers"`
	CallbackURL      string `json:"callback_url"`
	BPJSEmployerCode string `json:"bpjs_employer_code"`
}

// parseValidSubmission is the webhook's fast path, for a body checkJSON
// accepted with no folded keys: one decode into the expected types
// (decodeSubmission) and gate's validation. It reports false for anything else
// (wrong types, nulls, a missing field, an invalid value, another event
// type), and the caller then runs the field-by-field parser, which names
// every fault; valid bodies, the common case, skip its per-field work.
func parseValidSubmission(body []byte) (gate.Application, bool) {
	s, ok := decodeSubmission(body)
	if !ok || s.Type == nil || *s.Type != eventApplicationSubmitted ||
		s.Data == nil || s.Data.DeclaredWorkers == nil || len(s.Data.Workers) > gate.MaxListedWorkers {
		return gate.Application{}, false
	}
	d := s.Data
	app := gate.Application{ID: d.ApplicationID, NIB: d.NIB, NPWP: d.NPWP, CompanyName: d.CompanyName,
		RegionCode: d.RegionCode, PermitType: gate.PermitType(d.PermitType), KBLI: d.KBLI,
		RiskLevel: d.RiskLevel, BusinessScale: d.BusinessScale, DeclaredWorkers: *d.DeclaredWorkers,
		CallbackURL: d.CallbackURL, BPJSEmployerCode: d.BPJSEmployerCode}
	if len(d.Workers) > 0 {
		app.Workers = make([]gate.Worker, len(d.Workers))
		for i, w := range d.Workers {
			app.Workers[i].NIK = w.NIK
		}
	}
	if app.Validate() != nil {
		return gate.Application{}, false
	}
	return app, true
}
