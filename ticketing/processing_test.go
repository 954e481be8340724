package ticketing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/paymentstest"
	"github.com/completeevent/completeevent-go/webhook"
)

// TestDelayedPayment follows a registration paid by a method that confirms
// days later (a bank debit): it keeps its seat past the checkout's expiry,
// and is confirmed or released when the provider reports the outcome.
func TestDelayedPayment(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		for _, tc := range []struct {
			name       string
			outcome    func(req ticketing.CheckoutRequest, checkoutID string, price ce.Money) ticketing.PaymentEvent
			want       ticketing.PaymentOutcome
			wantStatus ce.RegistrationStatus
		}{
			{
				name: "succeeds",
				outcome: func(req ticketing.CheckoutRequest, checkoutID string, price ce.Money) ticketing.PaymentEvent {
					return paymentstest.Completed(req, "evt_succeeded", checkoutID, price)
				},
				want: ticketing.PaymentConfirmedRegistration, wantStatus: ce.RegistrationConfirmed,
			},
			{
				name: "fails",
				outcome: func(req ticketing.CheckoutRequest, checkoutID string, _ ce.Money) ticketing.PaymentEvent {
					return paymentstest.Expired(req, "evt_failed", checkoutID)
				},
				want: ticketing.PaymentReleasedRegistration, wantStatus: ce.RegistrationCancelled,
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := newPaid(t, store)
				r, req := p.pendingFor(t, p.priced, 0)
				if res, err := p.deliver(paymentstest.Processing(req, "evt_processing_"+tc.name, r.PaymentReference)); err != nil || res.Outcome != ticketing.PaymentProcessingRegistration {
					t.Fatalf("processing: got %+v, %v; want outcome %s", res, err, ticketing.PaymentProcessingRegistration)
				}
				if got := p.get(t, r.ID).Status; got != ce.RegistrationPaymentProcessing {
					t.Fatalf("after the processing callback: got %s, want payment_processing", got)
				}
				if res, err := p.deliver(paymentstest.Processing(req, "evt_processing_again_"+tc.name, r.PaymentReference)); err != nil || res.Outcome != ticketing.PaymentIgnored {
					t.Errorf("another processing callback: got %+v, %v; want ignored", res, err)
				}

				// Days after the checkout expired, the seat is still held.
				p.setNow(testNow.Add(holdExpiry + 72*time.Hour))
				p.release(t, 10, 0)
				if _, err := p.svc.Register(context.Background(), p.event.ID, attendee(p.priced.ID, 1)); !errors.Is(err, storage.ErrSoldOut) {
					t.Errorf("registering while the payment is processing: got %v, want sold out", err)
				}
				if _, err := p.svc.CheckIn(context.Background(), p.org, p.event.ID, ticketing.CheckInInput{RegistrationID: r.ID}); !errors.Is(err, ce.ErrConflict) {
					t.Errorf("checking in while the payment is processing: got %v, want ErrConflict", err)
				}

				if res, err := p.deliver(tc.outcome(req, r.PaymentReference, p.priced.Price)); err != nil || res.Outcome != tc.want {
					t.Fatalf("outcome: got %+v, %v; want %s", res, err, tc.want)
				}
				if got := p.get(t, r.ID).Status; got != tc.wantStatus {
					t.Errorf("registration: got %s, want %s", got, tc.wantStatus)
				}
				confirmed := len(messages[webhook.RegistrationConfirmed](t, p.attendees))
				if want := map[bool]int{true: 1, false: 0}[tc.wantStatus == ce.RegistrationConfirmed]; confirmed != want {
					t.Errorf("got %d registration.confirmed messages, want %d", confirmed, want)
				}
				_, err := p.svc.Register(context.Background(), p.event.ID, attendee(p.priced.ID, 2))
				if seatFree := err == nil; seatFree != (tc.wantStatus == ce.RegistrationCancelled) {
					t.Errorf("registering after the outcome: got %v; want the seat free only once the payment failed", err)
				}
			})
		}
	})
}

