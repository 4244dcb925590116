package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jkngate/jkngate/integrations/auth/standardwebhooks"
	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// guard bounds every wait in these tests, only so that a server that never
// closes the connection fails the test instead of hanging it. It is not an
// assertion on speed.
const guard = 20 * time.Second

// dialGate opens a raw TCP connection to g, closed when the test ends.
func dialGate(t *testing.T, g *gateUnderTest) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(g.base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// readUntilClosed reads what the server sends until it closes the
// connection. It fails the test when the guard passes first.
func readUntilClosed(t *testing.T, conn net.Conn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(guard))
	got, err := io.ReadAll(conn)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept the connection open for %s; got so far: %q", guard, got)
	}
	return string(got)
}

// A signed webhook whose body trickles in is cut off once the read timeout
// has passed: the server answers or closes the connection before the body is
// complete, and the decision is never made.
func TestServerCutsOffATrickledBody(t *testing.T) {
	g := startGate(t, "JKNGATE_READ_TIMEOUT", "200ms")
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioCompliant)
	body, _ := json.Marshal(map[string]any{"type": "application.submitted", "data": applicationOf(e, "APP-trickle")})
	secret, err := standardwebhooks.ParseSecret(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	standardwebhooks.SetHeaders(h, secret, "msg_trickle", time.Now(), body)

	conn := dialGate(t, g)
	var head strings.Builder
	fmt.Fprintf(&head, "POST /v1/webhooks/oss HTTP/1.1\r\nHost: gate\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	for k, vs := range h {
		fmt.Fprintf(&head, "%s: %s\r\n", k, vs[0])
	}
	head.WriteString("\r\n")
	if _, err := io.WriteString(conn, head.String()); err != nil {
		t.Fatal(err)
	}
	// One byte every 20 ms: the whole body would take several seconds.
	var sentAll atomic.Bool
	go func() {
		for i := range body {
			if _, err := conn.Write(body[i : i+1]); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		sentAll.Store(true)
	}()
	answer := readUntilClosed(t, conn)
	if sentAll.Load() {
		t.Fatalf("the server waited for the whole trickled body (answer %q)", answer)
	}
	status, _, _ := strings.Cut(answer, "\r\n")
	t.Logf("answer to the trickled body: %q", status) // reported, not asserted
	if strings.HasPrefix(answer, "HTTP/1.1 200") {
		t.Fatalf("a trickled body was answered 200: %q", answer)
	}
	if status, d := g.post(t, "msg_after", applicationOf(e, "APP-after")); status != http.StatusOK || d.DecisionID == "" {
		t.Fatalf("after the cut-off the gate answered %d %+v", status, d)
	}
}

// An idle keep-alive connection is closed after the idle timeout.
func TestServerClosesIdleKeepAliveConnections(t *testing.T) {
	g := startGate(t, "JKNGATE_IDLE_TIMEOUT", "200ms")
	conn := dialGate(t, g)
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: gate\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(conn)
	conn.SetReadDeadline(time.Now().Add(guard))
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Close {
		t.Fatalf("healthz: %d, close %v; want 200 on a kept-alive connection", resp.StatusCode, resp.Close)
	}
	// Send nothing more: the server must hang up on its own.
	n, err := r.Read(make([]byte, 1))
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		t.Fatalf("the idle connection stayed open for %s", guard)
	case err == nil:
		t.Fatalf("read %d unexpected bytes on an idle connection", n)
	}
}

// A request whose header block exceeds the limit is answered 431.
func TestServerRefusesOversizedHeaders(t *testing.T) {
	g := startGate(t)
	req, _ := http.NewRequest(http.MethodGet, g.base+"/healthz", nil)
	req.Header.Set("X-Padding", strings.Repeat("a", maxHeaderBytes+8<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("oversized headers: %d, want 431", resp.StatusCode)
	}
	// A header block within the limit (a large bearer token, say) passes.
	req.Header.Set("X-Padding", strings.Repeat("a", 16<<10))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("16 KiB of headers: %d, want 200", resp.StatusCode)
	}
}
