package config

import (
	"strings"
	"testing"

	"github.com/jkngate/jkngate/gate"
)

func TestOSSPermitTypes(t *testing.T) {
	p, err := ParsePolicy([]byte("oss_permit_types:\n  \"I-2021\": building_permit\n"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.OSSPermitType("I-2021"); got != gate.PermitBuildingPermit {
		t.Errorf("mapped kd_izin: got %q", got)
	}
	if got := p.OSSPermitType("other"); got != gate.PermitBusinessLicense {
		t.Errorf("unmapped kd_izin: got %q, want business_license", got)
	}
	_, err = ParsePolicy([]byte("oss_permit_types:\n  \"I-2021\": castle\n"), "p.yaml")
	if err == nil || !strings.Contains(err.Error(), "oss_permit_types: I-2021") {
		t.Errorf("unknown permit type: got %v", err)
	}
}

func TestOSSConfigChecks(t *testing.T) {
	base := Default()
	base.WebhookClients = []WebhookClient{{ID: "oss"}}
	if msgs := base.OSS.check(base.WebhookClients); len(msgs) != 0 {
		t.Errorf("adapter off: got %v", msgs)
	}
	on := OSS{UserKey: "k", BasicAuth: "nocolon"}
	got := map[string]bool{}
	for _, m := range on.check(base.WebhookClients) {
		got[m.key] = true
	}
	for _, k := range []string{"webhook_clients", "oss_basic_auth", "oss_status_url", "oss_status_user_key", "oss_instansi"} {
		if !got[k] {
			t.Errorf("no problem reported for %s (got %v)", k, got)
		}
	}
	off := OSS{StatusURL: "https://oss.example/receiveLicenseStatus"}
	if msgs := off.check(nil); len(msgs) != 1 || msgs[0].key != "oss_status_url" {
		t.Errorf("status URL without user key: got %v", msgs)
	}
}
