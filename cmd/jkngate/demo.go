package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/bpjs"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// demoClientID is the webhook client the demo configures and signs with.
const demoClientID = "demo-licensing"

// demo runs the gate with everything embedded: a SQLite file in a temporary
// directory (unless JKNGATE_DATABASE_URL names one), and the BPJS simulator
// in the same process. It speaks to a person: a short banner, a table of the
// sample decisions, tokens and ready curl lines on stdout; the request logs
// go to a file in the demo's folder (or --log), and only warnings and
// errors reach the terminal. It serves until ctx ends.
func demo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "", `Runs the gate with everything embedded: SQLite in a temporary folder,
the in-process cache, and the BPJS simulator in the same process. It sends
sample applications, prints their decisions, tokens for the people's API
and ready curl lines, and serves until interrupted (Ctrl-C).`)
	addr := fs.String("addr", "", "listen address (default JKNGATE_ADDR or :8080)")
	logTo := fs.String("log", "", `where the request logs go: a file path, "-" for this terminal, or "off"
(default: jkngate.log in the demo's temporary folder)`)
	if err := parseFlags(fs, args, stdout, 0); err != nil {
		return err
	}
	// The first line comes before any work, so that a person sees at once
	// that the demo runs.
	fmt.Fprintln(stdout, "jkngate demo: starting the gate, SQLite and the BPJS simulator in this process...")
	cfg, policy, err := loadConfig(getenv, config.ModeDemo)
	if err != nil {
		return err
	}
	printUnknownVariables(stderr)
	if *addr != "" {
		cfg.Addr = *addr
	}
	dir, err := os.MkdirTemp("", "jkngate-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if getenv("JKNGATE_DATABASE_URL") == "" {
		cfg.DatabaseURL = filepath.Join(dir, "jkngate.db")
	}
	secret, err := newWebhookSecret()
	if err != nil {
		return err
	}
	if cfg.RedisURL != "" && cfg.CacheKey == "" {
		// A key for this run only: what the demo cached is unreadable after.
		key := make([]byte, config.CacheKeyBytes)
		_, _ = rand.Read(key)
		cfg.CacheKey = base64.StdEncoding.EncodeToString(key)
	}
	cfg.WebhookClients = []config.WebhookClient{{ID: demoClientID, Secrets: []string{secret.Encode()}}}
	logger, logWhere, closeLog, err := demoLogger(cfg, *logTo, dir, stderr)
	if err != nil {
		return err
	}
	defer closeLog()

	sim := bpjssim.New(bpjssim.Config{Logger: logger})
	simURL, stopSim, err := startSimulator(sim)
	if err != nil {
		return err
	}
	defer stopSim()
	ossSim, stopOSS, err := startOSSDemo(&cfg, sim.Data())
	if err != nil {
		return err
	}
	defer stopOSS()

	c, err := build(ctx, cfg, policy, logger, bpjs.Config{BaseURL: simURL, EmployerBaseURL: simURL,
		Credentials: sim.Credentials(), Timeout: cfg.BPJSTimeout})
	if err != nil {
		return err
	}
	defer c.close()
	signer, demoKeys, err := newDemoSigner(cfg)
	if err != nil {
		return err
	}
	c.extraKeys = demoKeys
	c.demoUsers = demoConsoleUsers(bpjssim.RegionCodes())

	onListen := func(addr string) {
		base := "http://" + loopback(addr)
		fmt.Fprintf(stdout, "  API base URL:    %s  (OpenAPI: %s/openapi.yaml)\n", base, base)
		fmt.Fprintf(stdout, "  console:         %s/console/  (sign in as one of the demo users)\n", base)
		fmt.Fprintf(stdout, "  BPJS simulator:  %s  (its data: %s/_sim/data)\n", simURL, simURL)
		fmt.Fprintf(stdout, "  database:        %s\n", cfg.DatabaseURL)
		fmt.Fprintf(stdout, "  request logs:    %s\n", logWhere)
		fmt.Fprintf(stdout, "  webhook client:  %s\n", demoClientID)
		fmt.Fprintf(stdout, "  webhook secret:  %s\n\n", secret.Encode())
		go func() {
			results := sendSamples(ctx, stdout, base, secret, sim.Data())
			ossSim.run(ctx, stdout, base, c)
			printPeople(stdout, base, signer, results, bpjssim.RegionCodes())
			printCurl(stdout, base, secret, sim.Data())
			fmt.Fprintln(stdout, "serving until interrupted (Ctrl-C)")
		}()
	}
	return c.listenAndServe(ctx, stdout, onListen)
}

