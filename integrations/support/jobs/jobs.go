// Package jobs runs the process's background loops (callback delivery,
// rechecks, retention) in one place: each is a named job, started and
// stopped together, kept alive across panics, and reporting its state for
// metrics and /readyz.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Func is the work of a job. A continuous job returns when ctx ends (its
// error is then ignored); a periodic job makes one pass and returns.
type Func func(ctx context.Context) error

// Status is where a job is in its life.
type Status string

const (
	// StatusIdle: the runner has not started the job yet.
	StatusIdle Status = "idle"
	// StatusRunning: a run is in progress.
	StatusRunning Status = "running"
	// StatusWaiting: a periodic job waits for its next run.
	StatusWaiting Status = "waiting"
	// StatusRestarting: a continuous job failed or panicked and is
	// restarted after the runner's RestartDelay.
	StatusRestarting Status = "restarting"
	// StatusStopped: the job ended, because the runner stopped or because
	// a continuous job returned nil on its own.
	StatusStopped Status = "stopped"
)

// Result is how a run ended, as counted in State.Runs.
type Result string

const (
	ResultOK    Result = "ok"    // returned nil
	ResultError Result = "error" // returned an error while the runner ran
	ResultPanic Result = "panic" // panicked; the panic was recovered
)

// State is a job's state at one moment. It carries no error text: errors
// are logged (through the process's masking handler), while a State may be
// shown to anyone who can read /readyz.
type State struct {
	Job    string        `json:"job"`
	Status Status        `json:"status"`
	Every  time.Duration `json:"-"` // 0 for a continuous job
	// LastStart and LastEnd are the times the latest run started and
	// ended (zero before the first).
	LastStart time.Time `json:"last_start,omitzero"`
	LastEnd   time.Time `json:"last_end,omitzero"`
	// LastResult is how the latest ended run ended; empty before one has.
	LastResult Result `json:"last_result,omitempty"`
	// NextRun is when the next run starts: a periodic job's next tick, or
	// a failed continuous job's restart. Zero otherwise.
	NextRun time.Time `json:"next_run,omitzero"`
	// Runs counts the ended runs by result.
	Runs map[Result]uint64 `json:"runs"`
}

// Up reports whether the job does its work: it is running or waiting for
// its next run, not restarting after a failure nor stopped.
func (s State) Up() bool {
	return s.Status == StatusRunning || s.Status == StatusWaiting
}

// DefaultRestartDelay is the wait before a failed continuous job is
// started again, when Runner.RestartDelay is zero.
const DefaultRestartDelay = 5 * time.Second

// Runner runs named jobs. Add them, then Start once; Stop ends them all.
// The zero value is not usable: call New.
type Runner struct {
	// RestartDelay is the wait before a continuous job that returned an
	// error or panicked is started again; DefaultRestartDelay when zero.
	RestartDelay time.Duration

	logger *slog.Logger

	mu      sync.Mutex
	jobs    []*job
	names   map[string]bool
	started bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// job is one job; its state is guarded by Runner.mu, the rest never
// changes after Add.
type job struct {
	name  string
	every time.Duration
	run   Func
	state State
}

// New returns a Runner that logs failures and panics to logger (discarded
// when nil).
func New(logger *slog.Logger) *Runner {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Runner{logger: logger, names: map[string]bool{}}
}

// Add adds a continuous job: run is called once and is expected to loop
// until its ctx ends. If it returns an error or panics before then, it is
// called again after RestartDelay; if it returns nil, the job is stopped.
// Add panics when name is taken or the runner has started.
func (r *Runner) Add(name string, run Func) {
	r.add(name, 0, run)
}

// AddPeriodic adds a periodic job: run is called at Start and then every
// interval (a run that takes longer than interval delays the next, runs
// never overlap). A failed or panicking run is logged and counted; the next
// one still comes. AddPeriodic panics when name is taken, interval is not
// positive, or the runner has started.
func (r *Runner) AddPeriodic(name string, interval time.Duration, run Func) {
	if interval <= 0 {
		panic(fmt.Sprintf("jobs: job %q: interval %v is not positive", name, interval))
	}
	r.add(name, interval, run)
}

func (r *Runner) add(name string, every time.Duration, run Func) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.started:
		panic(fmt.Sprintf("jobs: job %q added after Start", name))
	case r.names[name]:
		panic(fmt.Sprintf("jobs: job %q added twice", name))
	}
	r.names[name] = true
	r.jobs = append(r.jobs, &job{name: name, every: every, run: run, state: State{Job: name, Status: StatusIdle, Every: every,
		Runs: map[Result]uint64{}}})
}

