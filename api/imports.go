package api

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/api/upload"
	"github.com/jkngate/jkngate/gate"
)

// MaxImportBytes bounds an uploaded BPJS data file (POST /v1/imports). The
// upload is streamed to a temporary file, never held in memory.
const MaxImportBytes = upload.MaxBytes

// ImportJSON is one import of a BPJS data file. ID is null for a refused
// file, which is not recorded.
type ImportJSON struct {
	ID            *string `json:"id"`
	Kind          string  `json:"kind"`
	FileName      string  `json:"file_name"`
	SHA256        string  `json:"sha256"`
	By            string  `json:"by"`
	At            string  `json:"at"`
	RowsRead      int     `json:"rows_read"`
	RowsApplied   int     `json:"rows_applied"`
	RowsUnchanged int     `json:"rows_unchanged"`
	RowsOlder     int     `json:"rows_older"`
	Rechecks      int     `json:"rechecks"`
}

// ImportProblemJSON is one reason a file is refused: its row (1 is the
// header row), column and problem.
type ImportProblemJSON struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Problem string `json:"problem"`
}

// ImportReportJSON answers POST /v1/imports. A refused file (422) also
// carries the error object every error response has.
type ImportReportJSON struct {
	Error        *ErrorDetailJSON    `json:"error,omitempty"`
	Accepted     bool                `json:"accepted"`
	Import       ImportJSON          `json:"import"`
	Problems     []ImportProblemJSON `json:"problems"`
	MoreProblems int                 `json:"more_problems"`
}

// ImportListJSON is the import history, newest first.
type ImportListJSON struct {
	Items []ImportJSON `json:"items"`
}

func importJSON(r gate.ImportRecord, recorded bool) ImportJSON {
	out := ImportJSON{Kind: string(r.Kind), FileName: r.FileName, SHA256: r.SHA256, By: r.By,
		At: r.At.UTC().Format(decidedAtLayout), RowsRead: r.Read, RowsApplied: r.Applied,
		RowsUnchanged: r.Unchanged, RowsOlder: r.Older, Rechecks: r.Rechecks}
	if recorded {
		out.ID = &r.ID
	}
	return out
}

// uploadImport is POST /v1/imports (admins): a multipart form with the
// fields kind (employers or participants) and file.
func (s *server) uploadImport(c echo.Context, a gate.Actor) error {
	req := c.Request()
	f, err := upload.Read(c.Response(), req)
	if err != nil {
		return err
	}
	defer f.Remove()
	rep, err := s.peopleSvc.Import(req.Context(), a, f.Kind, gate.ImportFile{Path: f.Path, FileName: f.Name})
	if err != nil {
		return err
	}
	out := ImportReportJSON{Accepted: rep.Accepted, Import: importJSON(rep.Record, rep.Accepted),
		Problems: make([]ImportProblemJSON, len(rep.Problems)), MoreProblems: rep.MoreProblems}
	for i, p := range rep.Problems {
		out.Problems[i] = ImportProblemJSON{Row: p.Row, Column: p.Column, Problem: p.Problem}
	}
	if rep.Accepted {
		return c.JSON(http.StatusOK, out)
	}
	out.Error = &ErrorDetailJSON{Code: httperr.CodeImportRefused,
		Message: fmt.Sprintf("the file has %d invalid rows or columns; nothing was applied", len(rep.Problems)+rep.MoreProblems),
		Fields:  []FieldJSON{{Field: "file", Message: "see problems"}}}
	return c.JSON(http.StatusUnprocessableEntity, out)
}

// listImports is GET /v1/imports (admins): the import history, newest
// first, at most limit.
func (s *server) listImports(c echo.Context, a gate.Actor) error {
	q := newQuery(c.QueryParams(), "limit")
	limit := q.limit()
	if err := q.err(); err != nil {
		return err
	}
	items, err := s.peopleSvc.Imports(c.Request().Context(), a, limit)
	if err != nil {
		return err
	}
	out := ImportListJSON{Items: make([]ImportJSON, len(items))}
	for i, r := range items {
		out.Items[i] = importJSON(r, true)
	}
	return c.JSON(http.StatusOK, out)
}
