package api

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/gate"
)

// exportColumns are the columns of GET /v1/decisions/export.csv, in order.
var exportColumns = []string{"decision_id", "application_id", "nib", "region_code", "permit_type", "outcome",
	"reason_codes", "decided_at", "valid_until", "supersedes", "evidence_source", "evidence_as_of",
	"declared_workers", "review_state", "review_action"}

// exportFlushEvery is how many rows are written between flushes, so that
// a large export reaches the client as it is read rather than at the end.
const exportFlushEvery = 500

// exportDecisions is GET /v1/decisions/export.csv: the decisions matching
// GET /v1/decisions' filters (without limit and cursor), newest first,
// streamed from the store in constant memory.
//
// The server's write timeout bounds each chunk of exportFlushEvery rows, not
// the whole export: the deadline moves on after every chunk written, so a
// large export runs as long as it makes progress and a stalled client is
// still cut off.
//
// Errors before the first bytes are sent are answered as usual. After
// that the status cannot change: the error is logged and the connection is
// aborted, so that the client sees a failed download rather than a
// truncated file that looks complete.
func (s *server) exportDecisions(c echo.Context, a gate.Actor) error {
	f, err := decisionFilter(c.QueryParams(), false)
	if err != nil {
		return err
	}
	resp := c.Response()
	w := csv.NewWriter(&exportWriter{resp: resp})
	if err := w.Write(exportColumns); err != nil {
		return err
	}
	progress := chunkDeadline(c.Request(), resp)
	progress()
	rows := 0
	err = s.peopleSvc.Export(c.Request().Context(), a, f, func(d gate.Decision) error {
		if err := w.Write(exportRow(d)); err != nil {
			return err
		}
		if rows++; rows%exportFlushEvery == 0 {
			w.Flush()
			if err := w.Error(); err != nil {
				return err
			}
			resp.Flush()
			progress()
		}
		return nil
	})
	if err == nil {
		w.Flush()
		err = w.Error()
	}
	switch {
	case err == nil:
		return nil
	case !resp.Committed:
		return err // nothing sent yet: an ordinary error answer
	case c.Request().Context().Err() != nil:
		s.logger.InfoContext(c.Request().Context(), "export stopped: the client went away", "rows", rows)
		return nil
	default:
		s.logger.ErrorContext(c.Request().Context(), "export failed after it began; aborting the response", "rows", rows, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// chunkDeadline returns a func that sets the response's write deadline to
// the server's write timeout from now; it does nothing when the server has
// none (or the writer cannot take a deadline).
func chunkDeadline(req *http.Request, w http.ResponseWriter) func() {
	srv, _ := req.Context().Value(http.ServerContextKey).(*http.Server)
	if srv == nil || srv.WriteTimeout <= 0 {
		return func() {}
	}
	rc := http.NewResponseController(w)
	return func() { _ = rc.SetWriteDeadline(time.Now().Add(srv.WriteTimeout)) }
}

// exportWriter sends the CSV headers with the first bytes, so that an error
// before then can still be answered as JSON.
type exportWriter struct {
	resp *echo.Response
}

func (w *exportWriter) Write(p []byte) (int, error) {
	if !w.resp.Committed {
		h := w.resp.Header()
		h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		h.Set(echo.HeaderContentDisposition, `attachment; filename="decisions.csv"`)
		h.Set("Cache-Control", "no-store")
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		w.resp.WriteHeader(http.StatusOK)
	}
	return w.resp.Write(p)
}

func exportRow(d gate.Decision) []string {
	codes := make([]string, len(d.Reasons))
	for i, r := range d.Reasons {
		codes[i] = string(r.Code)
	}
	var reviewState, reviewAction string
	if d.Review != nil {
		reviewState, reviewAction = string(d.Review.State), string(d.Review.Action)
	}
	source := d.Evidence.Source
	if source == "" {
		source = gate.SourceNone
	}
	row := []string{d.ID, d.ApplicationID, d.NIB, d.RegionCode, string(d.PermitType), string(d.Outcome),
		strings.Join(codes, ";"), d.DecidedAt.UTC().Format(decidedAtLayout), d.ValidUntil.UTC().Format(time.RFC3339),
		d.Supersedes, string(source), formatOptionalTime(d.Evidence.AsOf), strconv.Itoa(d.DeclaredWorkers),
		reviewState, reviewAction}
	for i, cell := range row {
		row[i] = neutralizeFormula(replaceInvisible(cell))
	}
	return row
}

func formatOptionalTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// replaceInvisible replaces control, bidirectional-control and zero-width
// characters, and invalid UTF-8, with U+FFFD: intake refuses them, but a
// record kept from before must not reach a spreadsheet reading as
// something it is not.
func replaceInvisible(cell string) string {
	if gate.TextProblem(cell, false) == "" {
		return cell
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || gate.IsInvisibleFormat(r) {
			return utf8.RuneError
		}
		return r
	}, strings.ToValidUTF8(cell, string(utf8.RuneError)))
}

// neutralizeFormula prefixes a cell that a spreadsheet would run as a
// formula with a single quote (OWASP's CSV injection advice). Application
// ids come from the licensing system and are otherwise free text.
func neutralizeFormula(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}
