package console

import (
	"net/http"
	"net/url"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// dashboard is GET /console/: coverage per regency, as the regions report
// it (registered is not active), with a bar chart drawn here as SVG.
func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, v *view) {
	rep, err := c.people.Coverage(r.Context(), v.Actor, gate.DecisionFilter{}, gate.GroupByRegion)
	if err != nil {
		c.gateError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "dashboard", "title.dashboard", &v.Actor, struct {
		Report gate.CoverageReport
		Chart  chart
	}{rep, coverageChart(rep, v.Lang)})
}

// decisionQuery is the decisions page's filters, as they appear in its URL.
type decisionQuery struct {
	NIB, ApplicationID, Outcome, Region, Since, Until, Cursor string
	Errors                                                    map[string]string
}

func readDecisionQuery(q url.Values) (decisionQuery, gate.DecisionFilter) {
	dq := decisionQuery{NIB: q.Get("nib"), ApplicationID: q.Get("application_id"), Outcome: q.Get("outcome"),
		Region: q.Get("region"), Since: q.Get("since"), Until: q.Get("until"), Cursor: q.Get("cursor"),
		Errors: map[string]string{}}
	f := gate.DecisionFilter{NIB: dq.NIB, ApplicationID: dq.ApplicationID, Region: dq.Region, After: dq.Cursor,
		Limit: gate.DefaultPageSize}
	if dq.NIB != "" && !gate.ValidNIB(dq.NIB) {
		dq.Errors["nib"] = "field.nib"
	}
	switch gate.Outcome(dq.Outcome) {
	case "", gate.OutcomeAllow, gate.OutcomeDeny, gate.OutcomeReview:
		f.Outcome = gate.Outcome(dq.Outcome)
	default:
		dq.Errors["outcome"] = "field.outcome"
	}
	if dq.Region != "" && !((len(dq.Region) == 2 || len(dq.Region) == 4) && allDigits(dq.Region)) {
		dq.Errors["region"] = "field.region"
	}
	for _, d := range []struct {
		name, value string
		into        *time.Time
	}{{"since", dq.Since, &f.Since}, {"until", dq.Until, &f.Until}} {
		if d.value == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", d.value)
		if err != nil {
			dq.Errors[d.name] = "field.date"
			continue
		}
		*d.into = t
	}
	if !f.Until.IsZero() {
		f.Until = f.Until.AddDate(0, 0, 1) // the day given is included
	}
	if len(dq.Cursor) > 64 {
		dq.Errors["cursor"] = "field.cursor"
	}
	return dq, f
}

// decisions is GET /console/decisions: filters, one page at a time, and a
// link to the same filters as CSV.
func (c *Console) decisions(w http.ResponseWriter, r *http.Request, v *view) {
	dq, f := readDecisionQuery(r.URL.Query())
	data := struct {
		Query decisionQuery
		Items []gate.Decision
		Next  string
	}{Query: dq}
	status := http.StatusOK
	if len(dq.Errors) > 0 {
		status = http.StatusBadRequest
	} else {
		var err error
		if data.Items, data.Next, err = c.people.Decisions(r.Context(), v.Actor, f); err != nil {
			c.gateError(w, r, err)
			return
		}
	}
	c.render(w, r, status, "decisions", "title.decisions", &v.Actor, data)
}

// maxChain bounds how far back the supersession chain is followed.
const maxChain = 20

// decision is GET /console/decisions/{id}: the decision, what it
// superseded and what superseded it, with every review on the way, and
// (for admins) the deliveries that told the licensing system.
func (c *Console) decision(w http.ResponseWriter, r *http.Request, v *view) {
	c.showDecision(w, r, v, http.StatusOK, reviewForm{})
}

// reviewForm is the review form's state when it is shown again.
type reviewForm struct {
	Action, Note string
	Errors       map[string]string
	// Conflict is set when someone else reviewed first: who, what, when.
	Conflict *gate.Review
	// Winner is the decision that now stands, when known.
	Winner string
}

func (c *Console) showDecision(w http.ResponseWriter, r *http.Request, v *view, status int, form reviewForm) {
	ctx := r.Context()
	d, err := c.people.Decision(ctx, v.Actor, r.PathValue("id"))
	if err != nil {
		c.gateError(w, r, err)
		return
	}
	var earlier []gate.Decision
	for prev := d.Supersedes; prev != "" && len(earlier) < maxChain; {
		p, err := c.people.Decision(ctx, v.Actor, prev)
		if err != nil {
			break // out of scope or gone: the chain is shown as far as it can be
		}
		earlier = append(earlier, p)
		prev = p.Supersedes
	}
	var later []gate.Decision
	all, _, err := c.people.Decisions(ctx, v.Actor, gate.DecisionFilter{NIB: d.NIB, ApplicationID: d.ApplicationID,
		Limit: gate.MaxPageSize})
	if err != nil {
		c.gateError(w, r, err)
		return
	}
	for id := d.ID; ; {
		found := false
		for _, x := range all {
			if x.Supersedes == id && x.ClientID == d.ClientID {
				later = append(later, x)
				id, found = x.ID, true
				break
			}
		}
		if !found || len(later) >= maxChain {
			break
		}
	}
	var deliveries []gate.Callback
	if v.Actor.Has(gate.RoleAdmin) {
		ids := map[string]bool{d.ID: true}
		for _, x := range append(earlier, later...) {
			ids[x.ID] = true
		}
		cbs, _, err := c.people.Callbacks(ctx, v.Actor, gate.CallbackFilter{Limit: gate.MaxPageSize})
		if err != nil {
			c.gateError(w, r, err)
			return
		}
		for _, cb := range cbs {
			if ids[cb.DecisionID] {
				deliveries = append(deliveries, cb)
			}
		}
	}
	var history []gate.Review
	var open *gate.Review
	seen := map[string]bool{}
	for _, x := range append(append(append([]gate.Decision{}, later...), d), earlier...) {
		rv := x.Review
		switch {
		case rv == nil:
		case rv.State == gate.ReviewOpen:
			if x.ID == d.ID {
				open = rv
			}
		case !seen[rv.By+string(rv.Action)+rv.At.String()]:
			// A review closes one decision and is carried by the one that
			// supersedes it: the same review, shown once.
			seen[rv.By+string(rv.Action)+rv.At.String()] = true
			history = append(history, *rv)
		}
	}
	reviewable := d.Review != nil && d.Review.State == gate.ReviewOpen && len(later) == 0 &&
		v.Actor.HasAny(gate.RoleReviewer, gate.RoleAdmin)
	c.render(w, r, status, "decision", "title.decision", &v.Actor, struct {
		D          gate.Decision
		Earlier    []gate.Decision
		Later      []gate.Decision
		Deliveries []gate.Callback
		History    []gate.Review
		Open       *gate.Review
		Reviewable bool
		Form       reviewForm
	}{d, earlier, later, deliveries, history, open, reviewable, form})
}
