package recurrence_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/recurrence"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/pgstore"
	"github.com/completeevent/completeevent-go/storage/sqlitestore"
)

// TestDuplicateStatements counts the SQL statements of a duplicate: the
// same for 1 tier as for 200 (the tiers are one INSERT), and few.
func TestDuplicateStatements(t *testing.T) {
	t.Parallel()
	sqlAdapters := []struct {
		name string
		open func(t *testing.T) (storage.Store, *bun.DB)
		// want is the number of statements of a standalone copy, and of
		// the first recurring instance, which also updates the original:
		// BEGIN, three SELECTs (the event, its tiers, its auction items),
		// an INSERT of the event and one of all its tiers (none for the
		// items of an event without any), COMMIT.
		want, wantFirstInstance int
	}{
		{"sqlitestore", func(t *testing.T) (storage.Store, *bun.DB) {
			s := testadapters.All()[1].Open(t).(*sqlitestore.Store)
			return s, s.DB()
		}, 7, 8},
		// PostgreSQL also runs each statement that may violate a
		// constraint in a savepoint: SAVEPOINT and RELEASE around the
		// INSERTs and the UPDATE (see internal/bunstore).
		{"pgstore", func(t *testing.T) (storage.Store, *bun.DB) {
			s := testadapters.All()[2].Open(t).(*pgstore.Store)
			return s, s.DB().(*bun.DB)
		}, 11, 14},
	}
	for _, a := range sqlAdapters {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			store, db := a.open(t)
			log := &testadapters.StatementLog{}
			db.AddQueryHook(log)
			f := newFixture(t, store)
			for _, tiers := range []int{1, 200} {
				e, _ := f.manyTiers(t, tiers)
				for _, recurring := range []bool{true, false} {
					got := log.During(func() {
						_, err := f.svc.Duplicate(context.Background(), f.org.ID, e.ID,
							recurrence.DuplicateInput{StartsAt: e.StartsAt.Add(7 * 24 * time.Hour), RecurringInstance: recurring})
						if err != nil {
							t.Fatalf("Duplicate: got error %v, want nil", err)
						}
					})
					want := a.want
					if recurring {
						want = a.wantFirstInstance
					}
					t.Logf("duplicate with %d tiers (first recurring instance: %v): %d statements: %s", tiers, recurring, len(got), strings.Join(got, " "))
					if len(got) != want {
						t.Errorf("duplicate with %d tiers (first recurring instance: %v): got %d statements %v, want %d", tiers, recurring, len(got), got, want)
					}
				}
			}
		})
	}
}
