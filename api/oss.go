package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/jkngate/jkngate/api/httperr"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/oss"
)

// maxOSSBody is the largest receiveNIB body accepted: OSS's messages carry
// shareholders, legal documents and projects, and several hundred KB is
// normal.
const maxOSSBody = 2 << 20

// maxOSSItems bounds the permits of one message: each is decided before
// the answer, which must come within OSS's timeout.
const maxOSSItems = 100

// ossStoreTimeout bounds the adapter's own store calls (Submit has its own
// deadline), so that a hung database costs OSS a 503, not a hung request.
const ossStoreTimeout = 5 * time.Second

// ossParallel bounds how many checklist items of one message are decided
// at once.
const ossParallel = 4

// OSSStore is what POST /oss/receiveNIB needs from the store besides
// gate's Store.
type OSSStore interface {
	gate.WithdrawalStore
	// SaveOSSMessage stores a message (without personal data) and the OSS
	// ids of its permits.
	SaveOSSMessage(ctx context.Context, m oss.Message) error
	// EnqueueFirstCallbacks enqueues the first statuses of decisions, in
	// one transaction, except for a decision that has some already or was
	// superseded.
	EnqueueFirstCallbacks(ctx context.Context, callbacks []gate.Callback) error
}

// OSSConfig turns POST /oss/receiveNIB on (Deps.OSS).
type OSSConfig struct {
	// UserKey is the user_key header OSS must send (JKNGATE_OSS_USER_KEY).
	UserKey string
	// BasicAuth is "user:password" OSS must also send as HTTP Basic
	// (JKNGATE_OSS_BASIC_AUTH); empty: not required.
	BasicAuth string
	// StatusURL is OSS's receiveLicenseStatus (JKNGATE_OSS_STATUS_URL):
	// the callback URL of every application from OSS.
	StatusURL string
	Store     OSSStore
}

// ossAnswer is OSS's envelope for receiveNIB answers.
type ossAnswer struct {
	Respon ossRespon `json:"responreceiveNIB"`
}

type ossRespon struct {
	Status     string `json:"status"` // "1" success, "2" failure
	Keterangan string `json:"keterangan"`
}

func ossReply(c echo.Context, status int, ok bool, keterangan string) error {
	code := "2"
	if ok {
		code = "1"
	}
	if status == http.StatusServiceUnavailable {
		c.Response().Header().Set("Retry-After", retryAfterSeconds)
	}
	return c.JSON(status, ossAnswer{Respon: ossRespon{Status: code, Keterangan: keterangan}})
}

