package ticketing

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/txretry"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/webhook"
)

// Limits on what an attendee types, in characters.
const (
	maxAttendeeNameLength = 100
	maxEmailLength        = 254
	maxCancelReasonLength = 500
	// tokenBytes is the entropy of guide tokens, ticket codes and join
	// tokens: 160 bits, 32 characters.
	tokenBytes = 20
)

// RegistrationInput is an attendee's request for a seat. One e-mail address
// may hold several registrations, even for one tier: a parent registering
// the family, each with a name and a ticket of their own.
type RegistrationInput struct {
	// TierID is a tier of the event; required.
	TierID string
	// Email is a bare address such as "ada@example.org"; required.
	Email string
	// FirstName and LastName are required, at most 100 characters each.
	FirstName string
	LastName  string
}

// normalize trims the input's text and reports ErrInvalid naming the first
// wrong field.
func (in *RegistrationInput) normalize() error {
	in.TierID = strings.TrimSpace(in.TierID)
	in.Email = strings.TrimSpace(in.Email)
	in.FirstName = strings.TrimSpace(in.FirstName)
	in.LastName = strings.TrimSpace(in.LastName)
	if in.TierID == "" {
		return ce.Invalid("tierId", "is required")
	}
	if err := checkEmail(in.Email); err != nil {
		return err
	}
	if err := checkAttendeeName("firstName", in.FirstName); err != nil {
		return err
	}
	return checkAttendeeName("lastName", in.LastName)
}

// checkEmail reports ErrInvalid naming "email" unless s is one bare e-mail
// address, without a display name or angle brackets.
func checkEmail(s string) error {
	if s == "" {
		return ce.Invalid("email", "is required")
	}
	if len(s) > maxEmailLength {
		return ce.Invalid("email", "must be at most %d characters", maxEmailLength)
	}
	addr, err := netmail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return ce.Invalid("email", "must be an e-mail address such as name@example.org")
	}
	return nil
}

// checkAttendeeName reports ErrInvalid naming field unless s is a name of
// printable characters, present and bounded.
func checkAttendeeName(field, s string) error {
	switch {
	case s == "":
		return ce.Invalid(field, "is required")
	case !utf8.ValidString(s):
		return ce.Invalid(field, "must be UTF-8 text")
	case utf8.RuneCountInString(s) > maxAttendeeNameLength:
		return ce.Invalid(field, "must be at most %d characters", maxAttendeeNameLength)
	case strings.ContainsFunc(s, unicode.IsControl):
		return ce.Invalid(field, "must not contain control characters")
	}
	return nil
}

// Registered is the outcome of Register.
type Registered struct {
	Registration *ce.Registration
	// Checkout is where the attendee pays, for a priced tier; nil for a
	// free one, which is confirmed at once.
	Checkout *Checkout
}

