package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/jkngate/jkngate/gate"
)

// whatIfInput is the what-if form. Worker NIKs come by POST only, never in
// a URL, and are never written back into a page.
type whatIfInput struct {
	NIB, Region, PermitType, Declared, Scale string
	Errors                                   map[string]string
}

// maxWhatIfBody bounds the what-if form (the NIK list is the big part).
const maxWhatIfBody = 256 << 10

func (c *Console) whatIfForm(w http.ResponseWriter, r *http.Request, v *view) {
	c.render(w, r, http.StatusOK, "whatif", "title.whatif", &v.Actor, struct {
		In     whatIfInput
		Result *gate.Decision
	}{whatIfInput{PermitType: string(gate.PermitBusinessLicense), Errors: map[string]string{}}, nil})
}

// whatIf is POST /console/what-if: gate evaluates the application as it
// would the webhook's, and records nothing but the access.
func (c *Console) whatIf(w http.ResponseWriter, r *http.Request, v *view) {
	r.Body = http.MaxBytesReader(w, r.Body, maxWhatIfBody)
	in := whatIfInput{NIB: strings.TrimSpace(r.PostFormValue("nib")), Region: strings.TrimSpace(r.PostFormValue("region_code")),
		PermitType: r.PostFormValue("permit_type"), Declared: strings.TrimSpace(r.PostFormValue("declared_workers")),
		Scale: r.PostFormValue("business_scale"), Errors: map[string]string{}}
	app := gate.Application{ID: "what-if", NIB: in.NIB, RegionCode: in.Region, PermitType: gate.PermitType(in.PermitType),
		BusinessScale: in.Scale}
	if in.Declared != "" {
		n, err := strconv.Atoi(in.Declared)
		if err != nil || n < 0 {
			in.Errors["declared_workers"] = translate(v.Lang, "field.declared_workers")
		}
		app.DeclaredWorkers = n
	}
	for _, line := range strings.FieldsFunc(r.PostFormValue("workers"), func(r rune) bool { return r == '\n' || r == ',' || r == ' ' || r == '\r' || r == '\t' }) {
		app.Workers = append(app.Workers, gate.Worker{NIK: line})
	}
	var result *gate.Decision
	status := http.StatusOK
	if len(in.Errors) == 0 {
		d, err := c.people.WhatIf(r.Context(), v.Actor, app)
		switch {
		case err == nil:
			result = &d
		case gate.KindOf(err) == gate.KindInvalid:
			for f, m := range fieldErrors(err, v.Lang) {
				if strings.HasPrefix(f, "workers") {
					f = "workers"
				}
				if in.Errors[f] == "" {
					in.Errors[f] = m
				}
			}
		case gate.KindOf(err) == gate.KindNotFound:
			in.Errors["region_code"] = translate(v.Lang, "field.region_scope")
		default:
			c.gateError(w, r, err)
			return
		}
	}
	if len(in.Errors) > 0 {
		status = http.StatusBadRequest
	}
	c.render(w, r, status, "whatif", "title.whatif", &v.Actor, struct {
		In     whatIfInput
		Result *gate.Decision
	}{in, result})
}

// deliveries is GET /console/deliveries (admins): outbound deliveries,
// with a retry button for the failed ones.
func (c *Console) deliveries(w http.ResponseWriter, r *http.Request, v *view) {
	state := gate.CallbackState(r.URL.Query().Get("state"))
	cursor := r.URL.Query().Get("cursor")
	if len(cursor) > 64 {
		c.errorPage(w, r, http.StatusBadRequest, "err.invalid")
		return
	}
	items, next, err := c.people.Callbacks(r.Context(), v.Actor, gate.CallbackFilter{State: state, After: cursor})
	if err != nil {
		c.gateError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "deliveries", "title.deliveries", &v.Actor, struct {
		Items []gate.Callback
		Next  string
		State string
	}{items, next, string(state)})
}

// retry is POST /console/deliveries/{id}/retry (admins).
func (c *Console) retry(w http.ResponseWriter, r *http.Request, v *view) {
	if _, err := c.people.RetryCallback(r.Context(), v.Actor, r.PathValue("id")); err != nil {
		c.gateError(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/deliveries", http.StatusSeeOther)
}

// audit is GET /console/audit (admins): the access trail, newest first.
func (c *Console) audit(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	f := gate.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), After: q.Get("cursor")}
	if len(f.Actor) > 256 || len(f.Action) > 64 || len(f.After) > 64 {
		c.errorPage(w, r, http.StatusBadRequest, "err.invalid")
		return
	}
	items, next, err := c.people.Audit(r.Context(), v.Actor, f)
	if err != nil {
		c.gateError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "audit", "title.audit", &v.Actor, struct {
		Items         []gate.AuditEntry
		Next          string
		Actor, Action string
	}{items, next, f.Actor, f.Action})
}
