package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
)

// testNIK returns the i-th valid NIK of region 1275.
func testNIK(i int) string { return fmt.Sprintf("127501410190%04d", i) }

// whatIfWith is a what-if body of region 1275 listing niks.
func whatIfWith(niks ...string) map[string]any {
	body := whatIf("1275")
	workers := make([]map[string]string, len(niks))
	for i, n := range niks {
		workers[i] = map[string]string{"nik": n}
	}
	body["workers"] = workers
	return body
}

// TestWhatIfRateLimit: what-ifs are limited per person (token sub), by
// count and by NIKs checked: 429 rate_limited with Retry-After, and allowed
// again once that time has passed. Another person is not affected.
func TestWhatIfRateLimit(t *testing.T) {
	p := newPeopleEnv(t)
	clock := now
	p.svc.Now = func() time.Time { return clock }
	path := "/v1/companies/" + nibShared + "/evaluate"
	lim := gate.DefaultWhatIfLimits

	for i := range lim.Burst {
		if rec := p.as(t, officer1275, "POST", path, whatIfWith(testNIK(i))); rec.Code != http.StatusOK {
			t.Fatalf("what-if %d of the burst: %d %s", i+1, rec.Code, rec.Body)
		}
	}
	rec := p.as(t, officer1275, "POST", path, whatIfWith(testNIK(99)))
	if rec.Code != http.StatusTooManyRequests || errorBody(t, rec).Code != "rate_limited" {
		t.Fatalf("what-if past the burst: %d %s, want 429 rate_limited", rec.Code, rec.Body)
	}
	wait := 60 / lim.PerMinute // seconds until one more what-if
	if got := rec.Header().Get("Retry-After"); got != fmt.Sprint(wait) {
		t.Errorf("Retry-After %q, want %d", got, wait)
	}
	if rec := p.as(t, officer12, "POST", path, whatIfWith(testNIK(1))); rec.Code != http.StatusOK {
		t.Errorf("another officer: %d, want 200: limits are per person", rec.Code)
	}
	clock = clock.Add(time.Duration(wait) * time.Second)
	if rec := p.as(t, officer1275, "POST", path, whatIfWith(testNIK(99))); rec.Code != http.StatusOK {
		t.Errorf("after Retry-After: %d %s, want 200", rec.Code, rec.Body)
	}

	// NIKs: one what-if may not check more than a minute's worth, and
	// the minute's worth is shared by a person's what-ifs.
	many := make([]string, lim.NIKsPerMinute+1)
	for i := range many {
		many[i] = testNIK(i + 1)
	}
	rec = p.as(t, reviewer1275, "POST", path, whatIfWith(many...))
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(fmtFields(errorBody(t, rec).Fields), "workers") {
		t.Errorf("a what-if of %d NIKs: %d %s, want 422 naming workers", len(many), rec.Code, rec.Body)
	}
	half := many[:lim.NIKsPerMinute*3/5]
	if rec := p.as(t, reviewer1275, "POST", path, whatIfWith(half...)); rec.Code != http.StatusOK {
		t.Fatalf("first what-if of %d NIKs: %d", len(half), rec.Code)
	}
	rec = p.as(t, reviewer1275, "POST", path, whatIfWith(half...))
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("second what-if of %d NIKs within the minute: %d, Retry-After %q; want 429 with Retry-After",
			len(half), rec.Code, rec.Header().Get("Retry-After"))
	}
}

// TestWhatIfAuditNamesTheCount: the access trail records how many NIKs a
// what-if checked, and none of them.
func TestWhatIfAuditNamesTheCount(t *testing.T) {
	p := newPeopleEnv(t)
	niks := []string{testNIK(1), testNIK(2), testNIK(3)}
	if rec := p.as(t, officer1275, "POST", "/v1/companies/"+nibShared+"/evaluate", whatIfWith(niks...)); rec.Code != http.StatusOK {
		t.Fatalf("what-if: %d %s", rec.Code, rec.Body)
	}
	rec := p.as(t, admin, "GET", "/v1/audit?action=company.evaluate", nil)
	trail := decode[api.AuditListJSON](t, rec)
	if len(trail.Items) != 1 || trail.Items[0].Detail != "niks_checked=3" || trail.Items[0].ResourceID != nibShared {
		t.Errorf("what-if audit entries %+v, want one on %s with detail niks_checked=3", trail.Items, nibShared)
	}
	for _, n := range niks {
		if strings.Contains(rec.Body.String(), n) || strings.Contains(rec.Body.String(), gate.MaskNIK(n)) {
			t.Errorf("the trail names NIK %s", gate.MaskNIK(n))
		}
	}
}

