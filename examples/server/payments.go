package main

import (
	"fmt"
	"io"
	"net/http"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
)

// maxStripeBodyBytes bounds the body of a Stripe callback: 64 KiB, far
// more than a Checkout Session event, whose object Stripe caps.
const maxStripeBodyBytes = 64 << 10

// paymentEventResponse is the body of a 200 answer to a payment callback:
// what the server did with it, e.g. "registration_confirmed", or
// "duplicate", "ignored" or "rejected" with the reason.
type paymentEventResponse struct {
	Outcome ticketing.PaymentOutcome `json:"outcome"`
	Reason  string                   `json:"reason,omitempty"`
}

// stripeWebhook answers POST /stripe/webhook, Stripe's callbacks, without
// an API key: the Stripe-Signature header over the raw body authenticates
// them. Every verified callback is answered 200 with its outcome, even one
// that changed nothing (a duplicate, an unknown session), so that Stripe
// stops sending it; a forged or stale one is 401, a malformed one 400, and
// a failure of the store or of Stripe 500, so that Stripe sends it again.
// Without payments the route is not found. The body, which holds the
// payer's details, is never logged.
func (s *server) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.payments {
		s.writeError(w, r, ce.NotFound("no such route: %s %s", r.Method, r.URL.Path))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxStripeBodyBytes))
	if err != nil {
		if tooLarge(err) {
			s.writeError(w, r, &requestError{code: codePayloadTooLarge, message: fmt.Sprintf("the body must be at most %d bytes", maxStripeBodyBytes)})
			return
		}
		s.writeError(w, r, &requestError{code: codeMalformedJSON, message: "cannot read the body"})
		return
	}
	res, err := s.svc.HandlePaymentEvent(r.Context(), body, r.Header)
	if err != nil {
		status, detail := describePaymentError(err)
		if status == http.StatusInternalServerError {
			s.logger.ErrorContext(r.Context(), "payment callback failed; the provider will send it again", "path", r.URL.Path, "err", err)
		}
		s.writeJSON(w, r, status, errorBody{Error: detail})
		return
	}
	s.writeJSON(w, r, http.StatusOK, paymentEventResponse{Outcome: res.Outcome, Reason: res.Reason})
}
