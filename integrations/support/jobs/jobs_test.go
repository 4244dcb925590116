package jobs_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jkngate/jkngate/integrations/support/jobs"
)

// syncBuffer is a log sink that jobs' goroutines may write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newRunner(t *testing.T) (*jobs.Runner, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	return jobs.New(slog.New(slog.NewJSONHandler(logs, nil))), logs
}

func state(t *testing.T, r *jobs.Runner, name string) jobs.State {
	t.Helper()
	for _, s := range r.States() {
		if s.Job == name {
			return s
		}
	}
	t.Fatalf("no job %q in %+v", name, r.States())
	return jobs.State{}
}

func TestStartAndStop(t *testing.T) {
	r, _ := newRunner(t)
	started := make(chan struct{})
	stopped := make(chan struct{})
	r.Add("worker", func(ctx context.Context) error {
		close(started)
		<-ctx.Done()
		close(stopped)
		return ctx.Err() // an error because the runner stopped is no failure
	})
	if s := state(t, r, "worker"); s.Status != jobs.StatusIdle || s.Up() {
		t.Fatalf("before Start: %+v", s)
	}
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-started
	if s := state(t, r, "worker"); s.Status != jobs.StatusRunning || !s.Up() || s.LastStart.IsZero() {
		t.Errorf("after Start: %+v", s)
	}
	r.Stop()
	select {
	case <-stopped:
	default:
		t.Fatal("Stop returned before the job did")
	}
	s := state(t, r, "worker")
	if s.Status != jobs.StatusStopped || s.Up() || s.Runs[jobs.ResultOK] != 1 || s.Runs[jobs.ResultError] != 0 {
		t.Errorf("after Stop: %+v", s)
	}
	r.Stop() // twice is fine
	if err := r.Start(context.Background()); err == nil {
		t.Error("a second Start succeeded")
	}
}

func TestStartContextEndsJobs(t *testing.T) {
	r, _ := newRunner(t)
	r.Add("a", func(ctx context.Context) error { <-ctx.Done(); return nil })
	r.AddPeriodic("b", time.Hour, func(ctx context.Context) error { return nil })
	ctx, cancel := context.WithCancel(context.Background())
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	cancel()
	r.Wait()
	for _, s := range r.States() {
		if s.Status != jobs.StatusStopped {
			t.Errorf("%s: %s after the context ended", s.Job, s.Status)
		}
	}
}

func TestAddRefusesDuplicatesAndLateJobs(t *testing.T) {
	r, _ := newRunner(t)
	r.Add("a", func(context.Context) error { return nil })
	for name, add := range map[string]func(){
		"duplicate":     func() { r.Add("a", func(context.Context) error { return nil }) },
		"zero interval": func() { r.AddPeriodic("z", 0, func(context.Context) error { return nil }) },
		"after Start": func() {
			if err := r.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer r.Stop()
			r.Add("late", func(context.Context) error { return nil })
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			add()
		}()
	}
}

// A continuous job that fails is logged, counted, reported as restarting
// and started again after RestartDelay; one that returns nil stays stopped.
func TestFailingContinuousJobIsRestarted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, logs := newRunner(t)
		r.RestartDelay = time.Minute
		var calls atomic.Int32 // timers wake the job: no happens-before with the test
		r.Add("worker", func(ctx context.Context) error {
			if calls.Add(1) == 1 {
				return errors.New("claim failed: database is locked")
			}
			<-ctx.Done()
			return nil
		})
		r.Add("oneshot", func(context.Context) error { return nil })
		start := time.Now()
		if err := r.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		s := state(t, r, "worker")
		if s.Status != jobs.StatusRestarting || s.Up() || s.Runs[jobs.ResultError] != 1 || s.LastResult != jobs.ResultError ||
			!s.NextRun.Equal(start.Add(time.Minute)) {
			t.Errorf("after the failure: %+v", s)
		}
		if !strings.Contains(logs.String(), `"msg":"job failed","job":"worker","error":"claim failed: database is locked"`) {
			t.Errorf("failure not logged: %s", logs)
		}
		if s := state(t, r, "oneshot"); s.Status != jobs.StatusStopped || s.Runs[jobs.ResultOK] != 1 {
			t.Errorf("a job that returned nil: %+v", s)
		}

		time.Sleep(time.Minute - time.Nanosecond)
		synctest.Wait()
		if calls.Load() != 1 {
			t.Fatalf("restarted before the delay: %d calls", calls.Load())
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if s := state(t, r, "worker"); calls.Load() != 2 || s.Status != jobs.StatusRunning || !s.Up() || !s.NextRun.IsZero() {
			t.Errorf("after the delay: %d calls, %+v", calls.Load(), s)
		}
		r.Stop()
	})
}