// statusRegistry is BPJS with one participant per NIK in statuses (status,
// segment); NIKs not in it are not registered.
type statusRegistry struct {
	peopleRegistry
	statuses map[string][2]string
}

func (r statusRegistry) Participant(_ context.Context, nik string) (gate.ParticipantLookup, error) {
	fetch := gate.Fetch{Source: gate.SourceLive, AsOf: now.Add(-time.Minute)}
	s, ok := r.statuses[nik]
	if !ok {
		return gate.ParticipantLookup{Found: false, Fetch: fetch}, nil
	}
	return gate.ParticipantLookup{Found: true, Fetch: fetch, Participant: gate.Participant{NIK: nik,
		CardNumber: "0001234567890", Name: "Siti Rahayu", Status: s[0], StatusText: "status " + s[0],
		Segment: s[1], SegmentText: "segmen " + s[1]}}, nil
}

// TestWhatIfSaysNoMoreThanADecision: a what-if answers exactly what the
// recorded decision of the same application shows about its workers:
// workers with a finding by masked NIK, position, status and segment;
// nothing on workers without one; never a full NIK, card number or name.
func TestWhatIfSaysNoMoreThanADecision(t *testing.T) {
	p := newPeopleEnv(t)
	active, unpaid, mandiri, unknown := testNIK(1), testNIK(2), testNIK(3), testNIK(4)
	p.svc.Registry = statusRegistry{statuses: map[string][2]string{
		active: {gate.ParticipantActive, "13"}, unpaid: {gate.ParticipantUnpaid, "13"},
		mandiri: {gate.ParticipantActive, "23"}}}
	niks := []string{active, unpaid, mandiri, unknown}
	body := whatIfWith(niks...)

	rec := p.as(t, officer1275, "POST", "/v1/companies/"+nibShared+"/evaluate", body)
	whatIf := decode[api.DecisionJSON](t, rec)
	app := gate.Application{ID: "WHATIF-1", NIB: nibShared, RegionCode: "1275", PermitType: gate.PermitBusinessLicense,
		DeclaredWorkers: 52}
	for _, n := range niks {
		app.Workers = append(app.Workers, gate.Worker{NIK: n})
	}
	recorded, err := p.svc.Submit(t.Context(), webhookClient, "msg-whatif-1", app)
	if err != nil {
		t.Fatal(err)
	}
	real := decode[api.DecisionJSON](t, p.as(t, officer1275, "GET", "/v1/decisions/"+recorded.ID, nil))

	if !reflect.DeepEqual(whatIf.Reasons, real.Reasons) || !reflect.DeepEqual(whatIf.Evidence, real.Evidence) ||
		whatIf.Outcome != real.Outcome {
		w, _ := json.Marshal(whatIf)
		r, _ := json.Marshal(real)
		t.Errorf("the what-if differs from the decision:\nwhat-if  %s\ndecision %s", w, r)
	}
	text := rec.Body.String()
	for _, leak := range []string{active, unpaid, mandiri, unknown, "0001234567890", "Siti", gate.MaskNIK(active)} {
		if strings.Contains(text, leak) {
			t.Errorf("the what-if answer contains %q: %s", leak, text)
		}
	}
	for _, want := range []string{gate.MaskNIK(unpaid), gate.MaskNIK(mandiri), gate.MaskNIK(unknown)} {
		if !strings.Contains(text, want) {
			t.Errorf("the what-if answer does not name %s, whose finding the decision names", want)
		}
	}
}
