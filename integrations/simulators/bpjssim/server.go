// Package bpjssim is a simulator of BPJS Kesehatan's web services for
// development, tests, load tests and fault drills. It serves the VClaim
// participant lookup and the employer data-sharing endpoint of contract
// section 8 with the TrustMark scheme, from a data set generated from a
// seed, and can be told to misbehave (latency, errors, outages, HTML pages,
// wrong signatures). It is a test double, not a product: plain net/http.
//
// Routes:
//
//	GET /Peserta/nik/{nik}/tglSEP/{yyyy-MM-dd}   signed; VClaim participant lookup
//	GET /BadanUsaha/nib/{nib}                    signed; employer lookup
//	GET /_sim/data[?scenario=&region=]           what it serves (no auth)
//	GET /_sim/stats, DELETE /_sim/stats          calls per endpoint
//	GET|PUT|DELETE /_sim/faults                  the faults in force
package bpjssim

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjs/trustmark"
)

// DefaultCredentials are the simulator's development credentials, used for
// every field of Config.Credentials left empty. They are not secret.
var DefaultCredentials = trustmark.Credentials{
	ConsID:  "sim-cons",
	Secret:  "sim-secret",
	UserKey: "sim-user-key",
}

// TimestampTolerance is how far a request's X-timestamp may be from the
// simulator's clock, either way.
const TimestampTolerance = 5 * time.Minute

// Config configures a Server. The zero value is usable.
type Config struct {
	// Credentials the simulator accepts; empty fields take the value of
	// DefaultCredentials.
	Credentials trustmark.Credentials
	// Seed determines the generated data: the same seed, the same data.
	Seed int64
	// Now is the clock that checks timestamps and dates the employer
	// data; the system clock when nil.
	Now gate.Clock
	// Faults are in force from the start; see SetFaults.
	Faults Faults
	// Logger receives one line per request (NIKs masked); nil discards.
	Logger *slog.Logger
}

// Server is the simulator. Its methods are safe for concurrent use.
type Server struct {
	creds        trustmark.Credentials
	now          func() time.Time
	log          *slog.Logger
	data         Data
	employers    map[string]*Employer
	participants map[string]*Participant

	mu     sync.Mutex // guards faults and draws
	faults Faults
	draws  func() float64 // in [0, 1), for fault rates

	employerCalls, participantCalls atomic.Int64
	inFlight                        atomic.Int64 // BPJS calls being answered now
}

// New builds a simulator and generates its data from cfg.Seed. It panics if
// cfg.Faults is invalid, which is a programming error.
func New(cfg Config) *Server {
	s := &Server{
		creds:        cfg.Credentials,
		now:          cfg.Now.Now,
		log:          cfg.Logger,
		data:         Generate(cfg.Seed),
		employers:    map[string]*Employer{},
		participants: map[string]*Participant{},
		draws:        newDraws(cfg.Seed),
	}
	if s.creds.ConsID == "" {
		s.creds.ConsID = DefaultCredentials.ConsID
	}
	if s.creds.Secret == "" {
		s.creds.Secret = DefaultCredentials.Secret
	}
	if s.creds.UserKey == "" {
		s.creds.UserKey = DefaultCredentials.UserKey
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for i := range s.data.Employers {
		s.employers[s.data.Employers[i].NIB] = &s.data.Employers[i]
	}
	for i := range s.data.Participants {
		s.participants[s.data.Participants[i].NIK] = &s.data.Participants[i]
	}
	if err := s.SetFaults(cfg.Faults); err != nil {
		panic("bpjssim: " + err.Error())
	}
	return s
}

// Data returns the data the simulator serves. The slices are copies; the
// Workers of each employer are shared and must not be modified.
func (s *Server) Data() Data {
	d := s.data
	d.Employers = append([]Employer(nil), d.Employers...)
	d.Participants = append([]Participant(nil), d.Participants...)
	d.UnregisteredNIBs = append([]string(nil), d.UnregisteredNIBs...)
	d.UnknownNIKs = append([]string(nil), d.UnknownNIKs...)
	return d
}

// Credentials returns the credentials the simulator accepts.
func (s *Server) Credentials() trustmark.Credentials { return s.creds }

// Stats counts the requests that reached each BPJS endpoint, whatever their
// fate (faulted, rejected, answered): what a client's coalescing and caching
// saved shows here.
type Stats struct {
	EmployerCalls    int64 `json:"employer_calls"`
	ParticipantCalls int64 `json:"participant_calls"`
	// InFlight is how many calls are being answered at this moment
	// (received, not yet answered): a test waits for it to reach 0 to know
	// that every call it caused has been served.
	InFlight int64 `json:"in_flight"`
}

// Stats returns the call counts since start or the last ResetStats.
func (s *Server) Stats() Stats {
	return Stats{EmployerCalls: s.employerCalls.Load(), ParticipantCalls: s.participantCalls.Load(),
		InFlight: s.inFlight.Load()}
}

// ResetStats sets the call counts to zero.
func (s *Server) ResetStats() {
	s.employerCalls.Store(0)
	s.participantCalls.Store(0)
}

// Handler returns the simulator's HTTP handler (routes in the package doc).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /Peserta/nik/{nik}/tglSEP/{date}", s.bpjs(&s.participantCalls, s.lookupParticipant))
	mux.Handle("GET /BadanUsaha/nib/{nib}", s.bpjs(&s.employerCalls, s.lookupEmployer))
	mux.HandleFunc("GET /_sim/data", s.handleData)
	mux.HandleFunc("GET /_sim/stats", s.handleStats)
	mux.HandleFunc("DELETE /_sim/stats", s.handleResetStats)
	mux.HandleFunc("GET /_sim/faults", s.handleGetFaults)
	mux.HandleFunc("PUT /_sim/faults", s.handlePutFaults)
	mux.HandleFunc("DELETE /_sim/faults", s.handleDeleteFaults)
	return s.logRequests(mux)
}

// logRequests logs one line per request, with any NIK in the path masked.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		s.log.Info("request", "method", r.Method, "path", maskPath(r.URL.Path),
			"status", rec.status, "duration", time.Since(start).Round(time.Microsecond))
	})
}

// maskPath masks, with gate.MaskNIK, the segment after "nik" (whatever its
// form: a malformed NIK is personal data too) and any other 16-character
// segment.
func maskPath(p string) string {
	parts := strings.Split(p, "/")
	for i, part := range parts {
		if len(part) == 16 || (i > 0 && strings.EqualFold(parts[i-1], "nik")) {
			parts[i] = gate.MaskNIK(part)
		}
	}
	return strings.Join(parts, "/")
}

// statusRecorder remembers the status written; 0 means the connection was
// hijacked (an outage) or nothing was written.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection to hijack it.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
