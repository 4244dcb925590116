package gate

import (
	"fmt"
	"testing"
)

// BenchmarkEvaluate measures deciding one application on findings already
// fetched (the pure rule evaluation, no lookups): a compliant employer with
// listed workers, and one with arrears and unregistered workers (more
// reasons, more details).
//
//	go test ./gate -run '^$' -bench Evaluate
func BenchmarkEvaluate(b *testing.B) {
	p := DefaultPolicy()
	var niks []string
	var ws, bad []WorkerFinding
	for i := range 10 {
		w := worker(i, true, "1", "13")
		niks = append(niks, w.NIK)
		ws = append(ws, w)
		bad = append(bad, worker(i, i%3 != 0, "1", "13"))
	}
	cases := []struct {
		name string
		f    Findings
	}{
		{"allow", Findings{Employer: employer("1", 52, 0), WorkersListed: 10, Workers: ws}},
		{"deny", Findings{Employer: employer("1", 40, 3), WorkersListed: 10, Workers: bad}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			a := app(PermitBusinessLicense, 52, niks...)
			b.ReportAllocs()
			var d Decision
			for b.Loop() {
				d = Evaluate(a, c.f, p, t0)
			}
			if len(d.Reasons) == 0 {
				b.Fatal(fmt.Sprint("no reasons: ", d.Outcome))
			}
		})
	}
}
