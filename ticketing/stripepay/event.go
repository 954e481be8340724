package stripepay

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"
)

// SignatureHeader is the header that carries Stripe's signature of a
// callback.
const SignatureHeader = "Stripe-Signature"

// ParseEvent verifies a callback to the Stripe webhook endpoint, its raw
// body and its Stripe-Signature header, with Config.WebhookSecret and
// Config.Tolerance, and returns what it reports:
//
//   - checkout.session.completed with payment_status "paid", and
//     checkout.session.async_payment_succeeded: PaymentCompleted, with the
//     amount paid;
//   - checkout.session.completed with payment_status "unpaid": a payment
//     method that confirms later (SEPA debit, a bank transfer), which
//     reports with an async_payment event: PaymentProcessing;
//   - checkout.session.expired, and checkout.session.async_payment_failed
//     (the session is over and unpaid): PaymentExpired;
//   - anything else: PaymentOther, with only the event's id and time.
//
// The ids in the session's metadata are returned as they are; a session
// CreateCheckout did not create has none.
//
// A missing or malformed signature header, a signature that does not
// match, or a signed timestamp outside the tolerance is an error matching
// completeevent.ErrUnauthorized and the stripe-go webhook error
// (webhook.ErrNotSigned, ErrInvalidHeader, ErrNoValidSignature, ErrTooOld).
// A signed body that is no Stripe event, or a checkout.session event
// without a valid session (no id, a negative, fractional or missing
// amount, an unknown currency) is ErrInvalid.
func (p *Payments) ParseEvent(body []byte, header http.Header) (*ticketing.PaymentEvent, error) {
	sig := header.Get(SignatureHeader)
	// The API version of a callback is the webhook endpoint's, set in the
	// Stripe Dashboard, and may differ from the one stripe-go v76 is
	// pinned to. A mismatch would refuse every callback until the two
	// agree; the few fields read here (the event's id, type and created,
	// the session's id, metadata, payment_status, amount_total and
	// currency) are the same in every API version, so it is ignored.
	ev, err := webhook.ConstructEventWithOptions(body, sig, p.webhookSecret, webhook.ConstructEventOptions{
		Tolerance:                p.tolerance,
		IgnoreAPIVersionMismatch: true,
	})
	if err != nil {
		return nil, verifyError(err, p.tolerance)
	}
	// stripe-go refuses old timestamps only; refuse those too far ahead.
	if at, ok := signedAt(sig); ok && time.Until(at) > p.tolerance {
		return nil, &ce.Error{Kind: ce.ErrUnauthorized, Message: "stripe signature timestamp is in the future", Err: webhook.ErrTooOld}
	}
	if ev.ID == "" {
		return nil, ce.Invalid("id", "the stripe event has no id")
	}
	out := &ticketing.PaymentEvent{ID: ev.ID, Type: ticketing.PaymentOther}
	if ev.Created > 0 {
		out.CreatedAt = time.Unix(ev.Created, 0).UTC()
	}
	switch ev.Type {
	case stripe.EventTypeCheckoutSessionCompleted, stripe.EventTypeCheckoutSessionAsyncPaymentSucceeded:
		s, err := parseSession(ev.Data)
		if err != nil {
			return nil, err
		}
		switch {
		case ev.Type == stripe.EventTypeCheckoutSessionCompleted && s.PaymentStatus == string(stripe.CheckoutSessionPaymentStatusUnpaid):
			out.Type = ticketing.PaymentProcessing // paid later, or never: an async_payment event tells
			s.fill(out)
			return out, nil
		case s.PaymentStatus != string(stripe.CheckoutSessionPaymentStatusPaid):
			return out, nil
		}
		if s.AmountTotal == nil || s.Currency == "" {
			return nil, ce.Invalid("amount_total", "a completed checkout session has no amount_total and currency")
		}
		amount, err := fromStripe(*s.AmountTotal, s.Currency)
		if err != nil {
			return nil, err
		}
		out.Type = ticketing.PaymentCompleted
		out.Amount = amount
		s.fill(out)
	case stripe.EventTypeCheckoutSessionExpired, stripe.EventTypeCheckoutSessionAsyncPaymentFailed:
		s, err := parseSession(ev.Data)
		if err != nil {
			return nil, err
		}
		if s.AmountTotal != nil && s.Currency != "" {
			if out.Amount, err = fromStripe(*s.AmountTotal, s.Currency); err != nil {
				return nil, err
			}
		}
		out.Type = ticketing.PaymentExpired
		s.fill(out)
	}
	return out, nil
}

// verifyError maps an error of stripe-go's ConstructEvent to an error
// kind, keeping it as the cause.
func verifyError(err error, tolerance time.Duration) error {
	var msg string
	switch {
	case errors.Is(err, webhook.ErrNotSigned):
		msg = "missing Stripe-Signature header"
	case errors.Is(err, webhook.ErrInvalidHeader):
		msg = "malformed Stripe-Signature header"
	case errors.Is(err, webhook.ErrNoValidSignature):
		msg = "stripe signature does not match"
	case errors.Is(err, webhook.ErrTooOld):
		msg = "stripe signature timestamp is more than " + tolerance.String() + " old"
	default:
		// The signature matched: the body is Stripe's, but no event.
		return &ce.Error{Kind: ce.ErrInvalid, Field: "body", Message: "not a stripe event", Err: err}
	}
	return &ce.Error{Kind: ce.ErrUnauthorized, Message: msg, Err: err}
}

// signedAt returns the timestamp of a Stripe-Signature header
// ("t=1700000000,v1=…"), read as stripe-go reads it: the last t wins.
func signedAt(header string) (time.Time, bool) {
	var at time.Time
	found := false
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(part, "=")
		if !ok || k != "t" {
			continue
		}
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		at, found = time.Unix(sec, 0), true
	}
	return at, found
}

// checkoutSession holds the fields of a Checkout Session ParseEvent reads.
// Amounts decode into integers only: 12.5, 1e3 or "12" are errors, never
// truncated.
type checkoutSession struct {
	ID            string            `json:"id"`
	Object        string            `json:"object"`
	Metadata      map[string]string `json:"metadata"`
	PaymentStatus string            `json:"payment_status"`
	AmountTotal   *int64            `json:"amount_total"`
	Currency      string            `json:"currency"`
}

func parseSession(data *stripe.EventData) (*checkoutSession, error) {
	if data == nil || len(data.Raw) == 0 {
		return nil, ce.Invalid("data.object", "the stripe event has no object")
	}
	var s checkoutSession
	if err := json.Unmarshal(data.Raw, &s); err != nil {
		return nil, &ce.Error{Kind: ce.ErrInvalid, Field: "data.object", Message: "not a checkout session", Err: err}
	}
	if s.Object != "checkout.session" {
		return nil, ce.Invalid("data.object", "a %q, not a checkout session", s.Object)
	}
	if s.ID == "" {
		return nil, ce.Invalid("data.object.id", "the checkout session has no id")
	}
	return &s, nil
}

// fill copies the session's id and our ids to ev.
func (s *checkoutSession) fill(ev *ticketing.PaymentEvent) {
	ev.CheckoutID = s.ID
	ev.Purpose = ticketing.PaymentPurpose(s.Metadata[MetadataPurpose])
	ev.OrganizationID = s.Metadata[MetadataOrganizationID]
	ev.EventID = s.Metadata[MetadataEventID]
	ev.RegistrationID = s.Metadata[MetadataRegistrationID]
	ev.ItemID = s.Metadata[MetadataItemID]
}
