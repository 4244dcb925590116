package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/oss"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
	"github.com/jkngate/jkngate/integrations/simulators/osssim"
)

// ossDemo is the OSS-RBA simulator the demo runs in-process.
type ossDemo struct {
	sim  *osssim.Server
	url  string
	msgs []osssim.Message
}

// startOSSDemo starts oss-sim on a free loopback port with messages for
// data's employers, and turns the OSS adapter on in cfg, pointed at it.
func startOSSDemo(cfg *config.Config, data bpjssim.Data) (*ossDemo, func(), error) {
	key := func() string {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("oss simulator: %w", err)
	}
	o := &ossDemo{url: "http://" + ln.Addr().String(), msgs: osssim.Seeded(data)}
	cfg.OSS = config.OSS{UserKey: key(), StatusURL: o.url + "/receiveLicenseStatus", StatusUserKey: key(),
		Instansi: "DEMO-DPMPTSP"}
	o.sim = osssim.New(osssim.Config{UserKey: cfg.OSS.UserKey, StatusUserKey: cfg.OSS.StatusUserKey, Messages: o.msgs})
	srv := &http.Server{Handler: o.sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return o, func() { srv.Close() }, nil
}

// run sends every seeded message to jkngate at base once, waits (a few
// seconds at most) for the statuses to reach OSS, and prints them next to
// the decisions, a few rows and where the rest are.
func (o *ossDemo) run(ctx context.Context, w io.Writer, base string, c *components) {
	o.sim.SetTarget(base)
	fmt.Fprintf(w, "OSS-RBA (oss-sim at %s sends %d receiveNIB messages; all statuses: %s/_sim/statuses):\n",
		o.url, len(o.msgs), o.url)
	if _, err := o.sim.Send(ctx, ""); err != nil {
		fmt.Fprintf(w, "  sending failed: %v\n\n", err)
		return
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(o.sim.Statuses("")) < len(o.msgs) && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(100 * time.Millisecond)
	}
	const row = "  %-18s %-26s %-8s %s\n"
	fmt.Fprintf(w, row, "ID_IZIN", "SCENARIO", "DECISION", "STATUS AT OSS (kd_status)")
	for i, m := range o.msgs {
		if i == 6 {
			fmt.Fprintf(w, "  ... %d more\n", len(o.msgs)-i)
			break
		}
		var codes []string
		for _, r := range o.sim.Statuses(m.IDIzin[0]) {
			codes = append(codes, r.Status.KdStatus+" "+r.Status.NamaStatus)
		}
		fmt.Fprintf(w, row, m.IDIzin[0], shorten(string(m.Scenario), 26), o.outcome(ctx, c, m), strings.Join(codes, ", "))
	}
	fmt.Fprintln(w)
}

// outcome is the recorded decision of m's permit, upper case.
func (o *ossDemo) outcome(ctx context.Context, c *components, m osssim.Message) string {
	d, err := oss.Parse(m.Body)
	if err != nil {
		return "?"
	}
	items, faults := oss.Applications(d, c.gate.Policy, "")
	if len(faults) > 0 || len(items) == 0 {
		return "?"
	}
	dec, err := c.store.DecisionForWebhook(ctx, gate.OSSClientID, items[0].WebhookID)
	if err != nil {
		return "?"
	}
	return strings.ToUpper(string(dec.Outcome))
}
