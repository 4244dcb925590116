package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/support/promreg"
)

// recheckInterval is the wait between recheck passes once nothing more is
// due; while a backlog drains, passes follow each other at once.
const recheckInterval = 15 * time.Second

// runRechecks drains the rechecks of decisions made while BPJS was
// unreachable until ctx ends, counting them in
// jkngate_rechecks_drained_total{result} (superseded: a new decision was
// recorded; closed: nothing left to do) and
// jkngate_rechecks_postponed_total{result} (retried: BPJS still failed;
// deferred: live traffic had the rate limit; failed: a store error). The
// backlog itself is jkngate_recheck_backlog, counted by the store at scrape
// time.
func (c *components) runRechecks(ctx context.Context, st gate.RecheckStore) {
	drained := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jkngate_rechecks_drained_total",
		Help: "Rechecks of REGISTRY_UNAVAILABLE decisions that left the queue, by result (superseded, closed).",
	}, []string{"result"})
	postponed := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "jkngate_rechecks_postponed_total",
		Help: "Rechecks that stay queued after a pass, by result (retried, deferred, failed).",
	}, []string{"result"})
	var err error
	if drained, err = promreg.Register(c.metrics, drained); err == nil {
		postponed, err = promreg.Register(c.metrics, postponed)
	}
	if err != nil {
		c.logger.Warn("recheck metrics not registered", "error", err)
	}
	for _, r := range []string{"superseded", "closed"} {
		drained.WithLabelValues(r)
	}
	for _, r := range []string{"retried", "deferred", "failed"} {
		postponed.WithLabelValues(r)
	}
	c.gate.RunRechecks(ctx, st, gate.RecheckOptions{
		Interval: recheckInterval,
		Observe: func(p gate.RecheckPass) {
			drained.WithLabelValues("superseded").Add(float64(p.Superseded))
			drained.WithLabelValues("closed").Add(float64(p.Closed))
			postponed.WithLabelValues("retried").Add(float64(p.Retried))
			postponed.WithLabelValues("deferred").Add(float64(p.Deferred))
			postponed.WithLabelValues("failed").Add(float64(p.Failed))
		},
	})
}
