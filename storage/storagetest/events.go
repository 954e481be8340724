package storagetest

import (
	"slices"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

func testEventRoundTrip(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := newEvent(org, base.Add(48*time.Hour))
	e.SeriesID = ce.NewID(ce.PrefixEvent, base)
	e.DuplicatedFrom = e.SeriesID
	e.Status = ce.EventPublished
	if err := s.Events().Create(ctx(t), e); err != nil {
		t.Fatalf("create: %v", err)
	}
	if e.Version != 1 {
		t.Errorf("version after create: got %d, want 1", e.Version)
	}
	got, err := s.Events().Get(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "event", got, e)
	looked, err := s.Events().Lookup(ctx(t), e.ID)
	if err != nil {
		t.Fatalf("lookup: %v", err)
	}
	wantEqual(t, "event looked up", looked, e)
}

func testEventErrors(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e := createEvent(t, s, org, base)

	_, err := s.Events().Get(ctx(t), other.ID, e.ID)
	wantKind(t, "get another organization's event", err, ce.ErrNotFound)
	_, err = s.Events().Get(ctx(t), org.ID, ce.NewID(ce.PrefixEvent, base))
	wantKind(t, "get missing event", err, ce.ErrNotFound)
	_, err = s.Events().Lookup(ctx(t), ce.NewID(ce.PrefixEvent, base))
	wantKind(t, "look up missing event", err, ce.ErrNotFound)

	dup := newEvent(org, base)
	dup.ID = e.ID
	wantKind(t, "create duplicate id", s.Events().Create(ctx(t), dup), ce.ErrConflict)
	orphan := newEvent(&ce.Organization{ID: ce.NewID(ce.PrefixOrganization, base)}, base)
	wantKind(t, "create for missing organization", s.Events().Create(ctx(t), orphan), ce.ErrNotFound)

	stolen := *e
	stolen.OrganizationID = other.ID
	stolen.Title = "Stolen"
	wantKind(t, "update another organization's event", s.Events().Update(ctx(t), &stolen), ce.ErrNotFound)
	missing := newEvent(org, base)
	missing.Version = 1
	wantKind(t, "update missing event", s.Events().Update(ctx(t), missing), ce.ErrNotFound)

	got, err := s.Events().Get(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "event after refused changes", got, e)
}

func testEventUpdate(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, base)
	created := e.CreatedAt

	changed := *e
	changed.Title = "Quarterly meetup"
	changed.Status = ce.EventPublished
	changed.Settings.Capacity = 0
	changed.Settings.RegistrationOpensAt = time.Time{}
	changed.CreatedAt = base.Add(time.Hour) // never changed by Update
	changed.UpdatedAt = base.Add(time.Minute)
	if err := s.Events().Update(ctx(t), &changed); err != nil {
		t.Fatalf("update: %v", err)
	}
	if changed.Version != 2 {
		t.Errorf("version after update: got %d, want 2", changed.Version)
	}
	if !changed.CreatedAt.Equal(created) {
		t.Errorf("createdAt after update: got %v, want %v", changed.CreatedAt, created)
	}
	got, err := s.Events().Get(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "updated event", got, &changed)

	stale := *e // still version 1
	stale.Title = "Lost update"
	wantKind(t, "update with a stale version", s.Events().Update(ctx(t), &stale), ce.ErrConflict)
	got, err = s.Events().Get(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "event after a stale update", got, &changed)
}

func testEventList(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	createEvent(t, s, other, base)

	// Created out of order, with ties on StartsAt broken by id, and
	// starts that differ by less than a second (or by a microsecond).
	offsets := []int{5, 1, 3, 1, 4, 1, 2, 0, 3}
	steps := []time.Duration{0, time.Microsecond, 250 * time.Millisecond, 500 * time.Millisecond, 999999 * time.Microsecond, time.Hour}
	var want []string
	byStart := map[int][]string{}
	for _, h := range offsets {
		e := createEvent(t, s, org, base.Truncate(time.Second).Add(steps[h]))
		byStart[h] = append(byStart[h], e.ID)
	}
	for h := 0; h <= 5; h++ {
		want = append(want, slices.Sorted(slices.Values(byStart[h]))...)
	}

	all, err := s.Events().List(ctx(t), org.ID, storage.EventFilter{})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "event order", ids(all, eventID), want)

	var paged []string
	after := ""
	for range len(want) + 1 {
		page, err := s.Events().List(ctx(t), org.ID, storage.EventFilter{After: after, Limit: 2})
		if err != nil {
			t.Fatalf("list page after %q: %v", after, err)
		}
		if len(page) > 2 {
			t.Fatalf("page size: got %d, want at most 2", len(page))
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, ids(page, eventID)...)
		after = page[len(page)-1].ID
	}
	wantEqual(t, "paged event order", paged, want)

	published := all[3]
	published.Status = ce.EventPublished
	if err := s.Events().Update(ctx(t), published); err != nil {
		t.Fatalf("update: %v", err)
	}
	only, err := s.Events().List(ctx(t), org.ID, storage.EventFilter{Status: ce.EventPublished})
	if err != nil {
		t.Fatalf("list published: %v", err)
	}
	wantEqual(t, "published events", ids(only, eventID), []string{published.ID})

	_, err = s.Events().List(ctx(t), other.ID, storage.EventFilter{After: want[0]})
	wantKind(t, "list after another organization's event", err, ce.ErrNotFound)
	none, err := s.Events().List(ctx(t), newOrg(t, s).ID, storage.EventFilter{})
	if err != nil || len(none) != 0 {
		t.Errorf("list of an organization without events: got %d events, error %v; want none", len(none), err)
	}
}