// Register registers an attendee for a tier of a published event, named by
// its id alone: it is the public route, without an API key. A free tier's
// registration is confirmed at once: its registration.confirmed webhook is
// dispatched and its confirmation e-mail queued in the same transaction. A
// priced tier's registration waits for its payment (pending_payment),
// holding its seat, and Registered.Checkout says where to pay; see
// HandlePaymentEvent.
//
// It returns ErrNotFound if there is no such published event (drafts are
// not public), ErrInvalid naming the first wrong field of in (tierId for a
// tier that is not the event's), and ErrConflict if the event is cancelled
// or over, registration or the tier's sales are not open at this time, or
// the tier or the event is sold out (then errors.Is(err, storage.ErrSoldOut))
// or is priced and the Service has no Payments.
func (s *Service) Register(ctx context.Context, eventID string, in RegistrationInput) (*Registered, error) {
	if err := in.normalize(); err != nil {
		return nil, err
	}
	e, err := s.publicEvent(ctx, eventID)
	if err != nil {
		return nil, err
	}
	t, err := s.eventTier(ctx, e.OrganizationID, e.ID, in.TierID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if err := checkOnSale(e, t, now); err != nil {
		return nil, err
	}
	priced := t.Price.Amount > 0
	if priced && s.payments == nil {
		return nil, ce.Conflict("tier %s is priced and this server takes no payments", t.ID)
	}
	r := &ce.Registration{
		ID:             ce.NewID(ce.PrefixRegistration, now),
		OrganizationID: e.OrganizationID,
		EventID:        e.ID,
		TierID:         t.ID,
		Email:          in.Email,
		FirstName:      in.FirstName,
		LastName:       in.LastName,
		Status:         ce.RegistrationConfirmed,
		GuideToken:     ce.NewToken(tokenBytes),
		TicketCode:     ce.NewToken(tokenBytes),
		// Every registration gets a join link, so that a tier made
		// virtual later reaches its attendees too.
		JoinToken:  ce.NewToken(tokenBytes),
		AmountPaid: ce.Money{Currency: t.Price.Currency},
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	if priced {
		r.Status = ce.RegistrationPendingPayment
		return s.startPayment(ctx, e, t, r)
	}
	err = s.store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		// The webhook first: taking the seat locks the tier's and the
		// event's seat counts until commit, which should come soon after.
		if err := s.dispatchConfirmed(ctx, r, t); err != nil {
			return err
		}
		if err := tx.Registrations().Create(ctx, r); err != nil {
			return err
		}
		return s.queueEmail(ctx, tx, r, ce.EmailConfirmation, "")
	})
	if err != nil {
		return nil, err
	}
	s.logger.InfoContext(ctx, "registration confirmed", "organization", r.OrganizationID, "event", r.EventID, "registration", r.ID)
	return &Registered{Registration: r}, nil
}

// publicEvent returns the published event with the id, or ErrNotFound; a
// cancelled event is ErrConflict.
func (s *Service) publicEvent(ctx context.Context, id string) (*ce.Event, error) {
	e, err := s.store.Events().Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	switch e.Status {
	case ce.EventDraft:
		return nil, ce.NotFound("event %s not found", id)
	case ce.EventCancelled:
		return nil, ce.Conflict("event %s is cancelled", id)
	}
	return e, nil
}

// confirmed does what a newly confirmed registration r of tier t needs in
// its transaction: the webhook and the confirmation e-mail.
func (s *Service) confirmed(ctx context.Context, tx storage.Tx, r *ce.Registration, t *ce.Tier) error {
	if err := s.dispatchConfirmed(ctx, r, t); err != nil {
		return err
	}
	return s.queueEmail(ctx, tx, r, ce.EmailConfirmation, "")
}

// attendee returns the webhook data's description of registration r of
// tier t.
func attendee(r *ce.Registration, t *ce.Tier) webhook.Attendee {
	return webhook.Attendee{
		RegistrationID: r.ID,
		EventID:        r.EventID,
		Email:          r.Email,
		FirstName:      r.FirstName,
		LastName:       r.LastName,
		TierID:         t.ID,
		TierName:       t.Name,
		Virtual:        t.Virtual(),
	}
}

// dispatchConfirmed dispatches registration.confirmed for r of tier t.
func (s *Service) dispatchConfirmed(ctx context.Context, r *ce.Registration, t *ce.Tier) error {
	return s.dispatch(ctx, r.OrganizationID, webhook.RegistrationConfirmed{
		Attendee:         attendee(r, t),
		Amount:           r.AmountPaid.Amount,
		Currency:         r.AmountPaid.Currency,
		PaymentReference: r.PaymentReference,
		ConfirmedAt:      r.UpdatedAt,
	})
}

// dispatch publishes data through the Dispatcher, if there is one.
func (s *Service) dispatch(ctx context.Context, orgID string, data webhook.Data) error {
	if s.dispatcher == nil {
		return nil
	}
	return s.dispatcher.Dispatch(ctx, orgID, data)
}

