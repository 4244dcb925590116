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
