package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	goredis "github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/api/console"
	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/jwks"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/bpjs"
	"github.com/jkngate/jkngate/integrations/bpjsfile"
	"github.com/jkngate/jkngate/integrations/callback"
	"github.com/jkngate/jkngate/integrations/decorators/cache"
	"github.com/jkngate/jkngate/integrations/decorators/storedeadline"
	"github.com/jkngate/jkngate/integrations/decorators/storemetrics"
	"github.com/jkngate/jkngate/integrations/redis"
	"github.com/jkngate/jkngate/integrations/support/jobs"
	"github.com/jkngate/jkngate/integrations/support/tracing"
)

// components are the running parts of one jkngate process, built from the
// configuration in one place for serve and demo.
type components struct {
	cfg      config.Config
	logger   *slog.Logger
	store    appStore
	stores   *storemetrics.Instrumented // store, timed: what gate, callbacks and rechecks use
	redis    goredis.UniversalClient    // nil without JKNGATE_REDIS_URL
	registry *cache.Registry
	metrics  *prometheus.Registry
	gate     *gate.Service
	people   *gate.People
	// extraKeys, when set, also verify people's tokens (the demo's key).
	extraKeys jwks.KeySet
	// demoUsers, when set, are offered by the console's sign-in page
	// (jkngate demo only).
	demoUsers []console.DemoUser
	// jobs are the background jobs, once background has built them.
	jobs *jobs.Runner
	// tracer is nil unless JKNGATE_TRACING is on; stopTracing flushes it.
	tracer      trace.TracerProvider
	stopTracing func(context.Context) error
}

// build opens the store, connects Redis when configured, and wraps the BPJS
// client in the cached, circuit-broken registry. close releases it all.
func build(ctx context.Context, cfg config.Config, policy gate.Policy, logger *slog.Logger, bpjsCfg bpjs.Config) (*components, error) {
	c := &components{cfg: cfg, logger: logger, metrics: prometheus.NewRegistry()}
	c.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := registerBuildInfo(c.metrics, readBuildInfo()); err != nil {
		return nil, err
	}

	var err error
	if c.tracer, c.stopTracing, err = tracing.Setup(ctx, cfg.Tracing, version); err != nil {
		return nil, fmt.Errorf("JKNGATE_TRACING: %w", err)
	}
	if c.store, err = openStore(ctx, cfg, logger); err != nil {
		c.close()
		return nil, err
	}
	// Every store call runs under a deadline (the webhook's is shorter, from
	// its budget), timed with the time it took to fail.
	if c.stores, err = storemetrics.New(storedeadline.New(c.store, storedeadline.DefaultTimeout), c.metrics); err != nil {
		c.close()
		return nil, fmt.Errorf("store metrics: %w", err)
	}
	onDecision, err := api.DecisionObserver(c.metrics)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("decision metrics: %w", err)
	}
	client, err := bpjs.New(bpjsCfg)
	if err != nil {
		c.close()
		return nil, fmt.Errorf("JKNGATE_BPJS_URL: %w", err)
	}
	opts := cache.Options{
		LocalSize:   cfg.CacheSize,
		Fresh:       cfg.CacheFresh,
		Negative:    cfg.CacheNegative,
		MaxDataAge:  policy.MaxDataAge,
		CallTimeout: cfg.BPJSTimeout,
		Rate:        cfg.BPJSRate,
		MaxInFlight: cfg.BPJSMaxInFlight,
		Metrics:     c.metrics,
		Logger:      logger,
	}
	if cfg.RedisURL != "" {
		redis.SetLogger(logger) // go-redis would print plain lines to stderr
		if c.redis, err = redis.NewClient(cfg.RedisURL); err != nil {
			c.close()
			return nil, fmt.Errorf("JKNGATE_REDIS_URL: %w", err)
		}
		if opts.Keys, err = cacheKeys(cfg); err != nil {
			c.close()
			return nil, err
		}
		opts.Shared = redis.NewTier(c.redis, cfg.RedisPrefix+"cache:")
		opts.BreakerStore = redis.NewBreakerStore(c.redis, cfg.RedisPrefix+"breaker:")
	}
	if opts.Fresh > opts.MaxDataAge {
		opts.Fresh = opts.MaxDataAge // a policy with a short max_data_age wins
	}
	if c.registry, err = cache.New(client, opts); err != nil {
		c.close()
		return nil, fmt.Errorf("cache: %w", err)
	}
	c.gate = &gate.Service{Registry: c.registry, Store: c.stores, Policy: policy, Logger: logger,
		Budget: cfg.WebhookBudget, OnDecision: onDecision, OSS: cfg.OSS.On()}
	if c.tracer != nil { // off, nothing is wrapped: no cost
		c.gate.Registry = tracing.NewRegistry(c.registry, c.tracer, c.registry.BreakerStates)
		c.gate.Store = tracing.NewStore(c.stores, c.tracer)
	}
	// Imported BPJS data files stand behind the live lookups.
	c.gate.Registry = &bpjsfile.Registry{Live: c.gate.Registry, Imports: c.store, MaxDataAge: policy.MaxDataAge, Logger: logger}
	c.people = &gate.People{Gate: c.gate, Store: c.stores, Invalidator: c.registry, Logger: logger,
		Importer: &bpjsfile.Importer{Store: c.store, RecheckFor: policy.RecheckFor},
		WhatIfLimits: gate.WhatIfLimits{PerMinute: cfg.WhatIfPerMinute, Burst: cfg.WhatIfBurst,
			NIKsPerMinute: cfg.WhatIfNIKsPerMinute}}
	return c, nil
}

