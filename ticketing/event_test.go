package ticketing_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing"
)

func TestCreateEvent(t *testing.T) {
	t.Parallel()
	svc, orgID := newService(t)
	in := validEventInput()
	in.Settings = ce.Settings{Capacity: 100, Visibility: ce.VisibilityUnlisted}

	got, err := svc.CreateEvent(context.Background(), orgID, in)
	if err != nil {
		t.Fatalf("CreateEvent: got error %v, want nil", err)
	}
	if !ce.ValidID(ce.PrefixEvent, got.ID) {
		t.Errorf("got id %q, want an event id", got.ID)
	}
	want := &ce.Event{
		ID:             got.ID,
		OrganizationID: orgID,
		Title:          in.Title,
		TimeZone:       in.TimeZone,
		StartsAt:       in.StartsAt,
		EndsAt:         in.EndsAt,
		Status:         ce.EventDraft,
		Settings:       in.Settings,
		Version:        1,
		CreatedAt:      testNow,
		UpdatedAt:      testNow,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CreateEvent mismatch (-want +got):\n%s", diff)
	}
	stored, err := svc.GetEvent(context.Background(), orgID, got.ID)
	if err != nil {
		t.Fatalf("GetEvent: got error %v, want nil", err)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("GetEvent mismatch (-want +got):\n%s", diff)
	}
}

func TestCreateEventInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*ticketing.EventInput)
		field  string
	}{
		{"no title", func(in *ticketing.EventInput) { in.Title = "" }, "title"},
		{"long title", func(in *ticketing.EventInput) { in.Title = strings.Repeat("x", 201) }, "title"},
		{"no time zone", func(in *ticketing.EventInput) { in.TimeZone = "" }, "timeZone"},
		{"unknown time zone", func(in *ticketing.EventInput) { in.TimeZone = "Mars/Olympus_Mons" }, "timeZone"},
		{"local time zone", func(in *ticketing.EventInput) { in.TimeZone = "Local" }, "timeZone"},
		{"no start", func(in *ticketing.EventInput) { in.StartsAt = time.Time{} }, "startsAt"},
		{"no end", func(in *ticketing.EventInput) { in.EndsAt = time.Time{} }, "endsAt"},
		{"end before start", func(in *ticketing.EventInput) { in.EndsAt = in.StartsAt.Add(-time.Hour) }, "endsAt"},
		{"end at start", func(in *ticketing.EventInput) { in.EndsAt = in.StartsAt }, "endsAt"},
		{"negative capacity", func(in *ticketing.EventInput) { in.Settings.Capacity = -1 }, "settings.capacity"},
		{"unknown visibility", func(in *ticketing.EventInput) { in.Settings.Visibility = "secret" }, "settings.visibility"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			svc, orgID := newService(t)
			in := validEventInput()
			tt.change(&in)
			_, err := svc.CreateEvent(context.Background(), orgID, in)
			wantKind(t, err, ce.ErrInvalid, tt.field)
		})
	}
}

func TestCreateEventUnknownOrganization(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	_, err := svc.CreateEvent(context.Background(), "org_missing", validEventInput())
	wantKind(t, err, ce.ErrNotFound, "")
}

func TestListEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, orgID := newService(t)
	var ids []string
	for day := 1; day <= 5; day++ {
		in := validEventInput()
		in.StartsAt = time.Date(2026, 6, day, 10, 0, 0, 0, time.UTC)
		in.EndsAt = in.StartsAt.Add(time.Hour)
		e, err := svc.CreateEvent(ctx, orgID, in)
		if err != nil {
			t.Fatalf("CreateEvent: got error %v, want nil", err)
		}
		ids = append(ids, e.ID)
	}
	if _, err := svc.PublishEvent(ctx, orgID, ids[1]); err != nil {
		t.Fatalf("PublishEvent: got error %v, want nil", err)
	}

	tests := []struct {
		name     string
		filter   storage.EventFilter
		wantIDs  []string
		wantNext string
	}{
		{"all", storage.EventFilter{}, ids, ""},
		{"first page", storage.EventFilter{Limit: 2}, ids[:2], ids[1]},
		{"middle page", storage.EventFilter{Limit: 2, After: ids[1]}, ids[2:4], ids[3]},
		{"exact last page", storage.EventFilter{Limit: 1, After: ids[3]}, ids[4:], ""},
		{"short last page", storage.EventFilter{Limit: 2, After: ids[3]}, ids[4:], ""},
		{"published", storage.EventFilter{Status: ce.EventPublished}, ids[1:2], ""},
		{"drafts, first page", storage.EventFilter{Status: ce.EventDraft, Limit: 1}, ids[:1], ids[0]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := svc.ListEvents(ctx, orgID, tt.filter)
			if err != nil {
				t.Fatalf("ListEvents: got error %v, want nil", err)
			}
			var gotIDs []string
			for _, e := range got.Events {
				gotIDs = append(gotIDs, e.ID)
			}
			if diff := cmp.Diff(tt.wantIDs, gotIDs); diff != "" {
				t.Errorf("ids mismatch (-want +got):\n%s", diff)
			}
			if got.Next != tt.wantNext {
				t.Errorf("got next %q, want %q", got.Next, tt.wantNext)
			}
		})
	}
}

