package ticketing

import (
	"context"
	"net/http"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// Payments takes attendees' payments through a provider's hosted checkout
// page. Package ticketing/stripepay implements it with Stripe Checkout;
// embedders may plug in another provider.
type Payments interface {
	// CreateCheckout starts a payment and returns the page to send the
	// payer to. Calls with the same CheckoutRequest.IdempotencyKey return
	// the same checkout.
	CreateCheckout(ctx context.Context, req CheckoutRequest) (*Checkout, error)
	// Refund refunds in full the payment completed in the checkout with
	// the id and returns the provider's id of the refund. Calls with the
	// same idempotencyKey refund once.
	Refund(ctx context.Context, checkoutID, idempotencyKey string) (string, error)
	// ParseEvent verifies a provider's callback, its raw body and its
	// headers, and returns what it reports. A forged, malformed or stale
	// callback is an error matching completeevent.ErrUnauthorized (bad
	// signature or timestamp) or ErrInvalid (bad body).
	ParseEvent(body []byte, header http.Header) (*PaymentEvent, error)
}

// PaymentPurpose says what a checkout pays for.
type PaymentPurpose string

// The payment purposes.
const (
	PurposeRegistration PaymentPurpose = "registration"
	PurposeAuctionItem  PaymentPurpose = "auction_item"
)

// errNoPayments refuses what needs payments on a Service without them.
var errNoPayments = ce.Conflict("this server takes no payments")

// CheckoutRequest describes one payment to take.
type CheckoutRequest struct {
	Purpose        PaymentPurpose
	OrganizationID string
	EventID        string
	// RegistrationID is the registration that pays: its own seat, or the
	// auction item its attendee won.
	RegistrationID string
	// ItemID is the auction item paid for, for PurposeAuctionItem.
	ItemID string
	// Description is the line the payer sees, e.g. the event and tier.
	Description string
	Amount      ce.Money
	// Email pre-fills the payer's e-mail address.
	Email string
	// SuccessURL and CancelURL are where the provider sends the payer
	// back to, e.g. the event guide.
	SuccessURL string
	CancelURL  string
	// ExpiresAt is when the checkout stops accepting the payment; zero
	// means the provider's default.
	ExpiresAt time.Time
	// IdempotencyKey makes a retried request create no second checkout.
	IdempotencyKey string
}

// Checkout is a started payment.
type Checkout struct {
	// ID is the provider's id of the checkout, e.g. a Stripe Checkout
	// Session id; the registration keeps it as its PaymentReference.
	ID string
	// URL is the page the payer pays on.
	URL       string
	ExpiresAt time.Time
}

// PaymentEventType is what a provider's callback reports.
type PaymentEventType string

// The payment event types; callbacks of other types are reported as
// PaymentOther and ignored.
const (
	// PaymentCompleted: the checkout is paid.
	PaymentCompleted PaymentEventType = "completed"
	// PaymentProcessing: the payer completed the checkout with a payment
	// method that confirms later (a bank debit or transfer); a
	// PaymentCompleted or PaymentExpired follows once the payment
	// succeeds or fails.
	PaymentProcessing PaymentEventType = "processing"
	// PaymentExpired: the checkout ended unpaid, or its delayed payment
	// failed.
	PaymentExpired PaymentEventType = "expired"
	PaymentOther   PaymentEventType = "other"
)

// PaymentEvent is a verified callback of the payment provider.
type PaymentEvent struct {
	// ID is the provider's id of the callback event: the same event
	// delivered twice has the same ID.
	ID   string
	Type PaymentEventType
	// CheckoutID is the checkout the event is about.
	CheckoutID string
	// Purpose, OrganizationID, EventID, RegistrationID and ItemID are the
	// ones CreateCheckout was given, as the provider kept them.
	Purpose        PaymentPurpose
	OrganizationID string
	EventID        string
	RegistrationID string
	ItemID         string
	// Amount is the amount paid, for PaymentCompleted.
	Amount ce.Money
	// CreatedAt is when the provider made the event.
	CreatedAt time.Time
}
