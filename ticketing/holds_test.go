package ticketing_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/paymentstest"
)

// holdExpiry is how long after its creation ReleaseExpiredHolds releases a
// pending registration at the default checkout TTL.
const holdExpiry = 31*time.Minute + ticketing.HoldReleaseGrace

// pendingFor registers n for the tier, which awaits payment, and returns
// the registration and its checkout request.
func (p *paid) pendingFor(t *testing.T, tier *ce.Tier, n int) (*ce.Registration, ticketing.CheckoutRequest) {
	t.Helper()
	got, err := p.svc.Register(context.Background(), p.event.ID, attendee(tier.ID, n))
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	if got.Registration.Status != ce.RegistrationPendingPayment {
		t.Fatalf("registration is %s, want pending_payment", got.Registration.Status)
	}
	return got.Registration, p.payments.LastCheckout()
}

// get returns the stored registration with the id.
func (p *paid) get(t *testing.T, id string) *ce.Registration {
	t.Helper()
	r, err := p.svc.GetRegistration(context.Background(), p.org, id)
	if err != nil {
		t.Fatalf("GetRegistration: %v", err)
	}
	return r
}

// release calls ReleaseExpiredHolds and fails the test unless it released
// want registrations.
func (p *paid) release(t *testing.T, limit, want int) {
	t.Helper()
	n, err := p.svc.ReleaseExpiredHolds(context.Background(), limit)
	if err != nil || n != want {
		t.Errorf("ReleaseExpiredHolds(%d): got %d, %v; want %d released", limit, n, err, want)
	}
}

func TestReleaseExpiredHolds(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		p := newPaid(t, store)
		ctx := context.Background()
		dinner := mustCreateTier(t, p.svc, p.org, p.event.ID, ticketing.TierInput{Name: "Dinner", Price: ce.Money{Amount: 4000, Currency: "EUR"}, Capacity: 5, Position: 2})

		// At testNow: one pending on the gala's only seat, one paid.
		old, oldReq := p.pendingFor(t, p.priced, 0)
		paidFor, paidReq := p.pendingFor(t, dinner, 1)
		if res, err := p.deliver(paymentstest.Completed(paidReq, "evt_paid", paidFor.PaymentReference, dinner.Price)); err != nil || res.Outcome != ticketing.PaymentConfirmedRegistration {
			t.Fatalf("payment: got %+v, %v; want the registration confirmed", res, err)
		}
		confirmed := p.get(t, paidFor.ID)
		// Forty minutes later: another pending.
		p.setNow(testNow.Add(40 * time.Minute))
		young, _ := p.pendingFor(t, dinner, 2)
		young = p.get(t, young.ID)

		// Exactly the checkout's TTL and the grace after old's creation:
		// not yet.
		p.setNow(testNow.Add(holdExpiry))
		p.release(t, 10, 0)
		// A moment later: old is released; a zero limit releases nothing.
		now := testNow.Add(holdExpiry + time.Minute)
		p.setNow(now)
		p.release(t, 0, 0)
		p.release(t, 10, 1)

		want := *old
		want.Status, want.CancelledAt, want.CancelReason, want.UpdatedAt = ce.RegistrationCancelled, now, "the payment was not completed in time", now
		want.Version = old.Version + 1
		if diff := cmp.Diff(&want, p.get(t, old.ID)); diff != "" {
			t.Errorf("released registration (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(young, p.get(t, young.ID)); diff != "" {
			t.Errorf("the younger pending registration changed (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(confirmed, p.get(t, confirmed.ID)); diff != "" {
			t.Errorf("the confirmed registration changed (-want +got):\n%s", diff)
		}
		// The gala's seat is free again, and nothing is left to release.
		if _, err := p.svc.Register(ctx, p.event.ID, attendee(p.priced.ID, 3)); err != nil {
			t.Errorf("registering for the released seat: %v", err)
		}
		p.release(t, 10, 0)

		// The completion callback that never came in time is refunded.
		res, err := p.deliver(paymentstest.Completed(oldReq, "evt_late", old.PaymentReference, p.priced.Price))
		if err != nil || res.Outcome != ticketing.PaymentRefunded {
			t.Errorf("late completion: got %+v, %v; want outcome %s", res, err, ticketing.PaymentRefunded)
		}
		if got := p.payments.Refunds(); !cmp.Equal(got, []string{old.PaymentReference}) {
			t.Errorf("refunds: got %v, want [%s]", got, old.PaymentReference)
		}
		if got := p.get(t, old.ID).Status; got != ce.RegistrationCancelled {
			t.Errorf("after the late completion: got %s, want cancelled", got)
		}
	})
}

// interruptedStore is a store whose ListPendingPayment runs race, if set,
// after listing, as if a concurrent writer changed the registrations in
// between.
type interruptedStore struct {
	storage.Store
	race func()
}

func (s *interruptedStore) Registrations() storage.Registrations {
	return interruptedRegistrations{s.Store.Registrations(), s}
}

type interruptedRegistrations struct {
	storage.Registrations
	s *interruptedStore
}

func (r interruptedRegistrations) ListPendingPayment(ctx context.Context, createdBefore time.Time, limit int) ([]*ce.Registration, error) {
	out, err := r.Registrations.ListPendingPayment(ctx, createdBefore, limit)
	if r.s.race != nil {
		r.s.race()
	}
	return out, err
}

func TestReleaseExpiredHoldsLosesTheRaceToTheCallback(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		interrupted := &interruptedStore{Store: store}
		p := newPaid(t, interrupted)
		r, req := p.pendingFor(t, p.priced, 0)
		p.setNow(testNow.Add(holdExpiry + time.Minute))
		// The provider's expiry callback releases the registration between
		// the listing and the release.
		interrupted.race = func() {
			interrupted.race = nil
			if res, err := p.deliver(paymentstest.Expired(req, "evt_expired", r.PaymentReference)); err != nil || res.Outcome != ticketing.PaymentReleasedRegistration {
				t.Errorf("expiry: got %+v, %v; want the registration released", res, err)
			}
		}
		p.release(t, 10, 0)
		if got := p.get(t, r.ID); got.Status != ce.RegistrationCancelled || got.CancelReason != "the payment was not completed" {
			t.Errorf("registration %s, reason %q: want cancelled by the callback", got.Status, got.CancelReason)
		}
	})
}
