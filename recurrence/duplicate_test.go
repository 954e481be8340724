package recurrence_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/recurrence"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
)

// The fields a copy changes, and only those: ids, status, dates, links.
var (
	ignoreChangedEventFields = cmpopts.IgnoreFields(ce.Event{}, "ID", "Status", "StartsAt", "EndsAt",
		"Settings.RegistrationOpensAt", "Settings.RegistrationClosesAt", "SeriesID", "DuplicatedFrom", "CreatedAt", "UpdatedAt")
	ignoreChangedTierFields = cmpopts.IgnoreFields(ce.Tier{}, "ID", "EventID", "SalesStartAt", "SalesEndAt", "CreatedAt", "UpdatedAt")
)

// eventChanges are the fields a copy changes.
type eventChanges struct {
	Status                                    ce.EventStatus
	StartsAt, EndsAt, RegOpensAt, RegClosesAt time.Time
	SeriesID, DuplicatedFrom                  string
	CreatedAt, UpdatedAt                      time.Time
}

func changesOf(e *ce.Event) eventChanges {
	return eventChanges{e.Status, e.StartsAt, e.EndsAt, e.Settings.RegistrationOpensAt, e.Settings.RegistrationClosesAt,
		e.SeriesID, e.DuplicatedFrom, e.CreatedAt, e.UpdatedAt}
}

// richEvent stores an event with settings and four tiers: in person and
// virtual, two of equal position, one without a sales window.
func (f *fixture) richEvent(t *testing.T, loc *time.Location, start time.Time) (*ce.Event, []*ce.Tier) {
	t.Helper()
	e := f.event(loc, start)
	online := tier(e, "Online", 1)
	online.JoinURL = "https://meet.example.com/j/123?pwd=abc"
	online.Price = ce.Money{Amount: 500, Currency: "EUR"}
	online.Capacity = 0
	late := tier(e, "Late", 1)
	late.Description = "At the door."
	door := tier(e, "Door", 2)
	door.SalesStartAt, door.SalesEndAt = time.Time{}, time.Time{}
	return f.save(t, e, tier(e, "Regular", 0), online, late, door)
}

func TestDuplicate(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		f := newFixture(t, store)
		ams := mustLoad(t, "Europe/Amsterdam")
		orig, origTiers := f.richEvent(t, ams, local(t, ams, "2026-05-20 19:00"))
		newStart := local(t, ams, "2026-06-17 19:00")

		got, err := f.svc.Duplicate(ctx, f.org.ID, orig.ID, recurrence.DuplicateInput{StartsAt: newStart})
		if err != nil {
			t.Fatalf("Duplicate: got error %v, want nil", err)
		}
		if diff := cmp.Diff(orig, got.Event, ignoreChangedEventFields); diff != "" {
			t.Errorf("copy differs from the original beyond ids, status, dates and links (-want +got):\n%s", diff)
		}
		fourWeeks := 28 * 24 * time.Hour
		want := eventChanges{
			Status:         ce.EventDraft,
			StartsAt:       newStart,
			EndsAt:         newStart.Add(3 * time.Hour),
			RegOpensAt:     orig.Settings.RegistrationOpensAt.Add(fourWeeks),
			RegClosesAt:    orig.Settings.RegistrationClosesAt.Add(fourWeeks),
			DuplicatedFrom: orig.ID,
			CreatedAt:      testNow,
			UpdatedAt:      testNow,
		}
		if diff := cmp.Diff(want, changesOf(got.Event)); diff != "" {
			t.Errorf("changed fields mismatch (-want +got):\n%s", diff)
		}
		if !ce.ValidID(ce.PrefixEvent, got.Event.ID) || got.Event.ID == orig.ID {
			t.Errorf("got copy id %q, want a new event id", got.Event.ID)
		}

		if diff := cmp.Diff(origTiers, got.Tiers, ignoreChangedTierFields); diff != "" {
			t.Errorf("tier copies differ beyond ids, event, sales window and times (-want +got):\n%s", diff)
		}
		for i, c := range got.Tiers {
			o := origTiers[i]
			if c.ID == o.ID || !ce.ValidID(ce.PrefixTier, c.ID) || c.EventID != got.Event.ID {
				t.Errorf("tier copy %d: got id %q of event %q, want a new id of event %q", i, c.ID, c.EventID, got.Event.ID)
			}
			if c.Virtual() != o.Virtual() {
				t.Errorf("tier %q: got virtual %v, want %v", c.Name, c.Virtual(), o.Virtual())
			}
			wantStart, wantEnd := o.SalesStartAt, o.SalesEndAt
			if !wantStart.IsZero() {
				wantStart, wantEnd = wantStart.Add(fourWeeks), wantEnd.Add(fourWeeks)
			}
			if !c.SalesStartAt.Equal(wantStart) || !c.SalesEndAt.Equal(wantEnd) || !c.CreatedAt.Equal(testNow) {
				t.Errorf("tier %q: got sales %v to %v created %v, want %v to %v created %v",
					c.Name, c.SalesStartAt, c.SalesEndAt, c.CreatedAt, wantStart, wantEnd, testNow)
			}
		}

		// The store holds exactly what was returned, and the original is
		// as it was.
		if diff := cmp.Diff(got.Event, f.get(t, got.Event.ID)); diff != "" {
			t.Errorf("stored copy mismatch (-returned +stored):\n%s", diff)
		}
		stored, err := store.Tiers().ListByEvent(ctx, f.org.ID, got.Event.ID)
		if err != nil {
			t.Fatalf("ListByEvent: %v", err)
		}
		if diff := cmp.Diff(got.Tiers, stored); diff != "" {
			t.Errorf("stored tier copies mismatch (-returned +stored):\n%s", diff)
		}
		if diff := cmp.Diff(orig, f.get(t, orig.ID)); diff != "" {
			t.Errorf("a standalone copy changed the original (-want +got):\n%s", diff)
		}
	})
}

