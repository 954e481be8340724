package ticketing_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
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

// paid is attendees with a priced tier and payments.
type paid struct {
	*attendees
	payments *paymentstest.Fake
	priced   *ce.Tier
	events   int
}

func newPaid(t *testing.T, store storage.Store) *paid {
	t.Helper()
	a := newAttendees(t, store)
	p := &paid{attendees: a, payments: paymentstest.New()}
	a.svc = ticketing.New(store, &ticketing.Options{
		Now:        a.now,
		Dispatcher: a.hooks,
		Payments:   p.payments,
		PublicURL:  "https://events.example.org/",
	})
	p.priced = mustCreateTier(t, a.svc, a.org, a.event.ID, ticketing.TierInput{Name: "Gala", Price: ce.Money{Amount: 2500, Currency: "EUR"}, Capacity: 1})
	return p
}

// deliver hands the service the provider's signed callback reporting ev.
func (p *paid) deliver(ev ticketing.PaymentEvent) (*ticketing.PaymentResult, error) {
	body, header := paymentstest.Callback(ev)
	return p.svc.HandlePaymentEvent(context.Background(), body, header)
}

func TestPaidRegistration(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		p := newPaid(t, store)
		ctx := context.Background()
		got, err := p.svc.Register(ctx, p.event.ID, attendee(p.priced.ID, 0))
		if err != nil {
			t.Fatalf("Register: %v", err)
		}
		r := got.Registration
		if r.Status != ce.RegistrationPendingPayment || got.Checkout == nil || r.PaymentReference != got.Checkout.ID {
			t.Fatalf("registration %+v, checkout %+v: want pending with the checkout's id", r, got.Checkout)
		}
		req := p.payments.LastCheckout()
		wantReq := ticketing.CheckoutRequest{
			Purpose: ticketing.PurposeRegistration, OrganizationID: p.org, EventID: p.event.ID, RegistrationID: r.ID,
			Description: "Spring meetup – Gala", Amount: ce.Money{Amount: 2500, Currency: "EUR"}, Email: "ada@example.org",
			SuccessURL:     "https://events.example.org/guide/" + r.GuideToken + "?payment=done",
			CancelURL:      "https://events.example.org/guide/" + r.GuideToken + "?payment=cancelled",
			ExpiresAt:      testNow.Add(30 * time.Minute),
			IdempotencyKey: "checkout-" + r.ID,
		}
		if diff := cmp.Diff(wantReq, req); diff != "" {
			t.Errorf("checkout request (-want +got):\n%s", diff)
		}
		if _, err := p.svc.Register(ctx, p.event.ID, attendee(p.priced.ID, 1)); !errors.Is(err, storage.ErrSoldOut) {
			t.Errorf("second registration while the first pays: got %v, want sold out (the seat is held)", err)
		}
		if n := len(messages[webhook.RegistrationConfirmed](t, p.attendees)); n != 0 {
			t.Errorf("a pending registration published %d registration.confirmed messages", n)
		}

		for _, tc := range []struct {
			name    string
			id      string
			typ     ticketing.PaymentEventType
			session string
			amount  ce.Money
			want    ticketing.PaymentOutcome
		}{
			{"unknown checkout", "evt_a", ticketing.PaymentCompleted, "cs_other", ce.Money{Amount: 2500, Currency: "EUR"}, ticketing.PaymentIgnored},
			{"amount mismatch", "evt_b", ticketing.PaymentCompleted, r.PaymentReference, ce.Money{Amount: 25, Currency: "EUR"}, ticketing.PaymentRejected},
			{"currency mismatch", "evt_c", ticketing.PaymentCompleted, r.PaymentReference, ce.Money{Amount: 2500, Currency: "USD"}, ticketing.PaymentRejected},
			{"other type", "evt_d", ticketing.PaymentOther, r.PaymentReference, ce.Money{}, ticketing.PaymentIgnored},
			{"success", "evt_e", ticketing.PaymentCompleted, r.PaymentReference, ce.Money{Amount: 2500, Currency: "EUR"}, ticketing.PaymentConfirmedRegistration},
			{"the same event again", "evt_e", ticketing.PaymentCompleted, r.PaymentReference, ce.Money{Amount: 2500, Currency: "EUR"}, ticketing.PaymentDuplicate},
			{"expiry after success", "evt_f", ticketing.PaymentExpired, r.PaymentReference, ce.Money{}, ticketing.PaymentIgnored},
		} {
			ev := paymentstest.Completed(req, tc.id, tc.session, tc.amount)
			ev.Type = tc.typ // the other types carry the same fields
			res, err := p.deliver(ev)
			if err != nil || res.Outcome != tc.want {
				t.Errorf("%s: got %+v, %v; want outcome %s", tc.name, res, err, tc.want)
			}
		}
		stored, err := p.svc.GetRegistration(ctx, p.org, r.ID)
		if err != nil || stored.Status != ce.RegistrationConfirmed || stored.AmountPaid != p.priced.Price {
			t.Errorf("after payment: %+v (%v); want confirmed, paid %v", stored, err, p.priced.Price)
		}
		msgs := messages[webhook.RegistrationConfirmed](t, p.attendees)
		if len(msgs) != 1 {
			t.Fatalf("got %d registration.confirmed messages, want 1", len(msgs))
		}
		if data := msgs[0]; data.Amount != 2500 || data.Currency != "EUR" || data.PaymentReference != r.PaymentReference {
			t.Errorf("registration.confirmed data %+v: want 2500 EUR paid by %s", data, r.PaymentReference)
		}
		if diff := cmp.Diff([]ce.EmailKind{ce.EmailConfirmation}, p.emails(t, r.ID)); diff != "" {
			t.Errorf("e-mails (-want +got):\n%s", diff)
		}
	})
}

