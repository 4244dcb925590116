package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/jkngate/jkngate/integrations/support/jobs"
)

// retentionStore records the cutoffs it was asked to erase before, and
// fails when told to.
type retentionStore struct {
	mu      sync.Mutex
	cutoffs []time.Time
	fail    bool
}

func (s *retentionStore) EraseWorkerData(_ context.Context, cutoff time.Time, _ int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cutoffs = append(s.cutoffs, cutoff)
	if s.fail {
		return 0, errors.New("database is locked")
	}
	return 0, nil
}

func (s *retentionStore) calls() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Time(nil), s.cutoffs...)
}

// Under the job runner, retention still runs at start and then hourly, and a
// failed pass is logged while the next one still comes.
func TestRetentionJobRunsHourly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		logs := &syncBuffer{} // the job's goroutine writes, the test reads
		logger := slog.New(slog.NewJSONHandler(logs, nil))
		st := &retentionStore{fail: true}
		r := jobs.New(logger)
		r.AddPeriodic("retention", retentionInterval, retentionPass(st, 24*time.Hour, logger))
		start := time.Now()
		if err := r.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if got := st.calls(); len(got) != 1 || !got[0].Equal(start.Add(-24*time.Hour)) {
			t.Fatalf("first pass: cutoffs %v", got)
		}
		if !strings.Contains(logs.String(), `"job":"retention","error":"retention pass failed: database is locked"`) {
			t.Errorf("failed pass not logged: %s", logs.String())
		}
		st.mu.Lock()
		st.fail = false
		st.mu.Unlock()
		time.Sleep(time.Hour)
		synctest.Wait()
		if got := st.calls(); len(got) != 2 || !got[1].Equal(start.Add(time.Hour-24*time.Hour)) {
			t.Fatalf("an hour later: cutoffs %v", got)
		}
		r.Stop()
		if s := r.States()[0]; s.Runs[jobs.ResultError] != 1 || s.Runs[jobs.ResultOK] != 1 {
			t.Errorf("runs: %+v", s)
		}
	})
}
