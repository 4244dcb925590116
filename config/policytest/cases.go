// Package policytest runs policy test cases: YAML files that give a policy,
// an application and what BPJS Kesehatan's data showed, and the outcome and
// reason codes gate must answer. A region's legal team can read and add
// them; `jkngate policy test DIR` runs them, and so does gate's own go test
// on gate/testdata. The format is in the README ("Policy tests").
package policytest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jkngate/jkngate/config"
	"github.com/jkngate/jkngate/gate"
	"go.yaml.in/yaml/v3"
)

// File is one YAML file of cases. Policy, when given, is the policy of every
// case (keys as in a policy file); a case's own policy keys override it.
type File struct {
	Policy map[string]yaml.Node `yaml:"policy"`
	Cases  []Case               `yaml:"cases"`
}

// Case is one test case.
type Case struct {
	Name        string               `yaml:"name"`
	Policy      map[string]yaml.Node `yaml:"policy"`
	Application Application          `yaml:"application"`
	Findings    Findings             `yaml:"findings"`
	Expect      Expect               `yaml:"expect"`
}

// Application is the part of an application the rules read; NIKs are made
// up from each listed worker's position.
type Application struct {
	RegionCode       string `yaml:"region_code"`
	PermitType       string `yaml:"permit_type"`
	BusinessScale    string `yaml:"business_scale"`
	DeclaredWorkers  int    `yaml:"declared_workers"`
	BPJSEmployerCode string `yaml:"bpjs_employer_code"`
}

// Findings is what BPJS's data showed.
type Findings struct {
	// Employer is "not_registered", "unavailable" (BPJS unreachable),
	// "no_source" (no employer data), or a record.
	Employer yaml.Node `yaml:"employer"`
	// Workers, in list order: "not_registered", "unavailable", or a record.
	Workers []yaml.Node `yaml:"workers"`
}

type employerRecord struct {
	Code          string `yaml:"code"`
	Status        string `yaml:"status"`
	StatusText    string `yaml:"status_text"`
	Registered    *int   `yaml:"registered"`
	Active        int    `yaml:"active"`
	ArrearsMonths int    `yaml:"arrears_months"`
	ArrearsAmount int64  `yaml:"arrears_amount"`
}

type workerRecord struct {
	Status       string `yaml:"status"`
	StatusText   string `yaml:"status_text"`
	Segment      string `yaml:"segment"`
	SegmentText  string `yaml:"segment_text"`
	EmployerCode string `yaml:"employer_code"`
}

// Expect is what gate must answer. Messages are substrings that must each
// appear in some reason's message, message_en, legal_basis or remedy.
type Expect struct {
	Outcome  string   `yaml:"outcome"`
	Reasons  []string `yaml:"reasons"`
	Messages []string `yaml:"messages"`
}

// Result is one case's result; Problems is empty when it passed.
type Result struct {
	File, Name string
	Problems   []string
}

