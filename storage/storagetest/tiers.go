package storagetest

import (
	"testing"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

func testTierRoundTrip(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, base)
	tier := newTier(e, "Online", 2)
	tier.JoinURL = "https://meet.example.com/j/123?pwd=abc"
	tier.ShareJoinURL = true
	if err := s.Tiers().Create(ctx(t), tier); err != nil {
		t.Fatalf("create: %v", err)
	}
	if tier.Version != 1 {
		t.Errorf("version after create: got %d, want 1", tier.Version)
	}
	got, err := s.Tiers().Get(ctx(t), org.ID, tier.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "tier", got, tier)
	if !got.Virtual() {
		t.Errorf("tier with a join URL: got Virtual() false, want true")
	}
	if !got.ShareJoinURL {
		t.Errorf("tier sharing its join URL: got ShareJoinURL false, want true")
	}
}

func testTierErrors(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e, otherEvent := createEvent(t, s, org, base), createEvent(t, s, org, base)
	tier := createTier(t, s, e, "Regular", 0)

	_, err := s.Tiers().Get(ctx(t), other.ID, tier.ID)
	wantKind(t, "get another organization's tier", err, ce.ErrNotFound)
	_, err = s.Tiers().Get(ctx(t), org.ID, ce.NewID(ce.PrefixTier, base))
	wantKind(t, "get missing tier", err, ce.ErrNotFound)

	dupID := newTier(e, "Other name", 1)
	dupID.ID = tier.ID
	wantKind(t, "create duplicate id", s.Tiers().Create(ctx(t), dupID), ce.ErrConflict)
	wantKind(t, "create duplicate name in one event", s.Tiers().Create(ctx(t), newTier(e, "Regular", 1)), ce.ErrConflict)
	if err := s.Tiers().Create(ctx(t), newTier(otherEvent, "Regular", 0)); err != nil {
		t.Errorf("create the same name in another event: %v", err)
	}

	foreign := newTier(e, "Foreign", 1)
	foreign.OrganizationID = other.ID
	wantKind(t, "create in another organization's event", s.Tiers().Create(ctx(t), foreign), ce.ErrNotFound)
	orphan := newTier(newEvent(org, base), "Orphan", 0)
	wantKind(t, "create in a missing event", s.Tiers().Create(ctx(t), orphan), ce.ErrNotFound)

	list, err := s.Tiers().ListByEvent(ctx(t), other.ID, e.ID)
	if err != nil || len(list) != 0 {
		t.Errorf("list another organization's tiers: got %d tiers, error %v; want none", len(list), err)
	}
}

func testTierList(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, base)
	c := createTier(t, s, e, "C", 2)
	a1 := createTier(t, s, e, "A1", 0)
	b := createTier(t, s, e, "B", 1)
	a2 := createTier(t, s, e, "A2", 0)
	a := []string{a1.ID, a2.ID}
	if a[1] < a[0] {
		a[0], a[1] = a[1], a[0]
	}
	createTier(t, s, createEvent(t, s, org, base), "Elsewhere", 0)

	got, err := s.Tiers().ListByEvent(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "tier order", ids(got, tierID), []string{a[0], a[1], b.ID, c.ID})
	wantEqual(t, "listed tier", got[3], c)
}

func testTierUpdateDelete(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e := createEvent(t, s, org, base)
	tier := createTier(t, s, e, "Regular", 0)
	vip := createTier(t, s, e, "VIP", 1)

	changed := *tier
	changed.Name = "Early bird"
	changed.Price = ce.Money{Amount: 0, Currency: "USD"}
	changed.JoinURL = "https://example.com/live"
	changed.ShareJoinURL = true
	changed.EventID = createEvent(t, s, org, base).ID // never changed by Update
	if err := s.Tiers().Update(ctx(t), &changed); err != nil {
		t.Fatalf("update: %v", err)
	}
	if changed.Version != 2 || changed.EventID != e.ID || !changed.ShareJoinURL {
		t.Errorf("after update: got version %d event %s shareJoinUrl %v, want 2, %s and true",
			changed.Version, changed.EventID, changed.ShareJoinURL, e.ID)
	}
	got, err := s.Tiers().Get(ctx(t), org.ID, tier.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "updated tier", got, &changed)

	stale := *tier
	stale.Name = "Lost update"
	wantKind(t, "update with a stale version", s.Tiers().Update(ctx(t), &stale), ce.ErrConflict)
	clash := *vip
	clash.Name = "Early bird"
	wantKind(t, "rename to another tier's name", s.Tiers().Update(ctx(t), &clash), ce.ErrConflict)
	foreign := *vip
	foreign.OrganizationID = other.ID
	wantKind(t, "update another organization's tier", s.Tiers().Update(ctx(t), &foreign), ce.ErrNotFound)

	wantKind(t, "delete another organization's tier", s.Tiers().Delete(ctx(t), other.ID, vip.ID), ce.ErrNotFound)
	if err := s.Tiers().Delete(ctx(t), org.ID, vip.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = s.Tiers().Get(ctx(t), org.ID, vip.ID)
	wantKind(t, "get deleted tier", err, ce.ErrNotFound)
	wantKind(t, "delete twice", s.Tiers().Delete(ctx(t), org.ID, vip.ID), ce.ErrNotFound)
	list, err := s.Tiers().ListByEvent(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "tiers after delete", ids(list, tierID), []string{tier.ID})
}
