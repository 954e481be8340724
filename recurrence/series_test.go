package recurrence_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/recurrence"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
)

func TestCreateSeries(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		f := newFixture(t, store)
		ams := mustLoad(t, "Europe/Amsterdam")
		// The second Tuesday of January, every month until April: the
		// last one after the change to summer time.
		orig, tiers := f.richEvent(t, ams, local(t, ams, "2026-01-13 19:00"))

		created, err := f.svc.CreateSeries(ctx, f.org.ID, orig.ID, recurrence.Recurrence{Rule: "FREQ=MONTHLY;BYDAY=2TU;COUNT=4"})
		if err != nil {
			t.Fatalf("CreateSeries: got error %v, want nil", err)
		}
		if created.ID != orig.ID {
			t.Errorf("CreateSeries: got series %q, want %s", created.ID, orig.ID)
		}
		var got []*ce.Event
		for _, se := range created.Events {
			got = append(got, se.Event)
			if se.Counts.Tiers != len(tiers) {
				t.Errorf("instance %s: got %d tiers, want %d", se.Event.ID, se.Counts.Tiers, len(tiers))
			}
		}
		wantStarts := []string{"2026-02-10T19:00:00+01:00", "2026-03-10T19:00:00+01:00", "2026-04-14T19:00:00+02:00"}
		var starts []string
		for _, e := range got {
			starts = append(starts, e.StartsAt.In(ams).Format(time.RFC3339))
			if e.Status != ce.EventDraft || e.SeriesID != orig.ID || e.DuplicatedFrom != orig.ID {
				t.Errorf("instance %s: got status %q series %q from %q, want a draft of series %s from it", e.ID, e.Status, e.SeriesID, e.DuplicatedFrom, orig.ID)
			}
			if diff := cmp.Diff(orig, e, ignoreChangedEventFields); diff != "" {
				t.Errorf("instance differs from the original beyond ids, status, dates and links (-want +got):\n%s", diff)
			}
			if !e.EndsAt.Equal(e.StartsAt.Add(3*time.Hour)) || e.Settings.RegistrationClosesAt.In(ams).Format("15:04") != "18:00" {
				t.Errorf("instance %s: got end %v and registration close %v, want 3 hours after the start and 18:00 local",
					e.ID, e.EndsAt, e.Settings.RegistrationClosesAt.In(ams))
			}
			copies, err := store.Tiers().ListByEvent(ctx, f.org.ID, e.ID)
			if err != nil {
				t.Fatalf("ListByEvent: %v", err)
			}
			if diff := cmp.Diff(tiers, copies, ignoreChangedTierFields); diff != "" {
				t.Errorf("tier copies of %s mismatch (-want +got):\n%s", e.ID, diff)
			}
			if sales := copies[0].SalesStartAt.In(ams); sales.Format("15:04") != "19:00" || !sales.Equal(local(t, ams, e.StartsAt.In(ams).AddDate(0, 0, -7).Format("2006-01-02 15:04"))) {
				t.Errorf("instance %s: got sales start %v, want 19:00 local a week before", e.ID, sales)
			}
		}
		if diff := cmp.Diff(wantStarts, starts); diff != "" {
			t.Errorf("instance starts mismatch (-want +got):\n%s", diff)
		}
		if first := f.get(t, orig.ID); first.SeriesID != orig.ID {
			t.Errorf("original: got series %q, want its own id", first.SeriesID)
		}

		reg := &ce.Registration{
			ID: ce.NewID(ce.PrefixRegistration, testNow), OrganizationID: f.org.ID, EventID: orig.ID, TierID: tiers[0].ID,
			Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace", Status: ce.RegistrationConfirmed,
			GuideToken: ce.NewToken(20), TicketCode: ce.NewToken(20), CreatedAt: testNow, UpdatedAt: testNow,
		}
		if err := store.Registrations().Create(ctx, reg); err != nil {
			t.Fatalf("create registration: %v", err)
		}
		series, err := f.svc.Series(ctx, f.org.ID, got[1].ID)
		if err != nil {
			t.Fatalf("Series: got error %v, want nil", err)
		}
		wantIDs := []string{orig.ID, got[0].ID, got[1].ID, got[2].ID}
		var ids []string
		for _, se := range series.Events {
			ids = append(ids, se.Event.ID)
			if se.Counts.Tiers != len(tiers) {
				t.Errorf("event %s: got %d tiers, want %d", se.Event.ID, se.Counts.Tiers, len(tiers))
			}
			want := storage.TierCounts{}
			if se.Event.ID == orig.ID {
				want.Confirmed = 1
			}
			if se.Counts.Registrations != want {
				t.Errorf("event %s: got registrations %+v, want %+v", se.Event.ID, se.Counts.Registrations, want)
			}
		}
		if diff := cmp.Diff(wantIDs, ids); diff != "" {
			t.Errorf("series mismatch (-want +got):\n%s", diff)
		}

		// A second rule on an instance adds to the same series.
		more, err := f.svc.CreateSeries(ctx, f.org.ID, got[2].ID, recurrence.Recurrence{Rule: "FREQ=WEEKLY;COUNT=2"})
		if err != nil {
			t.Fatalf("CreateSeries on an instance: got error %v, want nil", err)
		}
		if len(more.Events) != 1 || more.ID != orig.ID || more.Events[0].Event.SeriesID != orig.ID || more.Events[0].Event.DuplicatedFrom != got[2].ID {
			t.Errorf("CreateSeries on an instance: got %d events of series %q, the first from %q; want 1 of %s from %s",
				len(more.Events), more.ID, more.Events[0].Event.DuplicatedFrom, orig.ID, got[2].ID)
		}
	})
}