// TestDuplicateAcrossDaylightSaving copies events across daylight-saving
// changes in both directions: the copy starts where asked, lasts as long,
// and its other dates keep their local wall-clock times.
func TestDuplicateAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		zone string
		// The original: start, duration, and its tier's sales start and
		// end, and its registration's close, as local times.
		start, salesStart, salesEnd, regCloses string
		hours                                  time.Duration
		// The copy's start, and what its other dates should be.
		newStart, wantEnd, wantSalesStart, wantSalesEnd, wantRegCloses string
	}{
		{"Amsterdam, out of summer time, a week later", "Europe/Amsterdam",
			"2026-10-22 19:00", "2026-10-19 09:00", "2026-10-22 19:00", "2026-10-22 18:00", 3,
			"2026-10-29 19:00", "2026-10-29T22:00:00+01:00", "2026-10-26T09:00:00+01:00", "2026-10-29T19:00:00+01:00", "2026-10-29T18:00:00+01:00"},
		{"Amsterdam, out of summer time, three days later", "Europe/Amsterdam",
			"2026-10-24 19:00", "2026-10-19 09:00", "2026-10-24 19:00", "2026-10-24 18:00", 3,
			"2026-10-27 19:00", "2026-10-27T22:00:00+01:00", "2026-10-22T09:00:00+02:00", "2026-10-27T19:00:00+01:00", "2026-10-27T18:00:00+01:00"},
		{"Amsterdam, into summer time", "Europe/Amsterdam",
			"2026-03-26 19:00", "2026-03-23 09:00", "2026-03-26 19:00", "2026-03-26 18:00", 3,
			"2026-04-02 19:00", "2026-04-02T22:00:00+02:00", "2026-03-30T09:00:00+02:00", "2026-04-02T19:00:00+02:00", "2026-04-02T18:00:00+02:00"},
		{"Amsterdam, back into winter time from summer", "Europe/Amsterdam",
			"2026-07-02 19:00", "2026-06-01 09:00", "2026-07-02 19:00", "2026-07-01 18:00", 3,
			"2026-12-03 19:00", "2026-12-03T22:00:00+01:00", "2026-11-02T09:00:00+01:00", "2026-12-03T19:00:00+01:00", "2026-12-02T18:00:00+01:00"},
		{"Amsterdam, into summer time, three days later", "Europe/Amsterdam",
			"2026-03-28 19:00", "2026-03-23 09:00", "2026-03-28 19:00", "2026-03-28 18:00", 3,
			"2026-03-31 19:00", "2026-03-31T22:00:00+02:00", "2026-03-26T09:00:00+01:00", "2026-03-31T19:00:00+02:00", "2026-03-31T18:00:00+02:00"},
		{"New York, out of summer time, three days later", "America/New_York",
			"2026-10-31 19:00", "2026-10-26 09:00", "2026-10-31 19:00", "2026-10-31 18:00", 3,
			"2026-11-03 19:00", "2026-11-03T22:00:00-05:00", "2026-10-29T09:00:00-04:00", "2026-11-03T19:00:00-05:00", "2026-11-03T18:00:00-05:00"},
		{"New York, into summer time, three days later", "America/New_York",
			"2026-03-07 19:00", "2026-03-02 09:00", "2026-03-07 19:00", "2026-03-07 18:00", 3,
			"2026-03-10 19:00", "2026-03-10T22:00:00-04:00", "2026-03-05T09:00:00-05:00", "2026-03-10T19:00:00-04:00", "2026-03-10T18:00:00-04:00"},
		{"New York, out of summer time", "America/New_York",
			"2026-10-29 19:00", "2026-10-26 09:00", "2026-10-29 19:00", "2026-10-29 18:00", 3,
			"2026-11-05 19:00", "2026-11-05T22:00:00-05:00", "2026-11-02T09:00:00-05:00", "2026-11-05T19:00:00-05:00", "2026-11-05T18:00:00-05:00"},
		{"New York, into summer time", "America/New_York",
			"2026-03-05 19:00", "2026-03-02 09:00", "2026-03-05 19:00", "2026-03-05 18:00", 3,
			"2026-03-12 19:00", "2026-03-12T22:00:00-04:00", "2026-03-09T09:00:00-04:00", "2026-03-12T19:00:00-04:00", "2026-03-12T18:00:00-04:00"},
		{"a moved date in the skipped hour is read with the offset before it", "Europe/Amsterdam",
			"2026-03-22 19:00", "2026-03-15 02:30", "2026-03-22 19:00", "2026-03-22 18:00", 3,
			"2026-04-05 19:00", "2026-04-05T22:00:00+02:00", "2026-03-29T03:30:00+02:00", "2026-04-05T19:00:00+02:00", "2026-04-05T18:00:00+02:00"},
		{"a moved date in the repeated hour is the earlier", "Europe/Amsterdam",
			"2026-10-18 19:00", "2026-10-11 02:30", "2026-10-18 19:00", "2026-10-18 18:00", 3,
			"2026-11-01 19:00", "2026-11-01T22:00:00+01:00", "2026-10-25T02:30:00+02:00", "2026-11-01T19:00:00+01:00", "2026-11-01T18:00:00+01:00"},
		// 22:00 CEST to 04:00 CET is seven hours: the copy lasts seven
		// hours too, and the sales end during the event stays three hours
		// after the start.
		{"an event across the change keeps its duration and inner dates", "Europe/Amsterdam",
			"2026-10-24 22:00", "2026-10-17 22:00", "2026-10-25 00:00", "2026-10-24 21:00", 7,
			"2026-10-31 22:00", "2026-11-01T05:00:00+01:00", "2026-10-24T22:00:00+02:00", "2026-11-01T00:00:00+01:00", "2026-10-31T21:00:00+01:00"},
	}
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		f := newFixture(t, store)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				loc := mustLoad(t, tt.zone)
				e := f.event(loc, local(t, loc, tt.start))
				e.EndsAt = e.StartsAt.Add(tt.hours * time.Hour)
				e.Settings.RegistrationClosesAt = local(t, loc, tt.regCloses)
				tr := tier(e, "Regular", 0)
				tr.SalesStartAt, tr.SalesEndAt = local(t, loc, tt.salesStart), local(t, loc, tt.salesEnd)
				f.save(t, e, tr)

				got, err := f.svc.Duplicate(context.Background(), f.org.ID, e.ID,
					recurrence.DuplicateInput{StartsAt: local(t, loc, tt.newStart), RecurringInstance: true})
				if err != nil {
					t.Fatalf("Duplicate: got error %v, want nil", err)
				}
				c := got.Event
				in := func(t time.Time) string { return t.In(loc).Format(time.RFC3339) }
				gotTimes := []string{in(c.StartsAt), in(c.EndsAt), in(got.Tiers[0].SalesStartAt), in(got.Tiers[0].SalesEndAt), in(c.Settings.RegistrationClosesAt)}
				wantTimes := []string{in(local(t, loc, tt.newStart)), tt.wantEnd, tt.wantSalesStart, tt.wantSalesEnd, tt.wantRegCloses}
				if diff := cmp.Diff(wantTimes, gotTimes); diff != "" {
					t.Errorf("start, end, sales start, sales end, registration close mismatch (-want +got):\n%s", diff)
				}
				if c.Status != ce.EventDraft || c.SeriesID != e.ID {
					t.Errorf("got status %q series %q, want a draft in series %s", c.Status, c.SeriesID, e.ID)
				}
			})
		}
	})
}

