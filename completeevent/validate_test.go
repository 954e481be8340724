package completeevent_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

var start = time.Date(2026, 10, 24, 17, 0, 0, 0, time.UTC)

func validEvent() ce.Event {
	return ce.Event{
		ID: "evt_1", OrganizationID: "org_1", Title: "Meetup", TimeZone: "Europe/Amsterdam",
		StartsAt: start, EndsAt: start.Add(2 * time.Hour), Status: ce.EventDraft,
	}
}

func TestEventValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		change    func(e *ce.Event)
		wantField string
	}{
		{"valid", func(*ce.Event) {}, ""},
		{"missing title", func(e *ce.Event) { e.Title = "" }, "title"},
		{"overlong title", func(e *ce.Event) { e.Title = strings.Repeat("é", 201) }, "title"},
		{"title of 200 characters", func(e *ce.Event) { e.Title = strings.Repeat("é", 200) }, ""},
		{"invalid UTF-8", func(e *ce.Event) { e.Description = "\xff" }, "description"},
		{"NUL character", func(e *ce.Event) { e.Venue = "a\x00b" }, "venue"},
		{"missing time zone", func(e *ce.Event) { e.TimeZone = "" }, "timeZone"},
		{"unknown time zone", func(e *ce.Event) { e.TimeZone = "Mars/Olympus_Mons" }, "timeZone"},
		{"Local is no IANA zone", func(e *ce.Event) { e.TimeZone = "Local" }, "timeZone"},
		{"UTC", func(e *ce.Event) { e.TimeZone = "UTC" }, ""},
		{"missing start", func(e *ce.Event) { e.StartsAt = time.Time{} }, "startsAt"},
		{"missing end", func(e *ce.Event) { e.EndsAt = time.Time{} }, "endsAt"},
		{"end before start", func(e *ce.Event) { e.EndsAt = start.Add(-time.Minute) }, "endsAt"},
		{"end at start", func(e *ce.Event) { e.EndsAt = start }, "endsAt"},
		{"unknown status", func(e *ce.Event) { e.Status = "archived" }, "status"},
		{"negative capacity", func(e *ce.Event) { e.Settings.Capacity = -1 }, "settings.capacity"},
		{"registration closes before it opens", func(e *ce.Event) {
			e.Settings.RegistrationOpensAt = start
			e.Settings.RegistrationClosesAt = start.Add(-time.Hour)
		}, "settings.registrationClosesAt"},
		{"unknown visibility", func(e *ce.Event) { e.Settings.Visibility = "secret" }, "settings.visibility"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := validEvent()
			tc.change(&e)
			assertField(t, e.Validate(), tc.wantField)
		})
	}
}

func TestTierValidate(t *testing.T) {
	t.Parallel()
	e := validEvent()
	valid := func() ce.Tier {
		return ce.Tier{Name: "Regular", Price: ce.Money{Amount: 1500, Currency: "EUR"}, Capacity: 10}
	}
	tests := []struct {
		name      string
		change    func(t *ce.Tier)
		wantField string
	}{
		{"valid", func(*ce.Tier) {}, ""},
		{"free", func(t *ce.Tier) { t.Price.Amount = 0 }, ""},
		{"missing name", func(t *ce.Tier) { t.Name = "" }, "name"},
		{"negative price", func(t *ce.Tier) { t.Price.Amount = -1 }, "price.amount"},
		{"lower-case currency", func(t *ce.Tier) { t.Price.Currency = "eur" }, "price.currency"},
		{"unknown currency", func(t *ce.Tier) { t.Price.Currency = "XYZ" }, "price.currency"},
		{"missing currency", func(t *ce.Tier) { t.Price.Currency = "" }, "price.currency"},
		{"negative capacity", func(t *ce.Tier) { t.Capacity = -5 }, "capacity"},
		{"negative position", func(t *ce.Tier) { t.Position = -1 }, "position"},
		{"https join URL", func(t *ce.Tier) { t.JoinURL = "https://meet.example.com/abc?pwd=1" }, ""},
		{"http join URL", func(t *ce.Tier) { t.JoinURL = "http://meet.example.com/abc" }, "joinUrl"},
		{"relative join URL", func(t *ce.Tier) { t.JoinURL = "/abc" }, "joinUrl"},
		{"sales end before start", func(t *ce.Tier) {
			t.SalesStartAt, t.SalesEndAt = start.Add(-time.Hour), start.Add(-2*time.Hour)
		}, "salesEndAt"},
		{"sales end after the event", func(t *ce.Tier) { t.SalesEndAt = e.EndsAt.Add(time.Second) }, "salesEndAt"},
		{"sales end at the event's end", func(t *ce.Tier) { t.SalesEndAt = e.EndsAt }, ""},
		{"sales start after the event", func(t *ce.Tier) { t.SalesStartAt = e.EndsAt }, "salesStartAt"},
		{"sales start six years early", func(t *ce.Tier) { t.SalesStartAt = start.AddDate(-6, 0, 0) }, "salesStartAt"},
		{"sales start a year early", func(t *ce.Tier) { t.SalesStartAt = start.AddDate(-1, 0, 0) }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tier := valid()
			tc.change(&tier)
			assertField(t, tier.Validate(&e), tc.wantField)
		})
	}
}

func TestValidateHTTPSURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url  string
		want bool
	}{
		{"https://example.com", true},
		{"https://example.com:8443/hook?x=1", true},
		{"HTTPS://Example.com/", true},
		{"https://[2001:db8::1]/", true},
		{"http://example.com", false},
		{"ftp://example.com", false},
		{"example.com", false},
		{"//example.com/path", false},
		{"https://", false},
		{"https:///path", false},
		{"https://:443/", false},
		{"https://user:pass@example.com/", false},
		{"https://example.com/#frag", false},
		{"https://example.com/#", false},
		{"https:example.com", false},
		{"https://exa mple.com/", false},
		{"https://example.com/" + strings.Repeat("a", 2048), false},
		{"", false},
	}
	for _, tc := range tests {
		err := ce.ValidateHTTPSURL("url", tc.url)
		if got := err == nil; got != tc.want {
			t.Errorf("ValidateHTTPSURL(%q): got error %v, want valid %v", tc.url, err, tc.want)
		}
		if err != nil && (!errors.Is(err, ce.ErrInvalid) || ce.ErrorField(err) != "url") {
			t.Errorf("ValidateHTTPSURL(%q): got %v, want ErrInvalid naming url", tc.url, err)
		}
	}
}

func assertField(t *testing.T, err error, wantField string) {
	t.Helper()
	if wantField == "" {
		if err != nil {
			t.Errorf("got error %v, want none", err)
		}
		return
	}
	if !errors.Is(err, ce.ErrInvalid) {
		t.Fatalf("got error %v, want ErrInvalid", err)
	}
	if got := ce.ErrorField(err); got != wantField {
		t.Errorf("got field %q (%v), want %q", got, err, wantField)
	}
}

func TestAuctionItemMinimumBid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		item ce.AuctionItem
		want int64
	}{
		{"no bids", ce.AuctionItem{StartingBid: ce.Money{Amount: 1000}, MinIncrement: 100}, 1000},
		{"a bid", ce.AuctionItem{StartingBid: ce.Money{Amount: 1000}, MinIncrement: 100, HighestBidID: "bid_1", HighestAmount: 1200}, 1300},
		{"overflowing", ce.AuctionItem{StartingBid: ce.Money{Amount: 1000}, MinIncrement: 100, HighestBidID: "bid_1", HighestAmount: math.MaxInt64 - 50}, math.MaxInt64},
		{"at the edge", ce.AuctionItem{StartingBid: ce.Money{Amount: 1000}, MinIncrement: 1, HighestBidID: "bid_1", HighestAmount: math.MaxInt64 - 1}, math.MaxInt64},
	} {
		if got := tc.item.MinimumBid(); got != tc.want {
			t.Errorf("%s: got %d, want %d", tc.name, got, tc.want)
		}
	}
}
