package gate

import (
	"context"
	"testing"
	"time"
)

// OSS's statuses replace decision.updated only with the adapter on: a
// webhook client may itself be called "oss".
func TestCallbacksForOSS(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	d := Decision{ID: "dec_2", ClientID: OSSClientID, CallbackURL: "https://oss.example/status", Outcome: OutcomeAllow, DecidedAt: at}
	kinds := func(cs []Callback) []string {
		return each(cs, func(c Callback) string { return c.Kind })
	}
	off, on := &Service{}, &Service{OSS: true}
	if got := kinds(off.callbacksFor(OutcomeReview, d)); len(got) != 1 || got[0] != "" {
		t.Errorf("adapter off: %v, want one decision.updated", got)
	}
	if got := off.FirstCallbacks(d); got != nil {
		t.Errorf("adapter off, first callbacks: %v", got)
	}
	for _, c := range []struct {
		prev, now Outcome
		want      []string
	}{
		{"", OutcomeAllow, []string{CallbackKindOSSStatus}},
		{OutcomeReview, OutcomeAllow, []string{CallbackKindOSSConfirmation, CallbackKindOSSStatus}},
		{OutcomeReview, OutcomeDeny, []string{CallbackKindOSSConfirmation, CallbackKindOSSStatus}},
		{OutcomeReview, OutcomeReview, []string{CallbackKindOSSStatus}},
		{OutcomeDeny, OutcomeAllow, []string{CallbackKindOSSStatus}},
	} {
		d.Outcome = c.now
		got := kinds(on.callbacksFor(c.prev, d))
		if len(got) != len(c.want) || got[0] != c.want[0] || got[len(got)-1] != c.want[len(c.want)-1] {
			t.Errorf("%s after %q: %v, want %v", c.now, c.prev, got, c.want)
		}
	}
	other := d
	other.ClientID = "licensing"
	if got := kinds(on.callbacksFor(OutcomeReview, other)); len(got) != 1 || got[0] != "" {
		t.Errorf("another client with the adapter on: %v", got)
	}
	if got := on.FirstCallbacks(other); got != nil {
		t.Errorf("another client's first callbacks: %v", got)
	}
}

type withdrawals struct {
	head   Decision
	err    error
	closed *Review
}

func (w *withdrawals) StopApplication(context.Context, string, string, string) (Decision, error) {
	return w.head, w.err
}

func (w *withdrawals) CloseReview(_ context.Context, _ string, r Review, next *Decision, cbs []Callback) error {
	if next != nil || len(cbs) > 0 {
		panic("a withdrawal records no decision and sends nothing")
	}
	w.closed = &r
	return nil
}

func TestWithdraw(t *testing.T) {
	at := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	st := &withdrawals{head: Decision{ID: "dec_1", Review: &Review{State: ReviewOpen}}}
	known, err := Withdraw(context.Background(), st, OSSClientID, "I1", "oss", "dicabut", at)
	if err != nil || !known || st.closed == nil || st.closed.Action != ActionWithdraw || st.closed.State != ReviewClosed {
		t.Errorf("open review: %v %v %+v", known, err, st.closed)
	}
	st = &withdrawals{head: Decision{ID: "dec_1"}}
	if _, err := Withdraw(context.Background(), st, OSSClientID, "I1", "oss", "dicabut", at); err != nil || st.closed != nil {
		t.Errorf("no review: %v %+v", err, st.closed)
	}
	st = &withdrawals{err: &Error{Kind: KindNotFound}}
	if known, err := Withdraw(context.Background(), st, OSSClientID, "I9", "oss", "dicabut", at); known || err != nil {
		t.Errorf("unknown application: %v %v", known, err)
	}
}