func TestDuplicateRecurringInstance(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		f := newFixture(t, store)
		ams := mustLoad(t, "Europe/Amsterdam")
		first, tiers := f.richEvent(t, ams, local(t, ams, "2026-09-17 19:00"))
		dup := func(from *ce.Event, start string, recurring bool) *ce.Event {
			t.Helper()
			got, err := f.svc.Duplicate(ctx, f.org.ID, from.ID, recurrence.DuplicateInput{StartsAt: local(t, ams, start), RecurringInstance: recurring})
			if err != nil {
				t.Fatalf("Duplicate: got error %v, want nil", err)
			}
			return got.Event
		}

		later := dup(first, "2026-11-19 19:00", true) // across the October change
		stored := f.get(t, first.ID)
		if stored.SeriesID != first.ID || stored.Version != first.Version+1 || !stored.UpdatedAt.Equal(testNow) {
			t.Errorf("first event: got series %q version %d updated %v, want its own id, version %d, %v",
				stored.SeriesID, stored.Version, stored.UpdatedAt, first.Version+1, testNow)
		}
		if later.SeriesID != first.ID || later.DuplicatedFrom != first.ID {
			t.Errorf("instance: got series %q duplicated from %q, want both %s", later.SeriesID, later.DuplicatedFrom, first.ID)
		}
		// Copying an instance keeps the series; it may start before it.
		middle := dup(later, "2026-10-15 19:00", true)
		if middle.SeriesID != first.ID || middle.DuplicatedFrom != later.ID {
			t.Errorf("instance of an instance: got series %q duplicated from %q, want %s and %s", middle.SeriesID, middle.DuplicatedFrom, first.ID, later.ID)
		}
		alone := dup(middle, "2027-01-21 19:00", false)
		if alone.SeriesID != "" || alone.DuplicatedFrom != middle.ID {
			t.Errorf("standalone copy: got series %q duplicated from %q, want none and %s", alone.SeriesID, alone.DuplicatedFrom, middle.ID)
		}
		if got := f.get(t, first.ID).Version; got != first.Version+1 {
			t.Errorf("first event after more instances: got version %d, want %d (changed once)", got, first.Version+1)
		}

		wantIDs := []string{first.ID, middle.ID, later.ID}
		for _, member := range wantIDs {
			series, err := f.svc.Series(ctx, f.org.ID, member)
			if err != nil {
				t.Fatalf("Series(%s): got error %v, want nil", member, err)
			}
			var gotIDs []string
			for _, se := range series.Events {
				gotIDs = append(gotIDs, se.Event.ID)
				if se.Counts.Tiers != len(tiers) {
					t.Errorf("event %s: got %d tiers, want %d", se.Event.ID, se.Counts.Tiers, len(tiers))
				}
				if wantStatus := map[bool]ce.EventStatus{true: ce.EventPublished, false: ce.EventDraft}[se.Event.ID == first.ID]; se.Event.Status != wantStatus {
					t.Errorf("event %s: got status %q, want %q", se.Event.ID, se.Event.Status, wantStatus)
				}
			}
			if series.ID != first.ID {
				t.Errorf("Series(%s): got id %q, want %s", member, series.ID, first.ID)
			}
			if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
				t.Errorf("Series(%s) in start order mismatch (-want +got):\n%s", member, diff)
			}
			if got := series.Events[2].Event.StartsAt.In(ams).Format("15:04 MST"); got != "19:00 CET" {
				t.Errorf("instance after the October change: got %s, want 19:00 CET", got)
			}
		}
		lone, err := f.svc.Series(ctx, f.org.ID, alone.ID)
		if err != nil {
			t.Fatalf("Series of a standalone copy: got error %v, want nil", err)
		}
		if lone.ID != "" || len(lone.Events) != 1 || lone.Events[0].Event.ID != alone.ID || lone.Events[0].Counts.Tiers != len(tiers) {
			t.Errorf("Series of a standalone copy: got %+v, want it alone with %d tiers", lone, len(tiers))
		}
	})
}

