package storagetest

import (
	"math"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

func testTimeRoundTrip(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	tokyo := time.FixedZone("JST", 9*60*60)
	cases := []struct {
		name  string
		start time.Time
	}{
		{"nanoseconds in another zone", base},
		{"exact microseconds", time.Date(2026, 3, 29, 1, 0, 0, 999999000, time.UTC)},
		{"just under a second", time.Date(2026, 12, 31, 23, 59, 59, 999999999, tokyo)},
		{"the Unix epoch", time.Unix(0, 0)},
		{"before the epoch", time.Date(1969, 7, 20, 20, 17, 40, 1000, time.UTC)},
		{"far future", time.Date(2199, 1, 1, 0, 0, 0, 500, time.UTC)},
	}
	for _, tc := range cases {
		e := newEvent(org, tc.start)
		e.UpdatedAt = time.Time{}  // a required time left zero stays zero
		e.Settings = ce.Settings{} // zero times round-trip as zero
		e.CreatedAt = tc.start
		if err := s.Events().Create(ctx(t), e); err != nil {
			t.Fatalf("%s: create: %v", tc.name, err)
		}
		want := tc.start.UTC().Truncate(time.Microsecond)
		if e.StartsAt != want || e.CreatedAt != want {
			t.Errorf("%s: times written back by Create: got %v and %v, want %v", tc.name, e.StartsAt, e.CreatedAt, want)
		}
		got, err := s.Events().Get(ctx(t), org.ID, e.ID)
		if err != nil {
			t.Fatalf("%s: get: %v", tc.name, err)
		}
		if got.StartsAt != want || got.EndsAt != want.Add(3*time.Hour) || got.CreatedAt != want {
			t.Errorf("%s: got startsAt %v endsAt %v createdAt %v, want %v, %v, %v (UTC, microseconds)",
				tc.name, got.StartsAt, got.EndsAt, got.CreatedAt, want, want.Add(3*time.Hour), want)
		}
		if !got.UpdatedAt.IsZero() {
			t.Errorf("%s: zero updatedAt: got %v, want zero", tc.name, got.UpdatedAt)
		}
		if !got.Settings.RegistrationOpensAt.IsZero() || !got.Settings.RegistrationClosesAt.IsZero() {
			t.Errorf("%s: zero times: got %v and %v, want zero", tc.name,
				got.Settings.RegistrationOpensAt, got.Settings.RegistrationClosesAt)
		}
	}
}

func testTextAndMoney(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	texts := []string{
		"Zürich Café ☕ — naïve façade",
		"東京イベント 🎉🎊 👩🏽‍💻",
		"مرحبا بالعالم",
		"e\u0301 combining, \u200d zero-width joiner, \U0001F600",
		"quotes ' \" ` and backslash \\ and %_ wildcards",
		"line one\nline two\ttabbed\r\n",
		"  leading and trailing spaces  ",
	}
	amounts := []ce.Money{
		{Amount: 0, Currency: "EUR"},
		{Amount: 1, Currency: "USD"},
		{Amount: 1200, Currency: "JPY"},
		{Amount: 1234567, Currency: "KWD"},
		{Amount: math.MaxInt64, Currency: "EUR"},
	}
	e := newEvent(org, base)
	e.Title, e.Description, e.Venue = texts[1], texts[0]+texts[5], texts[2]
	e.Settings.ConfirmationMessage = texts[3]
	if err := s.Events().Create(ctx(t), e); err != nil {
		t.Fatalf("create event: %v", err)
	}
	got, err := s.Events().Get(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("get event: %v", err)
	}
	wantEqual(t, "event text", got, e)

	for i, m := range amounts {
		tier := newTier(e, texts[i%len(texts)], i)
		tier.Description = texts[(i+4)%len(texts)]
		tier.Price = m
		if err := s.Tiers().Create(ctx(t), tier); err != nil {
			t.Fatalf("create tier with %v: %v", m, err)
		}
		got, err := s.Tiers().Get(ctx(t), org.ID, tier.ID)
		if err != nil {
			t.Fatalf("get tier: %v", err)
		}
		wantEqual(t, "tier text and money", got, tier)
	}
}
