package storage

import (
	"context"
	"errors"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// ErrSoldOut is matched, together with completeevent.ErrConflict, by the
// error of a write that would take a seat beyond the capacity of a tier or
// of an event.
var ErrSoldOut = errors.New("sold out")

// SoldOut returns the error adapters return for a write refused for want
// of a seat in the record of kind what ("tier" or "event") with the id: it
// matches ErrConflict and ErrSoldOut, with a message such as "tier
// tier_… is sold out".
func SoldOut(what, id string) error {
	return &ce.Error{Kind: ce.ErrConflict, Message: what + " " + id + " is sold out", Err: ErrSoldOut}
}

// Registrations stores attendees' registrations, each in its event and tier,
// and keeps the count of seats they hold.
//
// A registration holds a seat while its status is pending_payment,
// payment_processing or confirmed (RegistrationStatus.HoldsSeat). Adapters keep, for every tier
// and every event, the number of seats held, and change it in the same
// atomic step as the registration: a write that would make the seats held
// exceed the tier's Capacity or the event's Settings.Capacity (when not
// zero) stores nothing and returns an error matching ErrConflict and
// ErrSoldOut. Concurrent writers are never both admitted to the last seat.
// Lowering a capacity below the seats held is allowed: it only refuses new
// seats.
type Registrations interface {
	// Create stores a new registration with Version 1, taking a seat if
	// its status holds one. It returns ErrNotFound if its tier does not
	// exist in its organization's event (r.EventID), ErrSoldOut (see
	// above), and ErrConflict if the id, the guide token, the ticket code
	// or a non-empty join token exists.
	Create(ctx context.Context, r *ce.Registration) error
	// Get returns the organization's registration with the id, or
	// ErrNotFound.
	Get(ctx context.Context, organizationID, id string) (*ce.Registration, error)
	// GetByToken returns the registration, of any organization, whose
	// token of the kind equals token, or ErrNotFound; an empty token is
	// ErrNotFound.
	GetByToken(ctx context.Context, kind TokenKind, token string) (*ce.Registration, error)
	// List returns the registrations of the organization's event ordered
	// by id (creation time), at most PageLimit(f.Limit) of them.
	List(ctx context.Context, organizationID, eventID string, f RegistrationFilter) ([]*ce.Registration, error)
	// ListPendingPayment returns at most limit pending_payment
	// registrations, of any organization, whose CreatedAt is strictly
	// before createdBefore (normalized by NormalizeTime), oldest first (by
	// CreatedAt, then id): the holds a releasing worker gives back when
	// their payment never completed. A limit of zero or less returns none.
	ListPendingPayment(ctx context.Context, createdBefore time.Time, limit int) ([]*ce.Registration, error)
	// Update replaces the stored registration of r's organization and id
	// with r and increments its Version. When the status changes from
	// one that holds a seat to one that does not, the seat is given back;
	// the other way round it is taken, and ErrSoldOut returned if there is
	// none. It returns ErrNotFound if there is no such registration and
	// ErrConflict if r.Version is not the stored version. OrganizationID,
	// EventID, TierID, the tokens and CreatedAt are never changed.
	Update(ctx context.Context, r *ce.Registration) error
	// Counts returns, for each tier of the organization's event that has
	// registrations, their numbers by state, in one query. Tiers without
	// registrations are absent; an event of another organization or that
	// does not exist gives an empty map.
	Counts(ctx context.Context, organizationID, eventID string) (map[string]TierCounts, error)
	// CountByEvents returns, for each of the organization's events with
	// the ids that has registrations, their numbers by state over all its
	// tiers, in one query. Events without registrations, of another
	// organization or that do not exist are absent; an empty list of ids
	// gives an empty map.
	CountByEvents(ctx context.Context, organizationID string, eventIDs []string) (map[string]TierCounts, error)
}

// TokenKind names one of a registration's unguessable tokens.
type TokenKind int

// The token kinds.
const (
	// GuideToken is Registration.GuideToken, the event guide link's key.
	GuideToken TokenKind = iota + 1
	// TicketCode is Registration.TicketCode, the QR code's payload.
	TicketCode
	// JoinToken is Registration.JoinToken, the join link's key.
	JoinToken
)

// RegistrationFilter selects and pages the registrations List returns.
type RegistrationFilter struct {
	// Status, if set, keeps only registrations with that status.
	Status ce.RegistrationStatus
	// TierID, if set, keeps only registrations of that tier.
	TierID string
	// After, if set, is the id of the last registration of the previous
	// page: the listing continues after it. An id of another event or of
	// no registration is ErrNotFound.
	After string
	// Limit is the page size; see PageLimit.
	Limit int
}

// TierCounts are the numbers of a tier's registrations.
type TierCounts struct {
	// PendingPayment and Confirmed hold seats; Cancelled do not.
	// PendingPayment counts the registrations awaiting their payment:
	// pending_payment and payment_processing.
	PendingPayment int
	Confirmed      int
	Cancelled      int
	// CheckedIn counts the confirmed registrations checked in.
	CheckedIn int
}

// Held returns the number of seats the tier's registrations hold.
func (c TierCounts) Held() int { return c.PendingPayment + c.Confirmed }

// Emails is the outbox of e-mails to attendees. An e-mail is queued with
// Enqueue in the transaction of the change it reports, so a committed
// change always has its e-mail and a rolled-back one never does; mail
// workers, in any number of processes sharing the database, take due
// e-mails with Claim, which leases each to one worker until the lease
// expires, and record each attempt with Finish.
type Emails interface {
	// Enqueue stores a new pending e-mail, due at e.NextAttemptAt. It
	// returns ErrNotFound if its registration does not exist in its
	// organization, and ErrConflict if the id exists.
	Enqueue(ctx context.Context, e *ce.Email) error
	// Claim leases at most limit pending e-mails due at now to worker
	// until now plus lease, oldest due first (by NextAttemptAt, then id),
	// and returns them with NextAttemptAt set to the end of the lease and
	// UpdatedAt to now, as stored. An e-mail it returns is returned by no
	// other Claim before its lease expires. A limit of zero or less
	// claims nothing.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int, worker string) ([]ClaimedEmail, error)
	// Finish records an attempt of a claimed e-mail if the claim is still
	// its latest: it sets Status, Attempts (incremented), NextAttemptAt
	// (zero unless pending), LastError, SentAt (for sent) and UpdatedAt to
	// now, and ends the lease. It reports whether it did: false means the
	// lease had expired and another worker claimed the e-mail since.
	Finish(ctx context.Context, now time.Time, outcome EmailOutcome) (bool, error)
	// ListByRegistration returns the organization's e-mails to the
	// registration, oldest first (by CreatedAt, then id).
	ListByRegistration(ctx context.Context, organizationID, registrationID string) ([]*ce.Email, error)
}

// ClaimedEmail is an e-mail leased to a worker.
type ClaimedEmail struct {
	Email ce.Email
	// Seq tells the claims of one e-mail apart; Finish needs it.
	Seq int64
}

// EmailOutcome is the result of one attempt to send a claimed e-mail.
type EmailOutcome struct {
	EmailID string
	// Seq is the claim's, from ClaimedEmail.
	Seq int64
	// Status is EmailSent, EmailFailed (for good) or EmailPending to try
	// again at NextAttemptAt.
	Status        ce.EmailStatus
	NextAttemptAt time.Time
	// Error is the attempt's error, empty for a sent e-mail.
	Error string
}