// Start starts every job in its own goroutine, under a context derived
// from ctx: the jobs stop when ctx ends or Stop is called. Start returns an
// error when called twice.
func (r *Runner) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return errors.New("jobs: runner started twice")
	}
	r.started = true
	ctx, r.cancel = context.WithCancel(ctx)
	for _, j := range r.jobs {
		// Every job's first run starts now: so the states say from here on,
		// before the goroutines get to run.
		j.state.Status = StatusRunning
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			if j.every > 0 {
				r.periodic(ctx, j)
			} else {
				r.continuous(ctx, j)
			}
			r.update(j, func(s *State) { s.Status, s.NextRun = StatusStopped, time.Time{} })
		}()
	}
	return nil
}

// Stop ends every job's context and waits for them all to return. It may
// be called more than once, and before Start.
func (r *Runner) Stop() {
	r.mu.Lock()
	cancel := r.cancel
	r.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	r.wg.Wait()
}

// Wait returns when every started job has returned (after Stop, or once
// Start's ctx has ended).
func (r *Runner) Wait() { r.wg.Wait() }

// States returns a copy of every job's state, in the order they were
// added.
func (r *Runner) States() []State {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]State, len(r.jobs))
	for i, j := range r.jobs {
		out[i] = j.state
		out[i].Runs = make(map[Result]uint64, len(j.state.Runs))
		for k, v := range j.state.Runs {
			out[i].Runs[k] = v
		}
	}
	return out
}

// continuous runs j until ctx ends, restarting it after a failure.
func (r *Runner) continuous(ctx context.Context, j *job) {
	delay := r.RestartDelay
	if delay <= 0 {
		delay = DefaultRestartDelay
	}
	for ctx.Err() == nil {
		if r.once(ctx, j) == ResultOK || ctx.Err() != nil {
			return
		}
		r.update(j, func(s *State) { s.Status, s.NextRun = StatusRestarting, time.Now().Add(delay) })
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// periodic runs j now and then every j.every until ctx ends.
func (r *Runner) periodic(ctx context.Context, j *job) {
	t := time.NewTicker(j.every)
	defer t.Stop()
	for ctx.Err() == nil {
		r.once(ctx, j)
		if ctx.Err() != nil {
			return
		}
		// A ticker's next tick is one interval after the previous one (a
		// run longer than that leaves one tick waiting: the next run starts
		// at once, as the retention loop always did).
		r.update(j, func(s *State) {
			s.Status = StatusWaiting
			s.NextRun = s.LastStart.Add(j.every)
			if now := time.Now(); s.NextRun.Before(now) {
				s.NextRun = now
			}
		})
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// once makes one run of j, recovering a panic, and records how it ended.
// An error returned because ctx ended is no failure: the run counts as ok.
func (r *Runner) once(ctx context.Context, j *job) (res Result) {
	r.update(j, func(s *State) { s.Status, s.LastStart, s.NextRun = StatusRunning, time.Now(), time.Time{} })
	defer func() {
		if p := recover(); p != nil {
			res = ResultPanic
			r.logger.ErrorContext(ctx, "job panicked", "job", j.name, "panic", fmt.Sprint(p),
				"stack", string(debug.Stack()))
		}
		r.update(j, func(s *State) {
			s.LastEnd, s.LastResult = time.Now(), res
			s.Runs[res]++
		})
	}()
	err := j.run(ctx)
	switch {
	case err == nil || ctx.Err() != nil:
		return ResultOK
	default:
		r.logger.WarnContext(ctx, "job failed", "job", j.name, "error", err)
		return ResultError
	}
}

func (r *Runner) update(j *job, f func(*State)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f(&j.state)
}
