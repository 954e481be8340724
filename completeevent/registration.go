package completeevent

import "time"

// RegistrationStatus is the life-cycle state of a registration.
type RegistrationStatus string

// The registration statuses. A free registration is confirmed at once; a
// paid one waits for its payment: pending_payment until the attendee pays,
// or gives up and the checkout expires. A payment method that confirms
// later (a bank debit or transfer) makes it payment_processing until the
// provider reports the payment's success or failure, which may take days;
// its seat stays held meanwhile.
const (
	RegistrationPendingPayment    RegistrationStatus = "pending_payment"
	RegistrationPaymentProcessing RegistrationStatus = "payment_processing"
	RegistrationConfirmed         RegistrationStatus = "confirmed"
	RegistrationCancelled         RegistrationStatus = "cancelled"
)

// CheckInMethod says how an attendee was checked in.
type CheckInMethod string

// The check-in methods.
const (
	CheckInQR     CheckInMethod = "qr"
	CheckInManual CheckInMethod = "manual"
)

// Registration is one attendee's ticket for one tier of an event.
type Registration struct {
	ID             string             `json:"id"`
	OrganizationID string             `json:"organizationId"`
	EventID        string             `json:"eventId"`
	TierID         string             `json:"tierId"`
	Email          string             `json:"email"`
	FirstName      string             `json:"firstName"`
	LastName       string             `json:"lastName"`
	Status         RegistrationStatus `json:"status"`
	// GuideToken is the unguessable key of the attendee's event guide page.
	GuideToken string `json:"-"`
	// TicketCode is the unguessable payload of the ticket's QR code.
	TicketCode string `json:"-"`
	// JoinToken is the unguessable key of the personal join link, which
	// redirects to the tier's current join URL while the registration is
	// confirmed and the tier virtual. Registrations of in-person tiers
	// have one too, for a tier made virtual later; it may be empty for
	// registrations made by other means.
	JoinToken string `json:"-"`
	// JoinedAt is when the join link was first used: attendance of a
	// virtual tier.
	JoinedAt      time.Time     `json:"joinedAt,omitzero"`
	CheckedInAt   time.Time     `json:"checkedInAt,omitzero"`
	CheckInMethod CheckInMethod `json:"checkInMethod,omitempty"`
	// PaymentReference is the payment provider's id of the payment.
	PaymentReference string `json:"paymentReference,omitempty"`
	// AmountPaid is what the attendee paid: zero in the tier's currency
	// for a free tier, the tier's price once a payment is confirmed, and
	// while it is pending the amount due.
	AmountPaid Money `json:"amountPaid"`
	// RefundReference is the payment provider's id of the refund of a
	// cancelled paid registration, if it was refunded.
	RefundReference string    `json:"refundReference,omitempty"`
	CancelledAt     time.Time `json:"cancelledAt,omitzero"`
	// CancelReason is the organizer's optional reason for cancelling.
	CancelReason string `json:"cancelReason,omitempty"`
	// Version counts the stored changes, as Event.Version does.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// HoldsSeat reports whether a registration in status s counts against the
// capacity of its tier and event: awaiting its payment or confirmed.
func (s RegistrationStatus) HoldsSeat() bool {
	return s.AwaitsPayment() || s == RegistrationConfirmed
}

// AwaitsPayment reports whether a registration in status s waits for its
// payment: pending_payment or payment_processing.
func (s RegistrationStatus) AwaitsPayment() bool {
	return s == RegistrationPendingPayment || s == RegistrationPaymentProcessing
}

// Valid reports whether s is one of the registration statuses.
func (s RegistrationStatus) Valid() bool {
	return s.HoldsSeat() || s == RegistrationCancelled
}
