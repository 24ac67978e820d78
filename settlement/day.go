package settlement

import (
	"time"

	"github.com/scanpay/scanpay"
)

// dayLayout is how a business day is written: a calendar date, with no
// time zone, since the merchant's zone is what makes it a day.
const dayLayout = "2006-01-02"

// A business day is held as midnight UTC of its date, whatever the
// merchant's zone: days are then counted on the calendar (AddDate), so a
// daylight-saving change never makes one 23 or 25 hours long, and startOf
// places the day in the zone.

// ParseDay reads a business day given as YYYY-MM-DD (scanpay settle
// --as-of). It returns a scanpay.KindInvalid error naming param when s is
// not such a date.
func ParseDay(param, s string) (time.Time, error) {
	t, err := time.Parse(dayLayout, s)
	if err != nil {
		return time.Time{}, scanpay.Invalid(param, "%s must be a date as YYYY-MM-DD, like 2026-03-01", param)
	}
	return t, nil
}

// dayOf is the business day t falls on in loc.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// startOf is the first instant of day in loc: the cutoff that ends the
// day before.
func startOf(day time.Time, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, loc).UTC()
}

func formatDay(day time.Time) string { return day.Format(dayLayout) }