func newWebhookSecret() (standardwebhooks.Secret, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return standardwebhooks.Secret{}, err
	}
	return standardwebhooks.NewSecret(key), nil
}

// startSimulator serves the simulator on a free loopback port.
func startSimulator(sim *bpjssim.Server) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("bpjs simulator: %w", err)
	}
	srv := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// loopback turns a listen address such as ":8080" or "[::]:8080" into one a
// client on this machine can dial.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || host == "::" || host == "0.0.0.0" {
		return "localhost:" + port
	}
	return addr
}

// sample is one demo application: a simulator company and what to ask for.
type sample struct {
	title    string
	scenario bpjssim.Scenario
	permit   gate.PermitType
}

var samples = []sample{
	{"compliant employer", bpjssim.ScenarioCompliant, gate.PermitBusinessLicense},
	{"workers under-registered", bpjssim.ScenarioUnderRegistered, gate.PermitBusinessLicense},
	{"employer not registered", bpjssim.ScenarioUnregistered, gate.PermitBuildingPermit},
	{"contribution arrears", bpjssim.ScenarioArrears3Plus, gate.PermitTender},
	{"worker status unclear", bpjssim.ScenarioWorkerStatusUnclear, gate.PermitBusinessLicense},
	{"workers covered as PBI and mandiri", bpjssim.ScenarioWorkerNotEmployerPaid, gate.PermitOutsourcingLicense},
	{"workers inactive: unpaid (9) and month end (15)", bpjssim.ScenarioWorkerInactive, gate.PermitBusinessLicense},
	{"mandiri worker with own arrears", bpjssim.ScenarioWorkerMandiriArrears, gate.PermitBusinessLicense},
	{"worker active at another employer", bpjssim.ScenarioWorkerOtherEmployer, gate.PermitBusinessLicense},
	{"BPJS employer number mismatch", bpjssim.ScenarioEmployerNumberMismatch, gate.PermitBusinessLicense},
	{"workers not registered", bpjssim.ScenarioWorkerNotRegistered, gate.PermitBusinessLicense},
	{"permit type not gated", bpjssim.ScenarioUnderRegistered, gate.PermitOther},
}

// applicationFor builds the webhook body for a sample.
func applicationFor(i int, s sample, data bpjssim.Data) (map[string]any, bool) {
	app := map[string]any{
		"application_id": fmt.Sprintf("DEMO-%s-%03d", time.Now().UTC().Format("20060102"), i+1),
		"permit_type":    string(s.permit), "kbli": []string{"47111"}, "risk_level": "menengah_rendah",
		"business_scale": "kecil",
	}
	if s.scenario == bpjssim.ScenarioUnregistered {
		if len(data.UnregisteredNIBs) == 0 {
			return nil, false
		}
		app["nib"], app["region_code"], app["company_name"] = data.UnregisteredNIBs[0], "1275", "CV Belum Terdaftar"
		app["declared_workers"] = 8
		return app, true
	}
	e, ok := data.Pick(s.scenario)
	if !ok {
		return nil, false
	}
	workers := make([]map[string]string, len(e.Workers))
	for j, nik := range e.Workers {
		workers[j] = map[string]string{"nik": nik}
	}
	app["nib"], app["npwp"], app["company_name"], app["region_code"] = e.NIB, e.NPWP, e.Name, e.RegionCode
	app["declared_workers"], app["workers"] = e.DeclaredWorkers, workers
	app["bpjs_employer_code"] = e.ApplicationCode
	return app, true
}

// sampleResult is what a sample application got.
type sampleResult struct {
	appID, nib, region, decisionID, outcome string
}

