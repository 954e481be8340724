package completeevent

import "time"

// RegistrationStatus is the life-cycle state of a registration.
type RegistrationStatus string

// The registration statuses. A free registration is confirmed at once; a
// paid one waits for its payment.
const (
	RegistrationPendingPayment RegistrationStatus = "pending_payment"
	RegistrationConfirmed      RegistrationStatus = "confirmed"
	RegistrationCancelled      RegistrationStatus = "cancelled"
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
	TicketCode    string        `json:"-"`
	CheckedInAt   time.Time     `json:"checkedInAt,omitzero"`
	CheckInMethod CheckInMethod `json:"checkInMethod,omitempty"`
	// PaymentReference is the payment provider's id of the payment.
	PaymentReference string    `json:"paymentReference,omitempty"`
	AmountPaid       Money     `json:"amountPaid"`
	CancelledAt      time.Time `json:"cancelledAt,omitzero"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
}