func TestDuplicateAnyStatus(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		f := newFixture(t, store)
		ams := mustLoad(t, "Europe/Amsterdam")
		for _, tt := range []struct {
			name   string
			status ce.EventStatus
			start  string
		}{
			{"draft", ce.EventDraft, "2026-06-01 19:00"},
			{"published", ce.EventPublished, "2026-06-01 19:00"},
			{"cancelled", ce.EventCancelled, "2026-06-01 19:00"},
			{"past", ce.EventPublished, "2019-06-01 19:00"},
		} {
			e := f.event(ams, local(t, ams, tt.start))
			e.Status = tt.status
			f.save(t, e, tier(e, "Regular", 0))
			got, err := f.svc.Duplicate(context.Background(), f.org.ID, e.ID, recurrence.DuplicateInput{StartsAt: local(t, ams, "2026-09-01 19:00")})
			if err != nil {
				t.Errorf("%s: got error %v, want nil", tt.name, err)
				continue
			}
			if got.Event.Status != ce.EventDraft || len(got.Tiers) != 1 {
				t.Errorf("%s: got status %q and %d tiers, want a draft with 1", tt.name, got.Event.Status, len(got.Tiers))
			}
		}
	})
}

func TestDuplicateErrors(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		f := newFixture(t, store)
		other := newFixture(t, store)
		ams := mustLoad(t, "Europe/Amsterdam")
		start := local(t, ams, "2026-06-01 19:00")
		e, _ := f.richEvent(t, ams, start)
		foreign, _ := other.richEvent(t, ams, start)
		mars := f.event(ams, start)
		mars.TimeZone = "Mars/Olympus_Mons" // stored by a system that knew it
		f.save(t, mars)
		before := f.countEvents(t)

		tests := []struct {
			name    string
			eventID string
			in      recurrence.DuplicateInput
			kind    error
			field   string
		}{
			{"missing event", ce.NewID(ce.PrefixEvent, testNow), recurrence.DuplicateInput{StartsAt: start}, ce.ErrNotFound, ""},
			{"another organization's event", foreign.ID, recurrence.DuplicateInput{StartsAt: start, RecurringInstance: true}, ce.ErrNotFound, ""},
			{"no start", e.ID, recurrence.DuplicateInput{}, ce.ErrInvalid, "startsAt"},
			{"a start 101 years on", e.ID, recurrence.DuplicateInput{StartsAt: start.AddDate(101, 0, 0)}, ce.ErrInvalid, "startsAt"},
			{"a start 101 years back", e.ID, recurrence.DuplicateInput{StartsAt: start.AddDate(-101, 0, 0)}, ce.ErrInvalid, "startsAt"},
			{"an unknown time zone", mars.ID, recurrence.DuplicateInput{StartsAt: start, RecurringInstance: true}, ce.ErrInvalid, "timeZone"},
		}
		for _, tt := range tests {
			_, err := f.svc.Duplicate(ctx, f.org.ID, tt.eventID, tt.in)
			if !errors.Is(err, tt.kind) || ce.ErrorField(err) != tt.field {
				t.Errorf("%s: got error %v (field %q), want %v naming %q", tt.name, err, ce.ErrorField(err), tt.kind, tt.field)
			}
		}
		if got := f.countEvents(t); got != before {
			t.Errorf("got %d events after refused duplicates, want %d", got, before)
		}
		if diff := cmp.Diff(foreign, other.get(t, foreign.ID)); diff != "" {
			t.Errorf("another organization's event changed (-want +got):\n%s", diff)
		}
	})
}

