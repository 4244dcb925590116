package gate

import "time"

// jakarta is Asia/Jakarta (WIB), UTC+7 without daylight saving since 1964;
// a fixed zone keeps gate free of the time zone database.
var jakarta = time.FixedZone("WIB", 7*60*60)

// ReviewDue is when a review opened at opened becomes overdue: the end of
// the ReviewDueWorkingDays-th working day after the day it opened, in
// Asia/Jakarta. Working days are Monday to Friday, except the policy's
// Holidays. Licensing deadlines (PP 28/2025) approve a permit automatically
// once they pass, so an open review must not outlive them unnoticed.
func (p Policy) ReviewDue(opened time.Time) time.Time {
	y, m, d := opened.In(jakarta).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, jakarta)
	for n := p.ReviewDueWorkingDays; n > 0; {
		day = day.AddDate(0, 0, 1)
		if p.workingDay(day) {
			n--
		}
	}
	return day.AddDate(0, 0, 1).UTC()
}

// workingDay reports whether day (midnight in Jakarta) is a working day.
func (p Policy) workingDay(day time.Time) bool {
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !contains(p.Holidays, day.Format(time.DateOnly))
}

// Overdue reports whether the review is open past its due time at now.
func (r *Review) Overdue(now time.Time) bool {
	return r != nil && r.State == ReviewOpen && !r.DueAt.IsZero() && now.After(r.DueAt)
}

// openReview is the review a deny or review decision opens.
func (p Policy) openReview(d Decision) *Review {
	return &Review{State: ReviewOpen, DueAt: p.For(d.RegionCode).ReviewDue(d.DecidedAt)}
}
