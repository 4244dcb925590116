// Package promreg registers Prometheus collectors so that a second instance
// of a component in the same process (a second API, callback worker or
// store decorator on one registry) shares the first one's collectors
// instead of failing to register its own.
package promreg

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Register registers c on reg and returns it. When reg already holds a
// collector that describes the same metrics (prometheus.AlreadyRegisteredError)
// and it is a C, Register returns that collector instead, and no error, so
// that both instances count in the same series. Any other registration
// error is returned, with c, which is then not registered; that includes an
// existing collector of another type than C.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	if err == nil {
		return c, nil
	}
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}