func TestDuplicate200Tiers(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		f := newFixture(t, store)
		e, tiers := f.manyTiers(t, 200)
		got, err := f.svc.Duplicate(ctx, f.org.ID, e.ID, recurrence.DuplicateInput{StartsAt: e.StartsAt.AddDate(0, 1, 0), RecurringInstance: true})
		if err != nil {
			t.Fatalf("Duplicate: got error %v, want nil", err)
		}
		stored, err := store.Tiers().ListByEvent(ctx, f.org.ID, got.Event.ID)
		if err != nil {
			t.Fatalf("ListByEvent: %v", err)
		}
		if diff := cmp.Diff(tiers, stored, ignoreChangedTierFields); diff != "" {
			t.Errorf("200 tier copies mismatch (-want +got):\n%s", diff)
		}
	})
}

// manyTiers stores an event with n tiers.
func (f *fixture) manyTiers(t testing.TB, n int) (*ce.Event, []*ce.Tier) {
	t.Helper()
	ams := mustLoad(t, "Europe/Amsterdam")
	e := f.event(ams, time.Date(2026, 5, 20, 17, 0, 0, 0, time.UTC))
	tiers := make([]*ce.Tier, n)
	for i := range tiers {
		tiers[i] = tier(e, fmt.Sprintf("Tier %03d", i), i)
	}
	return f.save(t, e, tiers...)
}