func TestCreateSeriesErrors(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		f := newFixture(t, store)
		other := newFixture(t, store)
		ams := mustLoad(t, "Europe/Amsterdam")
		start := local(t, ams, "2026-01-13 19:00")
		e, _ := f.richEvent(t, ams, start)
		foreign, _ := other.richEvent(t, ams, start)
		mars := f.event(ams, start)
		mars.TimeZone = "Mars/Olympus_Mons"
		f.save(t, mars)
		before := f.countEvents(t)
		monthly := recurrence.Recurrence{Rule: "FREQ=MONTHLY;COUNT=3"}

		tests := []struct {
			name    string
			eventID string
			rec     recurrence.Recurrence
			kind    error
			field   string
		}{
			{"missing event", ce.NewID(ce.PrefixEvent, testNow), monthly, ce.ErrNotFound, ""},
			{"another organization's event", foreign.ID, monthly, ce.ErrNotFound, ""},
			{"an unknown time zone", mars.ID, monthly, ce.ErrInvalid, "timeZone"},
			{"an unsupported part", e.ID, recurrence.Recurrence{Rule: "FREQ=MONTHLY;BYSETPOS=1;COUNT=3"}, ce.ErrInvalid, "rule"},
			{"over the cap", e.ID, recurrence.Recurrence{Rule: "FREQ=DAILY;COUNT=501"}, ce.ErrInvalid, "rule"},
			{"nothing after the event", e.ID, recurrence.Recurrence{Rule: "FREQ=DAILY;COUNT=1"}, ce.ErrInvalid, "rule"},
		}
		for _, tt := range tests {
			_, err := f.svc.CreateSeries(ctx, f.org.ID, tt.eventID, tt.rec)
			if !errors.Is(err, tt.kind) || ce.ErrorField(err) != tt.field {
				t.Errorf("CreateSeries, %s: got error %v (field %q), want %v naming %q", tt.name, err, ce.ErrorField(err), tt.kind, tt.field)
			}
			_, err = f.svc.Preview(ctx, f.org.ID, tt.eventID, tt.rec)
			if !errors.Is(err, tt.kind) || ce.ErrorField(err) != tt.field {
				t.Errorf("Preview, %s: got error %v (field %q), want %v naming %q", tt.name, err, ce.ErrorField(err), tt.kind, tt.field)
			}
		}
		if got := f.countEvents(t); got != before {
			t.Errorf("got %d events after refused series, want %d", got, before)
		}
		if diff := cmp.Diff(e, f.get(t, e.ID)); diff != "" {
			t.Errorf("a refused series changed the event (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(foreign, other.get(t, foreign.ID)); diff != "" {
			t.Errorf("another organization's event changed (-want +got):\n%s", diff)
		}
		_, err := f.svc.Series(ctx, f.org.ID, foreign.ID)
		wantKind(t, err, ce.ErrNotFound)
	})
}

