package ticketing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/paymentstest"
)

// TestCheckoutExpiry checks that checkouts last Options.CheckoutTTL, kept
// within what Stripe takes: 31 minutes to 24 hours.
func TestCheckoutExpiry(t *testing.T) {
	for _, tc := range []struct {
		ttl, want time.Duration
	}{
		{0, 31 * time.Minute},
		{5 * time.Minute, 31 * time.Minute},
		{2 * time.Hour, 2 * time.Hour},
		{48 * time.Hour, 24 * time.Hour},
	} {
		a := newAttendees(t, newMemstore(t))
		pay := paymentstest.New()
		a.svc = ticketing.New(a.store, &ticketing.Options{Now: a.now, Payments: pay, PublicURL: "https://events.example.org", CheckoutTTL: tc.ttl})
		tier := mustCreateTier(t, a.svc, a.org, a.event.ID, ticketing.TierInput{Name: "Gala", Price: ce.Money{Amount: 2500, Currency: "EUR"}})
		if _, err := a.svc.Register(context.Background(), a.event.ID, attendee(tier.ID, 0)); err != nil {
			t.Fatalf("Register: %v", err)
		}
		if got := pay.LastCheckout().ExpiresAt; !got.Equal(testNow.Add(tc.want)) {
			t.Errorf("CheckoutTTL %v: checkout expires at %v, want %v", tc.ttl, got, testNow.Add(tc.want))
		}
	}
}

// TestPaymentsWithoutPublicURL checks that a missing PublicURL is reported
// as the configuration error it is, not as the registrant's mistake, and
// holds no seat.
func TestPaymentsWithoutPublicURL(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	a.svc = ticketing.New(a.store, &ticketing.Options{Now: a.now, Payments: paymentstest.New()})
	tier := mustCreateTier(t, a.svc, a.org, a.event.ID, ticketing.TierInput{Name: "Gala", Price: ce.Money{Amount: 2500, Currency: "EUR"}, Capacity: 1})
	_, err := a.svc.Register(context.Background(), a.event.ID, attendee(tier.ID, 0))
	for _, kind := range []error{ce.ErrInvalid, ce.ErrConflict, ce.ErrNotFound} {
		if err == nil || errors.Is(err, kind) {
			t.Fatalf("Register without PublicURL: got %v, want an error of no kind", err)
		}
	}
	sum, err := a.svc.SummarizeEvent(context.Background(), a.org, a.event.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range sum.Tiers {
		if ts.Tier.ID == tier.ID && ts.Held() != 0 {
			t.Errorf("the refused registration holds %d seats", ts.Held())
		}
	}
}