// now is the moment every case is decided at.
var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// RunDir runs every *.yaml and *.yml file in dir, in name order. The error
// is for a directory or file that cannot be read or parsed; failing cases are
// results with problems.
func RunDir(dir string) ([]Result, error) {
	var files []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, err
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		if _, err := os.Stat(dir); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%s: no *.yaml case files", dir)
	}
	slices.Sort(files)
	var out []Result
	for _, f := range files {
		rs, err := RunFile(f)
		if err != nil {
			return out, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// RunFile runs the cases of one file.
func RunFile(path string) ([]Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(f.Cases) == 0 {
		return nil, fmt.Errorf("%s: no cases", path)
	}
	name := filepath.Base(path)
	out := make([]Result, 0, len(f.Cases))
	for i, c := range f.Cases {
		if c.Name == "" {
			c.Name = fmt.Sprintf("case %d", i+1)
		}
		out = append(out, Result{File: name, Name: c.Name, Problems: run(name, f.Policy, c)})
	}
	return out, nil
}

// run decides one case and compares.
func run(file string, base map[string]yaml.Node, c Case) []string {
	p, err := policyOf(file, base, c.Policy)
	if err != nil {
		return []string{"policy: " + err.Error()}
	}
	app, f, err := c.inputs()
	if err != nil {
		return []string{err.Error()}
	}
	if err := app.Validate(); err != nil {
		return []string{"application: " + err.Error()}
	}
	d := gate.Evaluate(app, f, p, now)
	var problems []string
	var got []string
	for _, r := range d.Reasons {
		got = append(got, string(r.Code))
	}
	if c.Expect.Outcome != "" && string(d.Outcome) != c.Expect.Outcome {
		problems = append(problems, fmt.Sprintf("outcome %s, want %s", d.Outcome, c.Expect.Outcome))
	}
	if c.Expect.Reasons != nil && !slices.Equal(got, c.Expect.Reasons) {
		problems = append(problems, fmt.Sprintf("reasons %v, want %v", got, c.Expect.Reasons))
	}
	problems = append(problems, invariants(d, p.For(app.RegionCode))...)
	for _, m := range c.Expect.Messages {
		if !slices.ContainsFunc(d.Reasons, func(r gate.Reason) bool {
			return strings.Contains(r.Message+"\n"+r.MessageEN+"\n"+r.LegalBasis+"\n"+r.Remedy, m)
		}) {
			problems = append(problems, fmt.Sprintf("no reason says %q", m))
		}
	}
	return problems
}

// invariants are what every decision must satisfy, whatever the case says:
// each reason is explained in both languages with its legal basis, a deny or
// review says what to do, and a denial cites the regional instrument first
// (when the policy names one) and the sanction article last.
func invariants(d gate.Decision, p gate.Policy) []string {
	var problems []string
	for _, r := range d.Reasons {
		if r.Message == "" || r.MessageEN == "" || r.LegalBasis == "" {
			problems = append(problems, fmt.Sprintf("%s: message, message_en and legal_basis must all be set", r.Code))
		}
		if r.Outcome != gate.OutcomeAllow && r.Remedy == "" {
			problems = append(problems, fmt.Sprintf("%s: a %s reason needs a remedy", r.Code, r.Outcome))
		}
		if r.Outcome != gate.OutcomeDeny {
			continue
		}
		if reg := p.LegalBasis.Regional; reg != "" && !strings.HasPrefix(r.LegalBasis, reg+"; ") {
			problems = append(problems, fmt.Sprintf("%s: legal_basis %q does not begin with the regional instrument", r.Code, r.LegalBasis))
		}
		if !strings.HasSuffix(r.LegalBasis, p.LegalBasis.Sanction) {
			problems = append(problems, fmt.Sprintf("%s: legal_basis %q does not end with the sanction article", r.Code, r.LegalBasis))
		}
		if sup := p.LegalBasis.Supervision; sup != "" && strings.Contains(r.LegalBasis, sup) {
			problems = append(problems, fmt.Sprintf("%s: a denial cites %q, which is BPJS supervision, not a basis for a decision", r.Code, sup))
		}
	}
	return problems
}

// policyOf is the default policy with the file's keys, then the case's.
func policyOf(file string, base, own map[string]yaml.Node) (gate.Policy, error) {
	merged := map[string]yaml.Node{}
	for k, v := range base {
		merged[k] = v
	}
	for k, v := range own {
		merged[k] = v
	}
	if len(merged) == 0 {
		return gate.DefaultPolicy(), nil
	}
	data, err := yaml.Marshal(merged)
	if err != nil {
		return gate.Policy{}, err
	}
	return config.ParsePolicy(data, file)
}

// inputs builds the application and the findings of a case.
func (c Case) inputs() (gate.Application, gate.Findings, error) {
	a := c.Application
	app := gate.Application{ID: "CASE-1", NIB: "9120001234567", RegionCode: or(a.RegionCode, "1275"),
		PermitType:    gate.PermitType(or(a.PermitType, string(gate.PermitBusinessLicense))),
		BusinessScale: a.BusinessScale, DeclaredWorkers: a.DeclaredWorkers, BPJSEmployerCode: a.BPJSEmployerCode}
	live := gate.Fetch{Source: gate.SourceLive, AsOf: now}
	f := gate.Findings{WorkersListed: len(c.Findings.Workers)}
	switch e := c.Findings.Employer; {
	case e.Kind == 0 || e.Value == "no_source":
		f.EmployerErr = &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeEmployerSourceDisabled, Message: "no employer source"}
	case e.Value == "unavailable":
		f.EmployerErr = &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeBPJSUnavailable, Message: "BPJS unreachable"}
	case e.Value == "not_registered":
		f.Employer = gate.EmployerLookup{Fetch: live}
	case e.Kind == yaml.MappingNode:
		var r employerRecord
		if err := decodeStrict(&e, &r); err != nil {
			return app, f, fmt.Errorf("findings.employer: %w", err)
		}
		registered := r.Active
		if r.Registered != nil {
			registered = *r.Registered
		}
		f.Employer = gate.EmployerLookup{Found: true, Fetch: live, Employer: gate.Employer{Code: or(r.Code, "01020304"),
			NIB: app.NIB, Status: or(r.Status, gate.EmployerActive), StatusText: r.StatusText,
			RegisteredWorkers: registered, ActiveWorkers: r.Active, ArrearsMonths: r.ArrearsMonths,
			ArrearsAmount: r.ArrearsAmount}}
	default:
		return app, f, errors.New("findings.employer: must be no_source, unavailable, not_registered or a record")
	}
	for i, w := range c.Findings.Workers {
		nik := fmt.Sprintf("127501410190%04d", i)
		app.Workers = append(app.Workers, gate.Worker{NIK: nik})
		wf := gate.WorkerFinding{Position: i, NIK: nik}
		switch {
		case w.Value == "not_registered":
			wf.Lookup = gate.ParticipantLookup{Fetch: live}
		case w.Value == "unavailable":
			wf.Err = &gate.Error{Kind: gate.KindUnavailable, Code: gate.CodeBPJSUnavailable, Message: "BPJS unreachable"}
		case w.Kind == yaml.MappingNode:
			var r workerRecord
			if err := decodeStrict(&w, &r); err != nil {
				return app, f, fmt.Errorf("findings.workers[%d]: %w", i, err)
			}
			wf.Lookup = gate.ParticipantLookup{Found: true, Fetch: live, Participant: gate.Participant{NIK: nik,
				Status: or(r.Status, gate.ParticipantActive), StatusText: r.StatusText, Segment: or(r.Segment, "13"),
				SegmentText: r.SegmentText, EmployerCode: r.EmployerCode}}
		default:
			return app, f, fmt.Errorf("findings.workers[%d]: must be not_registered, unavailable or a record", i)
		}
		f.Workers = append(f.Workers, wf)
	}
	return app, f, nil
}

// decodeStrict decodes a mapping node, refusing unknown keys.
func decodeStrict(n *yaml.Node, v any) error {
	data, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