// sendSamples posts one signed application per sample, prints a table of
// the decisions (application, company, outcome, first reason) and returns
// them.
func sendSamples(ctx context.Context, w io.Writer, base string, secret standardwebhooks.Secret, data bpjssim.Data) []sampleResult {
	var results []sampleResult
	row := "  %-18s %-30s %-7s %s\n"
	fmt.Fprintln(w, "sample decisions:")
	fmt.Fprintf(w, row, "APPLICATION", "COMPANY", "OUTCOME", "FIRST REASON")
	client := &http.Client{Timeout: 10 * time.Second}
	for i, s := range samples {
		app, ok := applicationFor(i, s, data)
		if !ok {
			continue
		}
		appID, company := fmt.Sprint(app["application_id"]), shorten(fmt.Sprint(app["company_name"]), 30)
		body, _ := json.Marshal(map[string]any{"type": "application.submitted",
			"timestamp": time.Now().UTC().Format(time.RFC3339), "data": app})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/webhooks/"+demoClientID, bytes.NewReader(body))
		if err != nil {
			return results
		}
		req.Header.Set("Content-Type", "application/json")
		standardwebhooks.SetHeaders(req.Header, secret, fmt.Sprintf("msg_demo_%d_%d", time.Now().UnixNano(), i), time.Now(), body)
		resp, err := client.Do(req)
		if err != nil {
			fmt.Fprintf(w, row, appID, company, "ERROR", err.Error())
			continue
		}
		var d struct {
			DecisionID string `json:"decision_id"`
			Outcome    string `json:"outcome"`
			Reasons    []struct {
				Code string `json:"code"`
			} `json:"reasons"`
		}
		err = json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			fmt.Fprintf(w, row, appID, company, "ERROR", fmt.Sprintf("HTTP %d %v", resp.StatusCode, err))
			continue
		}
		first := "-"
		if len(d.Reasons) > 0 {
			first = d.Reasons[0].Code
		}
		fmt.Fprintf(w, row, appID, company, strings.ToUpper(d.Outcome), first)
		results = append(results, sampleResult{appID: appID, nib: fmt.Sprint(app["nib"]),
			region: fmt.Sprint(app["region_code"]), decisionID: d.DecisionID, outcome: d.Outcome})
	}
	fmt.Fprintln(w)
	return results
}

// shorten cuts s to at most n runes, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// printCurl prints how to send a webhook by hand: with "jkngate send", and
// with openssl and curl so that people see what the signature is.
func printCurl(w io.Writer, base string, secret standardwebhooks.Secret, data bpjssim.Data) {
	e, ok := data.Pick(bpjssim.ScenarioCompliant)
	if !ok {
		return
	}
	fmt.Fprintf(w, "send a webhook (go run ./cmd/jkngate send ... without a built binary):\n")
	fmt.Fprintf(w, "  jkngate send --url %s --client %s --secret %s --data --nib %s --region %s --declared %d\n",
		base, demoClientID, secret.Encode(), e.NIB, e.RegionCode, e.DeclaredWorkers)
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret.Encode(), "whsec_"))
	fmt.Fprintf(w, "the same by hand (bash, openssl, curl):\n")
	fmt.Fprintf(w, "  body='{\"type\":\"application.submitted\",\"data\":{\"application_id\":\"MY-APP-1\",\"nib\":\"%s\",\"region_code\":\"%s\",\"permit_type\":\"business_license\",\"declared_workers\":%d}}'\n",
		e.NIB, e.RegionCode, e.DeclaredWorkers)
	fmt.Fprintf(w, "  id=msg_$(date +%%s%%N); ts=$(date +%%s)\n")
	fmt.Fprintf(w, "  sig=$(printf '%%s.%%s.%%s' \"$id\" \"$ts\" \"$body\" | openssl dgst -sha256 -mac HMAC -macopt hexkey:%s -binary | base64)\n", hex.EncodeToString(raw))
	fmt.Fprintf(w, "  curl -s %s/v1/webhooks/%s -H \"webhook-id: $id\" -H \"webhook-timestamp: $ts\" -H \"webhook-signature: v1,$sig\" -H 'Content-Type: application/json' -d \"$body\"\n\n",
		base, demoClientID)
}
