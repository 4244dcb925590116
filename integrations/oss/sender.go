package oss

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/callback"
)

// RefStore finds the OSS ids a permit's statuses are reported under.
type RefStore interface {
	// OSSRef returns what OSS last sent for permit idIzin, or a
	// KindNotFound error.
	OSSRef(ctx context.Context, idIzin string) (Ref, error)
}

// Sender delivers receiveLicenseStatus messages from the outbox (a
// callback.Sender for gate.CallbackKindOSSStatus and
// gate.CallbackKindOSSConfirmation).
type Sender struct {
	URL      string // JKNGATE_OSS_STATUS_URL
	UserKey  string // JKNGATE_OSS_STATUS_USER_KEY
	Instansi string // JKNGATE_OSS_INSTANSI
	Refs     RefStore
	HTTP     *http.Client // http.DefaultClient when nil
}

var _ callback.Sender = (*Sender)(nil)

// statusAnswer is OSS's answer; kode comes as a number or a string.
type statusAnswer struct {
	Respon struct {
		Kode       Lenient `json:"kode"`
		Keterangan Lenient `json:"keterangan"`
	} `json:"responreceiveLicenseStatus"`
}

// Send posts one status. OSS's answer is classified as PIA says: HTTP 200
// with kode 200 is delivered; HTTP or kode 400, 401, 403, 404 or 405 fail
// at once; anything else (500, 504, timeouts, connection errors) is retried
// on the callback schedule.
func (s *Sender) Send(ctx context.Context, c gate.Callback, d gate.Decision) callback.SendResult {
	if s.URL == "" || s.Refs == nil {
		return callback.SendResult{Err: "the OSS adapter is off (JKNGATE_OSS_STATUS_URL)", Permanent: true}
	}
	ref, err := s.Refs.OSSRef(ctx, d.ApplicationID)
	if errors.Is(err, gate.ErrNotFound) {
		ref = Ref{IDIzin: d.ApplicationID, NIB: d.NIB}
	} else if err != nil {
		return callback.SendResult{Err: "loading the OSS ids: " + err.Error()}
	}
	body, err := json.Marshal(BuildStatus(c.Kind, d, ref, s.Instansi))
	if err != nil {
		return callback.SendResult{Err: err.Error(), Permanent: true}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return callback.SendResult{Err: "building the request: " + err.Error(), Permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("user_key", s.UserKey)
	client := s.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return callback.SendResult{Err: "no answer from OSS in time"}
		}
		return callback.SendResult{Err: "OSS could not be reached: " + hideURL(err)}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var a statusAnswer
	_ = json.Unmarshal(raw, &a)
	kode, _ := strconv.Atoi(string(a.Respon.Kode))
	res := callback.SendResult{Status: resp.StatusCode}
	switch {
	case resp.StatusCode == http.StatusOK && (kode == 200 || a.Respon.Kode == ""):
		return res
	case failsAtOnce(resp.StatusCode) || failsAtOnce(kode):
		res.Permanent = true
	}
	res.Err = fmt.Sprintf("OSS answered HTTP %d, kode %q: %s", resp.StatusCode, string(a.Respon.Kode),
		truncate(string(a.Respon.Keterangan), 200))
	return res
}

func failsAtOnce(code int) bool {
	switch code {
	case 400, 401, 403, 404, 405:
		return true
	}
	return false
}

// hideURL drops the URL from a client error: it names the status endpoint,
// which is configuration, not news.
func hideURL(err error) string {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && ue.Unwrap() != nil {
		return ue.Unwrap().Error()
	}
	return strings.TrimSpace(err.Error())
}
