package storagetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// manyRecords is more records than an adapter is likely to write in one
// statement, so that bulk creation is checked across its batches.
const manyRecords = 1234

// newEvents returns n unsaved events of org, an hour apart from start.
func newEvents(org *ce.Organization, start time.Time, n int) []*ce.Event {
	events := make([]*ce.Event, n)
	for i := range events {
		events[i] = newEvent(org, start.Add(time.Duration(i)*time.Hour))
	}
	return events
}

// newTiers returns n unsaved tiers of e, named "Tier 0" and on.
func newTiers(e *ce.Event, n int) []*ce.Tier {
	tiers := make([]*ce.Tier, n)
	for i := range tiers {
		tiers[i] = newTier(e, fmt.Sprintf("Tier %d", i), i)
	}
	return tiers
}

// sample returns the first, a middle and the last of records.
func sample[T any](records []*T) []*T {
	return []*T{records[0], records[len(records)/2], records[len(records)-1]}
}

// wantNoEvents fails the test if any of a sample of the events is stored.
func wantNoEvents(t *testing.T, s storage.Repositories, what string, events []*ce.Event) {
	t.Helper()
	for _, e := range sample(events) {
		if _, err := s.Events().Get(ctx(t), e.OrganizationID, e.ID); err == nil {
			t.Errorf("%s: event %s was stored, want none of the list", what, e.ID)
			return
		}
	}
}

// wantNoTiers fails the test if any of a sample of the tiers is stored.
func wantNoTiers(t *testing.T, s storage.Repositories, what string, tiers []*ce.Tier) {
	t.Helper()
	for _, tier := range sample(tiers) {
		if _, err := s.Tiers().Get(ctx(t), tier.OrganizationID, tier.ID); err == nil {
			t.Errorf("%s: tier %s was stored, want none of the list", what, tier.ID)
			return
		}
	}
}

func testEventCreateMany(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	events := newEvents(org, base, 3)
	events[1].SeriesID = events[0].ID
	if err := s.Events().CreateMany(ctx(t), events); err != nil {
		t.Fatalf("create many: %v", err)
	}
	for _, e := range events {
		if e.Version != 1 || e.StartsAt != storage.NormalizeTime(e.StartsAt) {
			t.Errorf("event %s written back: got version %d, startsAt %v; want 1 and a normalized time", e.ID, e.Version, e.StartsAt)
		}
		got, err := s.Events().Get(ctx(t), org.ID, e.ID)
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		wantEqual(t, "event created in bulk", got, e)
	}
	if err := s.Events().CreateMany(ctx(t), nil); err != nil {
		t.Errorf("create an empty list: got error %v, want nil", err)
	}

	many := newEvents(org, base, manyRecords)
	if err := s.Events().CreateMany(ctx(t), many); err != nil {
		t.Fatalf("create %d events: %v", manyRecords, err)
	}
	listed, err := s.Events().List(ctx(t), org.ID, storage.EventFilter{Limit: storage.MaxPageLimit, After: many[manyRecords-storage.MaxPageLimit-1].ID})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "the last events of a large bulk creation", ids(listed, eventID), ids(many[manyRecords-storage.MaxPageLimit:], eventID))
}

func testEventCreateManyAllOrNone(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	existing := createEvent(t, s, org, base)
	missingOrg := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, base)}
	cases := []struct {
		name string
		kind error
		// spoil makes one event of the list impossible to store; the
		// last one, so that an adapter that writes in batches has
		// written some before it finds out.
		spoil func(events []*ce.Event)
	}{
		{"an existing id", ce.ErrConflict, func(es []*ce.Event) { es[len(es)-1].ID = existing.ID }},
		{"an id twice in the list", ce.ErrConflict, func(es []*ce.Event) { es[len(es)-1].ID = es[0].ID }},
		{"a missing organization", ce.ErrNotFound, func(es []*ce.Event) { es[len(es)-1].OrganizationID = missingOrg.ID }},
	}
	for _, c := range cases {
		for _, n := range []int{2, manyRecords} {
			what := fmt.Sprintf("%d events with %s", n, c.name)
			events := newEvents(org, base, n)
			c.spoil(events)
			wantKind(t, what, s.Events().CreateMany(ctx(t), events), c.kind)
			wantNoEvents(t, s, what, events[:n-1])

			// In a transaction, the failure leaves the transaction usable.
			events = newEvents(org, base, n)
			c.spoil(events)
			after := newEvent(org, base)
			err := s.RunInTx(ctx(t), func(ctx context.Context, tx storage.Tx) error {
				wantKind(t, what+" in a transaction", tx.Events().CreateMany(ctx, events), c.kind)
				return tx.Events().Create(ctx, after)
			})
			if err != nil {
				t.Fatalf("%s: create after the failure in the transaction: %v", what, err)
			}
			wantNoEvents(t, s, what+" in a transaction", events[:n-1])
			if _, err := s.Events().Get(ctx(t), org.ID, after.ID); err != nil {
				t.Errorf("%s: the event created after the failure: %v", what, err)
			}
		}
	}
	got, err := s.Events().Get(ctx(t), org.ID, existing.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "existing event after refused bulk creations", got, existing)

	// A rolled-back transaction keeps none of its bulk creation.
	events := newEvents(org, base, 3)
	err = s.RunInTx(ctx(t), func(ctx context.Context, tx storage.Tx) error {
		if err := tx.Events().CreateMany(ctx, events); err != nil {
			return err
		}
		return errBoom
	})
	wantKind(t, "a failing transaction", err, errBoom)
	wantNoEvents(t, s, "a rolled-back transaction", events)
}

