package recurrence

import (
	"strconv"
	"strings"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// frequency is the FREQ of a rule: the period it repeats in.
type frequency int

const (
	daily frequency = iota + 1
	weekly
	monthly
	yearly
)

// weekdayNum is an entry of BYDAY: a weekday, and with an ordinal n, only
// the n-th such weekday of the month or year (counted from its end when n
// is negative).
type weekdayNum struct {
	ordinal int
	weekday time.Weekday
}

// rule is a parsed RRULE of the supported subset.
type rule struct {
	freq       frequency
	interval   int
	count      int
	until      time.Time // an instant, UNTIL=…T…Z; zero if none
	untilDate  time.Time // a wall-clock midnight, UNTIL=YYYYMMDD; zero if none
	byDay      []weekdayNum
	byMonthDay []int
	byMonth    []time.Month
	wkst       time.Weekday
}

// supportedParts lists the parts parseRule understands, for error messages.
const supportedParts = "FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH and WKST"

// The bounds of the numbers of a rule. An interval over maxInterval would
// leave the horizon after one step.
const (
	maxInterval = 36525
	maxCount    = 1_000_000
)

// weekday returns the weekday of a two-letter code of RFC 5545, in any
// case.
func weekday(code string) (time.Weekday, bool) {
	switch strings.ToUpper(code) {
	case "MO":
		return time.Monday, true
	case "TU":
		return time.Tuesday, true
	case "WE":
		return time.Wednesday, true
	case "TH":
		return time.Thursday, true
	case "FR":
		return time.Friday, true
	case "SA":
		return time.Saturday, true
	case "SU":
		return time.Sunday, true
	}
	return 0, false
}

// ruleError returns the ErrInvalid error of a rule, naming the field "rule".
func ruleError(format string, args ...any) error {
	return ce.Invalid("rule", format, args...)
}

// parseRule parses an RRULE value of the supported subset (see the package
// documentation), with or without the "RRULE:" prefix, in any case. It
// returns an ErrInvalid error naming the field "rule" whose message names
// the part at fault.
func parseRule(s string) (*rule, error) {
	s = strings.TrimSpace(s)
	if len(s) >= len("RRULE:") && strings.EqualFold(s[:len("RRULE:")], "RRULE:") {
		s = s[len("RRULE:"):]
	}
	if s == "" {
		return nil, ruleError("is empty; write it like FREQ=MONTHLY;BYDAY=2TU;COUNT=6")
	}
	r := &rule{interval: 1, wkst: time.Monday}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ";") {
		name, value, ok := strings.Cut(part, "=")
		name = strings.ToUpper(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		switch {
		case !ok || name == "":
			return nil, ruleError("%q is not a part of the form NAME=VALUE", part)
		case seen[name]:
			return nil, ruleError("%s is given twice", name)
		case value == "":
			return nil, ruleError("%s has no value", name)
		}
		seen[name] = true
		if err := r.setPart(name, value); err != nil {
			return nil, err
		}
	}
	if err := r.check(seen); err != nil {
		return nil, err
	}
	return r, nil
}

// setPart sets the part name, in upper case, of r to value, in any case.
func (r *rule) setPart(name, value string) error {
	var err error
	switch name {
	case "FREQ":
		r.freq, err = parseFreq(value)
	case "INTERVAL":
		r.interval, err = parseNumber(name, value, 1, maxInterval)
	case "COUNT":
		r.count, err = parseNumber(name, value, 1, maxCount)
	case "UNTIL":
		err = r.parseUntil(value)
	case "BYDAY":
		r.byDay, err = parseList(value, parseWeekdayNum)
	case "BYMONTHDAY":
		r.byMonthDay, err = parseList(value, func(v string) (int, error) {
			return parseSigned(name, v, 1, 31)
		})
	case "BYMONTH":
		r.byMonth, err = parseList(value, func(v string) (time.Month, error) {
			n, err := parseNumber(name, v, 1, 12)
			return time.Month(n), err
		})
	case "WKST":
		wd, ok := weekday(value)
		if !ok {
			return ruleError("WKST: %q is not a weekday (MO, TU, WE, TH, FR, SA or SU)", value)
		}
		r.wkst = wd
	case "BYSECOND", "BYMINUTE", "BYHOUR", "BYYEARDAY", "BYWEEKNO", "BYSETPOS", "RSCALE", "SKIP":
		return ruleError("%s is not supported; the supported parts are %s", name, supportedParts)
	default:
		return ruleError("%s is not a part of a recurrence rule; the supported parts are %s", name, supportedParts)
	}
	return err
}

// check enforces what RFC 5545 requires of the parts together, and that
// the rule ends.
func (r *rule) check(seen map[string]bool) error {
	switch {
	case !seen["FREQ"]:
		return ruleError("FREQ is required: DAILY, WEEKLY, MONTHLY or YEARLY")
	case seen["COUNT"] && seen["UNTIL"]:
		return ruleError("COUNT and UNTIL must not both be given")
	case !seen["COUNT"] && !seen["UNTIL"]:
		return ruleError("needs COUNT or UNTIL: a rule without either never ends")
	case r.freq == weekly && len(r.byMonthDay) > 0:
		return ruleError("BYMONTHDAY cannot be used with FREQ=WEEKLY")
	}
	if r.freq == daily || r.freq == weekly {
		for _, wd := range r.byDay {
			if wd.ordinal != 0 {
				return ruleError("BYDAY: an ordinal such as 2TU needs FREQ=MONTHLY or FREQ=YEARLY")
			}
		}
	}
	return nil
}

func parseFreq(value string) (frequency, error) {
	switch strings.ToUpper(value) {
	case "DAILY":
		return daily, nil
	case "WEEKLY":
		return weekly, nil
	case "MONTHLY":
		return monthly, nil
	case "YEARLY":
		return yearly, nil
	case "SECONDLY", "MINUTELY", "HOURLY":
		return 0, ruleError("FREQ=%s is not supported: use DAILY, WEEKLY, MONTHLY or YEARLY", strings.ToUpper(value))
	}
	return 0, ruleError("FREQ: %q is not a frequency (DAILY, WEEKLY, MONTHLY or YEARLY)", value)
}

// parseUntil sets the end of r: a date, inclusive in the event's time
// zone, or a UTC date-time, as RFC 5545 requires of a rule whose start has
// a time zone.
func (r *rule) parseUntil(value string) error {
	upper := strings.ToUpper(value)
	if t, err := time.Parse("20060102", upper); err == nil {
		r.untilDate = t
		return nil
	}
	if t, err := time.Parse("20060102T150405Z", upper); err == nil {
		r.until = t
		return nil
	}
	if _, err := time.Parse("20060102T150405", upper); err == nil {
		return ruleError("UNTIL: the date-time %s must be in UTC, ending in Z, or be a date such as 20261231", value)
	}
	return ruleError("UNTIL: %q is not a date such as 20261231 or a UTC date-time such as 20261231T230000Z", value)
}

// parseList parses comma-separated values.
func parseList[T any](value string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for v := range strings.SplitSeq(value, ",") {
		x, err := parse(strings.TrimSpace(v))
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// parseWeekdayNum parses an entry of BYDAY: [+|-][ordinal]weekday.
func parseWeekdayNum(v string) (weekdayNum, error) {
	bad := ruleError("BYDAY: %q is not a weekday such as MO, 2TU or -1FR", v)
	if len(v) < 2 {
		return weekdayNum{}, bad
	}
	wd, ok := weekday(v[len(v)-2:])
	if !ok {
		return weekdayNum{}, bad
	}
	if len(v) == 2 {
		return weekdayNum{weekday: wd}, nil
	}
	n, err := parseSigned("BYDAY", v[:len(v)-2], 1, 53)
	if err != nil {
		return weekdayNum{}, ruleError("BYDAY: %q: the ordinal must be 1 to 53 or -53 to -1", v)
	}
	return weekdayNum{ordinal: n, weekday: wd}, nil
}

// parseSigned parses [+|-]digits whose magnitude is from lo to hi.
func parseSigned(name, v string, lo, hi int) (int, error) {
	sign, digits := 1, v
	switch {
	case strings.HasPrefix(v, "-"):
		sign, digits = -1, v[1:]
	case strings.HasPrefix(v, "+"):
		digits = v[1:]
	}
	n, err := parseNumber(name, digits, lo, hi)
	if err != nil {
		return 0, ruleError("%s: %q must be %d to %d or -%d to -%d", name, v, lo, hi, hi, lo)
	}
	return sign * n, nil
}

// parseNumber parses digits, without a sign, from lo to hi.
func parseNumber(name, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || v == "" || v[0] < '0' || v[0] > '9' || n < lo || n > hi {
		return 0, ruleError("%s: %q must be a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}
