package sqlitestore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/sqlitestore"
)

func ExampleOpen() {
	dir, err := os.MkdirTemp("", "sqlitestore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, filepath.Join(dir, "completeevent.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	now := time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)
	org := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, now), Name: "Acme", CreatedAt: now}
	start := time.Date(2026, time.April, 15, 19, 30, 0, 0, time.FixedZone("CEST", 2*60*60))
	event := &ce.Event{
		ID:             ce.NewID(ce.PrefixEvent, now),
		OrganizationID: org.ID,
		Title:          "Monthly meetup",
		TimeZone:       "Europe/Amsterdam",
		StartsAt:       start,
		EndsAt:         start.Add(3 * time.Hour),
		Status:         ce.EventDraft,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	err = s.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		if err := tx.Organizations().Create(ctx, org); err != nil {
			return err
		}
		return tx.Events().Create(ctx, event)
	})
	if err != nil {
		log.Fatal(err)
	}

	events, err := s.Events().List(ctx, org.ID, storage.EventFilter{})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range events {
		fmt.Printf("%s at %s, version %d\n", e.Title, e.StartsAt, e.Version)
	}
	// Output:
	// Monthly meetup at 2026-04-15 17:30:00 +0000 UTC, version 1
}
