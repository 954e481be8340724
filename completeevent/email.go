package completeevent

import "time"

// EmailKind says which e-mail an attendee is sent.
type EmailKind string

// The e-mail kinds.
const (
	EmailConfirmation EmailKind = "confirmation"
	EmailCancellation EmailKind = "cancellation"
	EmailAuctionWon   EmailKind = "auction_won"
)

// EmailStatus is the state of a queued e-mail.
type EmailStatus string

// The e-mail statuses: pending until the mail server accepts it (sent) or
// refuses it for good (failed).
const (
	EmailPending EmailStatus = "pending"
	EmailSent    EmailStatus = "sent"
	EmailFailed  EmailStatus = "failed"
)

// Email is one e-mail to an attendee, queued in the transaction of the
// change it reports and sent by a worker. It names what to say, not the
// rendered message: the worker renders it from the registration when it
// sends, and its ID makes the Message-ID every attempt carries.
type Email struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organizationId"`
	RegistrationID string    `json:"registrationId"`
	Kind           EmailKind `json:"kind"`
	// SubjectID is the record the e-mail is about beyond the
	// registration, e.g. the auction item won; empty if none.
	SubjectID string      `json:"subjectId,omitempty"`
	Status    EmailStatus `json:"status"`
	// Attempts counts the finished attempts to send it.
	Attempts int `json:"attempts"`
	// NextAttemptAt is when a pending e-mail is due; zero otherwise.
	NextAttemptAt time.Time `json:"nextAttemptAt,omitzero"`
	// LastError is the error of the latest failed attempt.
	LastError string    `json:"lastError,omitempty"`
	SentAt    time.Time `json:"sentAt,omitzero"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}
