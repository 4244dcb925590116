package console

import (
	"net/http"
	"strconv"
	"time"
)

// login is GET /console/login: with OpenID Connect, it sends the browser to
// the provider; in the demo, it lists the demo users.
func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	if len(c.demo) > 0 {
		c.render(w, r, http.StatusOK, "login", "title.login", nil, struct {
			Users []DemoUser
			Next  string
		}{c.demo, safeNext(r.URL.Query().Get("next"))})
		return
	}
	c.beginOIDC(w, r)
}

// demoLogin is POST /console/login, the demo's sign-in: it exists only when
// demo users are configured (jkngate demo), never under serve.
func (c *Console) demoLogin(w http.ResponseWriter, r *http.Request) {
	if len(c.demo) == 0 {
		c.errorPage(w, r, http.StatusNotFound, "err.not_found")
		return
	}
	i, err := strconv.Atoi(r.PostFormValue("user"))
	if err != nil || i < 0 || i >= len(c.demo) {
		c.errorPage(w, r, http.StatusBadRequest, "err.invalid")
		return
	}
	if err := c.startSession(w, r, c.demo[i].Actor); err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "err.internal")
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// logout is POST /console/logout: the session's id is revoked and its
// cookie dropped.
func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if s, ok := c.currentSession(w, r); ok {
		c.revoked.revoke(s.ID, time.Unix(s.Began, 0).Add(AbsoluteTimeout), c.now())
	}
	c.clearCookie(w, r, sessionCookie)
	c.render(w, r, http.StatusOK, "loggedout", "title.logged_out", nil, nil)
}
