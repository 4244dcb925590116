package osssim

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/oss"
)

// Failure modes of the receiveLicenseStatus endpoint.
const (
	FailNone = ""
	Fail500  = "500"  // HTTP 500, kode 500: jkngate retries
	Fail504  = "504"  // HTTP 504: jkngate retries
	Fail400  = "400"  // HTTP 400, kode 400: jkngate gives up at once
	FailSlow = "slow" // answers after SlowDelay
)

// Config configures a Server.
type Config struct {
	// Target is jkngate's base URL (OSS_SIM_TARGET), where /_sim/send
	// posts receiveNIB.
	Target string
	// UserKey is the user_key sent with receiveNIB (OSS_SIM_USER_KEY).
	UserKey string
	// StatusUserKey is the user_key receiveLicenseStatus requires
	// (OSS_SIM_STATUS_USER_KEY).
	StatusUserKey string
	// BasicAuth, "user:password", is sent as HTTP Basic with receiveNIB
	// when set.
	BasicAuth string
	// Messages are the messages /_sim/send sends (Seeded).
	Messages []Message
	// SlowDelay is how long FailSlow waits; 15 s when zero.
	SlowDelay time.Duration
	// HTTP sends receiveNIB; http.DefaultClient when nil.
	HTTP *http.Client
	// Now is the clock that stamps Received.At; the system clock when nil.
	Now gate.Clock
}

// Received is one receiveLicenseStatus message OSS accepted.
type Received struct {
	At     time.Time         `json:"received_at"`
	Status oss.LicenseStatus `json:"IZINSTATUS"`
}

// Server is the simulated OSS. Its methods are safe for concurrent use.
type Server struct {
	cfg      Config
	mu       sync.Mutex
	statuses []Received
	mode     string
	left     int // failures left in mode; 0: until switched off
	attempts int // receiveLicenseStatus requests, accepted or not
}

// New returns a Server.
func New(cfg Config) *Server {
	if cfg.SlowDelay <= 0 {
		cfg.SlowDelay = 15 * time.Second
	}
	if cfg.HTTP == nil {
		cfg.HTTP = http.DefaultClient
	}
	return &Server{cfg: cfg}
}

// Handler serves POST /receiveLicenseStatus, GET /_sim/statuses, GET
// /_sim/messages, POST /_sim/send?nib=... and POST /_sim/fail?mode=...
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /receiveLicenseStatus", s.receiveStatus)
	mux.HandleFunc("GET /_sim/statuses", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"statuses": s.Statuses(r.URL.Query().Get("id_izin"))})
	})
	mux.HandleFunc("GET /_sim/messages", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"messages": s.cfg.Messages})
	})
	mux.HandleFunc("POST /_sim/send", func(w http.ResponseWriter, r *http.Request) {
		res, err := s.Send(r.Context(), r.URL.Query().Get("nib"))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"sent": res})
	})
	mux.HandleFunc("POST /_sim/fail", func(w http.ResponseWriter, r *http.Request) {
		mode := r.URL.Query().Get("mode")
		if mode == "off" {
			mode = FailNone
		}
		n, _ := strconv.Atoi(r.URL.Query().Get("count"))
		if err := s.Fail(mode, n); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"mode": mode, "count": n})
	})
	return mux
}

// Fail switches the status endpoint's failure mode for the next count
// requests (0: until switched off with FailNone).
func (s *Server) Fail(mode string, count int) error {
	switch mode {
	case FailNone, Fail500, Fail504, Fail400, FailSlow:
	default:
		return fmt.Errorf("mode must be 500, 504, 400, slow or off")
	}
	s.mu.Lock()
	s.mode, s.left = mode, count
	s.mu.Unlock()
	return nil
}

// Statuses returns the accepted statuses, oldest first, of permit idIzin
// (all when empty).
func (s *Server) Statuses(idIzin string) []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []Received{}
	for _, r := range s.statuses {
		if idIzin == "" || r.Status.IDIzin == idIzin {
			out = append(out, r)
		}
	}
	return out
}

// Attempts is how many receiveLicenseStatus requests arrived.
func (s *Server) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

func (s *Server) receiveStatus(w http.ResponseWriter, r *http.Request) {
	// Read first: the server notices a client that gave up only once the
	// body is read.
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	s.mu.Lock()
	s.attempts++
	mode := s.mode
	if mode != FailNone && s.left > 0 {
		if s.left--; s.left == 0 {
			s.mode = FailNone
		}
	}
	s.mu.Unlock()
	answer := func(status, kode int, text string) {
		writeJSON(w, status, map[string]any{"responreceiveLicenseStatus": map[string]any{"kode": kode, "keterangan": text}})
	}
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("user_key")), []byte(s.cfg.StatusUserKey)) != 1 {
		answer(http.StatusUnauthorized, 401, "User Akses Tidak Valid")
		return
	}
	switch mode {
	case Fail500:
		answer(http.StatusInternalServerError, 500, "Proses Payload Data Di Sistem OSS Gagal")
		return
	case Fail504:
		w.WriteHeader(http.StatusGatewayTimeout)
		return
	case Fail400:
		answer(http.StatusBadRequest, 400, "Data Parameter Salah")
		return
	case FailSlow:
		select {
		case <-time.After(s.cfg.SlowDelay):
		case <-r.Context().Done():
			return
		}
	}
	var req oss.StatusRequest
	if err := json.Unmarshal(body, &req); err != nil || req.IzinStatus.IDIzin == "" || req.IzinStatus.KdStatus == "" {
		answer(http.StatusBadRequest, 400, "Data Parameter Salah: IZINSTATUS")
		return
	}
	s.mu.Lock()
	s.statuses = append(s.statuses, Received{At: s.cfg.Now.Now().UTC(), Status: req.IzinStatus})
	s.mu.Unlock()
	answer(http.StatusOK, 200, "Data berhasil diterima")
}

// SendResult is jkngate's answer to one receiveNIB.
type SendResult struct {
	NIB    string          `json:"nib"`
	Status int             `json:"http_status"`
	Answer json.RawMessage `json:"answer"`
}

// SetTarget changes Target (the demo learns jkngate's address after the
// simulator starts).
func (s *Server) SetTarget(url string) {
	s.mu.Lock()
	s.cfg.Target = url
	s.mu.Unlock()
}

// Send posts the seeded message of nib (every message when nib is empty)
// to Target's /oss/receiveNIB.
func (s *Server) Send(ctx context.Context, nib string) ([]SendResult, error) {
	var out []SendResult
	for _, m := range s.cfg.Messages {
		if nib != "" && m.NIB != nib {
			continue
		}
		res, err := s.Post(ctx, m.Body)
		if err != nil {
			return out, err
		}
		res.NIB = m.NIB
		out = append(out, res)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no seeded message for nib %q", nib)
	}
	return out, nil
}

// Post sends one receiveNIB body to Target.
func (s *Server) Post(ctx context.Context, body []byte) (SendResult, error) {
	s.mu.Lock()
	target := s.cfg.Target
	s.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		strings.TrimRight(target, "/")+"/oss/receiveNIB", bytes.NewReader(body))
	if err != nil {
		return SendResult{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("user_key", s.cfg.UserKey)
	if u, p, ok := strings.Cut(s.cfg.BasicAuth, ":"); ok {
		req.SetBasicAuth(u, p)
	}
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return SendResult{}, fmt.Errorf("sending receiveNIB: %w", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if !json.Valid(raw) {
		raw, _ = json.Marshal(string(raw))
	}
	return SendResult{Status: resp.StatusCode, Answer: raw}, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
