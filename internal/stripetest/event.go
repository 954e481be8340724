package stripetest

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
)

// Event returns the JSON body of a Stripe event callback with the id, the
// type, e.g. "checkout.session.completed", the creation time and
// data.object, which is marshalled as it is: a map or a struct of the
// fields the test needs, e.g. a Checkout Session's id, metadata,
// payment_status, amount_total and currency.
func Event(t testing.TB, id, typ string, created time.Time, object any) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{
		"id":          id,
		"object":      "event",
		"api_version": stripe.APIVersion,
		"type":        typ,
		"created":     created.Unix(),
		"livemode":    false,
		"data":        map[string]any{"object": object},
	})
	if err != nil {
		t.Fatalf("marshal event: %v", err)
	}
	return body
}

// Sign returns the headers Stripe sends with a callback body: the
// Stripe-Signature header signed with the endpoint secret at time at (the
// current time if at is zero), with stripe-go's test signing helper.
func Sign(body []byte, secret string, at time.Time) http.Header {
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{
		Payload: body, Secret: secret, Timestamp: at,
	})
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Stripe-Signature", signed.Header)
	return h
}
