package paymentstest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/paymentstest"
)

// A test of a service that takes payments configures it with a Fake,
// checks the checkout the service started and plays the provider's part
// by posting the callback of the payment.
func Example() {
	ctx := context.Background()
	pay := paymentstest.New()
	now := func() time.Time { return time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC) }
	svc := ticketing.New(memstore.New(), &ticketing.Options{Now: now, Payments: pay, PublicURL: "https://events.example.org"})
	org, _, err := svc.CreateOrganization(ctx, "Acme Events")
	if err != nil {
		fmt.Println(err)
		return
	}
	e, err := svc.CreateEvent(ctx, org.ID, ticketing.EventInput{
		Title:    "Spring meetup",
		TimeZone: "Europe/Amsterdam",
		StartsAt: time.Date(2026, 5, 20, 17, 0, 0, 0, time.UTC),
		EndsAt:   time.Date(2026, 5, 20, 21, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	gala, err := svc.CreateTier(ctx, org.ID, e.ID, ticketing.TierInput{Name: "Gala", Price: ce.Money{Amount: 2500, Currency: "EUR"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := svc.PublishEvent(ctx, org.ID, e.ID); err != nil {
		fmt.Println(err)
		return
	}

	reg, err := svc.Register(ctx, e.ID, ticketing.RegistrationInput{
		TierID: gala.ID, Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	req := pay.LastCheckout()
	fmt.Println(reg.Checkout.URL, req.Amount, req.Email)

	// Ada pays in full.
	body, header := paymentstest.Callback(paymentstest.Completed(req, "evt_1", reg.Checkout.ID, req.Amount))
	res, err := svc.HandlePaymentEvent(ctx, body, header)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Outcome)

	// A callback without the signature is refused.
	_, err = svc.HandlePaymentEvent(ctx, body, http.Header{})
	fmt.Println(errors.Is(err, ce.ErrUnauthorized))
	// Output:
	// https://pay.example.com/cs_1 EUR 25.00 ada@example.org
	// registration_confirmed
	// true
}
