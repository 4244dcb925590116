package gate

import "time"

// Evaluate decides an application from what the lookups found, under a
// policy, at a moment. It is a pure function: same inputs, same decision
// (apart from the ID, which it leaves empty).
func Evaluate(app Application, f Findings, p Policy, now time.Time) Decision {
	panic("not yet")
}
