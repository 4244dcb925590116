package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/config/policytest"
	"github.com/jkngate/jkngate/gate"
)

const policyUsage = `usage: jkngate policy check FILE | jkngate policy test DIR
  check FILE  validate a policy file; print the effective policy of the base
              and of every region it overrides; one line per problem, exit 1
  test DIR    run the YAML policy test cases in DIR (*.yaml); print pass or
              fail per case, exit 1 on any failure
`

// policyCmd is `jkngate policy check FILE` and `jkngate policy test DIR`.
func policyCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, policyUsage)
		return nil
	}
	if len(args) != 2 {
		return errors.New(policyUsage)
	}
	switch args[0] {
	case "check":
		return policyCheck(args[1], stdout, stderr)
	case "test":
		return policyTest(args[1], stdout)
	}
	return fmt.Errorf("unknown policy command %q\n%s", args[0], policyUsage)
}

func policyCheck(path string, stdout, stderr io.Writer) error {
	p, err := config.LoadPolicy(path)
	if err != nil {
		lines := strings.Split(err.Error(), "\n")
		for _, l := range lines {
			fmt.Fprintln(stderr, l)
		}
		return fmt.Errorf("policy %s: %d problem(s)", path, len(lines))
	}
	fmt.Fprintf(stdout, "%s: ok\n", path)
	printPolicy(stdout, "base policy", p)
	for _, code := range slices.Sorted(maps.Keys(p.Regions)) {
		printPolicy(stdout, "region "+code, p.Regions[code])
	}
	return nil
}

// printPolicy prints an effective policy, one key a line.
func printPolicy(w io.Writer, title string, p gate.Policy) {
	fmt.Fprintf(w, "\n%s (version %s):\n", title, p.Version)
	line := func(k string, v any) { fmt.Fprintf(w, "  %-24s %v\n", k+":", v) }
	line("gated_permit_types", p.GatedPermitTypes)
	line("exempt_business_scales", p.ExemptBusinessScales)
	line("min_worker_coverage", p.MinWorkerCoverage)
	line("max_arrears_months", p.MaxArrearsMonths)
	line("employer_paid_segments", p.EmployerPaidSegments)
	line("on_registry_unavailable", p.OnRegistryUnavailable)
	line("max_data_age", p.MaxDataAge)
	line("decision_valid_for", p.DecisionValidFor)
	line("recheck_for", p.RecheckFor)
	line("worker_sample_size", p.WorkerSampleSize)
	line("review_due_working_days", p.ReviewDueWorkingDays)
	line("holidays", p.Holidays)
	lb := p.LegalBasis
	line("legal_basis.regional", fmt.Sprintf("%q", lb.Regional))
	line("legal_basis.registration", fmt.Sprintf("%q", lb.Registration))
	line("legal_basis.contribution", fmt.Sprintf("%q", lb.Contribution))
	line("legal_basis.sanction", fmt.Sprintf("%q", lb.Sanction))
	line("legal_basis.supervision", fmt.Sprintf("%q", lb.Supervision))
	for _, code := range slices.Sorted(maps.Keys(p.BranchOffices)) {
		b := p.BranchOffices[code]
		line("branch_offices."+code, fmt.Sprintf("%s, %s", b.Name, b.Address))
	}
}

func policyTest(dir string, stdout io.Writer) error {
	results, err := policytest.RunDir(dir)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if len(r.Problems) == 0 {
			fmt.Fprintf(stdout, "PASS %s: %s\n", r.File, r.Name)
			continue
		}
		failed++
		fmt.Fprintf(stdout, "FAIL %s: %s\n", r.File, r.Name)
		for _, p := range r.Problems {
			fmt.Fprintf(stdout, "     %s\n", p)
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", len(results)-failed, failed)
	if failed > 0 {
		return fmt.Errorf("%d policy case(s) failed", failed)
	}
	return nil
}

// policy is policyCmd with the signature every subcommand has.
func policy(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	return policyCmd(args, stdout, stderr)
}
