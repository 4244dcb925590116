package callback

import (
	"cmp"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/jkngate/jkngate/integrations/support/promreg"
)

// The results counted in jkngate_callback_deliveries_total.
const (
	resultDelivered = "delivered" // 2xx
	resultRetry     = "retry"     // failed, will be tried again
	resultFailed    = "failed"    // gave up: schedule exhausted or cannot be sent
	resultGone      = "gone"      // 410 Gone
)

type metrics struct {
	deliveries *prometheus.CounterVec
	duration   prometheus.Histogram
}

// newMetrics builds the collectors and registers them on reg when it is not
// nil. A collector already registered there (a second worker in the same
// process) is shared rather than rejected.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "jkngate_callback_deliveries_total",
			Help: "Callback delivery attempts by result (delivered, retry, failed, gone).",
		}, []string{"result"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "jkngate_callback_delivery_duration_seconds",
			Help:    "Duration of callback HTTP requests, including failed ones.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}
	for _, r := range []string{resultDelivered, resultRetry, resultFailed, resultGone} {
		m.deliveries.WithLabelValues(r) // export zeros, so rate() works from the start
	}
	if reg == nil {
		return m, nil
	}
	var errDeliveries, errDuration error
	m.deliveries, errDeliveries = promreg.Register(reg, m.deliveries)
	m.duration, errDuration = promreg.Register(reg, m.duration)
	return m, cmp.Or(errDeliveries, errDuration)
}
