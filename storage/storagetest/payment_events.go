package storagetest

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// newPaymentEventID returns an id of the payment provider's event that no
// other test uses.
func newPaymentEventID() string { return "evt_" + rand.Text() }

func testPaymentEvents(t *testing.T, s storage.Store) {
	id := newPaymentEventID()
	if err := s.PaymentEvents().Record(ctx(t), id, base); err != nil {
		t.Fatalf("record: %v", err)
	}
	wantKind(t, "record twice", s.PaymentEvents().Record(ctx(t), id, base.Add(time.Minute)), ce.ErrConflict)
	if err := s.PaymentEvents().Record(ctx(t), newPaymentEventID(), base); err != nil {
		t.Errorf("record another event: %v", err)
	}

	// A rolled-back record is forgotten.
	undone := newPaymentEventID()
	err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		if err := tx.PaymentEvents().Record(c, undone, base); err != nil {
			t.Errorf("record in a transaction: %v", err)
		}
		wantKind(t, "record twice in one transaction", tx.PaymentEvents().Record(c, undone, base), ce.ErrConflict)
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx: got %v, want the function's error", err)
	}
	if err := s.PaymentEvents().Record(ctx(t), undone, base); err != nil {
		t.Errorf("record again after a rollback: %v, want nil", err)
	}

	// A transaction that handles the conflict goes on and commits.
	org := newOrg(t, s)
	kept := newPaymentEventID()
	var e *ce.Event
	err = s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		wantKind(t, "record a recorded event in a transaction", tx.PaymentEvents().Record(c, id, base), ce.ErrConflict)
		if err := tx.PaymentEvents().Record(c, kept, base); err != nil {
			return err
		}
		e = createEvent(t, tx, org, base)
		return nil
	})
	if err != nil {
		t.Fatalf("RunInTx after a handled conflict: %v", err)
	}
	wantKind(t, "record an event recorded in a committed transaction", s.PaymentEvents().Record(ctx(t), kept, base), ce.ErrConflict)
	if _, err := s.Events().Get(ctx(t), org.ID, e.ID); err != nil {
		t.Errorf("event written after a handled conflict: %v, want it committed", err)
	}
}

// testPaymentEventsRace records one event from concurrent transactions, as
// a callback delivered twice at once does: exactly one records it.
func testPaymentEventsRace(t *testing.T, s storage.Store) {
	id := newPaymentEventID()
	var wg sync.WaitGroup
	errs := make([]error, concurrency)
	for i := range concurrency {
		wg.Go(func() {
			errs[i] = s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
				return tx.PaymentEvents().Record(c, id, base)
			})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, ce.ErrConflict):
			t.Errorf("record %d: got error %v, want nil or ErrConflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("concurrent records of one event: got %d successes, want exactly 1", won)
	}
}