func TestPreview(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		f := newFixture(t, store)
		ams := mustLoad(t, "Europe/Amsterdam")
		e, _ := f.richEvent(t, ams, local(t, ams, "2026-01-15 19:00"))

		got, err := f.svc.Preview(ctx, f.org.ID, e.ID, recurrence.Recurrence{Rule: "FREQ=MONTHLY;INTERVAL=3;COUNT=4"})
		if err != nil {
			t.Fatalf("Preview: got error %v, want nil", err)
		}
		var gotStrings []string
		for _, o := range got {
			gotStrings = append(gotStrings, o.StartsAt.Format(time.RFC3339)+" "+o.EndsAt.Format(time.RFC3339))
		}
		want := []string{
			"2026-04-15T19:00:00+02:00 2026-04-15T22:00:00+02:00",
			"2026-07-15T19:00:00+02:00 2026-07-15T22:00:00+02:00",
			"2026-10-15T19:00:00+02:00 2026-10-15T22:00:00+02:00",
		}
		if diff := cmp.Diff(want, gotStrings); diff != "" {
			t.Errorf("quarterly preview mismatch (-want +got):\n%s", diff)
		}
		if n := f.countEvents(t); n != 1 {
			t.Errorf("got %d events after a preview, want 1", n)
		}
		if diff := cmp.Diff(e, f.get(t, e.ID)); diff != "" {
			t.Errorf("a preview changed the event (-want +got):\n%s", diff)
		}
	})
}

// TestSeriesLongerThanAPage lists a series longer than a storage page.
func TestSeriesLongerThanAPage(t *testing.T) {
	t.Parallel()
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		ctx := context.Background()
		f := newFixture(t, store)
		svc := recurrence.New(store, &recurrence.Options{MaxOccurrences: 2000})
		e, _ := f.manyTiers(t, 1)
		const n = storage.MaxPageLimit + 10
		created, err := svc.CreateSeries(ctx, f.org.ID, e.ID, recurrence.Recurrence{Rule: fmt.Sprintf("FREQ=DAILY;COUNT=%d", n)})
		if err != nil {
			t.Fatalf("CreateSeries: got error %v, want nil", err)
		}
		series, err := svc.Series(ctx, f.org.ID, created.Events[len(created.Events)-1].Event.ID)
		if err != nil {
			t.Fatalf("Series: got error %v, want nil", err)
		}
		if len(series.Events) != n {
			t.Fatalf("got %d events in the series, want %d", len(series.Events), n)
		}
		for i, se := range series.Events[1:] {
			if se.Event.ID != created.Events[i].Event.ID || se.Counts.Tiers != 1 {
				t.Fatalf("event %d: got %s with %d tiers, want %s with 1", i+1, se.Event.ID, se.Counts.Tiers, created.Events[i].Event.ID)
			}
		}
	})
}

func TestLogs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var buf bytes.Buffer
	store := memstore.New()
	f := newFixture(t, store)
	svc := recurrence.New(store, &recurrence.Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	ams := mustLoad(t, "Europe/Amsterdam")
	e, _ := f.richEvent(t, ams, local(t, ams, "2026-01-13 19:00"))
	if _, err := svc.Duplicate(ctx, f.org.ID, e.ID, recurrence.DuplicateInput{StartsAt: e.StartsAt.AddDate(0, 0, 7)}); err != nil {
		t.Fatalf("Duplicate: got error %v, want nil", err)
	}
	if _, err := svc.CreateSeries(ctx, f.org.ID, e.ID, recurrence.Recurrence{Rule: "FREQ=MONTHLY;COUNT=3"}); err != nil {
		t.Fatalf("CreateSeries: got error %v, want nil", err)
	}
	_, _ = svc.CreateSeries(ctx, f.org.ID, e.ID, recurrence.Recurrence{Rule: "FREQ=HOURLY;COUNT=3"}) // refused: not logged
	for msg, want := range map[string]int{`msg="event duplicated"`: 1, `msg="series created"`: 1, "tiers=4": 1, "events=2": 1} {
		if got := strings.Count(buf.String(), msg); got != want {
			t.Errorf("got %d records with %s, want %d; log:\n%s", got, msg, want, buf.String())
		}
	}
}
