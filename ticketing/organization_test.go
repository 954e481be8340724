package ticketing_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing"
)

func TestCreateOrganization(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memstore.New()
	svc, _ := newServiceOn(t, store)

	org, token, err := svc.CreateOrganization(ctx, "Stichting Zomerfeest")
	if err != nil {
		t.Fatalf("CreateOrganization: got error %v, want nil", err)
	}
	want := &ce.Organization{ID: org.ID, Name: "Stichting Zomerfeest", CreatedAt: testNow}
	if diff := cmp.Diff(want, org); diff != "" {
		t.Errorf("organization mismatch (-want +got):\n%s", diff)
	}
	keys, err := store.APIKeys().List(ctx, org.ID)
	if err != nil {
		t.Fatalf("List keys: got error %v, want nil", err)
	}
	if len(keys) != 1 {
		t.Fatalf("got %d API keys, want 1", len(keys))
	}
	if keys[0].Hash == token || keys[0].Hash != ce.HashAPIKeyToken(token) {
		t.Errorf("got stored hash %q, want the hash of the token, not the token", keys[0].Hash)
	}

	key, err := svc.Authenticate(ctx, token)
	if err != nil {
		t.Fatalf("Authenticate: got error %v, want nil", err)
	}
	if key.OrganizationID != org.ID {
		t.Errorf("got organization %q, want %q", key.OrganizationID, org.ID)
	}
}

func TestCreateOrganizationInvalid(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memstore.New()
	svc := ticketing.New(store, nil)
	for _, name := range []string{"", strings.Repeat("x", 201)} {
		_, _, err := svc.CreateOrganization(ctx, name)
		wantKind(t, err, ce.ErrInvalid, "name")
	}
	if n, err := store.Organizations().Count(ctx); err != nil || n != 0 {
		t.Errorf("got %d organizations (error %v), want 0", n, err)
	}
}

func TestAuthenticateRefuses(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	for _, token := range []string{"", "   ", "ce_unknown", "Bearer ce_unknown"} {
		_, err := svc.Authenticate(context.Background(), token)
		wantKind(t, err, ce.ErrUnauthorized, "")
	}
}

// TestTenantIsolation checks that organization B reaches none of
// organization A's records, whatever the method, and changes none of them.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, orgA := newService(t)
	orgB := newOrg(t, svc)
	e := mustCreateEvent(t, svc, orgA)
	tier := mustCreateTier(t, svc, orgA, e.ID, validTierInput())
	title, name := "Hijacked", "Hijacked"

	tests := []struct {
		name string
		call func() error
	}{
		{"GetEvent", func() error { _, err := svc.GetEvent(ctx, orgB, e.ID); return err }},
		{"UpdateEvent", func() error {
			_, err := svc.UpdateEvent(ctx, orgB, e.ID, ticketing.EventUpdate{Title: &title})
			return err
		}},
		{"PublishEvent", func() error { _, err := svc.PublishEvent(ctx, orgB, e.ID); return err }},
		{"CreateTier", func() error { _, err := svc.CreateTier(ctx, orgB, e.ID, validTierInput()); return err }},
		{"ListTiers", func() error { _, err := svc.ListTiers(ctx, orgB, e.ID); return err }},
		{"GetTier", func() error { _, err := svc.GetTier(ctx, orgB, tier.ID); return err }},
		{"UpdateTier", func() error {
			_, err := svc.UpdateTier(ctx, orgB, tier.ID, ticketing.TierUpdate{Name: &name})
			return err
		}},
		{"DeleteTier", func() error { return svc.DeleteTier(ctx, orgB, tier.ID) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantKind(t, tt.call(), ce.ErrNotFound, "")
		})
	}

	list, err := svc.ListEvents(ctx, orgB, storage.EventFilter{})
	if err != nil {
		t.Fatalf("ListEvents: got error %v, want nil", err)
	}
	if len(list.Events) != 0 {
		t.Errorf("got %d events for organization B, want 0", len(list.Events))
	}
	gotEvent, err := svc.GetEvent(ctx, orgA, e.ID)
	if err != nil {
		t.Fatalf("GetEvent: got error %v, want nil", err)
	}
	if diff := cmp.Diff(e, gotEvent); diff != "" {
		t.Errorf("organization B changed A's event (-want +got):\n%s", diff)
	}
	gotTiers, err := svc.ListTiers(ctx, orgA, e.ID)
	if err != nil {
		t.Fatalf("ListTiers: got error %v, want nil", err)
	}
	if diff := cmp.Diff([]*ce.Tier{tier}, gotTiers); diff != "" {
		t.Errorf("organization B changed A's tiers (-want +got):\n%s", diff)
	}
}