// queueEmail queues an e-mail of the kind to r's attendee in tx, and has
// the mail worker woken once tx commits.
func (s *Service) queueEmail(ctx context.Context, tx storage.Tx, r *ce.Registration, kind ce.EmailKind, subjectID string) error {
	now := s.now()
	err := tx.Emails().Enqueue(ctx, &ce.Email{
		ID:             ce.NewID(ce.PrefixEmail, now),
		OrganizationID: r.OrganizationID,
		RegistrationID: r.ID,
		Kind:           kind,
		SubjectID:      subjectID,
		Status:         ce.EmailPending,
		NextAttemptAt:  now,
		CreatedAt:      now,
		UpdatedAt:      now,
	})
	if err != nil {
		return err
	}
	if s.emailQueued != nil {
		tx.AfterCommit(s.emailQueued)
	}
	return nil
}

// checkOnSale reports ErrConflict unless attendees may register for tier t
// of event e at now: the event is not over, and now is within the event's
// registration window and the tier's sales window.
func checkOnSale(e *ce.Event, t *ce.Tier, now time.Time) error {
	switch {
	case !now.Before(e.EndsAt):
		return ce.Conflict("event %s is over", e.ID)
	case !e.Settings.RegistrationOpensAt.IsZero() && now.Before(e.Settings.RegistrationOpensAt):
		return ce.Conflict("registration for event %s opens at %s", e.ID, localTime(e, e.Settings.RegistrationOpensAt))
	case !e.Settings.RegistrationClosesAt.IsZero() && !now.Before(e.Settings.RegistrationClosesAt):
		return ce.Conflict("registration for event %s closed at %s", e.ID, localTime(e, e.Settings.RegistrationClosesAt))
	case !t.SalesStartAt.IsZero() && now.Before(t.SalesStartAt):
		return ce.Conflict("sales of tier %s start at %s", t.ID, localTime(e, t.SalesStartAt))
	case !t.SalesEndAt.IsZero() && !now.Before(t.SalesEndAt):
		return ce.Conflict("sales of tier %s ended at %s", t.ID, localTime(e, t.SalesEndAt))
	}
	return nil
}

// localTime formats t in the event's time zone, as attendees read it, e.g.
// "2026-05-01 18:00 CEST".
func localTime(e *ce.Event, t time.Time) string {
	if loc, err := e.Location(); err == nil {
		t = t.In(loc)
	}
	return t.Format("2006-01-02 15:04 MST")
}

// CancelInput says how to cancel a registration.
type CancelInput struct {
	// Reason is the organizer's reason, shown to the attendee; optional,
	// at most 500 characters.
	Reason string
	// Refund refunds the payment of a paid, confirmed registration in
	// full through the Service's Payments.
	Refund bool
}

