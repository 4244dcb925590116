package main

import (
	"encoding/json"
	"net/http"
	"testing"
)

// serve runs its background loops as named jobs, reported by /readyz and
// /metrics while they run.
func TestEndToEndBackgroundJobs(t *testing.T) {
	g := startGate(t)

	status, body := g.get(t, "/readyz")
	var ready struct {
		Info struct {
			Jobs map[string]struct {
				Status string         `json:"status"`
				Runs   map[string]int `json:"runs"`
			} `json:"jobs"`
		} `json:"info"`
	}
	if err := json.Unmarshal([]byte(body), &ready); err != nil {
		t.Fatalf("/readyz body %s: %v", body, err)
	}
	jobs := ready.Info.Jobs
	if status != http.StatusOK || len(jobs) != 3 {
		t.Fatalf("/readyz: HTTP %d %s", status, body)
	}
	for _, name := range []string{"callbacks", "rechecks"} {
		if jobs[name].Status != "running" {
			t.Errorf("job %s: %+v", name, jobs[name])
		}
	}
	// Retention runs at start, then hourly (JKNGATE_RETENTION defaults to a year).
	if r := jobs["retention"]; (r.Status != "running" && r.Status != "waiting") || r.Runs["error"] != 0 || r.Runs["panic"] != 0 {
		t.Errorf("job retention: %+v", r)
	}

	_, metrics := g.get(t, "/metrics")
	for _, want := range []string{
		`jkngate_job_up{job="callbacks"} 1`,
		`jkngate_job_up{job="rechecks"} 1`,
		`jkngate_job_up{job="retention"} 1`,
		`jkngate_job_runs_total{job="retention",result="error"} 0`,
		`jkngate_job_runs_total{job="callbacks",result="panic"} 0`,
		// The recheck loop's own metrics are still registered.
		`jkngate_rechecks_drained_total{result="superseded"} 0`,
	} {
		if !hasLine(metrics, want) {
			t.Errorf("/metrics has no line %q", want)
		}
	}
}
