package ticketing_test

import (
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
)

func TestGuideWhen(t *testing.T) {
	t.Parallel()
	utc := func(month time.Month, day, hour, minute int) time.Time {
		return time.Date(2026, month, day, hour, minute, 0, 0, time.UTC)
	}
	tests := []struct {
		name       string
		zone       string
		start, end time.Time
		want       string
	}{
		{"same day", "Europe/Amsterdam", utc(5, 20, 17, 0), utc(5, 20, 21, 0),
			"Wednesday 20 May 2026, 19:00–23:00 CEST (Europe/Amsterdam)"},
		{"into the next year", "America/New_York", utc(12, 31, 23, 0), time.Date(2027, 1, 1, 7, 0, 0, 0, time.UTC),
			"Thursday 31 December 2026, 18:00 – Friday 1 January 2027, 02:00 EST (America/New_York)"},
		{"the night summer time ends", "Europe/Amsterdam", utc(10, 24, 22, 30), utc(10, 25, 3, 0),
			"Sunday 25 October 2026, 00:30 CEST – 04:00 CET (Europe/Amsterdam)"},
		{"the night summer time starts", "America/New_York", utc(3, 8, 5, 0), utc(3, 8, 9, 0),
			"Sunday 8 March 2026, 00:00 EST – 05:00 EDT (America/New_York)"},
		{"UTC is not named twice", "UTC", utc(5, 20, 17, 0), utc(5, 20, 21, 0),
			"Wednesday 20 May 2026, 17:00–21:00 UTC"},
		{"unknown zone shown in UTC", "Mars/Olympus_Mons", utc(5, 20, 17, 0), utc(5, 20, 21, 0),
			"Wednesday 20 May 2026, 17:00–21:00 UTC"},
	}
	for _, tt := range tests {
		g := &ticketing.Guide{Event: &ce.Event{TimeZone: tt.zone, StartsAt: tt.start, EndsAt: tt.end}}
		if got := g.When(); got != tt.want {
			t.Errorf("%s: When() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestGuideWhere(t *testing.T) {
	t.Parallel()
	const venue = "De Kleine Komedie, Amsterdam"
	tests := []struct {
		name    string
		venue   string
		joinURL string
		want    string
	}{
		{"in person", venue, "", venue},
		{"virtual tier of an event with a venue", venue, "https://meet.example.com/x", "Online"},
		{"event without a venue", "", "", "Online"},
	}
	for _, tt := range tests {
		g := &ticketing.Guide{Event: &ce.Event{Venue: tt.venue}, Tier: &ce.Tier{JoinURL: tt.joinURL}}
		if got, online := g.Where(), g.Online(); got != tt.want || online != (tt.want == "Online") {
			t.Errorf("%s: Where() = %q, Online() = %v, want %q", tt.name, got, online, tt.want)
		}
	}
}
