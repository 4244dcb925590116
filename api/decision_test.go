package api_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/api"
	"github.com/jkngate/jkngate/gate"
)

// decisionKeys are the keys of the decision (README, "Decisions and reason
// codes"), and no others.
var decisionKeys = []string{"application_id", "decided_at", "decision_id", "evidence", "nib", "outcome",
	"policy_version", "reasons", "region_code", "review", "supersedes", "valid_until"}

func decodeObject(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestWebhookDecisionShape(t *testing.T) {
	a := newTestAPI(t)
	rec := a.submit(t, "msg_1", event(t, nil))
	if rec.Code != 200 {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	d := decodeObject(t, rec.Body.Bytes())
	if got := sortedKeys(d); !slices.Equal(got, decisionKeys) {
		t.Errorf("keys %v, want %v", got, decisionKeys)
	}
	wantRaw := map[string]string{
		"application_id": `"OSS-2026-000123"`,
		"nib":            `"9120001234567"`,
		"region_code":    `"1275"`,
		"outcome":        `"allow"`,
		"policy_version": `"default-2026.11"`,
		"decided_at":     `"2026-11-22T10:00:00.120Z"`,
		"valid_until":    `"2026-12-22T10:00:00Z"`,
		"supersedes":     `null`,
		"review":         `null`,
	}
	for k, want := range wantRaw {
		if string(d[k]) != want {
			t.Errorf("%s = %s, want %s", k, d[k], want)
		}
	}
	if !regexp.MustCompile(`^"dec_[0-9A-Z]{26}"$`).Match(d["decision_id"]) {
		t.Errorf("decision_id %s", d["decision_id"])
	}
	var reasons []map[string]json.RawMessage
	if err := json.Unmarshal(d["reasons"], &reasons); err != nil || len(reasons) == 0 {
		t.Fatalf("reasons %s: %v", d["reasons"], err)
	}
	wantReasonKeys := []string{"code", "details", "legal_basis", "message", "message_en", "outcome", "remedy"}
	if got := sortedKeys(reasons[0]); !slices.Equal(got, wantReasonKeys) {
		t.Errorf("reason keys %v, want %v", got, wantReasonKeys)
	}
	if string(reasons[0]["code"]) != `"PERMIT_NOT_GATED"` || string(reasons[0]["details"]) == "null" {
		t.Errorf("reason %v", reasons[0])
	}
	ev := decodeObject(t, d["evidence"])
	if string(ev["source"]) != `"none"` || string(ev["as_of"]) != "null" {
		t.Errorf("evidence %s, want source none and as_of null", d["evidence"])
	}
	for _, private := range []string{"client_id", "webhook_id", "callback_url", "licensing.example", "msg_1"} {
		if strings.Contains(rec.Body.String(), private) {
			t.Errorf("the decision exposes %q: %s", private, rec.Body)
		}
	}
}

func TestWebhookGatedDecisionEvidence(t *testing.T) {
	a := newTestAPI(t)
	rec := a.submit(t, "msg_1", event(t, map[string]string{
		"permit_type": `"business_license"`,
		"workers":     `[{"nik":"` + validNIK + `"}]`,
	}))
	if rec.Code != 200 {
		t.Fatalf("status %d, body %s", rec.Code, rec.Body)
	}
	var d api.DecisionJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	ev := d.Evidence
	if ev.Source != gate.SourceLive || ev.AsOf == nil || *ev.AsOf != "2026-11-22T09:58:00Z" || ev.WorkersListed != 1 || ev.WorkersChecked != 1 {
		t.Errorf("evidence %+v (as_of %v)", ev, ev.AsOf)
	}
	if strings.Contains(rec.Body.String(), validNIK) {
		t.Errorf("the decision carries a full NIK: %s", rec.Body)
	}
}

func TestWebhookIdempotencyAndResubmission(t *testing.T) {
	a := newTestAPI(t)
	body := event(t, nil)
	var first, again, resubmitted api.DecisionJSON
	for _, step := range []struct {
		msgID string
		into  *api.DecisionJSON
	}{{"msg_1", &first}, {"msg_1", &again}, {"msg_2", &resubmitted}} {
		rec := a.submit(t, step.msgID, body)
		if rec.Code != 200 {
			t.Fatalf("%s: status %d, body %s", step.msgID, rec.Code, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), step.into); err != nil {
			t.Fatal(err)
		}
	}
	if again.DecisionID != first.DecisionID {
		t.Errorf("same webhook-id: decision %s, then %s", first.DecisionID, again.DecisionID)
	}
	if resubmitted.DecisionID == first.DecisionID {
		t.Errorf("a new webhook-id got the old decision")
	}
	if resubmitted.Supersedes == nil || *resubmitted.Supersedes != first.DecisionID {
		t.Errorf("supersedes %v, want %s", resubmitted.Supersedes, first.DecisionID)
	}
	if a.store.recorded != 2 {
		t.Errorf("%d decisions recorded, want 2", a.store.recorded)
	}
}

func TestDecisionResponseReview(t *testing.T) {
	at := time.Date(2026, 11, 23, 8, 30, 0, 0, time.FixedZone("WIB", 7*3600))
	tests := []struct {
		name   string
		review *gate.Review
		want   string
	}{
		{"none", nil, `null`},
		{"open", &gate.Review{State: "open"}, `{"state":"open","action":null,"note":"","by":null,"at":null}`},
		{"closed", &gate.Review{State: "closed", Action: "uphold", Note: "Tunggakan belum dibayar.", By: "rev-1", At: at},
			`{"state":"closed","action":"uphold","note":"Tunggakan belum dibayar.","by":"rev-1","at":"2026-11-23T01:30:00Z"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := api.DecisionResponse(gate.Decision{ID: "dec_1", Review: tt.review, Supersedes: "dec_0"})
			b, err := json.Marshal(out)
			if err != nil {
				t.Fatal(err)
			}
			d := decodeObject(t, b)
			if string(d["review"]) != tt.want {
				t.Errorf("review %s, want %s", d["review"], tt.want)
			}
			if string(d["supersedes"]) != `"dec_0"` || string(d["reasons"]) != "[]" {
				t.Errorf("supersedes %s, reasons %s", d["supersedes"], d["reasons"])
			}
		})
	}
}
