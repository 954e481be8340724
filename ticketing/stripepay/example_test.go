package stripepay_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/stripepay"
	"github.com/stripe/stripe-go/v76/webhook"
)

// New and CreateCheckout start a payment: send the payer to the returned
// URL and keep the checkout id with the registration.
func ExampleNew() {
	payments, err := stripepay.New(stripepay.Config{
		SecretKey:     os.Getenv("STRIPE_SECRET_KEY"),
		WebhookSecret: os.Getenv("STRIPE_WEBHOOK_SECRET"),
	})
	if err != nil {
		log.Fatal(err)
	}
	checkout, err := payments.CreateCheckout(context.Background(), ticketing.CheckoutRequest{
		Purpose:        ticketing.PurposeRegistration,
		OrganizationID: "org_01J0000000000000000000000",
		EventID:        "evt_01J0000000000000000000000",
		RegistrationID: "reg_01J0000000000000000000000",
		Description:    "Spring Gala — Standard ticket",
		Amount:         ce.Money{Amount: 2500, Currency: "EUR"},
		Email:          "ada@example.com",
		SuccessURL:     "https://events.example.com/guide/abc",
		CancelURL:      "https://events.example.com/guide/abc",
		ExpiresAt:      time.Now().Add(30 * time.Minute),
		// The same key for a retried request: Stripe creates one session.
		IdempotencyKey: "checkout-reg_01J0000000000000000000000",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pay at", checkout.URL, "until", checkout.ExpiresAt)
}

// ParseEvent verifies a callback to the Stripe webhook endpoint before
// reading it. Here the callback is signed with stripe-go's test helper, as
// Stripe signs it.
func ExamplePayments_ParseEvent() {
	payments, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_123", WebhookSecret: "whsec_example"})
	if err != nil {
		log.Fatal(err)
	}
	body := []byte(`{"id":"evt_1Q","object":"event","type":"checkout.session.completed","created":1900000000,
		"data":{"object":{"id":"cs_test_a1","object":"checkout.session","payment_status":"paid",
		"amount_total":2500,"currency":"eur","metadata":{"purpose":"registration","registration_id":"reg_1"}}}}`)
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_example"})
	header := http.Header{"Stripe-Signature": {signed.Header}}

	ev, err := payments.ParseEvent(body, header)
	if err != nil {
		log.Fatal(err) // a server answers 401 or 400 here
	}
	fmt.Println(ev.Type, ev.CheckoutID, ev.RegistrationID, ev.Amount)

	forged := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: "whsec_forged"})
	_, err = payments.ParseEvent(body, http.Header{"Stripe-Signature": {forged.Header}})
	fmt.Println(err)
	// Output:
	// completed cs_test_a1 reg_1 EUR 25.00
	// unauthorized: stripe signature does not match
}
