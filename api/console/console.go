// Package console is jkngate's web console for officers, BPJS reviewers and
// admins at /console/: server-rendered pages (html/template, embedded, no
// JavaScript), OpenID Connect sign-in, sessions in a sealed cookie. It is a
// presentation of gate.People, the service behind the people's API: the
// same roles, region scoping and access trail, and no rule of its own.
package console

import (
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/support/logging"
)

//go:embed templates/*.tmpl static/*
var files embed.FS

// DemoUser is a person the demo's sign-in page offers, instead of an
// identity provider.
type DemoUser struct {
	Label string // shown on the sign-in page
	Actor gate.Actor
}

// Config is what the console needs.
type Config struct {
	People *gate.People
	// SessionKey keys the session cookies (at least 32 bytes).
	SessionKey []byte
	// OIDC, when set, is how people sign in.
	OIDC *OIDC
	// DemoUsers, when set, are offered on the sign-in page (jkngate demo
	// only; serve never sets them).
	DemoUsers []DemoUser
	Logger    *slog.Logger
	// Now is the clock; the system clock when nil.
	Now gate.Clock
}

// Console is the console's HTTP handler. Its Actor method lets other
// handlers (the CSV export) serve a signed-in person.
type Console struct {
	people    *gate.People
	sealer    *sealer
	oidc      *provider
	demo      []DemoUser
	logger    *slog.Logger
	now       func() time.Time
	revoked   revocations
	handler   http.Handler
	templates map[string]*pageTemplate
}

// New checks cfg and returns the console. Errors: no People, a short
// session key, neither OIDC nor demo users.
func New(cfg Config) (*Console, error) {
	if cfg.People == nil {
		return nil, errors.New("console: People is required")
	}
	if cfg.OIDC == nil && len(cfg.DemoUsers) == 0 {
		return nil, errors.New("console: configure OpenID Connect or demo users")
	}
	s, err := newSealer(cfg.SessionKey)
	if err != nil {
		return nil, err
	}
	c := &Console{people: cfg.People, sealer: s, demo: cfg.DemoUsers,
		logger: cfg.Logger, now: cfg.Now.Now}
	if cfg.OIDC != nil {
		c.oidc = &provider{cfg: *cfg.OIDC}
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	} else if _, ok := c.logger.Handler().(*logging.MaskingHandler); !ok {
		c.logger = slog.New(logging.NewMaskingHandler(c.logger.Handler()))
	}
	if c.templates, err = parseTemplates(); err != nil {
		return nil, err
	}
	c.handler = c.routes()
	return c, nil
}

// ServeHTTP serves /console/.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.handler.ServeHTTP(w, r) }

// Actor returns the signed-in person of r, when r carries a valid session.
func (c *Console) Actor(w http.ResponseWriter, r *http.Request) (gate.Actor, bool) {
	s, ok := c.currentSession(w, r)
	if !ok {
		return gate.Actor{}, false
	}
	return s.actor(), true
}

func (c *Console) routes() http.Handler {
	mux := http.NewServeMux()
	officer, reviewer, admin := gate.RoleOfficer, gate.RoleReviewer, gate.RoleAdmin
	all := []gate.Role{officer, reviewer, admin}
	mux.Handle("GET /console/static/console.css", http.StripPrefix("/console/", http.FileServerFS(files)))
	mux.HandleFunc("GET /console/login", c.login)
	mux.HandleFunc("POST /console/login", c.demoLogin)
	mux.HandleFunc("GET /console/callback", c.callback)
	mux.HandleFunc("POST /console/logout", c.logout)

	mux.Handle("GET /console/{$}", c.page(c.dashboard, all...))
	mux.Handle("GET /console/decisions", c.page(c.decisions, all...))
	mux.Handle("GET /console/decisions/{id}", c.page(c.decision, all...))
	mux.Handle("POST /console/decisions/{id}/review", c.page(c.review, reviewer, admin))
	mux.Handle("GET /console/companies/{nib}", c.page(c.company, all...))
	mux.Handle("POST /console/companies/{nib}/refresh", c.page(c.refresh, reviewer, admin))
	mux.Handle("GET /console/reviews", c.page(c.reviews, reviewer, admin))
	mux.Handle("GET /console/what-if", c.page(c.whatIfForm, all...))
	mux.Handle("POST /console/what-if", c.page(c.whatIf, all...))
	mux.Handle("GET /console/deliveries", c.page(c.deliveries, admin))
	mux.Handle("POST /console/deliveries/{id}/retry", c.page(c.retry, admin))
	mux.Handle("GET /console/audit", c.page(c.audit, admin))
	mux.Handle("GET /console/imports", c.page(c.importsPage, admin))
	mux.Handle("POST /console/imports", c.page(c.importUpload, admin))
	mux.Handle("/console/", c.page(func(w http.ResponseWriter, r *http.Request, v *view) {
		c.errorPage(w, r, http.StatusNotFound, "err.not_found")
	}, all...))

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.errorPage(w, r, http.StatusForbidden, "err.cross_origin")
	}))
	return securityHeaders(c.language(csrf.Handler(mux)))
}

// contentSecurityPolicy allows our own stylesheet and images and nothing
// else: no script, no inline style, no framing, forms to ourselves only.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// view is what a signed-in page handler gets: the person and the language.
type view struct {
	Actor gate.Actor
	Lang  string
}

type pageHandler func(w http.ResponseWriter, r *http.Request, v *view)

// page serves h to a signed-in person holding one of roles. Without a
// session a GET goes to the sign-in page (and back afterwards), anything
// else is refused; a role that may not see the page gets a 403 page.
func (c *Console) page(h pageHandler, roles ...gate.Role) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.currentSession(w, r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/console/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			c.errorPage(w, r, http.StatusUnauthorized, "err.signed_out")
			return
		}
		v := &view{Actor: s.actor(), Lang: langOf(r)}
		if !v.Actor.HasAny(roles...) {
			c.errorPage(w, r, http.StatusForbidden, "err.forbidden")
			return
		}
		h(w, r, v)
	})
}
