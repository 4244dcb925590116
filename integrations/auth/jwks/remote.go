package jwks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"
)

// Remote's timing.
const (
	// DefaultRefresh is how often a Remote fetches its JWKS when not told.
	DefaultRefresh = 10 * time.Minute
	// MinFetchInterval bounds the refreshes an unknown kid causes: at most
	// one fetch per interval, so tokens with made-up kids cannot turn
	// jkngate into a load generator against the identity provider.
	MinFetchInterval = 30 * time.Second
	// fetchTimeout bounds one fetch.
	fetchTimeout = 10 * time.Second
	// maxJWKSBytes bounds the JWKS document.
	maxJWKSBytes = 1 << 20
)

// Remote is a KeySet fetched from a JWKS endpoint (JKNGATE_JWT_JWKS_URL),
// refreshed in the background, and on demand when a token names a kid it
// does not know (at most once per MinFetchInterval, one fetch at a time).
// A failed fetch (network, HTTP status, garbage) keeps the last good set.
type Remote struct {
	url    string
	client *http.Client
	logger *slog.Logger
	base   context.Context // the Remote's lifetime; fetches stop with it
	now    func() time.Time

	group singleflight.Group

	mu          sync.RWMutex
	keys        map[string]any
	lastAttempt time.Time
}

// NewRemote fetches the JWKS at url once (a failure is logged, and the set
// stays empty until a later fetch succeeds), then refreshes it every
// refresh (DefaultRefresh when not positive) until ctx ends. client may be
// nil (a client with a 10 s timeout is used); so may logger.
func NewRemote(ctx context.Context, url string, client *http.Client, refresh time.Duration, logger *slog.Logger) *Remote {
	r := newRemote(ctx, url, client, logger, time.Now)
	if err := r.fetch(); err != nil {
		r.logger.WarnContext(ctx, "JWKS fetch failed at start; tokens cannot be verified until it succeeds",
			"url", url, "err", err)
	}
	if refresh <= 0 {
		refresh = DefaultRefresh
	}
	go r.loop(refresh)
	return r
}

func newRemote(ctx context.Context, url string, client *http.Client, logger *slog.Logger, now func() time.Time) *Remote {
	if client == nil {
		client = &http.Client{Timeout: fetchTimeout}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Remote{url: url, client: client, logger: logger, base: ctx, now: now, keys: map[string]any{}}
}

// Key implements KeySet. An unknown kid (or, without a kid, no single
// fitting key) causes one on-demand fetch when the last fetch is at least
// MinFetchInterval old; concurrent callers share it. ctx bounds the wait,
// not the fetch.
func (r *Remote) Key(ctx context.Context, kid, alg string) (any, error) {
	key, err := lookup(r.snapshot(), kid, alg)
	if !errors.Is(err, ErrKeyNotFound) || !r.refreshOnDemand(ctx) {
		return key, err
	}
	return lookup(r.snapshot(), kid, alg)
}

// Kids returns the kids of the current set, sorted.
func (r *Remote) Kids() []string { return slices.Sorted(maps.Keys(r.snapshot())) }

func (r *Remote) snapshot() map[string]any {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.keys
}

// refreshOnDemand fetches unless the last fetch was too recent, and
// reports whether a fetch succeeded.
func (r *Remote) refreshOnDemand(ctx context.Context) bool {
	ch := r.group.DoChan("fetch", func() (any, error) {
		r.mu.RLock()
		last := r.lastAttempt
		r.mu.RUnlock()
		if !last.IsZero() && r.now().Sub(last) < MinFetchInterval {
			return false, nil
		}
		if err := r.fetch(); err != nil {
			r.logger.WarnContext(r.base, "JWKS refresh for an unknown kid failed; keeping the last good set",
				"url", r.url, "err", err)
			return false, err
		}
		return true, nil
	})
	select {
	case res := <-ch:
		ok, _ := res.Val.(bool)
		return ok
	case <-ctx.Done():
		return false
	}
}

func (r *Remote) loop(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-r.base.Done():
			return
		case <-t.C:
			_, err, _ := r.group.Do("fetch", func() (any, error) { return true, r.fetch() })
			if err != nil {
				r.logger.WarnContext(r.base, "JWKS refresh failed; keeping the last good set", "url", r.url, "err", err)
			}
		}
	}
}

// fetch gets and parses the JWKS and, when it has a usable key, replaces
// the set.
func (r *Remote) fetch() error {
	r.mu.Lock()
	r.lastAttempt = r.now()
	r.mu.Unlock()

	ctx, cancel := context.WithTimeout(r.base, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.url, nil)
	if err != nil {
		return fmt.Errorf("jwks: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Errorf("jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("jwks: %s answered %s", r.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return fmt.Errorf("jwks: reading %s: %w", r.url, err)
	}
	if len(body) > maxJWKSBytes {
		return fmt.Errorf("jwks: %s sent more than %d bytes", r.url, maxJWKSBytes)
	}
	keys, skipped, err := ParseJWKS(body)
	for _, s := range skipped {
		r.logger.DebugContext(ctx, "JWKS key skipped", "url", r.url, "why", s)
	}
	if err != nil {
		return fmt.Errorf("jwks: %s: %w", r.url, err)
	}
	r.mu.Lock()
	changed := !slices.Equal(slices.Sorted(maps.Keys(r.keys)), slices.Sorted(maps.Keys(keys)))
	r.keys = keys
	r.mu.Unlock()
	if changed {
		r.logger.InfoContext(ctx, "JWKS keys loaded", "url", r.url, "kids", slices.Sorted(maps.Keys(keys)))
	}
	return nil
}
