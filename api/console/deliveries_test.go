package console_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jkngate/jkngate/gate"
)

// An admin sees a failed delivery with its error and a retry button; the
// retry puts it back in the queue. The URL is shown without its query.
func TestDeliveriesRetry(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	d, err := e.svc.Submit(ctx, "oss", "msg-cb", gate.Application{ID: "APP-CB", NIB: "9120000000001", RegionCode: "1275",
		PermitType: gate.PermitBusinessLicense, DeclaredWorkers: 52, CallbackURL: "https://licensing.example/cb?token=s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	admin := e.signIn(t, 2)
	w := e.do(t, http.MethodPost, "/console/decisions/"+d.ID+"/review",
		url.Values{"action": {"override"}, "note": {"workers verified at the branch"}}, admin)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("override: HTTP %d %s", w.Code, w.Body)
	}
	claimed, err := e.store.ClaimCallbacks(ctx, e.clock.now().Add(time.Minute), time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	cb := claimed[0]
	cb.State, cb.Attempts, cb.LastError = gate.CallbackFailed, 10, "HTTP 503 from receiver"
	if err := e.store.FinishCallback(ctx, cb); err != nil {
		t.Fatal(err)
	}

	body := e.do(t, http.MethodGet, "/console/deliveries?state=failed", nil, admin).Body.String()
	for _, want := range []string{"APP-CB", "HTTP 503 from receiver", "/console/deliveries/" + cb.ID + "/retry", "token=redacted"} {
		if !strings.Contains(body, want) {
			t.Errorf("the deliveries page does not show %q", want)
		}
	}
	if strings.Contains(body, "s3cret") {
		t.Error("the deliveries page shows the callback URL's token")
	}
	if w := e.do(t, http.MethodPost, "/console/deliveries/"+cb.ID+"/retry", url.Values{}, admin); w.Code != http.StatusSeeOther {
		t.Fatalf("retry: HTTP %d", w.Code)
	}
	body = e.do(t, http.MethodGet, "/console/deliveries?state=pending", nil, admin).Body.String()
	if !strings.Contains(body, "APP-CB") {
		t.Error("the retried delivery is not pending")
	}
	if w := e.do(t, http.MethodPost, "/console/deliveries/"+cb.ID+"/retry", url.Values{}, admin); w.Code != http.StatusConflict {
		t.Errorf("retrying a pending delivery: HTTP %d, want 409", w.Code)
	}
	if w := e.do(t, http.MethodPost, "/console/deliveries/"+cb.ID+"/retry", url.Values{}, e.signIn(t, 1)); w.Code != http.StatusForbidden {
		t.Errorf("a reviewer retries: HTTP %d, want 403", w.Code)
	}
}