// TestDuplicateIsOneTransaction fails the creation of the tier copies and
// expects nothing of the duplicate to remain: no copy, and the original
// not made the first event of a series.
func TestDuplicateIsOneTransaction(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		f := newFixture(t, failingTiersStore{store})
		ams := mustLoad(t, "Europe/Amsterdam")
		e, _ := f.richEvent(t, ams, local(t, ams, "2026-06-01 19:00"))
		_, err := f.svc.Duplicate(context.Background(), f.org.ID, e.ID, recurrence.DuplicateInput{StartsAt: e.StartsAt.AddDate(0, 0, 7), RecurringInstance: true})
		if !errors.Is(err, errBoom) {
			t.Fatalf("Duplicate: got error %v, want the storage failure", err)
		}
		if got := f.countEvents(t); got != 1 {
			t.Errorf("got %d events, want only the original", got)
		}
		if diff := cmp.Diff(e, f.get(t, e.ID)); diff != "" {
			t.Errorf("original changed by a failed duplicate (-want +got):\n%s", diff)
		}
	})
}

var errBoom = errors.New("boom")

// failingTiersStore is a store whose transactions fail to create tiers in
// bulk.
type failingTiersStore struct{ storage.Store }

func (s failingTiersStore) RunInTx(ctx context.Context, fn func(context.Context, storage.Tx) error) error {
	return s.Store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		return fn(ctx, failingTiersTx{tx})
	})
}

type failingTiersTx struct{ storage.Tx }

func (t failingTiersTx) Tiers() storage.Tiers { return failingTiers{t.Tx.Tiers()} }

type failingTiers struct{ storage.Tiers }

func (failingTiers) CreateMany(context.Context, []*ce.Tier) error { return errBoom }

// TestDuplicateRetriesALostRace makes the original's update, which starts
// its series, lose the race to a concurrent writer: once is retried on a
// fresh read, twice is a conflict.
func TestDuplicateRetriesALostRace(t *testing.T) {
	t.Parallel()
	for losses, wantErr := range map[int32]error{0: nil, 1: nil, 2: ce.ErrConflict} {
		store := &racingStore{Store: memstore.New()}
		store.losses.Store(losses)
		f := newFixture(t, store)
		ams := mustLoad(t, "Europe/Amsterdam")
		e, _ := f.richEvent(t, ams, local(t, ams, "2026-06-01 19:00"))
		_, err := f.svc.Duplicate(context.Background(), f.org.ID, e.ID, recurrence.DuplicateInput{StartsAt: e.StartsAt.AddDate(0, 0, 7), RecurringInstance: true})
		if !errors.Is(err, wantErr) || (wantErr == nil && err != nil) {
			t.Errorf("%d lost races: got error %v, want %v", losses, err, wantErr)
		}
		wantEvents := map[bool]int{true: 2, false: 1}[wantErr == nil]
		if got := f.countEvents(t); got != wantEvents {
			t.Errorf("%d lost races: got %d events, want %d", losses, got, wantEvents)
		}
	}
}

// racingStore is a store whose transactions lose the race for the next
// event updates: storage reports them as conflicts, as it does when a
// concurrent writer committed first.
type racingStore struct {
	storage.Store
	losses atomic.Int32
}

func (s *racingStore) RunInTx(ctx context.Context, fn func(context.Context, storage.Tx) error) error {
	return s.Store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		return fn(ctx, racingTx{tx, s})
	})
}

type racingTx struct {
	storage.Tx
	s *racingStore
}

func (t racingTx) Events() storage.Events { return racingEvents{t.Tx.Events(), t.s} }

type racingEvents struct {
	storage.Events
	s *racingStore
}

func (r racingEvents) Update(ctx context.Context, e *ce.Event) error {
	if r.s.losses.Add(-1) >= 0 {
		return ce.Conflict("event %s was changed by someone else", e.ID)
	}
	return r.Events.Update(ctx, e)
}