// cacheKeys decodes JKNGATE_CACHE_KEY and JKNGATE_CACHE_PREVIOUS_KEYS.
func cacheKeys(cfg config.Config) (*cache.Keys, error) {
	current, previous, err := cfg.CacheKeys()
	if err != nil {
		return nil, err
	}
	if current == nil {
		return nil, fmt.Errorf("JKNGATE_CACHE_KEY: required with JKNGATE_REDIS_URL")
	}
	keys, err := cache.NewKeys(current, previous...)
	if err != nil {
		return nil, fmt.Errorf("JKNGATE_CACHE_KEY: %w", err)
	}
	return keys, nil
}

// background returns the jobs that run beside the API, not yet started:
// callback delivery, the recheck of decisions answered while BPJS was
// unreachable, and (with JKNGATE_RETENTION) the hourly erasure of personal
// data past its retention. Their states are reported by
// jkngate_job_up{job}, jkngate_job_runs_total{job,result} and /readyz (info.jobs).
func (c *components) background() (*jobs.Runner, error) {
	secrets, err := webhookClients(c.cfg.WebhookClients)
	if err != nil {
		return nil, err
	}
	first := make(map[string]standardwebhooks.Secret, len(secrets))
	for id, s := range secrets {
		first[id] = s[0]
	}
	worker, err := callback.New(callback.Config{
		Outbox:       c.stores,
		Decisions:    c.stores,
		Encode:       func(d gate.Decision) ([]byte, error) { return json.Marshal(api.DecisionResponse(d)) },
		Secrets:      first,
		AllowPrivate: c.cfg.CallbackAllowPrivate,
		Timeout:      c.cfg.CallbackTimeout,
		Lease:        2*c.cfg.CallbackTimeout + 5*time.Second,
		Logger:       c.logger,
		Metrics:      c.metrics,
		Senders:      c.ossSenders(),
	})
	if err != nil {
		return nil, fmt.Errorf("callbacks: %w", err)
	}
	r := jobs.New(c.logger)
	r.Add("callbacks", worker.Run)
	r.Add("rechecks", func(ctx context.Context) error {
		c.runRechecks(ctx, c.stores)
		return nil
	})
	if c.cfg.Retention > 0 {
		st := storedeadline.Retention(c.store, storedeadline.DefaultTimeout)
		r.AddPeriodic("retention", retentionInterval, retentionPass(st, c.cfg.Retention, c.logger))
	}
	if err := c.metrics.Register(r.Collector()); err != nil {
		c.logger.Warn("job metrics not registered", "error", err)
	}
	c.jobs = r
	return r, nil
}

