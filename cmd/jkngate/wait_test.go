package main

import "time"

// waitFor polls cond every `every` until it holds or timeout has passed,
// and reports whether it held. It is for conditions on things that cannot
// signal a channel: a child jkngate process, a server over the network, a
// browser. The timeout guards against a hang; it is not a speed assertion.
func waitFor(timeout, every time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(every)
	}
	return true
}
