package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
	"github.com/jkngate/jkngate/integrations/simulators/osssim"
	"github.com/jkngate/jkngate/integrations/sqlite"
)

// exerciseOSSResponses gives TestOpenAPIResponses every answer of POST
// /oss/receiveNIB.
func exerciseOSSResponses(t *testing.T, expect func(*testing.T, string, string, *httptest.ResponseRecorder, int)) {
	store := openSQLiteOSS(t)
	o := newOSSEnv(t, store, "", gate.DefaultPolicy())
	body := osssim.Build(o.employer(t, bpjssim.ScenarioCompliant), osssim.Options{}).Body
	post := func(b []byte, key string, status int) {
		req := httptest.NewRequest(http.MethodPost, "/oss/receiveNIB", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("user_key", key)
		rec := httptest.NewRecorder()
		o.e.ServeHTTP(rec, req)
		expect(t, "POST", "/oss/receiveNIB", rec, status)
	}
	post(body, ossUserKey, 200)
	post([]byte(`{"dataNIB":{}}`), ossUserKey, 400)
	post(body, "wrong", 401)
	post([]byte(`{"dataNIB":{"x":"`+strings.Repeat("a", 3<<20)+`"}}`), ossUserKey, 413)
	store.(*sqlite.Store).Close()
	post(body, ossUserKey, 503)
}