// jobStates is /readyz's view of the background jobs, by name (none
// before background has built them).
func (c *components) jobStates(context.Context) any {
	if c.jobs == nil {
		return map[string]jobs.State{}
	}
	states := c.jobs.States()
	out := make(map[string]jobs.State, len(states))
	for _, s := range states {
		out[s.Job] = s
	}
	return out
}

// authenticator verifies the people's tokens with the configured key
// sources. Without any, it is nil and the people's API answers 401.
func (c *components) authenticator(ctx context.Context) (*api.Authenticator, error) {
	var keys jwks.Multi
	if c.cfg.JWTPublicKeysFile != "" {
		pemKeys, err := jwks.FromPEMFile(c.cfg.JWTPublicKeysFile)
		if err != nil {
			return nil, fmt.Errorf("JKNGATE_JWT_PUBLIC_KEYS_FILE: %w", err)
		}
		keys = append(keys, pemKeys)
	}
	if c.cfg.JWTJWKSURL != "" {
		keys = append(keys, jwks.NewRemote(ctx, c.cfg.JWTJWKSURL, nil, 0, c.logger))
	}
	if c.extraKeys != nil {
		keys = append(keys, c.extraKeys)
	}
	ac := api.AuthConfig{HS256Secret: []byte(c.cfg.JWTHS256Secret), Issuer: c.cfg.JWTIssuer, Audience: c.cfg.JWTAudience}
	if len(keys) > 0 {
		ac.Keys = keys
	}
	if ac.Keys == nil && len(ac.HS256Secret) == 0 {
		c.logger.Warn("no JWT key source configured: the people's API answers 401 to everyone")
		return nil, nil
	}
	auth, err := api.NewAuthenticator(ac)
	if err != nil {
		return nil, fmt.Errorf("JKNGATE_JWT_*: %w", err)
	}
	return auth, nil
}

// handler returns the HTTP API over the components.
func (c *components) handler(ctx context.Context) (http.Handler, error) {
	clients, err := webhookClients(c.cfg.WebhookClients)
	if err != nil {
		return nil, err
	}
	auth, err := c.authenticator(ctx)
	if err != nil {
		return nil, err
	}
	checks := []api.Check{{Name: "store", Required: true, Check: c.store.Ping}}
	if c.redis != nil {
		checks = append(checks, api.Check{Name: "redis", Check: func(ctx context.Context) error {
			return c.redis.Ping(ctx).Err()
		}})
	}
	// The breakers' states are reported, never judged: an open breaker is
	// an outage of BPJS, which the gate answers (REGISTRY_UNAVAILABLE).
	info := []api.Info{{Name: "bpjs_breakers", Value: func(context.Context) any { return c.registry.BreakerStates() }}}
	if c.jobs != nil {
		info = append(info, api.Info{Name: "jobs", Value: c.jobStates})
	}
	con, err := c.consoleHandler()
	if err != nil {
		return nil, err
	}
	return api.New(api.Deps{
		Gate:       c.gate,
		People:     c.people,
		Auth:       auth,
		Clients:    clients,
		Checks:     checks,
		Info:       info,
		Logger:     c.logger,
		Metrics:    promhttp.HandlerFor(c.metrics, promhttp.HandlerOpts{}),
		Registerer: c.metrics,

		TracerProvider: c.tracer,
		// The webhook refuses at intake what the callback worker would.
		CallbackAllowPrivate: c.cfg.CallbackAllowPrivate,
		Console:              con,
		OSS:                  c.ossConfig(),
	}), nil
}

func (c *components) close() {
	if c.registry != nil {
		c.registry.Close()
	}
	if c.redis != nil {
		c.redis.Close()
	}
	if c.store != nil {
		c.store.Close()
	}
	if c.stopTracing != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.stopTracing(ctx); err != nil {
			c.logger.Warn("flushing traces failed", "error", err)
		}
	}
}