func testTierCreateMany(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e, other := createEvent(t, s, org, base), createEvent(t, s, org, base)
	tiers := append(newTiers(e, 3), newTier(other, "Tier 0", 0)) // a name may repeat in another event
	tiers[1].JoinURL = "https://meet.example.com/j/1"
	tiers[2].SalesStartAt, tiers[2].SalesEndAt = time.Time{}, time.Time{}
	if err := s.Tiers().CreateMany(ctx(t), tiers); err != nil {
		t.Fatalf("create many: %v", err)
	}
	for _, tier := range tiers {
		if tier.Version != 1 {
			t.Errorf("tier %s written back: got version %d, want 1", tier.ID, tier.Version)
		}
		got, err := s.Tiers().Get(ctx(t), org.ID, tier.ID)
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		wantEqual(t, "tier created in bulk", got, tier)
	}
	if err := s.Tiers().CreateMany(ctx(t), nil); err != nil {
		t.Errorf("create an empty list: got error %v, want nil", err)
	}

	big := createEvent(t, s, org, base)
	many := newTiers(big, manyRecords)
	if err := s.Tiers().CreateMany(ctx(t), many); err != nil {
		t.Fatalf("create %d tiers: %v", manyRecords, err)
	}
	listed, err := s.Tiers().ListByEvent(ctx(t), org.ID, big.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "tiers of a large bulk creation", ids(listed, tierID), ids(many, tierID))
}

func testTierCreateManyAllOrNone(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e := createEvent(t, s, org, base)
	existing := createTier(t, s, e, "Existing", 0)
	foreign := createEvent(t, s, other, base)
	cases := []struct {
		name  string
		kind  error
		spoil func(tiers []*ce.Tier)
	}{
		{"an existing id", ce.ErrConflict, func(ts []*ce.Tier) { ts[len(ts)-1].ID = existing.ID }},
		{"an id twice in the list", ce.ErrConflict, func(ts []*ce.Tier) { ts[len(ts)-1].ID = ts[0].ID }},
		{"an existing name", ce.ErrConflict, func(ts []*ce.Tier) { ts[len(ts)-1].Name = existing.Name }},
		{"a name twice in the list", ce.ErrConflict, func(ts []*ce.Tier) { ts[len(ts)-1].Name = ts[0].Name }},
		{"a missing event", ce.ErrNotFound, func(ts []*ce.Tier) { ts[len(ts)-1].EventID = ce.NewID(ce.PrefixEvent, base) }},
		{"another organization's event", ce.ErrNotFound, func(ts []*ce.Tier) { ts[len(ts)-1].EventID = foreign.ID }},
	}
	for _, c := range cases {
		for _, n := range []int{2, manyRecords} {
			what := fmt.Sprintf("%d tiers with %s", n, c.name)
			tiers := newTiers(e, n)
			c.spoil(tiers)
			wantKind(t, what, s.Tiers().CreateMany(ctx(t), tiers), c.kind)
			wantNoTiers(t, s, what, tiers[:n-1])

			tiers = newTiers(e, n)
			c.spoil(tiers)
			after := newTier(e, "After", 1)
			err := s.RunInTx(ctx(t), func(ctx context.Context, tx storage.Tx) error {
				wantKind(t, what+" in a transaction", tx.Tiers().CreateMany(ctx, tiers), c.kind)
				if err := tx.Tiers().Create(ctx, after); err != nil {
					return err
				}
				return errBoom // keep "After" free for the next case
			})
			wantKind(t, what+": the transaction's own error", err, errBoom)
			wantNoTiers(t, s, what+" in a transaction", tiers[:n-1])
		}
	}
	list, err := s.Tiers().ListByEvent(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "tiers after refused bulk creations", ids(list, tierID), []string{existing.ID})
}

