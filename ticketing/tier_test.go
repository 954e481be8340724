package ticketing_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
)

func TestCreateTier(t *testing.T) {
	t.Parallel()
	svc, orgID := newService(t)
	e := mustCreateEvent(t, svc, orgID)
	in := ticketing.TierInput{
		Name:         "Online",
		Description:  "Watch from home",
		Price:        ce.Money{Amount: 500, Currency: "EUR"},
		Capacity:     300,
		SalesStartAt: time.Date(2026, 4, 20, 8, 0, 0, 0, time.UTC),
		SalesEndAt:   time.Date(2026, 5, 20, 18, 0, 0, 0, time.UTC),
		Position:     2,
		JoinURL:      "https://meet.example.com/spring",
	}

	got, err := svc.CreateTier(context.Background(), orgID, e.ID, in)
	if err != nil {
		t.Fatalf("CreateTier: got error %v, want nil", err)
	}
	if !ce.ValidID(ce.PrefixTier, got.ID) {
		t.Errorf("got id %q, want a tier id", got.ID)
	}
	want := &ce.Tier{
		ID:             got.ID,
		EventID:        e.ID,
		OrganizationID: orgID,
		Name:           in.Name,
		Description:    in.Description,
		Price:          in.Price,
		Capacity:       in.Capacity,
		SalesStartAt:   in.SalesStartAt,
		SalesEndAt:     in.SalesEndAt,
		Position:       in.Position,
		JoinURL:        in.JoinURL,
		Version:        1,
		CreatedAt:      testNow,
		UpdatedAt:      testNow,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CreateTier mismatch (-want +got):\n%s", diff)
	}
	stored, err := svc.GetTier(context.Background(), orgID, got.ID)
	if err != nil {
		t.Fatalf("GetTier: got error %v, want nil", err)
	}
	if diff := cmp.Diff(want, stored); diff != "" {
		t.Errorf("GetTier mismatch (-want +got):\n%s", diff)
	}
}

func TestCreateTierInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*ticketing.TierInput)
		field  string
	}{
		{"no name", func(in *ticketing.TierInput) { in.Name = "" }, "name"},
		{"long name", func(in *ticketing.TierInput) { in.Name = strings.Repeat("é", 201) }, "name"},
		{"no currency", func(in *ticketing.TierInput) { in.Price.Currency = "" }, "price.currency"},
		{"free without currency", func(in *ticketing.TierInput) { in.Price = ce.Money{} }, "price.currency"},
		{"lowercase currency", func(in *ticketing.TierInput) { in.Price.Currency = "eur" }, "price.currency"},
		{"negative price", func(in *ticketing.TierInput) { in.Price.Amount = -1 }, "price.amount"},
		{"negative capacity", func(in *ticketing.TierInput) { in.Capacity = -1 }, "capacity"},
		{"negative position", func(in *ticketing.TierInput) { in.Position = -1 }, "position"},
		{"http join URL", func(in *ticketing.TierInput) { in.JoinURL = "http://meet.example.com/x" }, "joinUrl"},
		{"relative join URL", func(in *ticketing.TierInput) { in.JoinURL = "/join" }, "joinUrl"},
		{"join URL with user", func(in *ticketing.TierInput) { in.JoinURL = "https://me:pw@meet.example.com/" }, "joinUrl"},
		{"sales end before start", func(in *ticketing.TierInput) {
			in.SalesStartAt = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
			in.SalesEndAt = time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		}, "salesEndAt"},
		{"sales end after the event", func(in *ticketing.TierInput) {
			in.SalesEndAt = time.Date(2026, 5, 21, 0, 0, 0, 0, time.UTC)
		}, "salesEndAt"},
		{"sales start years early", func(in *ticketing.TierInput) {
			in.SalesStartAt = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "salesStartAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			svc, orgID := newService(t)
			e := mustCreateEvent(t, svc, orgID)
			in := validTierInput()
			tt.change(&in)
			_, err := svc.CreateTier(ctx, orgID, e.ID, in)
			wantKind(t, err, ce.ErrInvalid, tt.field)
			tiers, err := svc.ListTiers(ctx, orgID, e.ID)
			if err != nil {
				t.Fatalf("ListTiers: got error %v, want nil", err)
			}
			if len(tiers) != 0 {
				t.Errorf("got %d tiers after a refused one, want 0", len(tiers))
			}
		})
	}
}

func TestCreateTierErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, orgID := newService(t)
	e := mustCreateEvent(t, svc, orgID)
	mustCreateTier(t, svc, orgID, e.ID, validTierInput())

	_, err := svc.CreateTier(ctx, orgID, e.ID, validTierInput())
	wantKind(t, err, ce.ErrConflict, "")
	_, err = svc.CreateTier(ctx, orgID, "evt_missing", validTierInput())
	wantKind(t, err, ce.ErrNotFound, "")
}

