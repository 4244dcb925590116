package promreg

import (
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// gathered returns the values of the series of the metric named name on reg.
func gathered(t *testing.T, reg prometheus.Gatherer, name string) []float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	var values []float64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				values = append(values, m.GetCounter().GetValue())
			}
		}
	}
	return values
}

func newCounter() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "test_events_total", Help: "Events."},
		[]string{"kind"})
}

func TestRegisterNew(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	c := newCounter()
	got, err := Register(reg, c)
	if err != nil || got != c {
		t.Fatalf("Register = %p, %v; want %p, nil", got, err, c)
	}
	got.WithLabelValues("a").Inc()
	if got := gathered(t, reg, "test_events_total"); len(got) != 1 || got[0] != 1 {
		t.Errorf("gathered %v, want one series at 1", got)
	}
}

// TestRegisterSharesExisting registers a second, identical collector: the
// first one comes back, and counts from both instances land in one series.
func TestRegisterSharesExisting(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	first, err := Register(reg, newCounter())
	if err != nil {
		t.Fatal(err)
	}
	second, err := Register(reg, newCounter())
	if err != nil {
		t.Fatalf("second Register: %v", err)
	}
	if second != first {
		t.Fatalf("second Register returned %p, want the registered %p", second, first)
	}
	first.WithLabelValues("a").Inc()
	second.WithLabelValues("a").Inc()
	if got := gathered(t, reg, "test_events_total"); len(got) != 1 || got[0] != 2 {
		t.Errorf("gathered %v, want one series at 2", got)
	}
}

// TestRegisterOtherTypeIsError: a collector of another Go type in the same
// place cannot be returned as a C, so the conflict is reported.
func TestRegisterOtherTypeIsError(t *testing.T) {
	reg := prometheus.NewRegistry()
	existing := prometheus.NewCounter(prometheus.CounterOpts{Name: "test_events_total", Help: "Events."})
	if err := reg.Register(existing); err != nil {
		t.Fatal(err)
	}
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "test_events_total", Help: "Events."}, nil)
	got, err := Register(reg, c)
	var are prometheus.AlreadyRegisteredError
	if !errors.As(err, &are) || got != c {
		t.Errorf("Register = %p, %v; want %p and an AlreadyRegisteredError", got, err, c)
	}
}

func TestRegisterConflictIsError(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := Register(reg, newCounter()); err != nil {
		t.Fatal(err)
	}
	// Same name, different help and labels: inconsistent, not already registered.
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "test_events_total", Help: "Other."},
		[]string{"other"})
	got, err := Register(reg, c)
	var are prometheus.AlreadyRegisteredError
	if err == nil || errors.As(err, &are) || got != c {
		t.Errorf("Register = %p, %v; want %p and a registration error", got, err, c)
	}
}