func testTierCountByEvents(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	three, one, none := createEvent(t, s, org, base), createEvent(t, s, org, base), createEvent(t, s, org, base)
	foreign := createEvent(t, s, other, base)
	for _, tier := range append(newTiers(three, 3), append(newTiers(one, 1), newTiers(foreign, 2)...)...) {
		if err := s.Tiers().Create(ctx(t), tier); err != nil {
			t.Fatalf("create tier: %v", err)
		}
	}
	got, err := s.Tiers().CountByEvents(ctx(t), org.ID, []string{three.ID, one.ID, none.ID, foreign.ID, "evt_missing"})
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	wantEqual(t, "tier counts", got, map[string]int{three.ID: 3, one.ID: 1})
	empty, err := s.Tiers().CountByEvents(ctx(t), org.ID, nil)
	if err != nil || len(empty) != 0 {
		t.Errorf("count for no events: got %v, error %v; want an empty map", empty, err)
	}
}

func testEventListSeries(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	// The first event of a series carries its own id; the others are
	// created out of start order, with a tie on StartsAt.
	first := newEvent(org, base)
	first.SeriesID = first.ID
	starts := []time.Duration{72 * time.Hour, 24 * time.Hour, 48 * time.Hour, 24 * time.Hour}
	series := []*ce.Event{first}
	for _, d := range starts {
		e := newEvent(org, base.Add(d))
		e.SeriesID = first.ID
		series = append(series, e)
	}
	if err := s.Events().CreateMany(ctx(t), series); err != nil {
		t.Fatalf("create the series: %v", err)
	}
	// Not of the series: a standalone copy, another series, and another
	// organization's event naming the same series id.
	standalone := newEvent(org, base.Add(time.Hour))
	standalone.DuplicatedFrom = first.ID
	otherSeries := newEvent(org, base.Add(time.Hour))
	otherSeries.SeriesID = otherSeries.ID
	foreign := newEvent(other, base.Add(time.Hour))
	foreign.SeriesID = first.ID
	for _, e := range []*ce.Event{standalone, otherSeries, foreign} {
		if err := s.Events().Create(ctx(t), e); err != nil {
			t.Fatalf("create: %v", err)
		}
	}

	want := slices.Clone(series)
	slices.SortFunc(want, func(a, b *ce.Event) int {
		return cmp.Or(a.StartsAt.Compare(b.StartsAt), strings.Compare(a.ID, b.ID))
	})
	got, err := s.Events().List(ctx(t), org.ID, storage.EventFilter{SeriesID: first.ID})
	if err != nil {
		t.Fatalf("list the series: %v", err)
	}
	wantEqual(t, "series in start order", ids(got, eventID), ids(want, eventID))
	wantEqual(t, "listed series event", got[0], first)

	var paged []string
	after := ""
	for range len(want) + 1 {
		page, err := s.Events().List(ctx(t), org.ID, storage.EventFilter{SeriesID: first.ID, After: after, Limit: 2})
		if err != nil {
			t.Fatalf("list page after %q: %v", after, err)
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, ids(page, eventID)...)
		after = page[len(page)-1].ID
	}
	wantEqual(t, "paged series", paged, ids(want, eventID))

	published := want[2]
	published.Status = ce.EventPublished
	if err := s.Events().Update(ctx(t), published); err != nil {
		t.Fatalf("update: %v", err)
	}
	only, err := s.Events().List(ctx(t), org.ID, storage.EventFilter{SeriesID: first.ID, Status: ce.EventPublished})
	if err != nil {
		t.Fatalf("list published: %v", err)
	}
	wantEqual(t, "published events of the series", ids(only, eventID), []string{published.ID})

	foreignList, err := s.Events().List(ctx(t), other.ID, storage.EventFilter{SeriesID: first.ID})
	if err != nil {
		t.Fatalf("list another organization's series: %v", err)
	}
	wantEqual(t, "another organization's events of the series id", ids(foreignList, eventID), []string{foreign.ID})
	none, err := s.Events().List(ctx(t), org.ID, storage.EventFilter{SeriesID: standalone.ID})
	if err != nil || len(none) != 0 {
		t.Errorf("list the series of an event in none: got %d events, error %v; want none", len(none), err)
	}
}