// A panic is recovered, logged with its stack, and counted; a periodic job
// runs again at its next tick, a continuous one is restarted.
func TestPanickingJobs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, logs := newRunner(t)
		r.RestartDelay = time.Second
		var periodic, continuous atomic.Int32
		r.AddPeriodic("sweep", time.Hour, func(context.Context) error {
			if periodic.Add(1) == 1 {
				panic("index out of range")
			}
			return nil
		})
		r.Add("loop", func(ctx context.Context) error {
			if continuous.Add(1) == 1 {
				var m map[string]int
				m["x"] = 1 // a runtime panic
			}
			<-ctx.Done()
			return nil
		})
		if err := r.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if s := state(t, r, "sweep"); s.Runs[jobs.ResultPanic] != 1 || s.Status != jobs.StatusWaiting || !s.Up() {
			t.Errorf("sweep after its panic: %+v", s)
		}
		if s := state(t, r, "loop"); s.Runs[jobs.ResultPanic] != 1 || s.Status != jobs.StatusRestarting {
			t.Errorf("loop after its panic: %+v", s)
		}
		out := logs.String()
		for _, want := range []string{`"job":"sweep","panic":"index out of range"`, `"job":"loop","panic":"assignment to entry in nil map"`, `"stack":"goroutine`} {
			if !strings.Contains(out, want) {
				t.Errorf("log lacks %s:\n%s", want, out)
			}
		}
		time.Sleep(time.Hour)
		synctest.Wait()
		if s := state(t, r, "sweep"); periodic.Load() != 2 || s.Runs[jobs.ResultOK] != 1 || s.LastResult != jobs.ResultOK {
			t.Errorf("sweep's next run: %d runs, %+v", periodic.Load(), s)
		}
		if s := state(t, r, "loop"); continuous.Load() != 2 || s.Status != jobs.StatusRunning {
			t.Errorf("loop not restarted: %d runs, %+v", continuous.Load(), s)
		}
		r.Stop()
	})
}

// A periodic job runs at Start and then every interval; a run longer than
// the interval delays the next one, which then starts at once.
func TestPeriodicJobTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRunner(t)
		start := time.Now()
		var mu sync.Mutex
		var starts []time.Duration
		runs := func() []time.Duration { mu.Lock(); defer mu.Unlock(); return append([]time.Duration(nil), starts...) }
		r.AddPeriodic("retention", time.Hour, func(ctx context.Context) error {
			mu.Lock()
			starts = append(starts, time.Since(start))
			n := len(starts)
			mu.Unlock()
			if n == 3 {
				time.Sleep(90 * time.Minute) // a slow pass
			}
			return nil
		})
		if err := r.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if s := state(t, r, "retention"); len(runs()) != 1 || !s.NextRun.Equal(start.Add(time.Hour)) || s.Status != jobs.StatusWaiting {
			t.Fatalf("after Start: runs %v, %+v", runs(), s)
		}
		time.Sleep(time.Hour - time.Nanosecond)
		synctest.Wait()
		if len(runs()) != 1 {
			t.Fatalf("ran early: %v", runs())
		}
		time.Sleep(time.Nanosecond)
		synctest.Wait()
		if s := state(t, r, "retention"); len(runs()) != 2 || !s.NextRun.Equal(start.Add(2*time.Hour)) {
			t.Fatalf("after an hour: runs %v, %+v", runs(), s)
		}
		time.Sleep(time.Hour) // the third run starts and takes 90 minutes
		synctest.Wait()
		if s := state(t, r, "retention"); s.Status != jobs.StatusRunning || !s.LastStart.Equal(start.Add(2*time.Hour)) {
			t.Fatalf("during the slow run: %+v", s)
		}
		time.Sleep(90 * time.Minute)
		synctest.Wait()
		got := runs()
		want := []time.Duration{0, time.Hour, 2 * time.Hour, 3*time.Hour + 30*time.Minute}
		if len(got) != len(want) {
			t.Fatalf("runs at %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("run %d at %v, want %v", i, got[i], want[i])
			}
		}
		r.Stop()
		if s := state(t, r, "retention"); s.Status != jobs.StatusStopped || s.Runs[jobs.ResultOK] != 4 || !s.NextRun.IsZero() {
			t.Errorf("after Stop: %+v", s)
		}
	})
}

// States, as /readyz shows them, carry no error text (it may hold personal
// data); the collector reports up and runs per job.
func TestStatesAndCollector(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, _ := newRunner(t)
		r.RestartDelay = time.Minute
		r.Add("callbacks", func(ctx context.Context) error { <-ctx.Done(); return nil })
		r.AddPeriodic("retention", time.Hour, func(context.Context) error {
			return errors.New("erase failed for NIK 1275014101900001")
		})
		reg := prometheus.NewRegistry()
		if err := reg.Register(r.Collector()); err != nil {
			t.Fatal(err)
		}
		if err := r.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		body, err := json.Marshal(r.States())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(body), "1275014101900001") || strings.Contains(string(body), "erase failed") {
			t.Errorf("states carry the error text: %s", body)
		}
		if !strings.Contains(string(body), `"job":"retention","status":"waiting"`) || !strings.Contains(string(body), `"error":1`) {
			t.Errorf("states: %s", body)
		}
		got := gather(t, reg)
		for series, want := range map[string]float64{
			"jkngate_job_up{job=callbacks}":                      1,
			"jkngate_job_up{job=retention}":                      1,
			"jkngate_job_runs_total{job=retention,result=error}": 1,
			"jkngate_job_runs_total{job=retention,result=ok}":    0,
			"jkngate_job_runs_total{job=callbacks,result=panic}": 0,
			"jkngate_job_runs_total{job=callbacks,result=ok}":    0,
			"jkngate_job_runs_total{job=retention,result=panic}": 0,
			"jkngate_job_runs_total{job=callbacks,result=error}": 0,
		} {
			if v, ok := got[series]; !ok || v != want {
				t.Errorf("%s = %v (present %v), want %v", series, v, ok, want)
			}
		}
		r.Stop()
		if got := gather(t, reg); got["jkngate_job_up{job=callbacks}"] != 0 || got["jkngate_job_runs_total{job=callbacks,result=ok}"] != 1 {
			t.Errorf("after Stop: %v", got)
		}
	})
}

// gather returns every sample of reg as "name{label=value,...}" -> value.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			out[f.GetName()+"{"+strings.Join(labels, ",")+"}"] = v
		}
	}
	return out
}
