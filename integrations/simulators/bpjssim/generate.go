package bpjssim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// scenarioCounts is how many employers each scenario gets: 240 in all, most
// of them compliant, every path of the reason table several times.
var scenarioCounts = map[Scenario]int{
	ScenarioCompliant: 100, ScenarioCompliantMixed: 12, ScenarioUnderRegistered: 20,
	ScenarioInactive: 12, ScenarioSuspended: 10, ScenarioUnknownStatus: 6,
	ScenarioArrears1: 10, ScenarioArrears2: 10, ScenarioArrears3Plus: 10,
	ScenarioWorkerNotEmployerPaid: 14, ScenarioWorkerStatusUnclear: 14,
	ScenarioWorkerInactive: 12, ScenarioWorkerNotRegistered: 10,
	ScenarioWorkerMandiriArrears: 6, ScenarioWorkerOtherEmployer: 6, ScenarioEmployerNumberMismatch: 6,
}

// The sizes of the data set besides the employers.
const (
	minParticipants   = 5200 // topped up with people not linked to an employer
	minPopulation     = 1500 // participants not linked to any employer, at least
	unregisteredNIBs  = 25
	spareUnknownNIKs  = 40   // unknown NIKs besides those listed by employers
	coverageEpochYear = 2014 // the earliest tglTMT
)

// populationMix is the status and segment mix of participants not linked to
// an employer: mostly mandiri and PBI, with every status code gate knows and
// one it does not. The first entry of each kind is generated once before
// the weighted draw, so that every combination exists.
var populationMix = []struct {
	status, segment string
	weight          int
}{
	{"0", "14", 30}, {"0", "21", 25}, {"0", "22", 15}, {"9", "14", 12}, {"15", "14", 3},
	{"15", "22", 1}, {"2", "14", 3}, {"2", "21", 2}, {"6", "22", 3}, {"7", "14", 3},
	{"99", "21", 1}, {"99", "14", 1}, {"0", "10", 1},
}

// Generate builds the simulator's data set from a seed: the same seed always
// gives the same data.
func Generate(seed int64) Data {
	g := &generator{
		rng:  rand.New(rand.NewPCG(uint64(seed), 0x6a6b6e67617465)),
		niks: map[string]bool{},
		nibs: map[string]bool{},
	}
	var plan []Scenario
	for _, s := range Scenarios {
		for range scenarioCounts[s] {
			plan = append(plan, s)
		}
	}
	g.rng.Shuffle(len(plan), func(i, j int) { plan[i], plan[j] = plan[j], plan[i] })
	seen := map[Scenario]int{}
	for i, s := range plan {
		// Spread each scenario over the regions so that every region has
		// the common ones.
		reg := regions[(seen[s]+i)%len(regions)]
		seen[s]++
		g.employer(s, reg)
	}
	g.population()
	for len(g.data.UnregisteredNIBs) < unregisteredNIBs {
		g.data.UnregisteredNIBs = append(g.data.UnregisteredNIBs, g.nib())
	}
	for range spareUnknownNIKs {
		g.data.UnknownNIKs = append(g.data.UnknownNIKs, g.unknownNIK(g.region()))
	}
	g.count()
	return g.data
}

type generator struct {
	rng     *rand.Rand
	niks    map[string]bool
	nibs    map[string]bool
	cardSeq int
	data    Data
}

// employer adds one employer of scenario s in region reg, with its workers.
func (g *generator) employer(s Scenario, reg region) {
	e := Employer{
		Code:           fmt.Sprintf("%02d%06d", g.regionIndex(reg)+1, len(g.data.Employers)+1),
		NIB:            g.nib(),
		NPWP:           g.digits("0", 15),
		Name:           g.companyName(),
		RegionCode:     reg.Code,
		Status:         "1",
		ContribMonthly: reg.Contribution,
		Scenario:       s,
	}
	e.ApplicationCode = e.Code
	n := g.workforce()
	e.DeclaredWorkers = n
	for i := range n {
		w := g.worker(&e, reg, "0", "13")
		if s == ScenarioCompliantMixed && (i == 0 || (i > 1 && g.rng.IntN(3) == 0)) {
			w.EmployerCode, w.EmployerName = "", ""
			g.data.Participants[len(g.data.Participants)-1] = w
		}
		e.Workers = append(e.Workers, w.NIK)
	}
	switch s {
	case ScenarioInactive:
		e.Status = "2"
	case ScenarioSuspended:
		e.Status = "3"
	case ScenarioUnknownStatus:
		e.Status = "8"
	case ScenarioArrears1:
		e.ArrearsMonths = 1
	case ScenarioArrears2:
		e.ArrearsMonths = 2
	case ScenarioArrears3Plus:
		e.ArrearsMonths = 3 + g.rng.IntN(10)
	case ScenarioUnderRegistered:
		// Registered but not active (not listed: their status is a worker
		// reason of its own), and declared but never registered.
		lapsed, missing := g.rng.IntN(4), g.rng.IntN(6)
		if lapsed+missing == 0 {
			missing = 1 + g.rng.IntN(5)
		}
		for range lapsed {
			g.worker(&e, reg, g.pick("9", "15"), "13")
		}
		e.DeclaredWorkers = n + lapsed + missing
	case ScenarioWorkerNotEmployerPaid:
		e.Workers = append(e.Workers, g.participant(reg, "0", g.pick("21", "22")).NIK,
			g.participant(reg, "0", "14").NIK)
		for range g.rng.IntN(2) {
			e.Workers = append(e.Workers, g.participant(reg, "0", g.pick("14", "21", "22")).NIK)
		}
	case ScenarioWorkerMandiriArrears:
		e.Workers = append(e.Workers, g.participant(reg, "9", "14").NIK)
	case ScenarioWorkerOtherEmployer:
		p := g.participant(reg, "0", "13")
		p.EmployerCode, p.EmployerName = fmt.Sprintf("%02d9%05d", g.regionIndex(reg)+1, len(g.data.Employers)+1), g.companyName()
		g.data.Participants[len(g.data.Participants)-1] = p
		e.Workers = append(e.Workers, p.NIK)
	case ScenarioEmployerNumberMismatch:
		e.ApplicationCode = fmt.Sprintf("%02d8%05d", g.regionIndex(reg)+1, len(g.data.Employers)+1)
	case ScenarioWorkerStatusUnclear:
		for range 1 + g.rng.IntN(2) {
			e.Workers = append(e.Workers, g.worker(&e, reg, g.pick("2", "6", "7", "99"), "13").NIK)
		}
	case ScenarioWorkerInactive:
		e.Workers = append(e.Workers, g.worker(&e, reg, "9", "13").NIK, g.worker(&e, reg, "15", "13").NIK)
	case ScenarioWorkerNotRegistered:
		for range 1 + g.rng.IntN(2) {
			nik := g.unknownNIK(reg)
			g.data.UnknownNIKs = append(g.data.UnknownNIKs, nik)
			e.Workers = append(e.Workers, nik)
		}
	}
	e.StatusText = employerStatusText[e.Status]
	g.rng.Shuffle(len(e.Workers), func(i, j int) { e.Workers[i], e.Workers[j] = e.Workers[j], e.Workers[i] })
	g.data.Employers = append(g.data.Employers, e)
}

