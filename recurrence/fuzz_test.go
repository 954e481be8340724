package recurrence_test

import (
	"errors"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/recurrence"
)

// FuzzExpand expands arbitrary rules: each is refused as ErrInvalid, or
// yields the start, then later occurrences in order, at the start's local
// time of day, within the cap.
func FuzzExpand(f *testing.F) {
	for _, rule := range []string{
		"FREQ=DAILY;COUNT=10",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=8",
		"FREQ=MONTHLY;BYDAY=2TU,-1FR;COUNT=12",
		"FREQ=MONTHLY;BYMONTHDAY=31,-1;UNTIL=20300101",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;COUNT=3",
		"FREQ=YEARLY;BYDAY=20MO;UNTIL=20400101T000000Z",
		"RRULE:freq=monthly;interval=3;count=4",
		"FREQ=MONTHLY;BYSETPOS=-1;COUNT=2",
		"FREQ=DAILY;COUNT=3;UNTIL=20270101",
	} {
		f.Add(rule, int64(0))
	}
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rule string, minutes int64) {
		// A start between 2000 and 2040, at any minute: some on the
		// nights of daylight-saving changes.
		start := time.Date(2000, 1, 1, 0, 0, 0, 0, ams).Add(time.Duration(uint64(minutes)%(40*366*24*60)) * time.Minute)
		got, err := recurrence.Expand(start, ams, recurrence.Recurrence{Rule: rule}, nil)
		if err != nil {
			if !errors.Is(err, ce.ErrInvalid) || ce.ErrorField(err) != "rule" {
				t.Fatalf("Expand(%q): got error %v (field %q), want ErrInvalid naming rule", rule, err, ce.ErrorField(err))
			}
			return
		}
		if len(got) < 2 || len(got) > recurrence.DefaultMaxOccurrences || !got[0].Equal(start) {
			t.Fatalf("Expand(%q): got %d occurrences starting %v, want 2 to %d starting %v", rule, len(got), got[0], recurrence.DefaultMaxOccurrences, start)
		}
		h, m, _ := start.Clock()
		for i, o := range got[1:] {
			if !o.After(got[i]) {
				t.Fatalf("Expand(%q): occurrence %v not after %v", rule, o, got[i])
			}
			if oh, om, _ := o.Clock(); oh != h || om != m || o.Location() != ams {
				t.Fatalf("Expand(%q): occurrence %v, want %02d:%02d in %v", rule, o, h, m, ams)
			}
		}
	})
}
