// Package upload reads the multipart upload of a BPJS data file, as both
// POST /v1/imports and the console's upload form send it: the fields kind
// and file. The file is streamed to a temporary file, never held in memory,
// and bounded by MaxBytes.
package upload

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

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/gate"
)

// MaxBytes bounds an uploaded BPJS data file.
const MaxBytes = 200 << 20

// slack is what the multipart framing and the kind field may add.
const slack = 1 << 20

// File is an upload read to disk: the kind asked for, the temporary file's
// path and the file's base name as uploaded. Remove deletes the file.
type File struct {
	Kind gate.ImportKind
	Path string
	Name string
}

// Remove deletes the temporary file, if any.
func (f File) Remove() {
	if f.Path != "" {
		os.Remove(f.Path)
	}
}

// Read reads req's multipart/form-data body (w is the response, for
// http.MaxBytesReader). On error the temporary file, if one was made, is
// already removed. Errors are *gate.Error of KindInvalid (code
// invalid_upload, field kind or file) for a body that is not a readable
// form, no file, two files or an unknown kind; an *httperr.Error of
// KindTooLarge (code payload_too_large) beyond MaxBytes.
func Read(w http.ResponseWriter, req *http.Request) (File, error) {
	mt, _, err := mime.ParseMediaType(req.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return File{}, invalid("file", "the body must be multipart/form-data with the fields kind and file",
			"required, in a multipart/form-data body")
	}
	if req.ContentLength > MaxBytes+slack {
		return File{}, tooLarge()
	}
	req.Body = http.MaxBytesReader(w, req.Body, MaxBytes+slack)
	f, err := read(req)
	if err == nil {
		switch {
		case f.Path == "":
			err = invalid("file", "", "required: the BPJS data file (CSV or XLSX)")
		case !f.Kind.Valid():
			err = invalid("kind", "", "must be employers or participants")
		}
	}
	if err != nil {
		f.Remove()
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return File{}, tooLarge()
		}
		return File{}, err
	}
	return f, nil
}

// read streams the parts: the kind field, and the file part into a
// temporary file.
func read(req *http.Request) (File, error) {
	var f File
	mr, err := req.MultipartReader()
	if err != nil {
		return f, invalid("file", "", "the body is not a readable multipart form")
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return f, nil
		}
		if err != nil {
			return f, partError(err)
		}
		switch part.FormName() {
		case "kind":
			b, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				return f, partError(err)
			}
			f.Kind = gate.ImportKind(strings.TrimSpace(string(b)))
		case "file":
			if f.Path != "" {
				return f, invalid("file", "", "send one file per upload")
			}
			f.Name = baseName(part.FileName())
			tmp, err := os.CreateTemp("", "jkngate-import-*")
			if err != nil {
				return f, err
			}
			f.Path = tmp.Name()
			_, err = io.Copy(tmp, part)
			if cerr := tmp.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return f, partError(err)
			}
		}
		part.Close()
	}
}

// baseName keeps the base name of an uploaded file's name (a browser on
// Windows may send a whole path); "upload" when it is not usable.
func baseName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	if !utf8.ValidString(name) || len(name) > 255 || name == "." || name == "/" {
		return "upload"
	}
	return name
}

func invalid(field, message, fieldMessage string) error {
	if message == "" {
		message = fieldMessage
	}
	return &gate.Error{Kind: gate.KindInvalid, Code: httperr.CodeInvalidUpload, Message: message,
		Fields: []gate.FieldError{{Field: field, Message: fieldMessage}}}
}

func tooLarge() error {
	return &httperr.Error{Kind: httperr.KindTooLarge, Code: httperr.CodePayloadTooLarge,
		Message: fmt.Sprintf("the upload must be at most %d bytes", MaxBytes)}
}

func partError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return &gate.Error{Kind: gate.KindInvalid, Code: httperr.CodeInvalidUpload, Message: "the upload could not be read",
		Fields: []gate.FieldError{{Field: "file", Message: "the multipart body is malformed or cut short"}}, Err: err}
}