// CancelRegistration cancels the organization's registration with the id:
// its seat is freed, its join link stops working, registration.cancelled
// is dispatched (for a confirmed registration: webhook receivers never
// heard of one awaiting its payment) and a cancellation e-mail queued, all
// in one transaction; with in.Refund its payment is refunded first,
// outside the transaction, and the webhook says so. It returns ErrNotFound if there is no such
// registration, ErrInvalid naming "reason", or "refund" for a registration
// without a payment to refund, and ErrConflict if it is already
// cancelled: a second cancellation dispatches nothing. A failed refund
// cancels nothing; a refund made while someone else cancelled the
// registration is recorded in it, and the ErrConflict returned.
func (s *Service) CancelRegistration(ctx context.Context, orgID, id string, in CancelInput) (*ce.Registration, error) {
	reason := strings.TrimSpace(in.Reason)
	if err := validateReason(reason); err != nil {
		return nil, err
	}
	var refund string
	if in.Refund {
		var err error
		if refund, err = s.refund(ctx, orgID, id); err != nil {
			return nil, err
		}
	}
	var out *ce.Registration
	var cancelled error // the conflict of a registration cancelled before
	err := txretry.Run(ctx, s.store, false, func(ctx context.Context, tx storage.Tx) error {
		cancelled = nil
		r, err := tx.Registrations().Get(ctx, orgID, id)
		if err != nil {
			return err
		}
		if r.Status == ce.RegistrationCancelled {
			cancelled = ce.Conflict("registration %s was already cancelled at %s", id, r.CancelledAt.Format(time.RFC3339))
			if refund == "" || r.RefundReference != "" {
				return nil
			}
			// Cancelled by someone else while the payment was refunded:
			// record the refund, without a second webhook.
			r.RefundReference, r.UpdatedAt = refund, s.now()
			return txretry.Stale(tx.Registrations().Update(ctx, r))
		}
		if refund != "" {
			r.RefundReference = refund
		}
		t, err := tx.Tiers().Get(ctx, orgID, r.TierID)
		if err != nil {
			return err
		}
		wasConfirmed := r.Status == ce.RegistrationConfirmed
		cancel(r, s.now(), reason)
		if err := tx.Registrations().Update(ctx, r); err != nil {
			return txretry.Stale(err)
		}
		out = r
		// Receivers never heard of a registration that was not
		// confirmed: registration.confirmed announces one,
		// registration.cancelled its end.
		if wasConfirmed {
			err := s.dispatch(ctx, orgID, webhook.RegistrationCancelled{
				Attendee:        attendee(r, t),
				Reason:          reason,
				Refunded:        r.RefundReference != "",
				RefundReference: r.RefundReference,
				CancelledAt:     r.CancelledAt,
			})
			if err != nil {
				return err
			}
		}
		return s.queueEmail(ctx, tx, r, ce.EmailCancellation, "")
	})
	if err == nil {
		err = cancelled
	}
	if err != nil {
		return nil, err
	}
	s.logger.InfoContext(ctx, "registration cancelled", "organization", orgID, "registration", id, "refund", out.RefundReference)
	return out, nil
}

// refund refunds in full the payment of the organization's confirmed
// registration with the id, outside any transaction, and returns the
// provider's id of the refund. It returns the errors of
// CancelRegistration: ErrNotFound, ErrInvalid naming "refund", ErrConflict
// if the registration is cancelled or the Service takes no payments. The
// provider's idempotency key, the one a late payment callback uses too,
// makes a retried cancellation refund once.
func (s *Service) refund(ctx context.Context, orgID, id string) (string, error) {
	r, err := s.store.Registrations().Get(ctx, orgID, id)
	if err != nil {
		return "", err
	}
	switch {
	case r.Status == ce.RegistrationCancelled:
		return "", ce.Conflict("registration %s was already cancelled at %s", id, r.CancelledAt.Format(time.RFC3339))
	case r.Status != ce.RegistrationConfirmed || r.AmountPaid.Amount == 0 || r.PaymentReference == "":
		return "", ce.Invalid("refund", "registration %s has no payment to refund", r.ID)
	case s.payments == nil:
		return "", errNoPayments
	}
	ref, err := s.payments.Refund(ctx, r.PaymentReference, refundKey(r.PaymentReference))
	if err != nil {
		return "", fmt.Errorf("ticketing: refund registration %s: %w", r.ID, err)
	}
	return ref, nil
}

// validateReason reports ErrInvalid naming "reason" for a cancellation
// reason that is too long or holds control characters other than line
// breaks.
func validateReason(reason string) error {
	switch {
	case !utf8.ValidString(reason):
		return ce.Invalid("reason", "must be UTF-8 text")
	case utf8.RuneCountInString(reason) > maxCancelReasonLength:
		return ce.Invalid("reason", "must be at most %d characters", maxCancelReasonLength)
	case strings.ContainsFunc(reason, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }):
		return ce.Invalid("reason", "must not contain control characters")
	}
	return nil
}

// CheckInInput names the registration to check in: by the code scanned
// from its ticket's QR code, or by its id for a manual check-in. Exactly
// one of them is set.
type CheckInInput struct {
	TicketCode     string
	RegistrationID string
}

