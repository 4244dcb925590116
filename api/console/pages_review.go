package console

import (
	"errors"
	"net/http"

	"github.com/jkngate/jkngate/gate"
)

// fieldErrors turns a gate error's fields into messages keyed by field, in
// the page's language where the console knows the field, else gate's words.
func fieldErrors(err error, lang string) map[string]string {
	out := map[string]string{}
	var ge *gate.Error
	if !errors.As(err, &ge) {
		return out
	}
	for _, f := range ge.Fields {
		if key := "field." + f.Field; translate(lang, key) != key {
			out[f.Field] = translate(lang, key)
		} else if _, ok := out[f.Field]; !ok {
			out[f.Field] = f.Message
		}
	}
	return out
}

// review is POST /console/decisions/{id}/review (fields action and note).
// A malformed action is shown again with the error next to its field; a
// review someone else closed first is explained, naming who won.
func (c *Console) review(w http.ResponseWriter, r *http.Request, v *view) {
	id := r.PathValue("id")
	action, note := r.PostFormValue("action"), r.PostFormValue("note")
	next, err := c.people.Review(r.Context(), v.Actor, id, gate.ReviewAction(action), note)
	switch {
	case err == nil:
		http.Redirect(w, r, "/console/decisions/"+next.ID, http.StatusSeeOther)
	case gate.KindOf(err) == gate.KindInvalid:
		c.showDecision(w, r, v, http.StatusBadRequest, reviewForm{Action: action, Note: note, Errors: fieldErrors(err, v.Lang)})
	case gate.KindOf(err) == gate.KindConflict:
		form := reviewForm{Action: action, Note: note, Errors: map[string]string{}}
		if d, derr := c.people.Decision(r.Context(), v.Actor, id); derr == nil && d.Review != nil && d.Review.State == gate.ReviewClosed {
			form.Conflict = d.Review
		} else {
			form.Conflict = &gate.Review{}
		}
		c.showDecision(w, r, v, http.StatusConflict, form)
	default:
		c.gateError(w, r, err)
	}
}

// company is GET /console/companies/{nib}: BPJS's data with its source and
// age, the company's decisions, and refresh for reviewers.
func (c *Console) company(w http.ResponseWriter, r *http.Request, v *view) {
	c.showCompany(w, r, v, false)
}

func (c *Console) showCompany(w http.ResponseWriter, r *http.Request, v *view, refreshed bool) {
	nib := r.PathValue("nib")
	if !gate.ValidNIB(nib) {
		c.errorPage(w, r, http.StatusNotFound, "err.not_found")
		return
	}
	var cv gate.CompanyView
	var err error
	if refreshed {
		cv, err = c.people.Refresh(r.Context(), v.Actor, nib)
	} else {
		cv, err = c.people.Company(r.Context(), v.Actor, nib)
	}
	if err != nil {
		c.gateError(w, r, err)
		return
	}
	history, _, err := c.people.Decisions(r.Context(), v.Actor, gate.DecisionFilter{NIB: nib, Limit: 20})
	if err != nil {
		c.gateError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "company", "title.company", &v.Actor, struct {
		C         gate.CompanyView
		History   []gate.Decision
		Refreshed bool
		Unavail   bool
	}{cv, history, refreshed, cv.EmployerErr != nil})
}

// refresh is POST /console/companies/{nib}/refresh (reviewers, admins).
func (c *Console) refresh(w http.ResponseWriter, r *http.Request, v *view) {
	c.showCompany(w, r, v, true)
}

// reviews is GET /console/reviews: the queue, soonest due first, with due
// and overdue marked; ?overdue=true keeps the overdue.
func (c *Console) reviews(w http.ResponseWriter, r *http.Request, v *view) {
	overdue := r.URL.Query().Get("overdue") == "true"
	cursor := r.URL.Query().Get("cursor")
	if len(cursor) > 64 {
		c.errorPage(w, r, http.StatusBadRequest, "err.invalid")
		return
	}
	items, next, err := c.people.Reviews(r.Context(), v.Actor, gate.ReviewFilter{Overdue: overdue, After: cursor})
	if err != nil {
		c.gateError(w, r, err)
		return
	}
	c.render(w, r, http.StatusOK, "reviews", "title.reviews", &v.Actor, struct {
		Items   []gate.Decision
		Next    string
		Overdue bool
	}{items, next, overdue})
}
