package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// sendOut runs "jkngate send" with args and returns its stdout.
func sendOut(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"send"}, args...), func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}

// jkngate send against a real server started with run on port 0: the
// event from flags, a file and standard input; readable and --json
// output; exit status (run's error) by HTTP status.
func TestSendAgainstARealServer(t *testing.T) {
	g := startGate(t)
	data := g.sim.Data()
	good, ok := data.Pick(bpjssim.ScenarioCompliant)
	if !ok || len(data.UnregisteredNIBs) == 0 {
		t.Fatal("simulator data lacks a compliant or an unregistered company")
	}
	auth := []string{"--url", g.base, "--client", "oss", "--secret", testSecret}

	t.Run("data flags, readable", func(t *testing.T) {
		args := append(auth, "--data", "--nib", good.NIB, "--region", good.RegionCode,
			"--declared", strconv.Itoa(good.DeclaredWorkers), "--application-id", "SEND-T-1")
		for _, nik := range good.Workers {
			args = append(args, "--worker", nik)
		}
		out, err := sendOut(t, args...)
		if err != nil {
			t.Fatalf("send: %v\n%s", err, out)
		}
		if !strings.HasPrefix(out, "ALLOW  application SEND-T-1  NIB "+good.NIB) || !strings.Contains(out, "decision ") {
			t.Errorf("output:\n%s", out)
		}
		for _, nik := range good.Workers {
			if strings.Contains(out, nik) {
				t.Errorf("the output shows a worker's NIK")
			}
		}
	})

	deny := `{"type":"application.submitted","data":{"application_id":"SEND-T-2","nib":"` + data.UnregisteredNIBs[0] +
		`","region_code":"1275","permit_type":"building_permit","declared_workers":3}}`
	file := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(file, []byte(deny), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("file, flags after it", func(t *testing.T) {
		out, err := sendOut(t, append([]string{file}, auth...)...)
		if err != nil {
			t.Fatalf("send: %v\n%s", err, out)
		}
		if !strings.HasPrefix(out, "DENY") || !strings.Contains(out, "EMPLOYER_NOT_REGISTERED") || !strings.Contains(out, "reasons:") {
			t.Errorf("output:\n%s", out)
		}
	})

	t.Run("stdin, --json, same id twice", func(t *testing.T) {
		defer func(r io.Reader) { stdin = r }(stdin)
		var ids []string
		for range 2 {
			stdin = strings.NewReader(deny)
			out, err := sendOut(t, append(auth, "--json", "--id", "msg_send_test_idem", "-")...)
			if err != nil {
				t.Fatalf("send: %v\n%s", err, out)
			}
			var d decisionDoc
			if err := json.Unmarshal([]byte(out), &d); err != nil || d.Outcome != "deny" {
				t.Fatalf("--json output is not the decision (%v):\n%s", err, out)
			}
			ids = append(ids, d.DecisionID)
		}
		if ids[0] != ids[1] {
			t.Errorf("the same webhook-id got decisions %s and %s", ids[0], ids[1])
		}
	})

	t.Run("wrong secret is exit 1 with the error code", func(t *testing.T) {
		out, err := sendOut(t, "--url", g.base, "--client", "oss", "--secret", "whsec_"+strings.Repeat("QUFB", 8), file)
		if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
			t.Errorf("err = %v", err)
		}
		if !strings.HasPrefix(out, "HTTP 401 invalid_signature: ") {
			t.Errorf("output:\n%s", out)
		}
	})

	t.Run("invalid event lists the fields at fault", func(t *testing.T) {
		out, err := sendOut(t, append(auth, "--data", "--region", "1275")...)
		if err == nil || !strings.Contains(err.Error(), "HTTP 422") {
			t.Errorf("err = %v", err)
		}
		if !strings.Contains(out, "invalid_application") || !strings.Contains(out, "  data.nib: ") {
			t.Errorf("output:\n%s", out)
		}
	})
}

// Mistakes in send's own arguments are all reported before anything is
// sent.
func TestSendArgumentErrors(t *testing.T) {
	_, err := sendOut(t, "--url", "localhost:8080", "--secret", "nope")
	for _, want := range []string{"--client is required", "--secret: ", "--url must be", "name a FILE"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "nope") {
		t.Errorf("the error repeats the secret: %v", err)
	}
	_, err = sendOut(t, "--client", "c", "--secret", testSecret, "--data", "event.json")
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("--data with FILE: %v", err)
	}
}

func TestWebhookURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://localhost:8080":                "http://localhost:8080/v1/webhooks/oss",
		"http://localhost:8080/":               "http://localhost:8080/v1/webhooks/oss",
		"https://gate.example/v1/webhooks/oss": "https://gate.example/v1/webhooks/oss",
	} {
		if got, err := webhookURL(in, "oss"); err != nil || got != want {
			t.Errorf("webhookURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