// TestDuplicateCopiesAuctionItemsWithoutBids copies an event whose silent
// auction has a closed item with a winning bid and an open one: the copies
// are open, without bids, closing at the same local time before the copy.
func TestDuplicateCopiesAuctionItemsWithoutBids(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		f := newFixture(t, store)
		ams := mustLoad(t, "Europe/Amsterdam")
		orig, tiers := f.richEvent(t, ams, local(t, ams, "2026-10-22 19:00"))
		reg := &ce.Registration{
			ID: ce.NewID(ce.PrefixRegistration, testNow), OrganizationID: f.org.ID, EventID: orig.ID, TierID: tiers[0].ID,
			Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace", Status: ce.RegistrationConfirmed,
			GuideToken: ce.NewToken(20), TicketCode: ce.NewToken(20), CreatedAt: testNow, UpdatedAt: testNow,
		}
		if err := store.Registrations().Create(ctx, reg); err != nil {
			t.Fatal(err)
		}
		item := func(title, closes string) *ce.AuctionItem {
			return &ce.AuctionItem{
				ID: ce.NewID(ce.PrefixAuctionItem, testNow), OrganizationID: f.org.ID, EventID: orig.ID, Title: title,
				Description: "Signed by the band.", StartingBid: ce.Money{Amount: 1000, Currency: "EUR"}, MinIncrement: 50,
				ClosesAt: local(t, ams, closes), Status: ce.AuctionItemOpen, CreatedAt: testNow, UpdatedAt: testNow,
			}
		}
		won, open := item("Poster", "2026-10-22 21:00"), item("Guitar", "2026-10-22 21:30")
		if err := store.AuctionItems().CreateMany(ctx, []*ce.AuctionItem{won, open}); err != nil {
			t.Fatal(err)
		}
		bid := &ce.Bid{ID: ce.NewID(ce.PrefixBid, testNow), OrganizationID: f.org.ID, ItemID: won.ID, RegistrationID: reg.ID,
			Amount: ce.Money{Amount: 1500, Currency: "EUR"}, CreatedAt: testNow}
		if err := store.AuctionItems().CreateBid(ctx, bid); err != nil {
			t.Fatal(err)
		}
		won.Status, won.HighestBidID, won.HighestAmount, won.WinnerRegistrationID, won.ClosedAt = ce.AuctionItemClosed, bid.ID, 1500, reg.ID, testNow
		if err := store.AuctionItems().Update(ctx, won); err != nil {
			t.Fatal(err)
		}

		// A week later, across the end of summer time.
		got, err := f.svc.Duplicate(ctx, f.org.ID, orig.ID, recurrence.DuplicateInput{StartsAt: local(t, ams, "2026-10-29 19:00")})
		if err != nil {
			t.Fatalf("Duplicate: %v", err)
		}
		stored, err := store.AuctionItems().ListByEvent(ctx, f.org.ID, got.Event.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got.AuctionItems, stored); diff != "" {
			t.Errorf("stored item copies mismatch (-returned +stored):\n%s", diff)
		}
		wantCloses := []string{"2026-10-29 21:00 CET", "2026-10-29 21:30 CET"}
		for i, c := range stored {
			o := []*ce.AuctionItem{won, open}[i]
			want := &ce.AuctionItem{
				ID: c.ID, OrganizationID: f.org.ID, EventID: got.Event.ID, Title: o.Title, Description: o.Description,
				StartingBid: o.StartingBid, MinIncrement: o.MinIncrement, ClosesAt: c.ClosesAt, Status: ce.AuctionItemOpen,
				Version: 1, CreatedAt: testNow, UpdatedAt: testNow,
			}
			if diff := cmp.Diff(want, c); diff != "" || c.ID == o.ID {
				t.Errorf("copy of %s (-want +got):\n%s", o.Title, diff)
			}
			if got := c.ClosesAt.In(ams).Format("2006-01-02 15:04 MST"); got != wantCloses[i] {
				t.Errorf("copy of %s closes %s, want %s", o.Title, got, wantCloses[i])
			}
			if bids, err := store.AuctionItems().ListBids(ctx, f.org.ID, c.ID); err != nil || len(bids) != 0 {
				t.Errorf("copy of %s has bids %v (%v), want none", o.Title, bids, err)
			}
		}
	})
}
