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
			ExpiresAt:      testNow.Add(31 * time.Minute),
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
			// Paid, but not the checkout the registration awaits: the
			// money buys nothing, so it goes back.
			{"another checkout paid", "evt_a", ticketing.PaymentCompleted, "cs_other", ce.Money{Amount: 2500, Currency: "EUR"}, ticketing.PaymentRefunded},
			{"another checkout expired", "evt_b", ticketing.PaymentExpired, "cs_other", ce.Money{}, ticketing.PaymentIgnored},
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

func TestPaidRegistrationAmountMismatch(t *testing.T) {
	for _, tc := range []struct {
		name   string
		amount ce.Money
	}{
		{"amount", ce.Money{Amount: 25, Currency: "EUR"}},
		{"currency", ce.Money{Amount: 2500, Currency: "USD"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
				p := newPaid(t, store)
				ctx := context.Background()
				got, err := p.svc.Register(ctx, p.event.ID, attendee(p.priced.ID, 0))
				if err != nil {
					t.Fatal(err)
				}
				r, req := got.Registration, p.payments.LastCheckout()
				wrong := paymentstest.Completed(req, "evt_wrong", r.PaymentReference, tc.amount)

				// The provider is down: nothing is recorded, so the
				// callback is delivered again.
				p.payments.SetFailure(errors.New("stripe is down"))
				if _, err := p.deliver(wrong); err == nil || !strings.Contains(err.Error(), "stripe is down") {
					t.Fatalf("refund failing: got %v, want the provider's error", err)
				}
				p.payments.SetFailure(nil)
				if stored, err := p.svc.GetRegistration(ctx, p.org, r.ID); err != nil || stored.Status != ce.RegistrationPendingPayment {
					t.Fatalf("after a failed refund: %+v (%v); want still pending", stored, err)
				}

				res, err := p.deliver(wrong)
				if err != nil || res.Outcome != ticketing.PaymentRejected || !strings.Contains(res.Reason, "refund re_"+r.PaymentReference) || !strings.Contains(res.Reason, "seat is released") {
					t.Fatalf("redelivered: got %+v, %v; want rejected, refunded and the seat released", res, err)
				}
				stored, err := p.svc.GetRegistration(ctx, p.org, r.ID)
				if err != nil || stored.Status != ce.RegistrationCancelled || stored.CancelReason != "the amount paid did not match" {
					t.Errorf("after the mismatch: %+v (%v); want cancelled as the amount paid did not match", stored, err)
				}
				if _, err := p.svc.Register(ctx, p.event.ID, attendee(p.priced.ID, 1)); err != nil {
					t.Errorf("registering for the freed seat: %v", err)
				}
				if res, err := p.deliver(wrong); err != nil || res.Outcome != ticketing.PaymentDuplicate {
					t.Errorf("delivered a third time: got %+v, %v; want duplicate", res, err)
				}
				// The right amount after all, later: the registration is
				// cancelled; the same refund, not a second one.
				res, err = p.deliver(paymentstest.Completed(req, "evt_right", r.PaymentReference, p.priced.Price))
				if err != nil || res.Outcome != ticketing.PaymentRefunded {
					t.Errorf("the right amount late: got %+v, %v; want refunded", res, err)
				}
				if diff := cmp.Diff([]string{r.PaymentReference}, p.payments.Refunds()); diff != "" {
					t.Errorf("refunds (-want +got):\n%s", diff)
				}
				if n := len(messages[webhook.RegistrationConfirmed](t, p.attendees)); n != 0 {
					t.Errorf("got %d registration.confirmed messages, want 0", n)
				}
			})
		})
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

func TestCancelWithRefundFailingCancelsNothing(t *testing.T) {
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
	p.payments.SetFailure(errors.New("stripe is down"))
	if _, err := p.svc.CancelRegistration(ctx, p.org, r.ID, ticketing.CancelInput{Refund: true}); err == nil || !strings.Contains(err.Error(), "stripe is down") {
		t.Fatalf("CancelRegistration: got %v, want the provider's error", err)
	}
	p.payments.SetFailure(nil)
	if stored, err := p.svc.GetRegistration(ctx, p.org, r.ID); err != nil || stored.Status != ce.RegistrationConfirmed {
		t.Errorf("after a failed refund: %+v (%v); want still confirmed", stored, err)
	}
	if n := len(messages[webhook.RegistrationCancelled](t, p.attendees)); n != 0 {
		t.Errorf("got %d registration.cancelled messages, want 0", n)
	}
	// Retried, the cancellation refunds once.
	cancelled, err := p.svc.CancelRegistration(ctx, p.org, r.ID, ticketing.CancelInput{Refund: true})
	if err != nil || cancelled.RefundReference != "re_"+r.PaymentReference {
		t.Fatalf("retried CancelRegistration: %+v, %v", cancelled, err)
	}
	_, err = p.svc.CancelRegistration(ctx, p.org, r.ID, ticketing.CancelInput{Refund: true})
	wantKind(t, err, ce.ErrConflict, "")
	if diff := cmp.Diff([]string{r.PaymentReference}, p.payments.Refunds()); diff != "" {
		t.Errorf("refunds (-want +got):\n%s", diff)
	}
}

// cancellingPayments is a provider that, while refunding, lets someone
// else cancel the registration.
type cancellingPayments struct {
	*paymentstest.Fake
	meanwhile func()
}

func (c cancellingPayments) Refund(ctx context.Context, checkoutID, key string) (string, error) {
	c.meanwhile()
	return c.Fake.Refund(ctx, checkoutID, key)
}

func TestCancelWithRefundRacingAnotherCancellation(t *testing.T) {
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
	other := p.svc
	svc := ticketing.New(p.store, &ticketing.Options{
		Now:        p.now,
		Dispatcher: p.hooks,
		Payments: cancellingPayments{p.payments, func() {
			if _, err := other.CancelRegistration(ctx, p.org, r.ID, ticketing.CancelInput{Reason: "first"}); err != nil {
				t.Errorf("the other cancellation: %v", err)
			}
		}},
	})
	_, err = svc.CancelRegistration(ctx, p.org, r.ID, ticketing.CancelInput{Reason: "second", Refund: true})
	wantKind(t, err, ce.ErrConflict, "")
	stored, err := p.svc.GetRegistration(ctx, p.org, r.ID)
	if err != nil || stored.Status != ce.RegistrationCancelled || stored.CancelReason != "first" || stored.RefundReference != "re_"+r.PaymentReference {
		t.Errorf("registration %+v (%v): want cancelled for the first reason, with the refund recorded", stored, err)
	}
	if n := len(messages[webhook.RegistrationCancelled](t, p.attendees)); n != 1 {
		t.Errorf("got %d registration.cancelled messages, want 1", n)
	}
}
