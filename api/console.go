package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/gate"
)

// ConsoleHandler is the web console (package api/console) as the API
// mounts it: a handler for /console/, and the signed-in person of a
// request, for the routes the API serves on the console's behalf.
type ConsoleHandler interface {
	http.Handler
	// Actor returns the person signed in with r's session, if any.
	Actor(w http.ResponseWriter, r *http.Request) (gate.Actor, bool)
}

// mountConsole routes /console/ to the console and GET / to it. The
// console's CSV export is the people's API's own, for the signed-in person:
// the same filters, columns, streaming and access trail.
func (s *server) mountConsole(e *echo.Echo, console ConsoleHandler) {
	toConsole := func(c echo.Context) error { return c.Redirect(http.StatusFound, "/console/") }
	e.GET("/", toConsole)
	e.GET("/console", toConsole)
	e.GET("/console/decisions/export.csv", func(c echo.Context) error {
		a, ok := console.Actor(c.Response(), c.Request())
		if !ok {
			return c.Redirect(http.StatusSeeOther, "/console/login?next=%2Fconsole%2Fdecisions")
		}
		return s.exportDecisions(c, a)
	})
	e.Any("/console/*", echo.WrapHandler(console))
}
