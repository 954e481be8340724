package storagetest

import (
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

func testOrganizations(t *testing.T, s storage.Store) {
	before, err := s.Organizations().Count(ctx(t))
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	org := newOrg(t, s)
	got, err := s.Organizations().Get(ctx(t), org.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "organization", got, org)
	after, err := s.Organizations().Count(ctx(t))
	if err != nil {
		t.Fatalf("count: %v", err)
	}
	// Other tests create organizations concurrently: at least one more.
	if after <= before {
		t.Errorf("count after create: got %d, want more than %d", after, before)
	}

	_, err = s.Organizations().Get(ctx(t), ce.NewID(ce.PrefixOrganization, time.Now()))
	wantKind(t, "get missing organization", err, ce.ErrNotFound)
	err = s.Organizations().Create(ctx(t), &ce.Organization{ID: org.ID, Name: "again", CreatedAt: base})
	wantKind(t, "create duplicate organization", err, ce.ErrConflict)
}

func testAPIKeys(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	_, first := ce.NewAPIKey(org.ID, "first", base)
	_, second := ce.NewAPIKey(org.ID, "second", base.Add(time.Second))
	_, foreign := ce.NewAPIKey(other.ID, "other", base)
	for _, k := range []*ce.APIKey{second, first, foreign} {
		if err := s.APIKeys().Create(ctx(t), k); err != nil {
			t.Fatalf("create key %s: %v", k.Name, err)
		}
	}

	got, err := s.APIKeys().GetByHash(ctx(t), first.Hash)
	if err != nil {
		t.Fatalf("get by hash: %v", err)
	}
	wantEqual(t, "api key", got, first)

	list, err := s.APIKeys().List(ctx(t), org.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "keys, oldest first", list, []*ce.APIKey{first, second})

	_, err = s.APIKeys().GetByHash(ctx(t), ce.HashAPIKeyToken("ce_unknown"))
	wantKind(t, "get unknown hash", err, ce.ErrNotFound)

	dupHash := *first
	dupHash.ID = ce.NewID(ce.PrefixAPIKey, base)
	wantKind(t, "create duplicate hash", s.APIKeys().Create(ctx(t), &dupHash), ce.ErrConflict)
	dupID := *second
	dupID.Hash = ce.HashAPIKeyToken("ce_another")
	wantKind(t, "create duplicate id", s.APIKeys().Create(ctx(t), &dupID), ce.ErrConflict)
	_, orphan := ce.NewAPIKey(ce.NewID(ce.PrefixOrganization, base), "orphan", base)
	wantKind(t, "create for missing organization", s.APIKeys().Create(ctx(t), orphan), ce.ErrNotFound)

	wantKind(t, "delete another organization's key", s.APIKeys().Delete(ctx(t), org.ID, foreign.ID), ce.ErrNotFound)
	if err := s.APIKeys().Delete(ctx(t), org.ID, first.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = s.APIKeys().GetByHash(ctx(t), first.Hash)
	wantKind(t, "get deleted key", err, ce.ErrNotFound)
	wantKind(t, "delete twice", s.APIKeys().Delete(ctx(t), org.ID, first.ID), ce.ErrNotFound)
	if _, err := s.APIKeys().GetByHash(ctx(t), foreign.Hash); err != nil {
		t.Errorf("another organization's key after a refused delete: %v", err)
	}
}