// receiveNIB is POST /oss/receiveNIB: OSS-RBA pushes a dataNIB; each
// data_checklist item becomes one application of client "oss", decided and
// recorded (with its first status to OSS in the outbox) before the 200.
func (s *server) receiveNIB(c echo.Context) error {
	if !s.ossAuthorized(c.Request()) {
		return ossReply(c, http.StatusUnauthorized, false, "User Akses Tidak Valid")
	}
	req := c.Request()
	body, err := readBody(req, maxOSSBody)
	if err != nil {
		if httperr.KindOf(err) == httperr.KindTooLarge {
			return ossReply(c, http.StatusRequestEntityTooLarge, false,
				fmt.Sprintf("Data Parameter Salah: body melebihi %d byte", maxOSSBody))
		}
		return ossReply(c, http.StatusBadRequest, false, "Data Parameter Salah: body")
	}
	if _, err := checkJSON(body); err != nil {
		return ossReply(c, http.StatusBadRequest, false, "Data Parameter Salah: body (bukan JSON yang sah: "+truncate(err.Error(), 200)+")")
	}
	d, err := oss.Parse(body)
	if err != nil {
		return ossReply(c, http.StatusBadRequest, false, "Data Parameter Salah: "+err.Error())
	}
	if len(d.Checklist) > maxOSSItems {
		return ossReply(c, http.StatusBadRequest, false,
			fmt.Sprintf("Data Parameter Salah: dataNIB.data_checklist (at most %d permits per message)", maxOSSItems))
	}
	cfg := s.oss
	items, faults := oss.Applications(d, s.gate.Policy, cfg.StatusURL)
	if len(faults) > 0 {
		return ossReply(c, http.StatusBadRequest, false, "Data Parameter Salah: "+describeFaults(faults))
	}
	ctx := req.Context()
	now := s.now()
	refs := make([]oss.Ref, len(items))
	for i, it := range items {
		refs[i] = it.Ref
	}
	sum := sha256.Sum256(body)
	msg := oss.Message{ID: gate.NewULID(now) + fmt.Sprintf("-%x", sum[:4]),
		NIB: string(d.NIB), TipeDokumen: string(d.TipeDokumen), ReceivedAt: now, Body: oss.Strip(body), Refs: refs}
	sctx, cancel := context.WithTimeout(ctx, ossStoreTimeout)
	err = cfg.Store.SaveOSSMessage(sctx, msg)
	cancel()
	if err != nil {
		s.logger.WarnContext(ctx, "storing the OSS message failed", "err", err)
		return ossReply(c, http.StatusServiceUnavailable, false, "Sistem sedang tidak dapat menyimpan data; kirim ulang nanti")
	}
	if err := s.processOSSItems(ctx, items, now); err != nil {
		if gate.KindOf(err) == gate.KindInvalid {
			return ossReply(c, http.StatusBadRequest, false, "Data Parameter Salah: "+truncate(err.Error(), 500))
		}
		s.logger.WarnContext(ctx, "deciding an OSS permit failed", "err", err)
		return ossReply(c, http.StatusServiceUnavailable, false, "Sistem sedang tidak dapat menyimpan data; kirim ulang nanti")
	}
	return ossReply(c, http.StatusOK, true, "Berhasil menyimpan data")
}

// processOSSItems submits or withdraws every item, a few at once, then
// queues the first statuses of every decision in one transaction, and
// returns the first error.
func (s *server) processOSSItems(ctx context.Context, items []oss.Item, now time.Time) error {
	errs := make([]error, len(items))
	first := make([][]gate.Callback, len(items))
	sem := make(chan struct{}, ossParallel)
	var wg sync.WaitGroup
	for i, it := range items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			first[i], errs[i] = s.processOSSItem(ctx, it, now)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, ossStoreTimeout)
	defer cancel()
	return s.oss.Store.EnqueueFirstCallbacks(ctx, slices.Concat(first...))
}

// processOSSItem withdraws or submits it, and returns the statuses that
// report its decision.
func (s *server) processOSSItem(ctx context.Context, it oss.Item, now time.Time) ([]gate.Callback, error) {
	if it.Withdraw {
		ctx, cancel := context.WithTimeout(ctx, ossStoreTimeout)
		defer cancel()
		_, err := gate.Withdraw(ctx, s.oss.Store, gate.OSSClientID, it.App.ID, gate.OSSClientID,
			"OSS menarik permohonan (tipe_dokumen pencabutan/pembatalan)", now)
		return nil, err
	}
	d, err := s.gate.Submit(ctx, gate.OSSClientID, it.WebhookID, it.App)
	if err != nil {
		return nil, err
	}
	return s.gate.FirstCallbacks(d), nil
}

// ossAuthorized checks OSS's user_key and, when configured, HTTP Basic, in
// constant time.
func (s *server) ossAuthorized(r *http.Request) bool {
	ok := equalSecret(r.Header.Get("user_key"), s.oss.UserKey)
	if s.oss.BasicAuth != "" {
		u, p, has := r.BasicAuth()
		ok = has && equalSecret(u+":"+p, s.oss.BasicAuth) && ok
	}
	return ok
}

// equalSecret compares in time independent of where the two differ (the
// hashes make it independent of the lengths too).
func equalSecret(got, want string) bool {
	g, w := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
	return want != "" && subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// describeFaults lists the fields at fault, bounded.
func describeFaults(fs []oss.FieldError) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Field + " (" + f.Message + ")"
	}
	return truncate(strings.Join(parts, "; "), 1000)
}
