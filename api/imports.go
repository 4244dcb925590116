package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/gate"
)

// MaxImportBytes bounds an uploaded BPJS data file (POST /v1/imports). The
// upload is streamed to a temporary file, never held in memory.
const MaxImportBytes = 200 << 20

// codeImportRefused answers a file with invalid rows (422, with the report).
const (
	codeImportRefused = "import_refused"
	codeInvalidUpload = "invalid_upload"
)

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

func invalidUpload(field, message string) error {
	return &gate.Error{Kind: gate.KindInvalid, Code: codeInvalidUpload, Message: message,
		Fields: []gate.FieldError{{Field: field, Message: message}}}
}

// uploadImport is POST /v1/imports (admins): a multipart form with the
// fields kind (employers or participants) and file.
func (s *server) uploadImport(c echo.Context, a gate.Actor) error {
	req := c.Request()
	mt, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEMultipartForm {
		return &gate.Error{Kind: gate.KindInvalid, Code: codeInvalidUpload,
			Message: "the body must be multipart/form-data with the fields kind and file",
			Fields:  []gate.FieldError{{Field: "file", Message: "required, in a multipart/form-data body"}}}
	}
	tooLarge := &gate.Error{Kind: gate.KindTooLarge, Code: codePayloadTooLarge,
		Message: fmt.Sprintf("the upload must be at most %d bytes", MaxImportBytes)}
	if req.ContentLength > MaxImportBytes+1<<20 {
		return tooLarge
	}
	req.Body = http.MaxBytesReader(c.Response(), req.Body, MaxImportBytes+1<<20)
	kind, path, name, err := readUpload(req)
	if path != "" {
		defer os.Remove(path)
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge
	case err != nil:
		return err
	case path == "":
		return invalidUpload("file", "required: the BPJS data file (CSV or XLSX)")
	case !gate.ImportKind(kind).Valid():
		return invalidUpload("kind", "must be employers or participants")
	}
	rep, err := s.peopleSvc.Import(req.Context(), a, gate.ImportKind(kind), gate.ImportFile{Path: path, FileName: name})
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
	out.Error = &ErrorDetailJSON{Code: codeImportRefused,
		Message: fmt.Sprintf("the file has %d invalid rows or columns; nothing was applied", len(rep.Problems)+rep.MoreProblems),
		Fields:  []FieldJSON{{Field: "file", Message: "see problems"}}}
	return c.JSON(http.StatusUnprocessableEntity, out)
}

// readUpload streams the multipart body: the kind field, and the file part
// into a temporary file (path; the caller removes it).
func readUpload(req *http.Request) (kind, path, name string, err error) {
	mr, err := req.MultipartReader()
	if err != nil {
		return "", "", "", invalidUpload("file", "the body is not a readable multipart form")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return kind, path, name, nil
		}
		if err != nil {
			return kind, path, name, uploadError(err)
		}
		switch part.FormName() {
		case "kind":
			b, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return kind, path, name, uploadError(err)
			}
			kind = strings.TrimSpace(string(b))
		case "file":
			if path != "" {
				return kind, path, name, invalidUpload("file", "send one file per upload")
			}
			name = filepath.Base(strings.ReplaceAll(part.FileName(), `\`, "/"))
			if !utf8.ValidString(name) || len(name) > 255 || name == "." || name == "/" {
				name = "upload"
			}
			f, err := os.CreateTemp("", "jkngate-import-*")
			if err != nil {
				return kind, path, name, err
			}
			path = f.Name()
			_, err = io.Copy(f, part)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return kind, path, name, uploadError(err)
			}
		}
		part.Close()
	}
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return &gate.Error{Kind: gate.KindInvalid, Code: codeInvalidUpload, Message: "the upload could not be read",
		Fields: []gate.FieldError{{Field: "file", Message: "the multipart body is malformed or cut short"}}, Err: err}
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
