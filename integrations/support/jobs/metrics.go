package jobs

import (
	"github.com/prometheus/client_golang/prometheus"
)

var (
	upDesc = prometheus.NewDesc("jkngate_job_up",
		"1 while a background job does its work (running, or waiting for its next run); 0 while it restarts after a failure or once it stopped.",
		[]string{"job"}, nil)
	runsDesc = prometheus.NewDesc("jkngate_job_runs_total",
		"Ended runs of a background job by result (ok, error, panic); a continuous job's run ends only when it fails or stops.",
		[]string{"job", "result"}, nil)
)

// collector reports a Runner's States at scrape time.
type collector struct{ r *Runner }

// Collector returns a Prometheus collector of jkngate_job_up{job} and
// jkngate_job_runs_total{job,result}, read from States at each scrape.
// Register it once per registry (a second Runner on the same registry
// would report the same series and fail to register).
func (r *Runner) Collector() prometheus.Collector { return collector{r} }

// Describe implements prometheus.Collector.
func (collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- upDesc
	ch <- runsDesc
}

// Collect implements prometheus.Collector.
func (c collector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.r.States() {
		up := 0.0
		if s.Up() {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up, s.Job)
		for _, res := range []Result{ResultOK, ResultError, ResultPanic} {
			ch <- prometheus.MustNewConstMetric(runsDesc, prometheus.CounterValue, float64(s.Runs[res]), s.Job, string(res))
		}
	}
}
