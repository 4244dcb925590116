package oss_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jkngate/jkngate/gate"
	"github.com/jkngate/jkngate/integrations/oss"
	"github.com/jkngate/jkngate/integrations/simulators/osssim"
)

var decided = time.Date(2026, 11, 22, 17, 30, 5, 0, time.UTC) // 00:30:05 on the 23rd in Jakarta

func decision(o gate.Outcome, reasons ...gate.Reason) gate.Decision {
	return gate.Decision{ID: "dec_1", ApplicationID: "I1", NIB: "9120001234567", Outcome: o, Reasons: reasons, DecidedAt: decided}
}

func TestBuildStatusCodes(t *testing.T) {
	ref := oss.Ref{IDIzin: "I1", NIB: "9120001234567", OSSID: "O1", IDProyek: "P1", IDProduk: "7", KdIzin: "K"}
	for _, c := range []struct {
		kind    string
		outcome gate.Outcome
		code    string
	}{
		{gate.CallbackKindOSSStatus, gate.OutcomeAllow, "45"},
		{gate.CallbackKindOSSStatus, gate.OutcomeDeny, "93"},
		{gate.CallbackKindOSSStatus, gate.OutcomeReview, "41"},
		{gate.CallbackKindOSSConfirmation, gate.OutcomeAllow, "42"},
		{gate.CallbackKindOSSConfirmation, gate.OutcomeDeny, "42"},
	} {
		s := oss.BuildStatus(c.kind, decision(c.outcome), ref, "INST").IzinStatus
		if s.KdStatus != c.code || s.NamaStatus == "" {
			t.Errorf("%s %s: %s %q", c.kind, c.outcome, s.KdStatus, s.NamaStatus)
		}
		if s.TglStatus != "2026-11-23 00:30:05" || s.NIPStatus != oss.System || s.KdInstansi != "INST" ||
			s.OSSID != "O1" || s.IDProyek != "P1" || s.IDProduk != "7" || s.KdIzin != "K" || s.IDIzin != "I1" {
			t.Errorf("IZINSTATUS %+v", s)
		}
	}
	reviewed := decision(gate.OutcomeAllow)
	reviewed.Review = &gate.Review{State: gate.ReviewClosed, Action: gate.ActionOverride, By: "reviewer-medan"}
	if s := oss.BuildStatus(gate.CallbackKindOSSStatus, reviewed, ref, "I").IzinStatus; s.NIPStatus != "reviewer-medan" {
		t.Errorf("nip_status %q, want the reviewer", s.NIPStatus)
	}
}

// keterangan: most severe reason first, with remedies, bounded.
func TestKeterangan(t *testing.T) {
	d := decision(gate.OutcomeDeny,
		gate.Reason{Code: "WORKER_STATUS_UNCLEAR", Outcome: gate.OutcomeReview, Message: "status tidak jelas"},
		gate.Reason{Code: "CONTRIBUTION_ARREARS", Outcome: gate.OutcomeDeny, Message: "tunggakan iuran", Remedy: "Lunasi tunggakan"})
	k := oss.Keterangan("93", d)
	if !strings.HasPrefix(k, "CONTRIBUTION_ARREARS: tunggakan iuran Tindak lanjut: Lunasi tunggakan") ||
		!strings.Contains(k, "WORKER_STATUS_UNCLEAR") {
		t.Errorf("keterangan %q", k)
	}
	long := decision(gate.OutcomeDeny, gate.Reason{Code: "X", Outcome: gate.OutcomeDeny, Message: strings.Repeat("é", 5000)})
	if n := utf8.RuneCountInString(oss.Keterangan("93", long)); n != oss.MaxKeterangan {
		t.Errorf("keterangan of %d characters, want %d", n, oss.MaxKeterangan)
	}
}

type refs struct{}

func (refs) OSSRef(_ context.Context, id string) (oss.Ref, error) {
	return oss.Ref{IDIzin: id, NIB: "9120001234567", OSSID: "O1"}, nil
}

// OSS's answers are classified as PIA says, against oss-sim.
func TestSenderClassifiesAnswers(t *testing.T) {
	sim := osssim.New(osssim.Config{StatusUserKey: "k", SlowDelay: time.Minute})
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	send := func(key string, timeout time.Duration) (r struct {
		status        int
		ok, permanent bool
	}) {
		s := &oss.Sender{URL: srv.URL + "/receiveLicenseStatus", UserKey: key, Instansi: "I", Refs: refs{}}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		res := s.Send(ctx, gate.Callback{Kind: gate.CallbackKindOSSStatus}, decision(gate.OutcomeAllow))
		r.status, r.ok, r.permanent = res.Status, res.Err == "", res.Permanent
		return r
	}
	for _, c := range []struct {
		mode, key     string
		ok, permanent bool
	}{
		{osssim.FailNone, "k", true, false},
		{osssim.FailNone, "wrong", false, true}, // 401
		{osssim.Fail400, "k", false, true},
		{osssim.Fail500, "k", false, false},
		{osssim.Fail504, "k", false, false},
	} {
		if err := sim.Fail(c.mode, 1); err != nil {
			t.Fatal(err)
		}
		if r := send(c.key, 5*time.Second); r.ok != c.ok || r.permanent != c.permanent {
			t.Errorf("mode %q key %q: %+v, want ok %v permanent %v", c.mode, c.key, r, c.ok, c.permanent)
		}
		_ = sim.Fail(osssim.FailNone, 0)
	}
	_ = sim.Fail(osssim.FailSlow, 1)
	if r := send("k", 50*time.Millisecond); r.ok || r.permanent {
		t.Errorf("a timeout: %+v, want a retry", r)
	}
	if got := len(sim.Statuses("")); got != 1 {
		t.Errorf("OSS recorded %d statuses, want the one accepted", got)
	}
	off := &oss.Sender{}
	if res := off.Send(context.Background(), gate.Callback{}, decision(gate.OutcomeAllow)); !res.Permanent {
		t.Errorf("adapter off: %+v", res)
	}
}
