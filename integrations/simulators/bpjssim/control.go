package bpjssim

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"

	"github.com/jkngate/jkngate/gate"
)

// dataView is the /_sim/data document. The keys nib, status, nik and
// segment are the documented ones (README, "The BPJS simulator"); the rest help tests and people pick.
type dataView struct {
	Scenarios        []scenarioView    `json:"scenarios"`
	Employers        []employerView    `json:"employers"`
	Participants     []participantView `json:"participants"`
	UnregisteredNIBs []string          `json:"unregistered_nibs"`
	UnknownNIKs      []string          `json:"unknown_niks"`
}

type scenarioView struct {
	Scenario        Scenario          `json:"scenario"`
	Employers       int               `json:"employers"`
	ExpectedOutcome gate.Outcome      `json:"expected_outcome"`
	ExpectedReasons []gate.ReasonCode `json:"expected_reasons"`
}

type employerView struct {
	NIB             string       `json:"nib"`
	Status          string       `json:"status"`
	Code            string       `json:"code"`
	NPWP            string       `json:"npwp"`
	Name            string       `json:"name"`
	RegionCode      string       `json:"region_code"`
	Registered      int          `json:"registered"`
	Active          int          `json:"active"`
	ArrearsMonths   int          `json:"arrears_months"`
	Scenario        Scenario     `json:"scenario"`
	ExpectedOutcome gate.Outcome `json:"expected_outcome"`
	DeclaredWorkers int          `json:"declared_workers"`
	Workers         []string     `json:"workers"`
}

type participantView struct {
	NIK         string `json:"nik"`
	Status      string `json:"status"`
	Segment     string `json:"segment"`
	EmployerNIB string `json:"employer_nib,omitempty"`
}

// handleData lists what the simulator serves. Query parameters scenario and
// region filter the employers (participants are always listed whole).
func (s *Server) handleData(w http.ResponseWriter, r *http.Request) {
	scenario, region := Scenario(r.URL.Query().Get("scenario")), r.URL.Query().Get("region")
	v := dataView{
		Employers:        []employerView{},
		Participants:     make([]participantView, 0, len(s.data.Participants)),
		UnregisteredNIBs: s.data.UnregisteredNIBs,
		UnknownNIKs:      s.data.UnknownNIKs,
	}
	for _, sc := range slices.Concat(Scenarios, []Scenario{ScenarioUnregistered}) {
		outcome, reasons, _ := sc.Expectation()
		n := len(s.data.EmployersIn(sc))
		if sc == ScenarioUnregistered {
			n = 0
		}
		v.Scenarios = append(v.Scenarios, scenarioView{sc, n, outcome, reasons})
	}
	for _, e := range s.data.Employers {
		if (scenario != "" && e.Scenario != scenario) || (region != "" && e.RegionCode != region) {
			continue
		}
		outcome, _, _ := e.Scenario.Expectation()
		v.Employers = append(v.Employers, employerView{
			NIB: e.NIB, Status: e.Status, Code: e.Code, NPWP: e.NPWP, Name: e.Name,
			RegionCode: e.RegionCode, Registered: e.Registered, Active: e.Active,
			ArrearsMonths: e.ArrearsMonths, Scenario: e.Scenario, ExpectedOutcome: outcome,
			DeclaredWorkers: e.DeclaredWorkers, Workers: e.Workers,
		})
	}
	for _, p := range s.data.Participants {
		v.Participants = append(v.Participants, participantView{p.NIK, p.Status, p.Segment, p.EmployerNIB})
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) handleStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}

func (s *Server) handleResetStats(w http.ResponseWriter, _ *http.Request) {
	s.ResetStats()
	writeJSON(w, http.StatusOK, s.Stats())
}

func (s *Server) handleGetFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Faults())
}

// handlePutFaults replaces the faults with the body's; keys left out are
// zero. An unknown key or a value out of range answers 400 and changes
// nothing.
func (s *Server) handlePutFaults(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	var f Faults
	if err := json.Unmarshal(body, &f); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "malformed faults: " + err.Error()})
		return
	}
	if err := s.SetFaults(f); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	s.log.Info("faults set", "faults", string(mustJSON(f)))
	writeJSON(w, http.StatusOK, s.Faults())
}

func (s *Server) handleDeleteFaults(w http.ResponseWriter, _ *http.Request) {
	_ = s.SetFaults(Faults{})
	s.log.Info("faults cleared")
	writeJSON(w, http.StatusOK, s.Faults())
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
