package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/bpjs"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// downRegistry is BPJS during an outage.
type downRegistry struct{}

func (downRegistry) Employer(context.Context, string) (gate.EmployerLookup, error) {
	return gate.EmployerLookup{}, gate.Errorf(gate.KindUnavailable, "bpjs_unavailable", "down")
}

func (downRegistry) Participant(context.Context, string) (gate.ParticipantLookup, error) {
	return gate.ParticipantLookup{}, gate.Errorf(gate.KindUnavailable, "bpjs_unavailable", "down")
}

// A backlog of rechecks drains through the production wiring while live
// webhooks, through the real router, are answered on BPJS data (never
// REGISTRY_UNAVAILABLE): rechecks only use the rate limit's headroom. The
// drain shows in the metrics.
func TestRechecksDrainWhileLiveWebhooksAreAnswered(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sim := bpjssim.New(bpjssim.Config{})
	simSrv := httptest.NewServer(sim.Handler())
	defer simSrv.Close()
	cfg := config.Default()
	cfg.DatabaseURL = filepath.Join(t.TempDir(), "gate.db")
	cfg.WebhookClients = []config.WebhookClient{{ID: "oss", Secrets: []string{testSecret}}}
	cfg.BPJSRate = 20
	c, err := build(ctx, cfg, gate.DefaultPolicy(), slog.New(slog.DiscardHandler),
		bpjs.Config{BaseURL: simSrv.URL, EmployerBaseURL: simSrv.URL, Credentials: sim.Credentials()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	h, err := c.handler(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	g := &gateUnderTest{base: srv.URL}

	// Three applications of each of 20 companies, two workers each, answered
	// during an outage.
	data := sim.Data()
	appOf := func(e bpjssim.Employer, id string) map[string]any {
		e.Workers = e.Workers[:min(2, len(e.Workers))]
		return applicationOf(e, id)
	}
	c.gate.Registry = downRegistry{}
	c.gate.Now = func() time.Time { return time.Now().Add(-2 * time.Minute) } // due by now
	const companies, perCompany = 20, 3
	for i := range companies * perCompany {
		e := data.Employers[i%companies]
		status, d := g.post(t, fmt.Sprintf("msg_backlog_%d", i), appOf(e, fmt.Sprintf("APP-backlog-%d", i)))
		if status != http.StatusOK || d.codes() != "REGISTRY_UNAVAILABLE" {
			t.Fatalf("during the outage: HTTP %d %s", status, d.codes())
		}
	}
	c.gate.Registry, c.gate.Now = c.registry, nil
	if n := gaugeValue(t, c, "jkngate_recheck_backlog", ""); n != companies*perCompany {
		t.Fatalf("backlog gauge = %v, want %d", n, companies*perCompany)
	}

	st := &countingRechecks{RecheckStore: c.stores}
	go c.runRechecks(ctx, st)
	for i := range 10 {
		e := data.Employers[companies+i]
		status, d := g.post(t, fmt.Sprintf("msg_live_%d", i), appOf(e, fmt.Sprintf("APP-live-%d", i)))
		if status != http.StatusOK || d.Evidence.Source != "live" || d.codes() == "REGISTRY_UNAVAILABLE" {
			t.Errorf("live webhook %d while the backlog drains: HTTP %d %s from %q", i, status, d.codes(), d.Evidence.Source)
		}
	}
	waitFor(time.Minute, 50*time.Millisecond, func() bool { return st.done.Load() >= companies*perCompany })
	if n := st.done.Load(); n != companies*perCompany {
		t.Fatalf("%d of %d rechecks drained", n, companies*perCompany)
	}
	if n := gaugeValue(t, c, "jkngate_rechecks_drained_total", "superseded"); n != companies*perCompany {
		t.Errorf("jkngate_rechecks_drained_total{result=superseded} = %v, want %d", n, companies*perCompany)
	}
	if n := gaugeValue(t, c, "jkngate_recheck_backlog", ""); n != 0 {
		t.Errorf("backlog gauge = %v after the drain, want 0", n)
	}
	if calls := sim.Stats().EmployerCalls; calls > companies+10 {
		t.Errorf("%d employer calls for %d companies and 10 live webhooks: the rechecks of one company were not grouped", calls, companies)
	}
}

// gaugeValue reads a gauge or counter (with label result=result, when given)
// from the components' metrics; -1 when absent.
func gaugeValue(t *testing.T, c *components, name, result string) float64 {
	t.Helper()
	fams, err := c.metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if result != "" && !hasLabel(m, "result", result) {
				continue
			}
			if m.Gauge != nil {
				return m.Gauge.GetValue()
			}
			return m.Counter.GetValue()
		}
	}
	return -1
}

func hasLabel(m *dto.Metric, name, value string) bool {
	for _, l := range m.GetLabel() {
		if l.GetName() == name && l.GetValue() == value {
			return true
		}
	}
	return false
}