func TestPaidRegistrationExpiryFreesTheSeat(t *testing.T) {
	p := newPaid(t, newMemstore(t))
	ctx := context.Background()
	got, err := p.svc.Register(ctx, p.event.ID, attendee(p.priced.ID, 0))
	if err != nil {
		t.Fatal(err)
	}
	req := p.payments.LastCheckout()
	res, err := p.deliver(paymentstest.Expired(req, "evt_x", got.Checkout.ID))
	if err != nil || res.Outcome != ticketing.PaymentReleasedRegistration {
		t.Fatalf("expiry: got %+v, %v; want the registration released", res, err)
	}
	if _, err := p.svc.Register(ctx, p.event.ID, attendee(p.priced.ID, 1)); err != nil {
		t.Errorf("registering for the freed seat: %v", err)
	}
	// A completion that arrives after the expiry released the seat is
	// refunded, never confirmed.
	res, err = p.deliver(paymentstest.Completed(req, "evt_y", got.Checkout.ID, p.priced.Price))
	if err != nil || res.Outcome != ticketing.PaymentRefunded || len(p.payments.Refunds()) != 1 {
		t.Errorf("late completion: got %+v, %v, refunds %v; want a refund", res, err, p.payments.Refunds())
	}
}

func TestPaymentEventRefusesForgeries(t *testing.T) {
	p := newPaid(t, newMemstore(t))
	_, err := p.svc.HandlePaymentEvent(context.Background(), []byte(`{}`), http.Header{paymentstest.SignatureHeader: {"forged"}})
	wantKind(t, err, ce.ErrUnauthorized, "")
	plain := newAttendees(t, newMemstore(t))
	_, err = plain.svc.HandlePaymentEvent(context.Background(), []byte(`{}`), http.Header{})
	wantKind(t, err, ce.ErrConflict, "")
}

func TestPaidRegistrationGivesTheSeatBackWhenTheCheckoutFails(t *testing.T) {
	p := newPaid(t, newMemstore(t))
	p.payments.SetFailure(errors.New("stripe is down"))
	_, err := p.svc.Register(context.Background(), p.event.ID, attendee(p.priced.ID, 0))
	if err == nil || !strings.Contains(err.Error(), "stripe is down") {
		t.Fatalf("Register: got %v, want the provider's error", err)
	}
	p.payments.SetFailure(nil)
	if _, err := p.svc.Register(context.Background(), p.event.ID, attendee(p.priced.ID, 1)); err != nil {
		t.Errorf("the seat was not given back: %v", err)
	}
}

func TestCancelWithRefund(t *testing.T) {
	p := newPaid(t, newMemstore(t))
	ctx := context.Background()
	got, err := p.svc.Register(ctx, p.event.ID, attendee(p.priced.ID, 0))
	if err != nil {
		t.Fatal(err)
	}
	r := got.Registration
	if res, err := p.deliver(paymentstest.Completed(p.payments.LastCheckout(), "evt_ok", r.PaymentReference, p.priced.Price)); err != nil || res.Outcome != ticketing.PaymentConfirmedRegistration {
		t.Fatalf("payment: %+v, %v", res, err)
	}
	free := p.register(t, p.inPerson, 1)
	_, err = p.svc.CancelRegistration(ctx, p.org, free.ID, ticketing.CancelInput{Refund: true})
	wantKind(t, err, ce.ErrInvalid, "refund")

	cancelled, err := p.svc.CancelRegistration(ctx, p.org, r.ID, ticketing.CancelInput{Reason: "Event moved", Refund: true})
	if err != nil {
		t.Fatalf("CancelRegistration with refund: %v", err)
	}
	if cancelled.RefundReference != "re_"+r.PaymentReference || !cmp.Equal(p.payments.Refunds(), []string{r.PaymentReference}) {
		t.Errorf("refund %q, refunds %v; want one refund of %s", cancelled.RefundReference, p.payments.Refunds(), r.PaymentReference)
	}
	msgs := messages[webhook.RegistrationCancelled](t, p.attendees)
	if len(msgs) != 1 || !msgs[0].Refunded || msgs[0].RefundReference != cancelled.RefundReference || msgs[0].Reason != "Event moved" {
		t.Errorf("registration.cancelled %+v: want refunded with %s for Event moved", msgs, cancelled.RefundReference)
	}
}
