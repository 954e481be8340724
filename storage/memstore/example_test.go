package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
)

func ExampleNew() {
	ctx := context.Background()
	store := memstore.New()

	now := time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC)
	org := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, now), Name: "Acme Events", CreatedAt: now}
	if err := store.Organizations().Create(ctx, org); err != nil {
		fmt.Println(err)
		return
	}
	got, err := store.Organizations().Get(ctx, org.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.Name)

	// Records live as long as the store: after Close every call fails.
	store.Close()
	_, err = store.Organizations().Get(ctx, org.ID)
	fmt.Println(err != nil)
	// Output:
	// Acme Events
	// true
}

func ExampleStore_RunInTx() {
	ctx := context.Background()
	store := memstore.New()
	defer store.Close()

	now := time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC)
	org := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, now), Name: "Acme Events", CreatedAt: now}
	errLater := errors.New("a later step failed")
	err := store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		// Use tx, never store, inside the transaction.
		if err := tx.Organizations().Create(ctx, org); err != nil {
			return err
		}
		return errLater
	})
	fmt.Println(errors.Is(err, errLater))

	// The failed transaction's writes are undone.
	_, err = store.Organizations().Get(ctx, org.ID)
	fmt.Println(errors.Is(err, ce.ErrNotFound))
	// Output:
	// true
	// true
}