// workforce draws a company size: mostly 3-30 workers, sometimes 40-160.
func (g *generator) workforce() int {
	if g.rng.IntN(10) == 0 {
		return 40 + g.rng.IntN(121)
	}
	return 3 + g.rng.IntN(28)
}

// worker adds a participant registered by employer e.
func (g *generator) worker(e *Employer, reg region, status, segment string) Participant {
	p := g.participant(reg, status, segment)
	p.EmployerNIB, p.EmployerCode, p.EmployerName = e.NIB, e.Code, e.Name
	g.data.Participants[len(g.data.Participants)-1] = p
	return p
}

// population adds participants not linked to an employer until the data set
// is large enough, covering every combination of populationMix.
func (g *generator) population() {
	total := 0
	for _, m := range populationMix {
		total += m.weight
	}
	for i := 0; i < minPopulation || len(g.data.Participants) < minParticipants; i++ {
		m := populationMix[min(i, len(populationMix)-1)]
		if i >= len(populationMix) {
			w := g.rng.IntN(total)
			for _, c := range populationMix {
				if w -= c.weight; w < 0 {
					m = c
					break
				}
			}
		}
		g.participant(g.region(), m.status, m.segment)
	}
}

// participant adds a participant living in reg.
func (g *generator) participant(reg region, status, segment string) Participant {
	female := g.rng.IntN(2) == 0
	birth := time.Date(1955+g.rng.IntN(51), time.Month(1+g.rng.IntN(12)), 1+g.rng.IntN(28), 0, 0, 0, 0, time.UTC)
	start := time.Date(coverageEpochYear, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(3650))
	g.cardSeq++
	p := Participant{
		NIK:           g.nik(reg, female, birth),
		CardNumber:    fmt.Sprintf("0001%09d", g.cardSeq),
		Name:          g.personName(female),
		Sex:           "L",
		BirthDate:     birth.Format(time.DateOnly),
		Status:        status,
		StatusText:    participantStatusText[status],
		Segment:       segment,
		SegmentText:   segmentText[segment],
		Class:         g.pick("1", "2", "3"),
		ProviderCode:  fmt.Sprintf("%sU%03d", reg.Code, 1+g.rng.IntN(80)),
		CoverageStart: start.Format(time.DateOnly),
		CoverageEnd:   "2099-12-31",
	}
	if female {
		p.Sex = "P"
	}
	if segment == "21" || segment == "22" {
		p.Class = "3"
	}
	p.ProviderName = fmt.Sprintf("%s %s %02d", g.pick(providerKinds...), reg.Name, 1+g.rng.IntN(reg.Districts))
	if status == "2" || status == "6" {
		p.CoverageEnd = start.AddDate(0, 0, 30+g.rng.IntN(3000)).Format(time.DateOnly)
	}
	g.data.Participants = append(g.data.Participants, p)
	return p
}

// count sets every employer's registered and active counts from the
// participants linked to it, and its arrears amount from them.
func (g *generator) count() {
	registered, active := map[string]int{}, map[string]int{}
	for _, p := range g.data.Participants {
		if p.EmployerNIB == "" {
			continue
		}
		registered[p.EmployerNIB]++
		if p.Status == "0" {
			active[p.EmployerNIB]++
		}
	}
	for i := range g.data.Employers {
		e := &g.data.Employers[i]
		e.Registered, e.Active = registered[e.NIB], active[e.NIB]
		e.ArrearsAmount = int64(e.ArrearsMonths) * int64(e.Registered) * e.ContribMonthly
	}
}
