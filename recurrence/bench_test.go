package recurrence_test

import (
	"context"
	"testing"
	"time"

	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/recurrence"
	"github.com/completeevent/completeevent-go/storage"
)

// BenchmarkDuplicate copies an event with 200 tiers on SQLite and
// PostgreSQL and, as the baseline, copies it row by row: one INSERT per
// tier, in one transaction too. (memstore scans all its rows on every
// write, so its figures measure the store's size, not the copy.)
func BenchmarkDuplicate(b *testing.B) {
	for _, a := range testadapters.All()[1:] {
		b.Run(a.Name+"/tiers=200", func(b *testing.B) {
			store := a.Open(b)
			f := newFixture(b, store)
			e, _ := f.manyTiers(b, 200)
			ctx := context.Background()
			b.Run("Duplicate", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					in := recurrence.DuplicateInput{StartsAt: e.StartsAt.AddDate(0, 0, 1+i%3650), RecurringInstance: true}
					if _, err := f.svc.Duplicate(ctx, f.org.ID, e.ID, in); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("baseline-row-by-row", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					copyRowByRow(b, store, f.org.ID, e.ID, e.StartsAt.AddDate(0, 0, 1+i%3650))
				}
			})
		})
	}
}

// copyRowByRow copies the event and its tiers naively: the same reads,
// then an INSERT per tier.
func copyRowByRow(b *testing.B, store storage.Store, orgID, eventID string, start time.Time) {
	err := store.RunInTx(context.Background(), func(ctx context.Context, tx storage.Tx) error {
		src, err := tx.Events().Get(ctx, orgID, eventID)
		if err != nil {
			return err
		}
		tiers, err := tx.Tiers().ListByEvent(ctx, orgID, eventID)
		if err != nil {
			return err
		}
		c := *src
		c.ID = newEventID()
		c.StartsAt, c.EndsAt = start, start.Add(src.EndsAt.Sub(src.StartsAt))
		if err := tx.Events().Create(ctx, &c); err != nil {
			return err
		}
		for _, t := range tiers {
			tc := *t
			tc.ID, tc.EventID = newTierID(), c.ID
			if err := tx.Tiers().Create(ctx, &tc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkExpand expands rules of 500 occurrences, the cap, and, as the
// baseline, computes 500 local times with time.Date alone.
func BenchmarkExpand(b *testing.B) {
	ams := mustLoad(b, "Europe/Amsterdam")
	start := time.Date(2026, 1, 13, 19, 0, 0, 0, ams)
	for _, rule := range []string{
		"FREQ=DAILY;COUNT=500",
		"FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=500",
		"FREQ=MONTHLY;BYDAY=2TU,-1FR;COUNT=500",
		"FREQ=YEARLY;BYMONTH=1,4,7,10;BYMONTHDAY=15,-1;COUNT=500",
	} {
		b.Run(rule, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				got, err := recurrence.Expand(start, ams, recurrence.Recurrence{Rule: rule}, nil)
				if err != nil || len(got) != 500 {
					b.Fatalf("got %d occurrences, error %v", len(got), err)
				}
			}
		})
	}
	b.Run("baseline-time.Date-500", func(b *testing.B) {
		b.ReportAllocs()
		var sink time.Time
		for b.Loop() {
			for i := range 500 {
				sink = time.Date(2026, 1, 13+i, 19, 0, 0, 0, ams)
			}
		}
		_ = sink
	})
}
