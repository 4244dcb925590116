package gate

import (
	"testing"
	"time"
)

func TestReviewDue(t *testing.T) {
	p := DefaultPolicy() // 3 working days
	p.Holidays = []string{"2026-12-25"}
	wib := time.FixedZone("WIB", 7*3600)
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, wib) }
	tests := []struct {
		name           string
		opened, wantAt time.Time
	}{
		{"Monday: due at the end of Thursday", at(2026, 11, 23, 10), at(2026, 11, 27, 0)},
		{"Thursday: the weekend does not count", at(2026, 11, 26, 10), at(2026, 12, 2, 0)},
		{"Saturday: Monday to Wednesday", at(2026, 11, 28, 10), at(2026, 12, 3, 0)},
		// Wednesday 23 Dec: Thursday 24, (25 is a holiday), Monday 28, Tuesday 29.
		{"a holiday does not count", at(2026, 12, 23, 9), at(2026, 12, 30, 0)},
		// 20:00 UTC on Sunday is already Monday 03:00 in Jakarta.
		{"the day is Jakarta's", time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC), at(2026, 11, 27, 0)},
	}
	for _, tt := range tests {
		if got := p.ReviewDue(tt.opened); !got.Equal(tt.wantAt) {
			t.Errorf("%s: due %s, want %s", tt.name, got.In(wib), tt.wantAt)
		}
	}
	r := &Review{State: ReviewOpen, DueAt: at(2026, 11, 27, 0)}
	if r.Overdue(at(2026, 11, 26, 23)) || !r.Overdue(at(2026, 11, 27, 1)) {
		t.Error("overdue only after due_at")
	}
	if (&Review{State: ReviewClosed, DueAt: at(2026, 11, 1, 0)}).Overdue(at(2026, 11, 27, 1)) {
		t.Error("a closed review is never overdue")
	}
}
