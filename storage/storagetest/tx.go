package storagetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

func testTxCommit(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	var e *ce.Event
	var tier *ce.Tier
	err := s.RunInTx(ctx(t), func(txCtx context.Context, tx storage.Tx) error {
		if got, ok := storage.TxFromContext(txCtx); !ok || got != tx {
			t.Errorf("TxFromContext in RunInTx: got %v, %v; want the transaction", got, ok)
		}
		e = createEvent(t, tx, org, base)
		tier = createTier(t, tx, e, "Regular", 0)
		// A transaction reads its own writes.
		if _, err := tx.Events().Get(txCtx, org.ID, e.ID); err != nil {
			t.Errorf("read own write: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("RunInTx: %v", err)
	}
	if got, err := s.Events().Get(ctx(t), org.ID, e.ID); err != nil {
		t.Errorf("event after commit: %v", err)
	} else {
		wantEqual(t, "committed event", got, e)
	}
	if _, err := s.Tiers().Get(ctx(t), org.ID, tier.ID); err != nil {
		t.Errorf("tier after commit: %v", err)
	}
}

// assertRolledBack checks that a failed transaction left nothing: not the
// new event, not the new tier, not the change of an existing event.
func assertRolledBack(t *testing.T, s storage.Store, existing *ce.Event, newEventID, newTierID string) {
	t.Helper()
	_, err := s.Events().Get(ctx(t), existing.OrganizationID, newEventID)
	wantKind(t, "event created in a rolled-back transaction", err, ce.ErrNotFound)
	_, err = s.Tiers().Get(ctx(t), existing.OrganizationID, newTierID)
	wantKind(t, "tier created in a rolled-back transaction", err, ce.ErrNotFound)
	got, err := s.Events().Get(ctx(t), existing.OrganizationID, existing.ID)
	if err != nil {
		t.Fatalf("get existing event: %v", err)
	}
	wantEqual(t, "event updated in a rolled-back transaction", got, existing)
}

// failingTx writes in tx, then returns the ids it made.
func failingTx(t *testing.T, tx storage.Tx, existing *ce.Event) (eventID, tierID string) {
	org := &ce.Organization{ID: existing.OrganizationID}
	e := createEvent(t, tx, org, base)
	tier := createTier(t, tx, e, "Regular", 0)
	changed := *existing
	changed.Title = "Changed in a failed transaction"
	if err := tx.Events().Update(ctx(t), &changed); err != nil {
		t.Fatalf("update in transaction: %v", err)
	}
	return e.ID, tier.ID
}

func testTxRollbackOnError(t *testing.T, s storage.Store) {
	existing := createEvent(t, s, newOrg(t, s), base)
	var eventID, tierID string
	err := s.RunInTx(ctx(t), func(_ context.Context, tx storage.Tx) error {
		eventID, tierID = failingTx(t, tx, existing)
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx: got error %v, want the function's error", err)
	}
	assertRolledBack(t, s, existing, eventID, tierID)

	// A kind returned by the function comes back as that kind.
	err = s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		_, err := tx.Events().Get(c, existing.OrganizationID, "evt_missing")
		return err
	})
	wantKind(t, "RunInTx returning a not-found error", err, ce.ErrNotFound)
}

func testTxRollbackOnPanic(t *testing.T, s storage.Store) {
	existing := createEvent(t, s, newOrg(t, s), base)
	var eventID, tierID string
	func() {
		defer func() {
			if r := recover(); r != errBoom {
				t.Errorf("RunInTx recovered %v, want the function's panic re-raised", r)
			}
		}()
		_ = s.RunInTx(ctx(t), func(_ context.Context, tx storage.Tx) error {
			eventID, tierID = failingTx(t, tx, existing)
			panic(errBoom)
		})
	}()
	assertRolledBack(t, s, existing, eventID, tierID)
}

// concurrency is how many goroutines the concurrency tests race.
const concurrency = 20

func testConcurrentSameVersion(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, base)
	var wg sync.WaitGroup
	errs := make([]error, concurrency)
	for i := range concurrency {
		wg.Go(func() {
			changed := *e
			changed.Settings.Capacity = i + 1
			errs[i] = s.Events().Update(ctx(t), &changed)
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ce.ErrConflict):
			t.Errorf("update %d: got error %v, want nil or ErrConflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("concurrent updates of version 1: got %d successes, want exactly 1", won)
	}
	got, err := s.Events().Get(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Version != 2 || errs[got.Settings.Capacity-1] != nil {
		t.Errorf("after the race: got version %d from update %d (error %v), want version 2 from the winner",
			got.Version, got.Settings.Capacity-1, errs[got.Settings.Capacity-1])
	}
}

func testConcurrentReadModifyWrite(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, base)
	e.Settings.Capacity = 0
	if err := s.Events().Update(ctx(t), e); err != nil {
		t.Fatalf("update: %v", err)
	}
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			// Retry on conflict, as a service does: no increment is lost.
			for attempt := 0; ; attempt++ {
				err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
					cur, err := tx.Events().Get(c, org.ID, e.ID)
					if err != nil {
						return err
					}
					cur.Settings.Capacity++
					return tx.Events().Update(c, cur)
				})
				if err == nil {
					return
				}
				if !errors.Is(err, ce.ErrConflict) || attempt > 10*concurrency {
					t.Errorf("increment: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := s.Events().Get(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Settings.Capacity != concurrency || got.Version != concurrency+2 {
		t.Errorf("after %d increments: got capacity %d version %d, want %d and %d",
			concurrency, got.Settings.Capacity, got.Version, concurrency, concurrency+2)
	}
}

func testCanceledContext(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	canceled, cancel := context.WithCancel(ctx(t))
	cancel()
	if _, err := s.Organizations().Get(canceled, org.ID); err == nil {
		t.Errorf("get with a canceled context: got no error")
	}
	called := false
	err := s.RunInTx(canceled, func(context.Context, storage.Tx) error {
		called = true
		return nil
	})
	if !errors.Is(err, context.Canceled) || called {
		t.Errorf("RunInTx with a canceled context: got error %v, function called %v; want context.Canceled, not called", err, called)
	}
}

// testTxUsableAfterError checks that a transaction whose function handles
// an ErrConflict or ErrNotFound from one write goes on and commits the
// rest: a refused write never silently dooms the whole transaction.
func testTxUsableAfterError(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	existing := createEvent(t, s, org, base)
	var later *ce.Event
	err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		dup := newEvent(org, base)
		dup.ID = existing.ID
		wantKind(t, "create a duplicate in a transaction", tx.Events().Create(c, dup), ce.ErrConflict)
		orphan := newTier(newEvent(org, base), "Orphan", 0)
		wantKind(t, "create a tier of a missing event in a transaction", tx.Tiers().Create(c, orphan), ce.ErrNotFound)
		later = createEvent(t, tx, org, base)
		return nil
	})
	if err != nil {
		t.Fatalf("RunInTx: %v", err)
	}
	if _, err := s.Events().Get(ctx(t), org.ID, later.ID); err != nil {
		t.Errorf("event written after handled errors: %v, want it committed", err)
	}
}
