package recurrence_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/completeevent/completeevent-go/recurrence"
)

// dates returns the local dates of ts, "2006-01-02".
func dates(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Format(time.DateOnly)
	}
	return out
}

// dayRange returns every date from first to last, "2006-01-02".
func dayRange(first, last string) []string {
	var out []string
	d, _ := time.Parse(time.DateOnly, first)
	end, _ := time.Parse(time.DateOnly, last)
	for ; !d.After(end); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// list splits "1997-09-02 1997-09-09" into dates; a part "MM-DD" or "DD"
// repeats the year, or year and month, of the date before it.
func list(s string) []string {
	var out []string
	var last string
	for f := range strings.FieldsSeq(s) {
		switch len(f) {
		case 2:
			f = last[:8] + f
		case 5:
			f = last[:5] + f
		}
		out = append(out, f)
		last = f
	}
	return out
}

// concat joins date lists.
func concat(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// TestExpandRFC5545 runs the examples of RFC 5545, section 3.8.5.3, that
// fall in the supported subset. They start at 09:00 America/New_York.
// Rules that RFC 5545 leaves without an end get a COUNT that keeps the
// occurrences it lists, since a series must end.
func TestExpandRFC5545(t *testing.T) {
	t.Parallel()
	ny := mustLoad(t, "America/New_York")
	tests := []struct {
		name  string
		start string
		rule  string
		want  []string
	}{
		{"daily for 10 occurrences", "1997-09-02", "FREQ=DAILY;COUNT=10", dayRange("1997-09-02", "1997-09-11")},
		{"daily until December 24, 1997", "1997-09-02", "FREQ=DAILY;UNTIL=19971224T000000Z", dayRange("1997-09-02", "1997-12-23")},
		{"every 10 days, 5 occurrences", "1997-09-02", "FREQ=DAILY;INTERVAL=10;COUNT=5", list("1997-09-02 12 22 10-02 12")},
		{"every day in January, for 3 years (yearly)", "1998-01-01",
			"FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
			concat(dayRange("1998-01-01", "1998-01-31"), dayRange("1999-01-01", "1999-01-31"), dayRange("2000-01-01", "2000-01-31"))},
		{"every day in January, for 3 years (daily)", "1998-01-01", "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
			concat(dayRange("1998-01-01", "1998-01-31"), dayRange("1999-01-01", "1999-01-31"), dayRange("2000-01-01", "2000-01-31"))},
		{"weekly for 10 occurrences", "1997-09-02", "FREQ=WEEKLY;COUNT=10", list("1997-09-02 09 16 23 30 10-07 14 21 28 11-04")},
		{"weekly until December 24, 1997", "1997-09-02", "FREQ=WEEKLY;UNTIL=19971224T000000Z",
			list("1997-09-02 09 16 23 30 10-07 14 21 28 11-04 11 18 25 12-02 09 16 23")},
		{"every other week (13 of them)", "1997-09-02", "FREQ=WEEKLY;INTERVAL=2;WKST=SU;COUNT=13",
			list("1997-09-02 16 30 10-14 28 11-11 25 12-09 23 1998-01-06 20 02-03 17")},
		{"weekly on Tuesday and Thursday for five weeks (until)", "1997-09-02", "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
			list("1997-09-02 04 09 11 16 18 23 25 30 10-02")},
		{"weekly on Tuesday and Thursday for five weeks (count)", "1997-09-02", "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH",
			list("1997-09-02 04 09 11 16 18 23 25 30 10-02")},
		{"every other week on Monday, Wednesday and Friday until December 24, 1997", "1997-09-01",
			"FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
			list("1997-09-01 03 05 15 17 19 29 10-01 03 13 15 17 27 29 31 11-10 12 14 24 26 28 12-08 10 12 22")},
		{"every other week on Tuesday and Thursday, for 8 occurrences", "1997-09-02", "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH",
			list("1997-09-02 04 16 18 30 10-02 14 16")},
		{"monthly on the first Friday for 10 occurrences", "1997-09-05", "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
			list("1997-09-05 10-03 11-07 12-05 1998-01-02 02-06 03-06 04-03 05-01 06-05")},
		{"monthly on the first Friday until December 24, 1997", "1997-09-05", "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR",
			list("1997-09-05 10-03 11-07 12-05")},
		{"every other month on the first and last Sunday, 10 occurrences", "1997-09-07", "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
			list("1997-09-07 28 11-02 30 1998-01-04 25 03-01 29 05-03 31")},
		{"monthly on the second-to-last Monday for 6 months", "1997-09-22", "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
			list("1997-09-22 10-20 11-17 12-22 1998-01-19 02-16")},
		{"monthly on the third-to-the-last day of the month (6 of them)", "1997-09-28", "FREQ=MONTHLY;BYMONTHDAY=-3;COUNT=6",
			list("1997-09-28 10-29 11-28 12-29 1998-01-29 02-26")},
		{"monthly on the 2nd and 15th for 10 occurrences", "1997-09-02", "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
			list("1997-09-02 15 10-02 15 11-02 15 12-02 15 1998-01-02 15")},
		{"monthly on the first and last day for 10 occurrences", "1997-09-30", "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
			list("1997-09-30 10-01 31 11-01 30 12-01 31 1998-01-01 31 02-01")},
		{"every 18 months on the 10th thru 15th for 10 occurrences", "1997-09-10", "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
			list("1997-09-10 11 12 13 14 15 1999-03-10 11 12 13")},
		{"every Tuesday, every other month (18 of them)", "1997-09-02", "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU;COUNT=18",
			list("1997-09-02 09 16 23 30 11-04 11 18 25 1998-01-06 13 20 27 03-03 10 17 24 31")},
		{"yearly in June and July for 10 occurrences", "1997-06-10", "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
			list("1997-06-10 07-10 1998-06-10 07-10 1999-06-10 07-10 2000-06-10 07-10 2001-06-10 07-10")},
		{"every other year on January, February and March for 10 occurrences", "1997-03-10", "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
			list("1997-03-10 1999-01-10 02-10 03-10 2001-01-10 02-10 03-10 2003-01-10 02-10 03-10")},
		{"every 20th Monday of the year (3 of them)", "1997-05-19", "FREQ=YEARLY;BYDAY=20MO;COUNT=3", list("1997-05-19 1998-05-18 1999-05-17")},
		{"every Thursday in March (11 of them)", "1997-03-13", "FREQ=YEARLY;BYMONTH=3;BYDAY=TH;COUNT=11",
			list("1997-03-13 20 27 1998-03-05 12 19 26 1999-03-04 11 18 25")},
		{"every Thursday in June, July and August (1997)", "1997-06-05", "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8;COUNT=13",
			list("1997-06-05 12 19 26 07-03 10 17 24 31 08-07 14 21 28")},
		// RFC 5545 excludes the start, a Tuesday, with EXDATE; here the
		// event always stays the first occurrence.
		{"every Friday the 13th (5 after the start)", "1997-09-02", "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=6",
			list("1997-09-02 1998-02-13 03-13 11-13 1999-08-13 2000-10-13")},
		{"the first Saturday that follows the first Sunday of the month", "1997-09-13", "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13;COUNT=10",
			list("1997-09-13 10-11 11-08 12-13 1998-01-10 02-07 03-07 04-11 05-09 06-13")},
		{"U.S. presidential election day (3 of them)", "1996-11-05", "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8;COUNT=3",
			list("1996-11-05 2000-11-07 2004-11-02")},
		{"WKST=MO changes the weeks of an every-other-week rule", "1997-08-05", "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
			list("1997-08-05 10 19 24")},
		{"WKST=SU changes the weeks of an every-other-week rule", "1997-08-05", "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU",
			list("1997-08-05 17 19 31")},
		{"an invalid date (30 February) is ignored", "2007-01-15", "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
			list("2007-01-15 30 02-15 03-15 30")},
		{"the RRULE: prefix and lower case", "1997-09-02", "rrule:freq=daily;count=3", list("1997-09-02 03 04")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := local(t, ny, tt.start+" 09:00")
			got, err := recurrence.Expand(start, ny, recurrence.Recurrence{Rule: tt.rule}, nil)
			if err != nil {
				t.Fatalf("Expand: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, dates(got)); diff != "" {
				t.Errorf("dates mismatch (-want +got):\n%s", diff)
			}
			for _, o := range got {
				if o.Location() != ny || o.Hour() != 9 || o.Minute() != 0 {
					t.Errorf("got %v, want 09:00 in America/New_York", o)
				}
			}
		})
	}
}

// TestExpandCalendar covers month ends, leap days, ordinal weekdays,
// quarters and inclusive ends, at 19:00 in Europe/Amsterdam.
func TestExpandCalendar(t *testing.T) {
	t.Parallel()
	ams := mustLoad(t, "Europe/Amsterdam")
	tests := []struct {
		name  string
		start string
		rule  string
		want  []string
	}{
		{"BYMONTHDAY=31 skips short months", "2026-01-31", "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=5", list("2026-01-31 03-31 05-31 07-31 08-31")},
		{"the 31st without BYMONTHDAY skips short months", "2026-01-31", "FREQ=MONTHLY;COUNT=4", list("2026-01-31 03-31 05-31 07-31")},
		{"BYMONTHDAY=-1 is every month's last day", "2026-01-31", "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6", list("2026-01-31 02-28 03-31 04-30 05-31 06-30")},
		{"BYMONTHDAY=-1 in a leap year", "2028-01-31", "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3", list("2028-01-31 02-29 03-31")},
		{"a leap day repeats in leap years only", "2024-02-29", "FREQ=YEARLY;COUNT=3", list("2024-02-29 2028-02-29 2032-02-29")},
		{"the last day of February every year", "2024-02-29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1;COUNT=3", list("2024-02-29 2025-02-28 2026-02-28")},
		{"the second Tuesday of the month", "2026-01-13", "FREQ=MONTHLY;BYDAY=2TU;COUNT=4", list("2026-01-13 02-10 03-10 04-14")},
		{"the last Friday of the month", "2026-01-30", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4", list("2026-01-30 02-27 03-27 04-24")},
		{"quarterly", "2026-01-15", "FREQ=MONTHLY;INTERVAL=3;COUNT=4", list("2026-01-15 04-15 07-15 10-15")},
		{"quarterly on the last day", "2026-03-31", "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1;COUNT=4", list("2026-03-31 06-30 09-30 12-31")},
		{"UNTIL as a date is inclusive", "2026-01-06", "FREQ=WEEKLY;UNTIL=20260203", list("2026-01-06 13 20 27 02-03")},
		{"UNTIL as the exact UTC start is inclusive", "2026-01-06", "FREQ=WEEKLY;UNTIL=20260203T180000Z", list("2026-01-06 13 20 27 02-03")},
		{"UNTIL a second before excludes", "2026-01-06", "FREQ=WEEKLY;UNTIL=20260203T175959Z", list("2026-01-06 13 20 27")},
		{"weekdays", "2026-04-17", "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=4", list("2026-04-17 20 21 22")},
		// BYDAY is a list: plain weekdays and ordinal ones add up (python's
		// dateutil and rrule-go intersect them and yield nothing here).
		{"plain and ordinal weekdays together", "2020-07-21", "FREQ=MONTHLY;BYDAY=MO,5WE;COUNT=6", list("2020-07-21 27 29 08-03 10 17")},
		{"a start off the rule still comes first", "2026-04-15", "FREQ=MONTHLY;BYDAY=1MO;COUNT=3", list("2026-04-15 05-04 06-01")},
		{"COUNT=500 is the cap, and allowed", "2026-01-01", "FREQ=DAILY;COUNT=500", dayRange("2026-01-01", "2027-05-15")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := recurrence.Expand(local(t, ams, tt.start+" 19:00"), ams, recurrence.Recurrence{Rule: tt.rule}, nil)
			if err != nil {
				t.Fatalf("Expand: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, dates(got)); diff != "" {
				t.Errorf("dates mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExpandDaylightSaving checks that occurrences keep their local time
// across changes in both directions, that a local time a change skips is
// skipped and not counted (or shifted, with GapShift), and that one that
// occurs twice is the earlier.
func TestExpandDaylightSaving(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		zone  string
		start string
		rule  string
		gap   recurrence.GapPolicy
		want  []string
	}{
		{"Amsterdam, into summer time", "Europe/Amsterdam", "2026-03-19 19:00", "FREQ=WEEKLY;COUNT=3", recurrence.GapSkip,
			[]string{"2026-03-19T19:00:00+01:00", "2026-03-26T19:00:00+01:00", "2026-04-02T19:00:00+02:00"}},
		{"Amsterdam, out of summer time", "Europe/Amsterdam", "2026-10-15 19:00", "FREQ=WEEKLY;COUNT=3", recurrence.GapSkip,
			[]string{"2026-10-15T19:00:00+02:00", "2026-10-22T19:00:00+02:00", "2026-10-29T19:00:00+01:00"}},
		{"New York, into summer time", "America/New_York", "2026-03-01 18:30", "FREQ=WEEKLY;COUNT=3", recurrence.GapSkip,
			[]string{"2026-03-01T18:30:00-05:00", "2026-03-08T18:30:00-04:00", "2026-03-15T18:30:00-04:00"}},
		{"New York, out of summer time", "America/New_York", "2026-10-25 09:00", "FREQ=WEEKLY;COUNT=3", recurrence.GapSkip,
			[]string{"2026-10-25T09:00:00-04:00", "2026-11-01T09:00:00-05:00", "2026-11-08T09:00:00-05:00"}},
		{"Amsterdam, a skipped time is skipped and not counted", "Europe/Amsterdam", "2026-03-27 02:30", "FREQ=DAILY;COUNT=4", recurrence.GapSkip,
			[]string{"2026-03-27T02:30:00+01:00", "2026-03-28T02:30:00+01:00", "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"}},
		{"Amsterdam, a skipped time shifted", "Europe/Amsterdam", "2026-03-27 02:30", "FREQ=DAILY;COUNT=4", recurrence.GapShift,
			[]string{"2026-03-27T02:30:00+01:00", "2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"}},
		{"New York, a skipped time is skipped", "America/New_York", "2026-03-07 02:30", "FREQ=DAILY;COUNT=3", recurrence.GapSkip,
			[]string{"2026-03-07T02:30:00-05:00", "2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00"}},
		{"Amsterdam, a time that occurs twice is the earlier", "Europe/Amsterdam", "2026-10-24 02:30", "FREQ=DAILY;COUNT=3", recurrence.GapSkip,
			[]string{"2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"}},
		{"New York, a time that occurs twice is the earlier", "America/New_York", "2026-10-31 01:30", "FREQ=DAILY;COUNT=3", recurrence.GapSkip,
			[]string{"2026-10-31T01:30:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc := mustLoad(t, tt.zone)
			got, err := recurrence.Expand(local(t, loc, tt.start), loc, recurrence.Recurrence{Rule: tt.rule, Gap: tt.gap}, nil)
			if err != nil {
				t.Fatalf("Expand: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, formatLocal(got)); diff != "" {
				t.Errorf("occurrences mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpandExtraAndExcludedDates(t *testing.T) {
	t.Parallel()
	ams := mustLoad(t, "Europe/Amsterdam")
	start := local(t, ams, "2026-01-13 19:00") // the second Tuesday
	d := func(s string) recurrence.Date {
		date, err := recurrence.ParseDate(s)
		if err != nil {
			t.Fatalf("ParseDate(%q): %v", s, err)
		}
		return date
	}
	tests := []struct {
		name string
		rec  recurrence.Recurrence
		want []string
	}{
		{"extra dates", recurrence.Recurrence{
			Rule:       "FREQ=MONTHLY;BYDAY=2TU;COUNT=3",
			ExtraDates: []recurrence.Date{d("2026-02-24"), d("2026-02-10"), d("2026-06-30")},
		}, list("2026-01-13 02-10 02-24 03-10 06-30")},
		{"excluded dates, counted by COUNT, others ignored", recurrence.Recurrence{
			Rule:          "FREQ=MONTHLY;BYDAY=2TU;COUNT=4",
			ExcludedDates: []recurrence.Date{d("2026-02-10"), d("2026-02-11")},
		}, list("2026-01-13 03-10 04-14")},
		{"an excluded date removes an extra date", recurrence.Recurrence{
			Rule:          "FREQ=MONTHLY;BYDAY=2TU;COUNT=2",
			ExtraDates:    []recurrence.Date{d("2026-05-05")},
			ExcludedDates: []recurrence.Date{d("2026-05-05")},
		}, list("2026-01-13 02-10")},
		{"extra dates without a rule", recurrence.Recurrence{
			ExtraDates: []recurrence.Date{d("2026-12-01"), d("2026-03-01")},
		}, list("2026-01-13 03-01 12-01")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := recurrence.Expand(start, ams, tt.rec, nil)
			if err != nil {
				t.Fatalf("Expand: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tt.want, dates(got)); diff != "" {
				t.Errorf("dates mismatch (-want +got):\n%s", diff)
			}
			for _, o := range got {
				if o.Hour() != 19 {
					t.Errorf("got %v, want 19:00 local", o)
				}
			}
		})
	}

	// An extra date whose local time a change skips is refused, or
	// shifted with GapShift.
	early := local(t, ams, "2026-03-20 02:30")
	rec := recurrence.Recurrence{ExtraDates: []recurrence.Date{d("2026-03-29")}}
	_, err := recurrence.Expand(early, ams, rec, nil)
	wantInvalid(t, err, "extraDates[0]", "2026-03-29", "02:30", "daylight-saving")
	rec.Gap = recurrence.GapShift
	got, err := recurrence.Expand(early, ams, rec, nil)
	if err != nil {
		t.Fatalf("Expand with GapShift: got error %v, want nil", err)
	}
	if diff := cmp.Diff([]string{"2026-03-20T02:30:00+01:00", "2026-03-29T03:30:00+02:00"}, formatLocal(got)); diff != "" {
		t.Errorf("shifted extra date mismatch (-want +got):\n%s", diff)
	}
}

func TestExpandBadInput(t *testing.T) {
	t.Parallel()
	ams := mustLoad(t, "Europe/Amsterdam")
	start := local(t, ams, "2026-01-13 19:00")
	date := func(y int, m time.Month, d int) recurrence.Date { return recurrence.Date{Year: y, Month: m, Day: d} }
	tests := []struct {
		name  string
		rule  string
		rec   recurrence.Recurrence // used when rule is empty
		field string
		parts []string // in the message
	}{
		{"no rule and no dates", "", recurrence.Recurrence{}, "rule", []string{"required"}},
		{"blank rule", " ", recurrence.Recurrence{Rule: " "}, "rule", []string{"empty"}},
		{"COUNT and UNTIL", "FREQ=MONTHLY;COUNT=3;UNTIL=20270101", recurrence.Recurrence{}, "rule", []string{"COUNT and UNTIL"}},
		{"no end", "FREQ=MONTHLY", recurrence.Recurrence{}, "rule", []string{"COUNT or UNTIL", "never ends"}},
		{"no FREQ", "COUNT=3", recurrence.Recurrence{}, "rule", []string{"FREQ is required"}},
		{"BYSETPOS", "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYSETPOS is not supported"}},
		{"BYYEARDAY", "FREQ=YEARLY;BYYEARDAY=1,100;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYYEARDAY is not supported"}},
		{"BYWEEKNO", "FREQ=YEARLY;BYWEEKNO=20;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYWEEKNO is not supported"}},
		{"BYHOUR", "FREQ=DAILY;BYHOUR=9,17;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYHOUR is not supported"}},
		{"BYMINUTE", "FREQ=DAILY;BYMINUTE=30;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYMINUTE is not supported"}},
		{"BYSECOND", "FREQ=DAILY;BYSECOND=1;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYSECOND is not supported"}},
		{"HOURLY", "FREQ=HOURLY;COUNT=3", recurrence.Recurrence{}, "rule", []string{"FREQ=HOURLY is not supported"}},
		{"unknown frequency", "FREQ=FORTNIGHTLY;COUNT=3", recurrence.Recurrence{}, "rule", []string{"FREQ", "FORTNIGHTLY"}},
		{"an extension part", "FREQ=DAILY;COUNT=3;X-COLOR=RED", recurrence.Recurrence{}, "rule", []string{"X-COLOR"}},
		{"an unknown part", "FREQ=DAILY;COUNT=3;COLOUR=RED", recurrence.Recurrence{}, "rule", []string{"COLOUR is not a part"}},
		{"a part twice", "FREQ=DAILY;COUNT=3;COUNT=4", recurrence.Recurrence{}, "rule", []string{"COUNT is given twice"}},
		{"a part without =", "FREQ=DAILY;COUNT", recurrence.Recurrence{}, "rule", []string{`"COUNT"`, "NAME=VALUE"}},
		{"a part without a value", "FREQ=DAILY;COUNT=", recurrence.Recurrence{}, "rule", []string{"COUNT has no value"}},
		{"an empty part", "FREQ=DAILY;;COUNT=3", recurrence.Recurrence{}, "rule", []string{"NAME=VALUE"}},
		{"COUNT not a number", "FREQ=DAILY;COUNT=ten", recurrence.Recurrence{}, "rule", []string{"COUNT", "ten"}},
		{"COUNT zero", "FREQ=DAILY;COUNT=0", recurrence.Recurrence{}, "rule", []string{"COUNT"}},
		{"INTERVAL zero", "FREQ=DAILY;INTERVAL=0;COUNT=3", recurrence.Recurrence{}, "rule", []string{"INTERVAL"}},
		{"INTERVAL signed", "FREQ=DAILY;INTERVAL=+2;COUNT=3", recurrence.Recurrence{}, "rule", []string{"INTERVAL"}},
		{"UNTIL in local time", "FREQ=DAILY;UNTIL=20260201T190000", recurrence.Recurrence{}, "rule", []string{"UNTIL", "UTC"}},
		{"UNTIL not a date", "FREQ=DAILY;UNTIL=soon", recurrence.Recurrence{}, "rule", []string{"UNTIL", `"soon"`}},
		{"UNTIL 30 February", "FREQ=DAILY;UNTIL=20260230", recurrence.Recurrence{}, "rule", []string{"UNTIL"}},
		{"BYDAY unknown day", "FREQ=MONTHLY;BYDAY=xx;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYDAY", `"xx"`}},
		{"BYDAY ordinal zero", "FREQ=MONTHLY;BYDAY=0TU;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYDAY", "0TU"}},
		{"BYDAY ordinal too large", "FREQ=YEARLY;BYDAY=54MO;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYDAY", "54MO"}},
		{"BYDAY ordinal in a weekly rule", "FREQ=WEEKLY;BYDAY=2TU;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYDAY", "MONTHLY"}},
		{"BYDAY ordinal in a daily rule", "FREQ=DAILY;BYDAY=-1FR;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYDAY"}},
		{"BYMONTHDAY in a weekly rule", "FREQ=WEEKLY;BYMONTHDAY=1;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYMONTHDAY", "WEEKLY"}},
		{"BYMONTHDAY 32", "FREQ=MONTHLY;BYMONTHDAY=32;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYMONTHDAY", "32"}},
		{"BYMONTHDAY 0", "FREQ=MONTHLY;BYMONTHDAY=0;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYMONTHDAY"}},
		{"BYMONTH 13", "FREQ=YEARLY;BYMONTH=13;COUNT=3", recurrence.Recurrence{}, "rule", []string{"BYMONTH", "13"}},
		{"WKST unknown", "FREQ=WEEKLY;WKST=XY;COUNT=3", recurrence.Recurrence{}, "rule", []string{"WKST"}},
		{"yields nothing: 30 February", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20400101", recurrence.Recurrence{}, "rule", []string{"no occurrence"}},
		{"yields nothing: COUNT=1", "FREQ=DAILY;COUNT=1", recurrence.Recurrence{}, "rule", []string{"no occurrence"}},
		{"yields nothing: UNTIL before the start", "FREQ=DAILY;UNTIL=20250101", recurrence.Recurrence{}, "rule", []string{"no occurrence"}},
		{"over the cap by COUNT", "FREQ=DAILY;COUNT=501", recurrence.Recurrence{}, "rule", []string{"more than 500", "cap"}},
		{"over the cap by UNTIL", "FREQ=DAILY;UNTIL=20280101", recurrence.Recurrence{}, "rule", []string{"more than 500"}},
		{"UNTIL beyond 100 years", "FREQ=YEARLY;UNTIL=21300101", recurrence.Recurrence{}, "rule", []string{"100 years"}},
		{"COUNT not reached in 100 years", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=30", recurrence.Recurrence{}, "rule", []string{"COUNT=30", "100 years"}},
		{"extra date before the event", "", recurrence.Recurrence{ExtraDates: []recurrence.Date{date(2026, 1, 12)}}, "extraDates[0]", []string{"2026-01-12", "not after"}},
		{"extra date on the event's own", "", recurrence.Recurrence{ExtraDates: []recurrence.Date{date(2026, 2, 1), date(2026, 1, 13)}}, "extraDates[1]", []string{"not after"}},
		{"extra date 30 February", "", recurrence.Recurrence{ExtraDates: []recurrence.Date{date(2026, 2, 30)}}, "extraDates[0]", []string{"2026-02-30"}},
		{"excluded date that does not exist", "", recurrence.Recurrence{Rule: "FREQ=DAILY;COUNT=3", ExcludedDates: []recurrence.Date{date(2026, 13, 1)}}, "excludedDates[0]", []string{"not a day"}},
		{"excluding the event's own date", "", recurrence.Recurrence{Rule: "FREQ=DAILY;COUNT=3", ExcludedDates: []recurrence.Date{date(2026, 1, 13)}}, "excludedDates[0]", []string{"event itself"}},
		{"every occurrence excluded", "", recurrence.Recurrence{Rule: "FREQ=DAILY;COUNT=2", ExcludedDates: []recurrence.Date{date(2026, 1, 14)}}, "rule", []string{"no occurrence"}},
		{"unknown gap policy", "", recurrence.Recurrence{Rule: "FREQ=DAILY;COUNT=2", Gap: 7}, "gap", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := tt.rec
			if tt.rule != "" {
				rec.Rule = tt.rule
			}
			got, err := recurrence.Expand(start, ams, rec, nil)
			if err == nil {
				t.Fatalf("Expand: got %d occurrences, want an error", len(got))
			}
			wantInvalid(t, err, tt.field, tt.parts...)
		})
	}

	_, err := recurrence.Expand(start, nil, recurrence.Recurrence{Rule: "FREQ=DAILY;COUNT=2"}, nil)
	wantInvalid(t, err, "timeZone")
	_, err = recurrence.Expand(time.Time{}, ams, recurrence.Recurrence{Rule: "FREQ=DAILY;COUNT=2"}, nil)
	wantInvalid(t, err, "startsAt")
}

func TestExpandMaxOccurrences(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	opts := &recurrence.ExpandOptions{MaxOccurrences: 3}
	for count, wantErr := range map[int]bool{3: false, 4: true} {
		rec := recurrence.Recurrence{Rule: fmt.Sprintf("FREQ=DAILY;COUNT=%d", count)}
		_, err := recurrence.Expand(start, time.UTC, rec, opts)
		if wantErr {
			wantInvalid(t, err, "rule", "more than 3")
		} else if err != nil {
			t.Errorf("COUNT=%d: got error %v, want nil", count, err)
		}
	}
	// Excluded dates do not make room under the cap for more of the rule.
	rec := recurrence.Recurrence{Rule: "FREQ=DAILY;COUNT=5", ExcludedDates: []recurrence.Date{{Year: 2026, Month: 1, Day: 2}, {Year: 2026, Month: 1, Day: 3}}}
	got, err := recurrence.Expand(start, time.UTC, rec, opts)
	if err != nil {
		t.Fatalf("Expand: got error %v, want nil", err)
	}
	if diff := cmp.Diff(list("2026-01-01 04 05"), dates(got)); diff != "" {
		t.Errorf("dates mismatch (-want +got):\n%s", diff)
	}
	// Extra dates count towards the cap.
	rec = recurrence.Recurrence{Rule: "FREQ=DAILY;COUNT=3", ExtraDates: []recurrence.Date{{Year: 2026, Month: 2, Day: 1}}}
	_, err = recurrence.Expand(start, time.UTC, rec, opts)
	wantInvalid(t, err, "rule", "more than 3")
	rec = recurrence.Recurrence{ExtraDates: []recurrence.Date{{Year: 2026, Month: 2, Day: 1}, {Year: 2026, Month: 2, Day: 2}, {Year: 2026, Month: 2, Day: 3}}}
	_, err = recurrence.Expand(start, time.UTC, rec, opts)
	wantInvalid(t, err, "extraDates", "more than 3")
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	got, err := recurrence.ParseDate("2028-02-29")
	if err != nil || got != (recurrence.Date{Year: 2028, Month: time.February, Day: 29}) || got.String() != "2028-02-29" || !got.Valid() {
		t.Errorf("ParseDate(2028-02-29): got %v (valid %v), error %v", got, got.Valid(), err)
	}
	for _, bad := range []string{"", "2027-02-29", "2026-13-01", "24/12/2026", "2026-12-24T19:00:00Z", "20261224"} {
		if _, err := recurrence.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q): got no error", bad)
		} else {
			wantInvalid(t, err, "")
		}
	}
	if (recurrence.Date{Year: 10000, Month: 1, Day: 1}).Valid() || (recurrence.Date{}).Valid() {
		t.Error("got Valid() true for a date outside the years 1 to 9999")
	}
}
