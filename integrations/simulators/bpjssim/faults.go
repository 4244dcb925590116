package bpjssim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"time"
)

// The ways of answering with a wrong signature (Faults.BadSignatureMode).
const (
	// BadSignatureEncrypt answers 200 with a payload encrypted under a
	// wrong key, so that the client's decryption fails.
	BadSignatureEncrypt = "encrypt"
	// BadSignatureReject answers HTTP 401 "Signature tidak valid" although
	// the request was signed correctly, as BPJS does when clocks or keys
	// disagree.
	BadSignatureReject = "reject"
)

// Faults are the ways the simulator misbehaves on its BPJS endpoints (never
// on /_sim/*). The zero value is a well-behaved simulator. In JSON, durations
// are whole milliseconds: {"latency_ms":200,"jitter_ms":0,"error_rate":0.1,
// "outage":false,"html_rate":0,"bad_signature_rate":0}.
//
// They apply in this order: Outage, Latency+Jitter, ErrorRate, HTMLRate,
// then (once the request is verified and found) BadSignatureRate.
type Faults struct {
	// Latency delays every answer; Jitter adds a random extra delay in
	// [0, Jitter). A client that gives up early cuts the delay short.
	Latency time.Duration
	Jitter  time.Duration
	// ErrorRate is the share of requests, in [0, 1], answered with a JSON
	// 5xx error: status ErrorStatus, or 500 or 503 at random when 0.
	ErrorRate   float64
	ErrorStatus int
	// Outage resets every connection: the simulator hijacks it and closes it
	// with an RST, before any response byte.
	Outage bool
	// HTMLRate is the share of requests answered with an HTML error page:
	// status HTMLStatus, or 200 or 502 at random when 0.
	HTMLRate   float64
	HTMLStatus int
	// BadSignatureRate is the share of answers signed wrongly, the way
	// BadSignatureMode says (BadSignatureEncrypt when empty).
	BadSignatureRate float64
	BadSignatureMode string
}

// faultsJSON is Faults on the wire (the /_sim/faults body).
type faultsJSON struct {
	LatencyMS        int64   `json:"latency_ms"`
	JitterMS         int64   `json:"jitter_ms"`
	ErrorRate        float64 `json:"error_rate"`
	ErrorStatus      int     `json:"error_status"`
	Outage           bool    `json:"outage"`
	HTMLRate         float64 `json:"html_rate"`
	HTMLStatus       int     `json:"html_status"`
	BadSignatureRate float64 `json:"bad_signature_rate"`
	BadSignatureMode string  `json:"bad_signature_mode"`
}

// MarshalJSON writes durations as whole milliseconds.
func (f Faults) MarshalJSON() ([]byte, error) {
	return json.Marshal(faultsJSON{
		LatencyMS: f.Latency.Milliseconds(), JitterMS: f.Jitter.Milliseconds(),
		ErrorRate: f.ErrorRate, ErrorStatus: f.ErrorStatus, Outage: f.Outage,
		HTMLRate: f.HTMLRate, HTMLStatus: f.HTMLStatus,
		BadSignatureRate: f.BadSignatureRate, BadSignatureMode: f.BadSignatureMode,
	})
}

// UnmarshalJSON reads durations as milliseconds and rejects unknown keys, so
// that a misspelt fault is an error rather than silently ignored.
func (f *Faults) UnmarshalJSON(b []byte) error {
	var j faultsJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	*f = Faults{
		Latency: time.Duration(j.LatencyMS) * time.Millisecond, Jitter: time.Duration(j.JitterMS) * time.Millisecond,
		ErrorRate: j.ErrorRate, ErrorStatus: j.ErrorStatus, Outage: j.Outage,
		HTMLRate: j.HTMLRate, HTMLStatus: j.HTMLStatus,
		BadSignatureRate: j.BadSignatureRate, BadSignatureMode: j.BadSignatureMode,
	}
	return nil
}

// Validate reports every field out of range.
func (f Faults) Validate() error {
	var errs []error
	if f.Latency < 0 || f.Jitter < 0 {
		errs = append(errs, errors.New("latency and jitter must be >= 0"))
	}
	rates := []struct {
		name string
		rate float64
	}{{"error_rate", f.ErrorRate}, {"html_rate", f.HTMLRate}, {"bad_signature_rate", f.BadSignatureRate}}
	for _, r := range rates {
		if !(r.rate >= 0 && r.rate <= 1) {
			errs = append(errs, fmt.Errorf("%s must be between 0 and 1", r.name))
		}
	}
	if f.ErrorStatus != 0 && (f.ErrorStatus < 500 || f.ErrorStatus > 599) {
		errs = append(errs, errors.New("error_status must be 0 or a 5xx status"))
	}
	if f.HTMLStatus != 0 && (f.HTMLStatus < 200 || f.HTMLStatus > 599) {
		errs = append(errs, errors.New("html_status must be 0 or an HTTP status"))
	}
	switch f.BadSignatureMode {
	case "", BadSignatureEncrypt, BadSignatureReject:
	default:
		errs = append(errs, fmt.Errorf("bad_signature_mode must be %q or %q", BadSignatureEncrypt, BadSignatureReject))
	}
	return errors.Join(errs...)
}

// SetFaults replaces the faults in force. It returns Validate's error and
// changes nothing when f is invalid.
func (s *Server) SetFaults(f Faults) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
	return nil
}

// Faults returns the faults in force.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// newDraws returns a source of fault draws, seeded so that a run with one
// client in sequence misbehaves the same way every time.
func newDraws(seed int64) func() float64 {
	return rand.New(rand.NewPCG(uint64(seed), 0x6661756c7473)).Float64
}

// draw reports whether an event of probability rate happens.
func (s *Server) draw(rate float64) bool {
	if rate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.draws() < rate
}

// pickStatus returns status, or one of a and b at random when it is 0.
func (s *Server) pickStatus(status, a, b int) int {
	if status != 0 {
		return status
	}
	if s.draw(0.5) {
		return a
	}
	return b
}

// transportFault applies the faults that happen before BPJS looks at a
// request, and reports whether it answered (or dropped) the request.
func (s *Server) transportFault(w http.ResponseWriter, r *http.Request, f Faults) bool {
	if f.Outage {
		resetConnection(w)
		return true
	}
	if d := f.Latency + s.jitter(f.Jitter); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if s.draw(f.ErrorRate) {
		status := s.pickStatus(f.ErrorStatus, http.StatusInternalServerError, http.StatusServiceUnavailable)
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "5")
		}
		writeEnvelope(w, status, fmt.Sprint(status), http.StatusText(status), nil)
		return true
	}
	if s.draw(f.HTMLRate) {
		status := s.pickStatus(f.HTMLStatus, http.StatusOK, http.StatusBadGateway)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, htmlPage, status, http.StatusText(status))
		return true
	}
	return false
}

const htmlPage = `<!DOCTYPE html>
<html><head><title>Error</title></head>
<body><h1>%d %s</h1><p>The server encountered a temporary error. Please try again later.</p>
<hr><address>bpjs-sim</address></body></html>
`

func (s *Server) jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Duration(s.draws() * float64(max))
}

// resetConnection hijacks the request's connection and closes it with an
// RST (linger 0), so that the client sees "connection reset by peer" and no
// response at all. Where the connection cannot be hijacked (HTTP/2), it
// aborts the handler, which resets the stream.
func resetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
