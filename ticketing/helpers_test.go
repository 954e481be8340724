package ticketing_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC)

// newService returns a service on a fresh memstore with a fixed clock,
// and the id of a new organization.
func newService(t *testing.T) (*ticketing.Service, string) {
	t.Helper()
	return newServiceOn(t, newMemstore(t))
}

// newMemstore returns a fresh memstore, closed when the test ends.
func newMemstore(t *testing.T) storage.Store {
	t.Helper()
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	return store
}

// newServiceOn returns a service on store with a fixed clock, and the id
// of a new organization.
func newServiceOn(t *testing.T, store storage.Store) (*ticketing.Service, string) {
	t.Helper()
	svc := ticketing.New(store, &ticketing.Options{Now: func() time.Time { return testNow }})
	return svc, newOrg(t, svc)
}

// newOrg creates an organization and returns its id.
func newOrg(t *testing.T, svc *ticketing.Service) string {
	t.Helper()
	org, _, err := svc.CreateOrganization(context.Background(), "Acme Events")
	if err != nil {
		t.Fatalf("CreateOrganization: got error %v, want nil", err)
	}
	return org.ID
}

// validEventInput returns an input that passes validation.
func validEventInput() ticketing.EventInput {
	return ticketing.EventInput{
		Title:    "Spring meetup",
		TimeZone: "Europe/Amsterdam",
		StartsAt: time.Date(2026, 5, 20, 17, 0, 0, 0, time.UTC),
		EndsAt:   time.Date(2026, 5, 20, 21, 0, 0, 0, time.UTC),
	}
}

// validTierInput returns an input that passes validation for an event of
// validEventInput.
func validTierInput() ticketing.TierInput {
	return ticketing.TierInput{Name: "Regular", Price: ce.Money{Amount: 1500, Currency: "EUR"}}
}

// mustCreateEvent creates an event of validEventInput.
func mustCreateEvent(t *testing.T, svc *ticketing.Service, orgID string) *ce.Event {
	t.Helper()
	e, err := svc.CreateEvent(context.Background(), orgID, validEventInput())
	if err != nil {
		t.Fatalf("CreateEvent: got error %v, want nil", err)
	}
	return e
}

// mustCreateTier creates a tier of in on the event.
func mustCreateTier(t *testing.T, svc *ticketing.Service, orgID, eventID string, in ticketing.TierInput) *ce.Tier {
	t.Helper()
	tier, err := svc.CreateTier(context.Background(), orgID, eventID, in)
	if err != nil {
		t.Fatalf("CreateTier: got error %v, want nil", err)
	}
	return tier
}

// wantKind fails the test unless err matches kind, and, if field is not
// empty, names field.
func wantKind(t *testing.T, err, kind error, field string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("got error %v, want %v", err, kind)
	}
	if field != "" {
		if got := ce.ErrorField(err); got != field {
			t.Errorf("got field %q, want %q (error %v)", got, field, err)
		}
	}
}

// racingStore is a memstore whose transactions lose the race for the
// next n event or tier updates: storage reports them as conflicts, as it
// does when a concurrent writer committed first.
type racingStore struct {
	storage.Store
	losses  atomic.Int32
	updates atomic.Int32
}

func (s *racingStore) RunInTx(ctx context.Context, fn func(context.Context, storage.Tx) error) error {
	return s.Store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		return fn(ctx, racingTx{tx, s})
	})
}

// lose reports whether this update is to lose the race, and counts it.
func (s *racingStore) lose() bool {
	s.updates.Add(1)
	return s.losses.Add(-1) >= 0
}

type racingTx struct {
	storage.Tx
	s *racingStore
}

func (t racingTx) Events() storage.Events { return racingEvents{t.Tx.Events(), t.s} }
func (t racingTx) Tiers() storage.Tiers   { return racingTiers{t.Tx.Tiers(), t.s} }

type racingEvents struct {
	storage.Events
	s *racingStore
}

func (r racingEvents) Update(ctx context.Context, e *ce.Event) error {
	if r.s.lose() {
		return ce.Conflict("event %s was changed by someone else", e.ID)
	}
	return r.Events.Update(ctx, e)
}

type racingTiers struct {
	storage.Tiers
	s *racingStore
}

func (r racingTiers) Update(ctx context.Context, t *ce.Tier) error {
	if r.s.lose() {
		return ce.Conflict("tier %s was changed by someone else", t.ID)
	}
	return r.Tiers.Update(ctx, t)
}
