package recurrence

import (
	"fmt"
	"slices"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// GapPolicy says what becomes of an occurrence whose local start time does
// not exist because a daylight-saving change skips it, such as 02:30 on
// the night clocks jump from 02:00 to 03:00. Dates that do not exist, such
// as 30 February, are always skipped.
type GapPolicy int

const (
	// GapSkip drops an occurrence of the rule whose local time does not
	// exist and does not count it towards COUNT, as RFC 5545 (section
	// 3.3.10) requires; an extra date on which the time does not exist is
	// refused, since it was asked for explicitly. It is the default.
	GapSkip GapPolicy = iota
	// GapShift keeps such an occurrence, or extra date, at the time read
	// with the UTC offset in force before the change, as RFC 5545 (section
	// 3.3.5) reads a local DATE-TIME: 02:30 becomes 03:30 the new time.
	GapShift
)

// Recurrence says when a series repeats: a rule, and dates to add to it
// and remove from it. Its dates are local dates in the event's time zone,
// on which occurrences start at the event's local time of day.
type Recurrence struct {
	// Rule is an RRULE of the supported subset (see the package
	// documentation), with or without the "RRULE:" prefix, in any case,
	// e.g. "FREQ=MONTHLY;BYDAY=2TU;COUNT=6". Empty means no rule: the
	// series is the event and the extra dates.
	Rule string
	// ExtraDates are further dates of the series, like RDATE; each must
	// be after the event's own date. A date the rule yields as well
	// gives one occurrence.
	ExtraDates []Date
	// ExcludedDates are dates on which the series has no occurrence,
	// like EXDATE: an occurrence of the rule or an extra date on one of
	// them is dropped (COUNT still counts it, as in RFC 5545). A date
	// that is no occurrence is ignored; the event's own date cannot be
	// excluded.
	ExcludedDates []Date
	// Gap says what becomes of occurrences whose local time a
	// daylight-saving change skips. Defaults to GapSkip.
	Gap GapPolicy
}

// DefaultMaxOccurrences is the default cap on the occurrences of a
// series, the event it starts from included.
const DefaultMaxOccurrences = 500

// horizonYears is how many years after the event Expand looks for
// occurrences: an UNTIL beyond is refused, and so is a COUNT not reached
// by then.
const horizonYears = 100

// ExpandOptions tune Expand. The zero value, like a nil *ExpandOptions,
// means the defaults.
type ExpandOptions struct {
	// MaxOccurrences caps the occurrences of the series, its start
	// included: a recurrence that yields more is refused. Defaults to
	// DefaultMaxOccurrences.
	MaxOccurrences int
}

// Expand returns the start times of the occurrences of rec for a series
// whose first occurrence starts at start, in order and in loc: start
// itself, then each later occurrence at start's local time of day in loc
// (the rule's DTSTART is start in loc). It creates nothing.
//
// It returns an ErrInvalid error naming the field at fault: "rule" for a
// malformed or unsupported rule (the message names the part), COUNT and
// UNTIL together, a rule without either, or one that yields no occurrence
// after start or more than the cap; "extraDates[i]" or "excludedDates[i]"
// for a date that does not exist, an extra date that is not after start's
// date or whose local time does not exist (with GapSkip), or an excluded
// date that is start's own; "timeZone" for a nil loc, "startsAt" for a
// zero start and "gap" for an unknown GapPolicy.
func Expand(start time.Time, loc *time.Location, rec Recurrence, opts *ExpandOptions) ([]time.Time, error) {
	limit := DefaultMaxOccurrences
	if opts != nil && opts.MaxOccurrences > 0 {
		limit = opts.MaxOccurrences
	}
	capField := "rule"
	switch {
	case loc == nil:
		return nil, ce.Invalid("timeZone", "is required")
	case start.IsZero():
		return nil, ce.Invalid("startsAt", "is required")
	case rec.Gap != GapSkip && rec.Gap != GapShift:
		return nil, ce.Invalid("gap", "must be skip or shift")
	case rec.Rule == "" && len(rec.ExtraDates) == 0:
		return nil, ce.Invalid("rule", "is required unless extra dates are given")
	case rec.Rule == "":
		capField = "extraDates"
	}
	x := newExpansion(start, loc, rec.Gap, limit)
	excluded, err := x.excludedDays(rec.ExcludedDates)
	if err != nil {
		return nil, err
	}
	// The occurrences after the start, in order.
	var occurrences []occurrence
	if rec.Rule != "" {
		r, err := parseRule(rec.Rule)
		if err != nil {
			return nil, err
		}
		// More than limit-1+len(excluded) occurrences of the rule after
		// the start leave more than limit with the start, whatever the
		// exclusions.
		err = x.expandRule(r, limit-1+len(excluded), func(o occurrence) { occurrences = append(occurrences, o) })
		if err != nil {
			return nil, err
		}
	}
	if len(rec.ExtraDates) > 0 {
		if occurrences, err = x.addExtraDays(occurrences, rec.ExtraDates); err != nil {
			return nil, err
		}
		slices.SortFunc(occurrences, func(a, b occurrence) int { return a.day.Compare(b.day) })
		occurrences = slices.CompactFunc(occurrences, func(a, b occurrence) bool { return a.day.Equal(b.day) })
	}
	occurrences = slices.DeleteFunc(occurrences, func(o occurrence) bool { return excluded[o.day] })
	switch {
	case len(occurrences)+1 > limit:
		return nil, overCap(capField, limit)
	case len(occurrences) == 0:
		return nil, ce.Invalid(capField, "yields no occurrence after the event's own, on %s", DateOf(x.day0))
	}
	out := make([]time.Time, len(occurrences)+1)
	out[0] = start.In(loc)
	for i, o := range occurrences {
		out[i+1] = o.start
	}
	return out, nil
}

// overCap returns the error of a recurrence over the cap, naming the field
// whose occurrences exceed it.
func overCap(field string, limit int) error {
	hint := "give fewer dates"
	if field == "rule" {
		hint = "lower COUNT or UNTIL"
	}
	return ce.Invalid(field, "yields more than %d occurrences, the event included, over the cap of %d: %s", limit, limit, hint)
}

// expansion is the state of one Expand: the start's wall-clock day and
// time of day.
type expansion struct {
	loc   *time.Location
	gap   GapPolicy
	limit int
	day0  time.Time     // the wall-clock midnight of the start's date
	clock time.Duration // the start's local time of day
	// horizon is the last wall-clock day looked at.
	horizon time.Time
}

func newExpansion(start time.Time, loc *time.Location, gap GapPolicy, limit int) *expansion {
	w := wallClock(start, loc)
	day0 := DateOf(w).midnight()
	return &expansion{loc: loc, gap: gap, limit: limit, day0: day0, clock: w.Sub(day0), horizon: day0.AddDate(horizonYears, 0, 0)}
}

// occurrence is an occurrence after the start: its wall-clock day and its
// start.
type occurrence struct{ day, start time.Time }

// at returns the occurrence on the wall-clock day, and whether its local
// time exists; see localTime.
func (x *expansion) at(day time.Time) (occurrence, bool) {
	t, exists := localTime(day.Add(x.clock), x.loc)
	return occurrence{day, t}, exists
}

// excludedDays checks the excluded dates and returns their wall-clock days.
func (x *expansion) excludedDays(dates []Date) (map[time.Time]bool, error) {
	days := make(map[time.Time]bool, len(dates))
	for i, d := range dates {
		field := fmt.Sprintf("excludedDates[%d]", i)
		switch day := d.midnight(); {
		case !d.Valid():
			return nil, ce.Invalid(field, "%s is not a day of the calendar", d)
		case day.Equal(x.day0):
			return nil, ce.Invalid(field, "%s is the date of the event itself, which cannot be excluded", d)
		default:
			days[day] = true
		}
	}
	return days, nil
}

// addExtraDays checks the extra dates and appends their occurrences.
func (x *expansion) addExtraDays(occurrences []occurrence, dates []Date) ([]occurrence, error) {
	for i, d := range dates {
		field := fmt.Sprintf("extraDates[%d]", i)
		day := d.midnight()
		switch {
		case !d.Valid():
			return nil, ce.Invalid(field, "%s is not a day of the calendar", d)
		case !day.After(x.day0):
			return nil, ce.Invalid(field, "%s is not after the event's date, %s", d, DateOf(x.day0))
		}
		o, exists := x.at(day)
		if !exists && x.gap == GapSkip {
			return nil, ce.Invalid(field, "%s has no %s in %s: a daylight-saving change skips that time; choose another date, or let such times shift (gap: shift)",
				d, day.Add(x.clock).Format("15:04"), x.loc)
		}
		occurrences = append(occurrences, o)
	}
	return occurrences, nil
}

// expandRule calls add with each occurrence of r after the start, in
// order, and fails if there are more than most.
func (x *expansion) expandRule(r *rule, most int, add func(occurrence)) error {
	if (!r.untilDate.IsZero() && r.untilDate.After(x.horizon)) ||
		(!r.until.IsZero() && wallClock(r.until, x.loc).After(x.horizon)) {
		return ruleError("UNTIL is more than %d years after the event", horizonYears)
	}
	n := 1 // the start is the first occurrence
	if n == r.count {
		return nil
	}
	var days []time.Time
scan:
	for k := 0; ; k++ {
		var first time.Time
		first, days = x.period(r, k, days[:0])
		if first.After(x.horizon) {
			break
		}
		for _, day := range days {
			switch {
			case !day.After(x.day0):
				continue
			case day.After(x.horizon):
				break scan
			case !r.untilDate.IsZero() && day.After(r.untilDate):
				return nil
			}
			o, exists := x.at(day)
			if !exists && x.gap == GapSkip {
				continue
			}
			if !r.until.IsZero() && o.start.After(r.until) {
				return nil
			}
			if n++; n-1 > most {
				return overCap("rule", x.limit)
			}
			add(o)
			if n == r.count {
				return nil
			}
		}
	}
	if r.count > 0 {
		return ruleError("COUNT=%d is not reached within %d years of the event: the rule yields %d occurrences by then", r.count, horizonYears, n)
	}
	return nil
}

// period returns the first day of the k-th period of r (a day, week,
// month or year, every INTERVAL of them from the start's) and, appended to
// days, the days of it that r yields, in order.
func (x *expansion) period(r *rule, k int, days []time.Time) (time.Time, []time.Time) {
	var first time.Time
	switch r.freq {
	case daily:
		first = x.day0.AddDate(0, 0, k*r.interval)
		if r.inMonths(first.Month()) && r.onMonthDays(first) && r.onWeekdays(first, x.day0.Weekday()) {
			days = append(days, first)
		}
	case weekly:
		back := (int(x.day0.Weekday()) - int(r.wkst) + 7) % 7
		first = x.day0.AddDate(0, 0, 7*k*r.interval-back)
		for i := range 7 {
			if day := first.AddDate(0, 0, i); r.inMonths(day.Month()) && r.onWeekdays(day, x.day0.Weekday()) {
				days = append(days, day)
			}
		}
	case monthly:
		first = time.Date(x.day0.Year(), x.day0.Month()+time.Month(k*r.interval), 1, 0, 0, 0, 0, time.UTC)
		if r.inMonths(first.Month()) {
			days = x.monthDays(r, first, days)
		}
	case yearly:
		first = time.Date(x.day0.Year()+k*r.interval, time.January, 1, 0, 0, 0, 0, time.UTC)
		days = x.yearDays(r, first, days)
	}
	slices.SortFunc(days, time.Time.Compare)
	return first, slices.CompactFunc(days, time.Time.Equal)
}

// monthDays appends the days of the month starting on first that a
// MONTHLY rule yields: BYMONTHDAY, limited by BYDAY; else BYDAY; else the
// start's day of the month, if the month has it.
func (x *expansion) monthDays(r *rule, first time.Time, days []time.Time) []time.Time {
	last := first.AddDate(0, 1, -1)
	switch {
	case len(r.byMonthDay) > 0:
		for _, md := range r.byMonthDay {
			if day, ok := monthDay(first, last, md); ok && (len(r.byDay) == 0 || r.nthWeekday(day, first, last)) {
				days = append(days, day)
			}
		}
	case len(r.byDay) > 0:
		for _, wd := range r.byDay {
			days = appendWeekdays(days, wd, first, last)
		}
	default:
		if day, ok := monthDay(first, last, x.day0.Day()); ok {
			days = append(days, day)
		}
	}
	return days
}

// yearDays appends the days of the year starting on jan1 that a YEARLY
// rule yields. BYMONTH, BYMONTHDAY and BYDAY each expand the year, except
// that BYDAY limits BYMONTHDAY when both are given; an ordinal of BYDAY
// counts within the month with BYMONTH, within the year without. Without
// BYMONTHDAY and BYDAY, the start's day of the month is taken, in the
// months of BYMONTH or the start's own month.
func (x *expansion) yearDays(r *rule, jan1 time.Time, days []time.Time) []time.Time {
	dec31 := jan1.AddDate(1, 0, -1)
	months := r.byMonth
	switch {
	case len(r.byDay) > 0 && len(r.byMonthDay) == 0 && len(months) == 0:
		for _, wd := range r.byDay {
			days = appendWeekdays(days, wd, jan1, dec31)
		}
		return days
	case len(months) > 0:
	case len(r.byMonthDay) > 0:
		months = []time.Month{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
	default:
		months = []time.Month{x.day0.Month()}
	}
	for _, m := range months {
		first := time.Date(jan1.Year(), m, 1, 0, 0, 0, 0, time.UTC)
		last := first.AddDate(0, 1, -1)
		scopeFirst, scopeLast := first, last
		if len(r.byMonth) == 0 {
			scopeFirst, scopeLast = jan1, dec31
		}
		switch {
		case len(r.byMonthDay) > 0:
			for _, md := range r.byMonthDay {
				if day, ok := monthDay(first, last, md); ok && (len(r.byDay) == 0 || r.nthWeekday(day, scopeFirst, scopeLast)) {
					days = append(days, day)
				}
			}
		case len(r.byDay) > 0:
			for _, wd := range r.byDay {
				days = appendWeekdays(days, wd, first, last)
			}
		default:
			if day, ok := monthDay(first, last, x.day0.Day()); ok {
				days = append(days, day)
			}
		}
	}
	return days
}

// inMonths reports whether BYMONTH, if given, holds m.
func (r *rule) inMonths(m time.Month) bool {
	return len(r.byMonth) == 0 || slices.Contains(r.byMonth, m)
}

// onMonthDays reports whether BYMONTHDAY, if given, holds day.
func (r *rule) onMonthDays(day time.Time) bool {
	if len(r.byMonthDay) == 0 {
		return true
	}
	first := day.AddDate(0, 0, 1-day.Day())
	last := first.AddDate(0, 1, -1)
	for _, md := range r.byMonthDay {
		if d, ok := monthDay(first, last, md); ok && d.Equal(day) {
			return true
		}
	}
	return false
}

// onWeekdays reports whether day's weekday is one of BYDAY, which has no
// ordinals here, or is the start's weekday without BYDAY in a WEEKLY
// rule. A DAILY rule without BYDAY takes every day.
func (r *rule) onWeekdays(day time.Time, startWeekday time.Weekday) bool {
	switch {
	case len(r.byDay) > 0:
		return r.nthWeekday(day, day, day)
	case r.freq == weekly:
		return day.Weekday() == startWeekday
	}
	return true
}

// nthWeekday reports whether day matches an entry of BYDAY, an ordinal
// counting within first to last.
func (r *rule) nthWeekday(day, first, last time.Time) bool {
	for _, wd := range r.byDay {
		if day.Weekday() != wd.weekday {
			continue
		}
		switch {
		case wd.ordinal == 0,
			wd.ordinal > 0 && daysBetween(first, day)/7+1 == wd.ordinal,
			wd.ordinal < 0 && daysBetween(day, last)/7+1 == -wd.ordinal:
			return true
		}
	}
	return false
}

// monthDay returns the day md of the month from first to last, counted
// from its end when md is negative, if the month has it.
func monthDay(first, last time.Time, md int) (time.Time, bool) {
	if md < 0 {
		md += last.Day() + 1
	}
	if md < 1 || md > last.Day() {
		return time.Time{}, false
	}
	return first.AddDate(0, 0, md-1), true
}

// appendWeekdays appends the days from first to last that the BYDAY entry
// wd yields: every such weekday, or only the n-th (from the end if n is
// negative).
func appendWeekdays(days []time.Time, wd weekdayNum, first, last time.Time) []time.Time {
	if wd.ordinal < 0 {
		day := last.AddDate(0, 0, -((int(last.Weekday())-int(wd.weekday)+7)%7)+7*(wd.ordinal+1))
		if !day.Before(first) {
			days = append(days, day)
		}
		return days
	}
	day := first.AddDate(0, 0, (int(wd.weekday)-int(first.Weekday())+7)%7)
	if wd.ordinal > 0 {
		if day = day.AddDate(0, 0, 7*(wd.ordinal-1)); !day.After(last) {
			days = append(days, day)
		}
		return days
	}
	for ; !day.After(last); day = day.AddDate(0, 0, 7) {
		days = append(days, day)
	}
	return days
}

// daysBetween returns the whole days from a to b, wall-clock midnights.
func daysBetween(a, b time.Time) int {
	return int(b.Sub(a) / (24 * time.Hour))
}
