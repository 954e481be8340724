package recurrence

import (
	"fmt"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// Date is a day of the calendar in no particular time zone, such as an
// extra or excluded date of a series, which is a date of the event's own
// time zone. The zero value is not a valid date.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses a date of the form "2026-12-24". It returns an
// ErrInvalid error (without a field) for anything else, including days
// that do not exist, such as "2027-02-29".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, ce.Invalid("", "%q is not a date of the form 2026-12-24", s)
	}
	return DateOf(t), nil
}

// String returns the date in the form "2026-12-24".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Valid reports whether d is a day of the calendar between the years 1
// and 9999: not 30 February, not month 13.
func (d Date) Valid() bool {
	return d.Year >= 1 && d.Year <= 9999 && DateOf(d.midnight()) == d
}

// midnight returns the start of d as a wall-clock time: see wallClock.
func (d Date) midnight() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// A wall-clock time is what clocks in a time zone show, held in a
// time.Time in UTC whose fields are the local ones: it is free of
// daylight-saving changes, so adding days or hours to it is calendar
// arithmetic.

// wallClock returns the wall-clock time that clocks in loc show at t.
func wallClock(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	h, mi, s := l.Clock()
	return time.Date(y, m, d, h, mi, s, l.Nanosecond(), time.UTC)
}

// zoneChangeMargin is more than the distance between a wall-clock time and
// any instant clocks show it at (UTC offsets stay within ±14 hours), plus
// room for the change itself: the offsets in force that far before and
// after are those on either side of any daylight-saving change near it.
const zoneChangeMargin = 26 * time.Hour

// localTime returns the instant at which clocks in loc show the wall-clock
// time w, and whether they ever do. It reads w as RFC 5545 (section 3.3.5)
// reads a DATE-TIME with a time zone: a time shown twice, when clocks go
// back, is the earlier instant; a time never shown, skipped when clocks go
// forward, is read with the UTC offset in force before the change, so
// 02:30 on the night clocks jump from 02:00 to 03:00 is 03:30 the new time,
// and exists is false.
func localTime(w time.Time, loc *time.Location) (t time.Time, exists bool) {
	_, before := w.Add(-zoneChangeMargin).In(loc).Zone()
	_, after := w.Add(zoneChangeMargin).In(loc).Zone()
	for _, offset := range []int{max(before, after), min(before, after)} {
		// The larger offset gives the earlier instant.
		t := w.Add(-time.Duration(offset) * time.Second)
		if _, o := t.In(loc).Zone(); o == offset {
			return t.In(loc), true
		}
	}
	return w.Add(-time.Duration(before) * time.Second).In(loc), false
}