func TestListTiers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, orgID := newService(t)
	e := mustCreateEvent(t, svc, orgID)
	other := mustCreateEvent(t, svc, orgID)
	var want []string
	for i, name := range []string{"Early bird", "Regular", "Online"} {
		in := validTierInput()
		in.Name, in.Position = name, 3-i
		want = append([]string{mustCreateTier(t, svc, orgID, e.ID, in).ID}, want...)
	}
	mustCreateTier(t, svc, orgID, other.ID, validTierInput())

	tiers, err := svc.ListTiers(ctx, orgID, e.ID)
	if err != nil {
		t.Fatalf("ListTiers: got error %v, want nil", err)
	}
	var got []string
	for _, tier := range tiers {
		got = append(got, tier.ID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListTiers ids mismatch (-want +got):\n%s", diff)
	}

	_, err = svc.ListTiers(ctx, orgID, "evt_missing")
	wantKind(t, err, ce.ErrNotFound, "")
}

func TestUpdateTier(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, orgID := newService(t)
	e := mustCreateEvent(t, svc, orgID)
	in := validTierInput()
	in.JoinURL = "https://meet.example.com/spring"
	in.SalesEndAt = time.Date(2026, 5, 20, 18, 0, 0, 0, time.UTC)
	tier := mustCreateTier(t, svc, orgID, e.ID, in)

	noJoin, capacity, noBound := "", 25, time.Time{}
	price := ce.Money{Amount: 2000, Currency: "USD"}
	got, err := svc.UpdateTier(ctx, orgID, tier.ID, ticketing.TierUpdate{
		JoinURL: &noJoin, Capacity: &capacity, Price: &price, SalesEndAt: &noBound, Version: tier.Version,
	})
	if err != nil {
		t.Fatalf("UpdateTier: got error %v, want nil", err)
	}
	want := *tier
	want.JoinURL, want.Capacity, want.Price, want.SalesEndAt, want.Version = "", capacity, price, time.Time{}, 2
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("UpdateTier mismatch (-want +got):\n%s", diff)
	}
	if got.Virtual() {
		t.Error("got a virtual tier after clearing its join URL, want in-person")
	}
}

func TestUpdateTierErrors(t *testing.T) {
	t.Parallel()
	httpURL, empty, taken := "http://meet.example.com/x", "", "Taken"
	late := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	negative := -5
	tests := []struct {
		name   string
		id     string
		update ticketing.TierUpdate
		kind   error
		field  string
	}{
		{"http join URL", "", ticketing.TierUpdate{JoinURL: &httpURL}, ce.ErrInvalid, "joinUrl"},
		{"no name", "", ticketing.TierUpdate{Name: &empty}, ce.ErrInvalid, "name"},
		{"negative capacity", "", ticketing.TierUpdate{Capacity: &negative}, ce.ErrInvalid, "capacity"},
		{"sales end after the event", "", ticketing.TierUpdate{SalesEndAt: &late}, ce.ErrInvalid, "salesEndAt"},
		{"duplicate name", "", ticketing.TierUpdate{Name: &taken}, ce.ErrConflict, ""},
		{"stale version", "", ticketing.TierUpdate{Name: &empty, Version: 9}, ce.ErrConflict, ""},
		{"missing tier", "tier_missing", ticketing.TierUpdate{}, ce.ErrNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			svc, orgID := newService(t)
			e := mustCreateEvent(t, svc, orgID)
			tier := mustCreateTier(t, svc, orgID, e.ID, validTierInput())
			in := validTierInput()
			in.Name = taken
			mustCreateTier(t, svc, orgID, e.ID, in)
			id := tier.ID
			if tt.id != "" {
				id = tt.id
			}

			_, err := svc.UpdateTier(ctx, orgID, id, tt.update)
			wantKind(t, err, tt.kind, tt.field)
			got, err := svc.GetTier(ctx, orgID, tier.ID)
			if err != nil {
				t.Fatalf("GetTier: got error %v, want nil", err)
			}
			if diff := cmp.Diff(tier, got); diff != "" {
				t.Errorf("a failed update changed the tier (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeleteTier(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, orgID := newService(t)
	e := mustCreateEvent(t, svc, orgID)
	tier := mustCreateTier(t, svc, orgID, e.ID, validTierInput())

	if err := svc.DeleteTier(ctx, orgID, tier.ID); err != nil {
		t.Fatalf("DeleteTier: got error %v, want nil", err)
	}
	wantKind(t, svc.DeleteTier(ctx, orgID, tier.ID), ce.ErrNotFound, "")
	_, err := svc.GetTier(ctx, orgID, tier.ID)
	wantKind(t, err, ce.ErrNotFound, "")
}
