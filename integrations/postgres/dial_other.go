//go:build !linux

package postgres

import "time"

// setUserTimeout does nothing where TCP_USER_TIMEOUT does not exist; the
// keepalive probes still notice a silent peer.
func setUserTimeout(uintptr, time.Duration) error { return nil }