// TestCancelPendingRegistration cancels a registration still awaiting its
// payment: webhook receivers, who never heard of it, hear nothing; the
// attendee is told; a payment completed afterwards is refunded, and the
// refund recorded.
func TestCancelPendingRegistration(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		p := newPaid(t, store)
		r, req := p.pendingFor(t, p.priced, 0)
		if _, err := p.svc.CancelRegistration(context.Background(), p.org, r.ID, ticketing.CancelInput{Reason: "duplicate"}); err != nil {
			t.Fatalf("CancelRegistration: %v", err)
		}
		if n := len(messages[webhook.RegistrationCancelled](t, p.attendees)); n != 0 {
			t.Errorf("got %d registration.cancelled messages, want 0", n)
		}
		if diff := cmp.Diff([]ce.EmailKind{ce.EmailCancellation}, p.emails(t, r.ID)); diff != "" {
			t.Errorf("e-mails (-want +got):\n%s", diff)
		}
		res, err := p.deliver(paymentstest.Completed(req, "evt_paid_anyway", r.PaymentReference, p.priced.Price))
		if err != nil || res.Outcome != ticketing.PaymentRefunded {
			t.Fatalf("payment after the cancellation: got %+v, %v; want refunded", res, err)
		}
		if got := p.get(t, r.ID); got.Status != ce.RegistrationCancelled || got.RefundReference != "re_"+r.PaymentReference {
			t.Errorf("after the refund: status %s, refund %q; want cancelled, refund re_%s", got.Status, got.RefundReference, r.PaymentReference)
		}
	})
}

// TestPaymentOfALostCheckoutReference pays a checkout whose registration
// lost its reference (recording it failed after the checkout was made):
// the checkout, made for that registration alone, still confirms it.
func TestPaymentOfALostCheckoutReference(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		p := newPaid(t, store)
		r, req := p.pendingFor(t, p.priced, 0)
		checkoutID := r.PaymentReference
		lost := p.get(t, r.ID)
		lost.PaymentReference = ""
		if err := store.Registrations().Update(context.Background(), lost); err != nil {
			t.Fatal(err)
		}
		res, err := p.deliver(paymentstest.Completed(req, "evt_paid", checkoutID, p.priced.Price))
		if err != nil || res.Outcome != ticketing.PaymentConfirmedRegistration {
			t.Fatalf("payment: got %+v, %v; want the registration confirmed", res, err)
		}
		if got := p.get(t, r.ID); got.Status != ce.RegistrationConfirmed || got.PaymentReference != checkoutID {
			t.Errorf("after the payment: status %s, reference %q; want confirmed by %s", got.Status, got.PaymentReference, checkoutID)
		}
	})
}

// TestCancelledEventRefusesItsAttendees checks that an event the organizer
// cancelled admits nobody: no check-in, no join link, no auction payment.
func TestCancelledEventRefusesItsAttendees(t *testing.T) {
	p := newPaid(t, newMemstore(t))
	ctx := context.Background()
	item, err := p.svc.CreateAuctionItem(ctx, p.org, p.event.ID, validItem())
	if err != nil {
		t.Fatal(err)
	}
	onSite, online := p.register(t, p.inPerson, 0), p.register(t, p.virtual, 1)
	if _, err := p.svc.PlaceBid(ctx, onSite.GuideToken, item.ID, 1500); err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.CloseAuctionItem(ctx, p.org, item.ID); err != nil {
		t.Fatal(err)
	}
	e, err := p.store.Events().Get(ctx, p.org, p.event.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Status = ce.EventCancelled
	if err := p.store.Events().Update(ctx, e); err != nil {
		t.Fatal(err)
	}

	_, err = p.svc.CheckIn(ctx, p.org, p.event.ID, ticketing.CheckInInput{TicketCode: onSite.TicketCode})
	wantKind(t, err, ce.ErrConflict, "")
	_, err = p.svc.Join(ctx, online.JoinToken)
	wantKind(t, err, ce.ErrForbidden, "")
	_, err = p.svc.PayAuctionItem(ctx, onSite.GuideToken, item.ID)
	wantKind(t, err, ce.ErrConflict, "")
	if n := len(p.payments.Checkouts()); n != 0 {
		t.Errorf("%d checkouts started, want none", n)
	}
}