// CheckIn checks in a confirmed registration of the organization's event
// and dispatches checkin.completed with the method: qr for a ticket code,
// manual for a registration id. It returns ErrInvalid for input naming
// neither or both, or a malformed code or id (naming the field),
// ErrNotFound for an unknown code or id (or one of another organization),
// and ErrConflict with the reason for a registration of another event or
// of a cancelled event, not confirmed, or already checked in ("already
// checked in at …"): of
// simultaneous check-ins of one registration exactly one succeeds, and
// only it dispatches a webhook.
func (s *Service) CheckIn(ctx context.Context, orgID, eventID string, in CheckInInput) (*ce.Registration, error) {
	method, err := in.method()
	if err != nil {
		return nil, err
	}
	e, err := s.store.Events().Get(ctx, orgID, eventID)
	if err != nil {
		return nil, err
	}
	var out *ce.Registration
	err = txretry.Run(ctx, s.store, false, func(ctx context.Context, tx storage.Tx) error {
		r, err := in.lookup(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if err := checkInAllowed(e, r); err != nil {
			return err
		}
		t, err := tx.Tiers().Get(ctx, orgID, r.TierID)
		if err != nil {
			return err
		}
		now := s.now()
		r.CheckedInAt, r.CheckInMethod, r.UpdatedAt = now, method, now
		if err := tx.Registrations().Update(ctx, r); err != nil {
			return txretry.Stale(err)
		}
		out = r
		return s.dispatch(ctx, orgID, webhook.CheckinCompleted{
			Attendee:    attendee(r, t),
			Method:      method,
			CheckedInAt: r.CheckedInAt,
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// method validates in and returns its check-in method.
func (in CheckInInput) method() (ce.CheckInMethod, error) {
	switch {
	case in.TicketCode != "" && in.RegistrationID != "":
		return "", ce.Invalid("ticketCode", "give a ticket code or a registration id, not both")
	case in.TicketCode != "":
		if !ce.ValidToken(in.TicketCode, tokenBytes) {
			return "", ce.Invalid("ticketCode", "is not a ticket code")
		}
		return ce.CheckInQR, nil
	case in.RegistrationID != "":
		if !ce.ValidID(ce.PrefixRegistration, in.RegistrationID) {
			return "", ce.Invalid("registrationId", "is not a registration id")
		}
		return ce.CheckInManual, nil
	}
	return "", ce.Invalid("ticketCode", "give a ticket code or a registration id")
}

// lookup returns the organization's registration in names.
func (in CheckInInput) lookup(ctx context.Context, tx storage.Tx, orgID string) (*ce.Registration, error) {
	if in.RegistrationID != "" {
		return tx.Registrations().Get(ctx, orgID, in.RegistrationID)
	}
	r, err := tx.Registrations().GetByToken(ctx, storage.TicketCode, in.TicketCode)
	if err == nil && r.OrganizationID != orgID {
		err = ce.NotFound("no ticket has this code")
	}
	if errors.Is(err, ce.ErrNotFound) {
		return nil, ce.NotFound("no ticket has this code")
	}
	return r, err
}

// checkInAllowed reports ErrConflict, with the reason, unless registration
// r may be checked in to event e.
func checkInAllowed(e *ce.Event, r *ce.Registration) error {
	switch {
	case r.EventID != e.ID:
		return ce.Conflict("the ticket is for another event (%s)", r.EventID)
	case e.Status == ce.EventCancelled:
		return ce.Conflict("event %s is cancelled", e.ID)
	case r.Status == ce.RegistrationCancelled:
		return ce.Conflict("registration %s was cancelled at %s", r.ID, localTime(e, r.CancelledAt))
	case r.Status != ce.RegistrationConfirmed:
		return ce.Conflict("registration %s is not confirmed: it awaits its payment (%s)", r.ID, r.Status)
	case !r.CheckedInAt.IsZero():
		return ce.Conflict("already checked in at %s (%s)", localTime(e, r.CheckedInAt), r.CheckInMethod)
	}
	return nil
}
