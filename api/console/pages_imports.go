package console

import (
	"fmt"
	"net/http"
	"regexp"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/api/upload"
	"github.com/jkngate/jkngate/gate"
)

// importHistory is how many past imports the imports page lists.
const importHistory = 50

// importForm is the upload form and, after a POST, what became of it.
type importForm struct {
	Kind   string
	Errors map[string]string // field (kind, file) -> message
	Report *gate.ImportReport
}

// ProblemCount is how many problems a refused file has, listed or not.
func (f importForm) ProblemCount() int {
	if f.Report == nil {
		return 0
	}
	return len(f.Report.Problems) + f.Report.MoreProblems
}

// importsView is the imports page's data.
type importsView struct {
	Available bool
	Form      importForm
	Items     []gate.ImportRecord
	MaxMB     int
}

// importsPage is GET /console/imports (admins): the import history and
// the upload form.
func (c *Console) importsPage(w http.ResponseWriter, r *http.Request, v *view) {
	c.showImports(w, r, v, http.StatusOK, importForm{Kind: string(gate.ImportEmployers), Errors: map[string]string{}})
}

// importUpload is POST /console/imports (admins): the upload is streamed to
// a temporary file (as POST /v1/imports does) and imported; the page shows
// the summary of an accepted file, or the problems of a refused one next
// to the form.
func (c *Console) importUpload(w http.ResponseWriter, r *http.Request, v *view) {
	if c.people.Importer == nil {
		c.errorPage(w, r, http.StatusServiceUnavailable, "err.unavailable")
		return
	}
	form := importForm{Kind: string(gate.ImportEmployers), Errors: map[string]string{}}
	f, err := upload.Read(w, r)
	if err != nil {
		switch {
		case httperr.KindOf(err) == httperr.KindTooLarge:
			form.Errors["file"] = fmt.Sprintf(translate(v.Lang, "im.too_large"), upload.MaxBytes>>20)
			c.showImports(w, r, v, http.StatusRequestEntityTooLarge, form)
		case gate.KindOf(err) == gate.KindInvalid:
			for field := range fieldErrors(err, v.Lang) {
				form.Errors[field] = translate(v.Lang, "im.field_"+field)
			}
			c.showImports(w, r, v, http.StatusBadRequest, form)
		default:
			c.gateError(w, r, err)
		}
		return
	}
	defer f.Remove()
	form.Kind = string(f.Kind)
	rep, err := c.people.Import(r.Context(), v.Actor, f.Kind, gate.ImportFile{Path: f.Path, FileName: f.Name})
	switch {
	case gate.KindOf(err) == gate.KindInvalid:
		form.Errors["file"] = translate(v.Lang, "im.field_unreadable")
		c.showImports(w, r, v, http.StatusBadRequest, form)
		return
	case err != nil:
		c.gateError(w, r, err)
		return
	}
	form.Report = &rep
	status := http.StatusOK
	if !rep.Accepted {
		status = http.StatusUnprocessableEntity
	}
	c.showImports(w, r, v, status, form)
}

// showImports renders the imports page with form and the history.
func (c *Console) showImports(w http.ResponseWriter, r *http.Request, v *view, status int, form importForm) {
	data := importsView{Available: c.people.Importer != nil, Form: form, MaxMB: upload.MaxBytes >> 20}
	if data.Available {
		items, err := c.people.Imports(r.Context(), v.Actor, importHistory)
		if err != nil {
			c.gateError(w, r, err)
			return
		}
		data.Items = items
	}
	c.render(w, r, status, "imports", "title.imports", &v.Actor, data)
}

// sixteenDigits finds what may be a NIK in free text.
var sixteenDigits = regexp.MustCompile(`\d{16}`)

// maskNIKs masks every run of 16 digits in s (a file name, a problem), so
// that the page never shows a NIK whole whatever the text holds.
func maskNIKs(s string) string { return sixteenDigits.ReplaceAllStringFunc(s, gate.MaskNIK) }

// shortSum is the start of a SHA-256 as the history shows it.
func shortSum(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}
