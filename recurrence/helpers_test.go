package recurrence_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/recurrence"
	"github.com/completeevent/completeevent-go/storage"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC)

// fixture is a store with an organization, and a recurrence service on it
// with the fixed clock.
type fixture struct {
	store storage.Store
	svc   *recurrence.Service
	org   *ce.Organization
}

func newFixture(t testing.TB, store storage.Store) *fixture {
	t.Helper()
	org := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, testNow), Name: "Acme Events", CreatedAt: testNow}
	if err := store.Organizations().Create(context.Background(), org); err != nil {
		t.Fatalf("create organization: %v", err)
	}
	return &fixture{store: store, svc: recurrence.New(store, &recurrence.Options{Now: func() time.Time { return testNow }}), org: org}
}

// newEventID and newTierID return new ids at the fixed clock.
func newEventID() string { return ce.NewID(ce.PrefixEvent, testNow) }
func newTierID() string  { return ce.NewID(ce.PrefixTier, testNow) }

// mustLoad returns the time zone with the name.
func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

// local returns the time of the wall clock "2006-01-02 15:04" in loc.
func local(t testing.TB, loc *time.Location, wall string) time.Time {
	t.Helper()
	ts, err := time.ParseInLocation("2006-01-02 15:04", wall, loc)
	if err != nil {
		t.Fatalf("parse %q: %v", wall, err)
	}
	return ts
}

// event returns an unsaved event of the fixture's organization in the
// zone, from start for three hours, with a registration window, created
// a month before testNow.
func (f *fixture) event(loc *time.Location, start time.Time) *ce.Event {
	created := testNow.AddDate(0, -1, 0)
	return &ce.Event{
		ID:             ce.NewID(ce.PrefixEvent, created),
		OrganizationID: f.org.ID,
		Title:          "Monthly meetup",
		Description:    "Talks and drinks.",
		Venue:          "Pakhuis de Zwijger, Amsterdam",
		TimeZone:       loc.String(),
		StartsAt:       start,
		EndsAt:         start.Add(3 * time.Hour),
		Status:         ce.EventPublished,
		Settings: ce.Settings{
			Capacity:             120,
			RegistrationOpensAt:  start.AddDate(0, 0, -30),
			RegistrationClosesAt: start.Add(-time.Hour),
			ConfirmationMessage:  "See you there!",
			Visibility:           ce.VisibilityUnlisted,
		},
		CreatedAt: created,
		UpdatedAt: created,
	}
}

// tier returns an unsaved tier of e, on sale from a week before it to its
// start.
func tier(e *ce.Event, name string, position int) *ce.Tier {
	return &ce.Tier{
		ID:             ce.NewID(ce.PrefixTier, e.CreatedAt),
		EventID:        e.ID,
		OrganizationID: e.OrganizationID,
		Name:           name,
		Description:    "A seat.",
		Price:          ce.Money{Amount: 1250, Currency: "EUR"},
		Capacity:       50,
		SalesStartAt:   e.StartsAt.AddDate(0, 0, -7),
		SalesEndAt:     e.StartsAt,
		Position:       position,
		CreatedAt:      e.CreatedAt,
		UpdatedAt:      e.CreatedAt,
	}
}

// save stores e and its tiers as they are, and returns them as stored.
func (f *fixture) save(t testing.TB, e *ce.Event, tiers ...*ce.Tier) (*ce.Event, []*ce.Tier) {
	t.Helper()
	ctx := context.Background()
	if err := f.store.Events().Create(ctx, e); err != nil {
		t.Fatalf("create event: %v", err)
	}
	if err := f.store.Tiers().CreateMany(ctx, tiers); err != nil {
		t.Fatalf("create tiers: %v", err)
	}
	stored, err := f.store.Tiers().ListByEvent(ctx, f.org.ID, e.ID)
	if err != nil {
		t.Fatalf("list tiers: %v", err)
	}
	return e, stored
}

// get returns the stored event with the id.
func (f *fixture) get(t testing.TB, id string) *ce.Event {
	t.Helper()
	e, err := f.store.Events().Get(context.Background(), f.org.ID, id)
	if err != nil {
		t.Fatalf("get event %s: %v", id, err)
	}
	return e
}

// countEvents returns how many events the organization has.
func (f *fixture) countEvents(t testing.TB) int {
	t.Helper()
	list, err := f.store.Events().List(context.Background(), f.org.ID, storage.EventFilter{Limit: storage.MaxPageLimit})
	if err != nil {
		t.Fatalf("list events: %v", err)
	}
	return len(list)
}

// wantInvalid fails the test unless err is ErrInvalid naming field with a
// message that contains each of parts.
func wantInvalid(t *testing.T, err error, field string, parts ...string) {
	t.Helper()
	wantKind(t, err, ce.ErrInvalid)
	if got := ce.ErrorField(err); got != field {
		t.Errorf("got field %q, want %q (error %v)", got, field, err)
	}
	for _, p := range parts {
		if !strings.Contains(ce.ErrorMessage(err), p) {
			t.Errorf("got message %q, want it to contain %q", ce.ErrorMessage(err), p)
		}
	}
}

// wantKind fails the test unless err matches kind.
func wantKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got error %v, want %v", err, kind)
	}
}

// formatLocal returns the times as RFC 3339 in their own zones.
func formatLocal(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Format(time.RFC3339)
	}
	return out
}
