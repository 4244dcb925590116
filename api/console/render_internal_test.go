package console

import (
	"testing"
	"time"
)

// Pages show times as the DPMPTSP and OSS speak them, in WIB: 17:00 UTC is
// midnight of the next day in Jakarta (where review deadlines fall).
func TestDatesShowInWIB(t *testing.T) {
	date := funcs["date"].(func(time.Time) string)
	if got := date(time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)); got != "2026-12-04 00:00 WIB" {
		t.Errorf("date = %q, want 2026-12-04 00:00 WIB", got)
	}
	if got := date(time.Time{}); got != "–" {
		t.Errorf("zero date = %q, want –", got)
	}
}
