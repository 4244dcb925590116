// Package uploadtest builds the multipart bodies of an import upload, for
// the tests of the API (POST /v1/imports) and of the console's upload form,
// which read the same two fields.
package uploadtest

import (
	"bytes"
	"mime/multipart"
	"testing"
)

// Body is a multipart form holding the field kind (left out when kind is
// "") and the file field holding content under name (left out when name
// is ""), and the Content-Type that goes with it.
func Body(t testing.TB, kind, name, content string) (body *bytes.Buffer, contentType string) {
	t.Helper()
	body = &bytes.Buffer{}
	mw := multipart.NewWriter(body)
	if kind != "" {
		if err := mw.WriteField("kind", kind); err != nil {
			t.Fatal(err)
		}
	}
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(content)) //nolint:errcheck // a bytes.Buffer
	}
	mw.Close()
	return body, mw.FormDataContentType()
}