func TestListEventsInvalid(t *testing.T) {
	t.Parallel()
	svc, orgID := newService(t)
	for _, tt := range []struct {
		name   string
		filter storage.EventFilter
		field  string
	}{
		{"unknown status", storage.EventFilter{Status: "archived"}, "status"},
		{"unknown cursor", storage.EventFilter{After: "evt_missing"}, "after"},
	} {
		_, err := svc.ListEvents(context.Background(), orgID, tt.filter)
		wantKind(t, err, ce.ErrInvalid, tt.field)
	}
}

func TestUpdateEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, orgID := newService(t)
	e := mustCreateEvent(t, svc, orgID)

	title, venue := "Spring meetup 2026", "Online"
	settings := ce.Settings{Capacity: 40}
	got, err := svc.UpdateEvent(ctx, orgID, e.ID, ticketing.EventUpdate{Title: &title, Venue: &venue, Settings: &settings})
	if err != nil {
		t.Fatalf("UpdateEvent: got error %v, want nil", err)
	}
	want := *e
	want.Title, want.Venue, want.Settings, want.Version = title, venue, settings, 2
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("UpdateEvent mismatch (-want +got):\n%s", diff)
	}
}

func TestUpdateEventErrors(t *testing.T) {
	t.Parallel()
	before := time.Date(2026, 5, 20, 16, 0, 0, 0, time.UTC)
	early := time.Date(2026, 5, 20, 18, 0, 0, 0, time.UTC)
	empty, badZone := "", "Nowhere/Special"
	tests := []struct {
		name   string
		update ticketing.EventUpdate
		kind   error
		field  string
	}{
		{"end before start", ticketing.EventUpdate{EndsAt: &before}, ce.ErrInvalid, "endsAt"},
		{"no title", ticketing.EventUpdate{Title: &empty}, ce.ErrInvalid, "title"},
		{"unknown time zone", ticketing.EventUpdate{TimeZone: &badZone}, ce.ErrInvalid, "timeZone"},
		{"stale version", ticketing.EventUpdate{Title: &badZone, Version: 7}, ce.ErrConflict, ""},
		// The tier's sales end at 20:00; the event may not end before.
		{"tier sales outlast the event", ticketing.EventUpdate{EndsAt: &early}, ce.ErrConflict, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			svc, orgID := newService(t)
			e := mustCreateEvent(t, svc, orgID)
			in := validTierInput()
			in.SalesEndAt = time.Date(2026, 5, 20, 20, 0, 0, 0, time.UTC)
			mustCreateTier(t, svc, orgID, e.ID, in)

			_, err := svc.UpdateEvent(ctx, orgID, e.ID, tt.update)
			wantKind(t, err, tt.kind, tt.field)
			if tt.kind == ce.ErrConflict && errors.Is(err, ce.ErrInvalid) {
				t.Errorf("got error %v matching both conflict and invalid, want only conflict", err)
			}
			got, err := svc.GetEvent(ctx, orgID, e.ID)
			if err != nil {
				t.Fatalf("GetEvent: got error %v, want nil", err)
			}
			if diff := cmp.Diff(e, got); diff != "" {
				t.Errorf("a failed update changed the event (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUpdateRetriesALostRace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		losses      int32
		pinned      bool
		wantErr     bool
		wantUpdates int32
	}{
		{"no race", 0, false, false, 1},
		{"one lost race is retried", 1, false, false, 2},
		{"two lost races are a conflict", 2, false, true, 2},
		{"a pinned version is never retried", 1, true, true, 1},
	}
	// changes are the changes that read and then write; pinnable ones can
	// name the version they read.
	changes := []struct {
		name     string
		pinnable bool
		run      func(svc *ticketing.Service, orgID string, e *ce.Event, tier *ce.Tier, pinned bool) error
	}{
		{"UpdateEvent", true, func(svc *ticketing.Service, orgID string, e *ce.Event, _ *ce.Tier, pinned bool) error {
			title := "Renamed"
			u := ticketing.EventUpdate{Title: &title}
			if pinned {
				u.Version = e.Version
			}
			_, err := svc.UpdateEvent(context.Background(), orgID, e.ID, u)
			return err
		}},
		{"UpdateTier", true, func(svc *ticketing.Service, orgID string, _ *ce.Event, tier *ce.Tier, pinned bool) error {
			name := "Renamed"
			u := ticketing.TierUpdate{Name: &name}
			if pinned {
				u.Version = tier.Version
			}
			_, err := svc.UpdateTier(context.Background(), orgID, tier.ID, u)
			return err
		}},
		{"PublishEvent", false, func(svc *ticketing.Service, orgID string, e *ce.Event, _ *ce.Tier, _ bool) error {
			_, err := svc.PublishEvent(context.Background(), orgID, e.ID)
			return err
		}},
	}
	for _, tt := range tests {
		for _, c := range changes {
			if tt.pinned && !c.pinnable {
				continue
			}
			t.Run(c.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				store := &racingStore{Store: memstore.New()}
				svc, orgID := newServiceOn(t, store)
				e := mustCreateEvent(t, svc, orgID)
				tier := mustCreateTier(t, svc, orgID, e.ID, validTierInput())
				store.losses.Store(tt.losses)

				err := c.run(svc, orgID, e, tier, tt.pinned)
				if tt.wantErr {
					wantKind(t, err, ce.ErrConflict, "")
				} else if err != nil {
					t.Fatalf("got error %v, want nil", err)
				}
				if got := store.updates.Load(); got != tt.wantUpdates {
					t.Errorf("got %d update attempts, want %d", got, tt.wantUpdates)
				}
			})
		}
	}
}

func TestPublishEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from     ce.EventStatus
		wantErr  error
		wantBump bool
	}{
		{"draft is published", ce.EventDraft, nil, true},
		{"published stays published", ce.EventPublished, nil, false},
		{"cancelled cannot be published", ce.EventCancelled, ce.ErrConflict, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			store := memstore.New()
			svc, orgID := newServiceOn(t, store)
			e := mustCreateEvent(t, svc, orgID)
			// The service has no other way to these states yet.
			e = setStatus(t, store, orgID, e.ID, tt.from)

			got, err := svc.PublishEvent(ctx, orgID, e.ID)
			if tt.wantErr != nil {
				wantKind(t, err, tt.wantErr, "")
				return
			}
			if err != nil {
				t.Fatalf("PublishEvent: got error %v, want nil", err)
			}
			if got.Status != ce.EventPublished {
				t.Errorf("got status %q, want %q", got.Status, ce.EventPublished)
			}
			wantVersion := e.Version
			if tt.wantBump {
				wantVersion++
			}
			if got.Version != wantVersion {
				t.Errorf("got version %d, want %d", got.Version, wantVersion)
			}
		})
	}
}

// setStatus sets an event's status directly in storage, if it differs,
// and returns the stored event.
func setStatus(t *testing.T, store storage.Store, orgID, id string, status ce.EventStatus) *ce.Event {
	t.Helper()
	ctx := context.Background()
	e, err := store.Events().Get(ctx, orgID, id)
	if err != nil {
		t.Fatalf("Get: got error %v, want nil", err)
	}
	if e.Status == status {
		return e
	}
	e.Status = status
	if err := store.Events().Update(ctx, e); err != nil {
		t.Fatalf("Update: got error %v, want nil", err)
	}
	return e
}

func TestPublishEventLogs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var buf bytes.Buffer
	svc := ticketing.New(memstore.New(), &ticketing.Options{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	orgID := newOrg(t, svc)
	e := mustCreateEvent(t, svc, orgID)
	for range 2 {
		if _, err := svc.PublishEvent(ctx, orgID, e.ID); err != nil {
			t.Fatalf("PublishEvent: got error %v, want nil", err)
		}
	}
	if got := strings.Count(buf.String(), "msg=\"event published\""); got != 1 {
		t.Errorf("got %d \"event published\" records, want 1; log:\n%s", got, buf.String())
	}
}
