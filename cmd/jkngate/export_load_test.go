package main

import (
	"bufio"
	"context"
	"database/sql"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/jkngate/jkngate/integrations/simulators/bpjssim"
)

// TestLoadExportMemory shows that the CSV export streams: the process's
// resident memory while exporting 100,000 decisions is about what it is for
// 10,000. It reports, and asserts only the row counts.
//
//	JKNGATE_LOAD=1 go test -run LoadExportMemory -v -count=1 ./cmd/jkngate
func TestLoadExportMemory(t *testing.T) {
	requireLoad(t)
	g := startGate(t, "JKNGATE_JWT_HS256_SECRET", testHS256)
	e, _ := g.sim.Data().Pick(bpjssim.ScenarioUnderRegistered)
	_, template := g.post(t, "msg_template", applicationOf(e, "APP-template"))
	admin := hs256Token(t, "admin-1", []string{"admin"}, nil)

	total := 0
	for _, n := range []int{10_000, 100_000} {
		seedCopies(t, g.dbPath, template.DecisionID, total, n-total)
		total = n
		before := rssKiB(t, "VmRSS")
		peak, rows, elapsed := exportAndWatch(t, g.base, admin)
		if rows != n+1 { // the copies plus the template
			t.Fatalf("export of %d decisions gave %d rows", n+1, rows)
		}
		t.Logf("export: %d decisions, %d rows in %v; RSS before %d KiB, peak during export %d KiB (+%d KiB)",
			n+1, rows, elapsed.Round(time.Millisecond), before, peak, peak-before)
	}
}

// seedCopies inserts n copies of the template decision straight into the
// database file (a recursive CTE: seconds, not minutes, for 100,000).
func seedCopies(t *testing.T, path, templateID string, from, n int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cols := `application_id, nib, region_code, permit_type, outcome, reasons, evidence, policy_version,
		decided_at, valid_until, review, client_id, webhook_id, callback_url, declared_workers, application`
	_, err = db.ExecContext(context.Background(), `WITH RECURSIVE seq(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO decisions (id, `+cols+`)
		SELECT printf('dec_00SEED%020d', i), application_id || '-' || i, nib, region_code, permit_type, outcome,
			reasons, evidence, policy_version, decided_at, valid_until, review, client_id, 'seed-' || i,
			callback_url, declared_workers, application
		FROM decisions, seq WHERE id = ?`, from+1, from+n, templateID)
	if err != nil {
		t.Fatalf("seeding: %v", err)
	}
}

// exportAndWatch downloads the CSV export while sampling the process's RSS,
// and returns the peak, the number of data rows and the time taken.
func exportAndWatch(t *testing.T, base, token string) (peakKiB int64, rows int, elapsed time.Duration) {
	t.Helper()
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			if v := rssKiB(t, "VmRSS"); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/decisions/export.csv", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: HTTP %d", resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		rows++
	}
	elapsed = time.Since(start)
	close(stop)
	<-done
	return peak.Load(), rows - 1, elapsed // minus the header line
}

// rssKiB reads a field (VmRSS, VmHWM) of /proc/self/status, in KiB.
func rssKiB(t *testing.T, field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return n
		}
	}
	return 0
}
