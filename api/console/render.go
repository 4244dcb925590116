package console

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/gate"
)

type pageTemplate struct{ t *template.Template }

// parseTemplates parses each page with the layout.
func parseTemplates() (map[string]*pageTemplate, error) {
	base, err := template.New("layout.tmpl").Funcs(funcs).ParseFS(files, "templates/layout.tmpl")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "templates/*.tmpl")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*pageTemplate)
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".tmpl")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(files, n)
		if err != nil {
			return nil, err
		}
		out[name] = &pageTemplate{t: t}
	}
	return out, nil
}

// wib is Asia/Jakarta (UTC+7, no daylight saving): the time the DPMPTSP,
// OSS (tgl_status) and the review deadlines speak, shown on every page.
var wib = time.FixedZone("WIB", 7*60*60)

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.In(wib).Format("2006-01-02 15:04 WIB")
	},
	"pct": func(f float64) string {
		if f != f { // NaN: no employer data
			return "–"
		}
		return fmt.Sprintf("%.1f%%", f)
	},
	"list":     func(v ...string) []string { return v },
	"redact":   gate.RedactURL,
	"masknik":  maskNIKs,
	"shortsum": shortSum,
	"query": func(kv ...string) template.URL { // a query string from pairs, empties left out
		q := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] != "" {
				q.Set(kv[i], kv[i+1])
			}
		}
		return template.URL(q.Encode())
	},
}

// pageData is what every template gets: the page's own data and the
// person, the language and its words.
type pageData struct {
	Lang  string
	User  *gate.Actor
	Title string
	Path  string
	Data  any
	Now   time.Time
}

// T translates a message key into the page's language.
func (p pageData) T(key string) string { return translate(p.Lang, key) }

// Tf translates a message key with fmt arguments.
func (p pageData) Tf(key string, args ...any) string {
	return fmt.Sprintf(translate(p.Lang, key), args...)
}

// Age says how long ago t was, in the page's language.
func (p pageData) Age(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	d := p.Now.Sub(t)
	switch {
	case d < time.Minute:
		return p.T("age.now")
	case d < time.Hour:
		return p.Tf("age.minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		return p.Tf("age.hours", int(d.Hours()))
	}
	return p.Tf("age.days", int(d.Hours()/24))
}

// DueState says where a decision's open review stands against its due
// time: "overdue", "soon" (within a day) or "".
func (p pageData) DueState(d gate.Decision) string {
	if d.Review == nil || d.Review.State != gate.ReviewOpen || d.Review.DueAt.IsZero() {
		return ""
	}
	switch {
	case p.Now.After(d.Review.DueAt):
		return "overdue"
	case p.Now.Add(24 * time.Hour).After(d.Review.DueAt):
		return "soon"
	}
	return ""
}

// Reviewer and Admin say which parts of the navigation to show.
func (p pageData) Reviewer() bool {
	return p.User != nil && p.User.HasAny(gate.RoleReviewer, gate.RoleAdmin)
}

// Admin reports whether the person is an admin.
func (p pageData) Admin() bool { return p.User != nil && p.User.Has(gate.RoleAdmin) }

// Msg picks the reason message of the page's language.
func (p pageData) Msg(r gate.Reason) string {
	if p.Lang == "en" && r.MessageEN != "" {
		return r.MessageEN
	}
	return r.Message
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name, titleKey string, user *gate.Actor, data any) {
	t, ok := c.templates[name]
	if !ok {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	lang := langOf(r)
	pd := pageData{Lang: lang, User: user, Title: translate(lang, titleKey), Path: r.URL.Path, Data: data, Now: c.now()}
	var buf bytes.Buffer
	if err := t.t.ExecuteTemplate(&buf, "layout.tmpl", pd); err != nil {
		c.logger.ErrorContext(r.Context(), "console: rendering failed", "page", name, "error", err)
		http.Error(w, "rendering failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// errorPage answers status with a page that says why, in words.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	var user *gate.Actor
	if s, ok := c.currentSession(w, r); ok {
		a := s.actor()
		user = &a
	}
	c.render(w, r, status, "error", "title.error", user, struct {
		Status int
		Key    string
	}{status, key})
}

// gateError answers a gate error as a page: 404 for what is not found or
// out of the person's regions, 409 for conflicts, 503 when something could
// not be reached or recorded, else 500 (logged).
func (c *Console) gateError(w http.ResponseWriter, r *http.Request, err error) {
	if httperr.KindOf(err) == httperr.KindForbidden {
		c.errorPage(w, r, http.StatusForbidden, "err.forbidden")
		return
	}
	switch gate.KindOf(err) {
	case gate.KindNotFound:
		c.errorPage(w, r, http.StatusNotFound, "err.not_found")
	case gate.KindInvalid:
		c.errorPage(w, r, http.StatusBadRequest, "err.invalid")
	case gate.KindConflict:
		c.errorPage(w, r, http.StatusConflict, "err.conflict")
	case gate.KindUnavailable:
		c.errorPage(w, r, http.StatusServiceUnavailable, "err.unavailable")
	default:
		c.logger.ErrorContext(r.Context(), "console: internal error", "path", r.URL.Path, "error", err)
		c.errorPage(w, r, http.StatusInternalServerError, "err.internal")
	}
}

type langKey struct{}

// language picks the page language: ?lang=id or ?lang=en (remembered in a
// cookie), else the cookie, else Bahasa Indonesia.
func (c *Console) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := "id"
		if q := r.URL.Query().Get("lang"); q == "en" || q == "id" {
			lang = q
			http.SetCookie(w, &http.Cookie{Name: langCookie, Value: q, Path: "/console/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: secureCookies(r), SameSite: http.SameSiteLaxMode})
		} else if ck, err := r.Cookie(langCookie); err == nil && (ck.Value == "en" || ck.Value == "id") {
			lang = ck.Value
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), langKey{}, lang)))
	})
}

func langOf(r *http.Request) string {
	if l, ok := r.Context().Value(langKey{}).(string); ok {
		return l
	}
	return "id"
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
