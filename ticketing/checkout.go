package ticketing

import (
	"context"
	"errors"
	"fmt"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// startPayment stores the pending registration r of tier t of event e,
// which holds its seat, and starts its checkout. If the checkout cannot be
// started, the seat is given back.
func (s *Service) startPayment(ctx context.Context, e *ce.Event, t *ce.Tier, r *ce.Registration) (*Registered, error) {
	req, err := s.checkoutRequest(r, PurposeRegistration)
	if err != nil {
		return nil, err
	}
	r.AmountPaid = t.Price
	if err := s.store.Registrations().Create(ctx, r); err != nil {
		return nil, err
	}
	req.Description = e.Title + " – " + t.Name
	req.Amount = t.Price
	req.ExpiresAt = s.now().Add(s.checkoutTTL)
	req.IdempotencyKey = "checkout-" + r.ID
	checkout, err := s.payments.CreateCheckout(ctx, req)
	if err != nil {
		s.release(context.WithoutCancel(ctx), r, "the payment could not be started")
		return nil, fmt.Errorf("ticketing: start the payment of registration %s: %w", r.ID, err)
	}
	// The checkout exists now: record it even if the caller went away,
	// and give the seat back if that fails.
	ctx = context.WithoutCancel(ctx)
	r.PaymentReference = checkout.ID
	r.UpdatedAt = s.now()
	if err := s.store.Registrations().Update(ctx, r); err != nil {
		s.release(ctx, r, "the payment could not be recorded")
		return nil, err
	}
	s.logger.InfoContext(ctx, "registration awaits payment", "organization", r.OrganizationID, "event", r.EventID, "registration", r.ID, "checkout", checkout.ID)
	return &Registered{Registration: r, Checkout: checkout}, nil
}

// checkoutRequest returns the start of the request for a checkout that
// registration r pays, for the purpose: our ids, the payer's e-mail, and
// the way back to the event guide. It fails without Options.PublicURL, a
// configuration error (of no error kind: not the payer's mistake).
func (s *Service) checkoutRequest(r *ce.Registration, purpose PaymentPurpose) (CheckoutRequest, error) {
	if s.publicURL == "" {
		return CheckoutRequest{}, errors.New("ticketing: Options.PublicURL is not set, so payments cannot send the payer back")
	}
	guide := s.publicURL + "/guide/" + r.GuideToken
	return CheckoutRequest{
		Purpose:        purpose,
		OrganizationID: r.OrganizationID,
		EventID:        r.EventID,
		RegistrationID: r.ID,
		Email:          r.Email,
		SuccessURL:     guide + "?payment=done",
		CancelURL:      guide + "?payment=cancelled",
	}, nil
}

// release cancels the pending registration r, giving its seat back, and
// logs a failure to.
func (s *Service) release(ctx context.Context, r *ce.Registration, reason string) {
	cancel(r, s.now(), reason)
	if err := s.store.Registrations().Update(ctx, r); err != nil {
		s.logger.ErrorContext(ctx, "releasing the seat of a registration", "registration", r.ID, "error", err)
	}
}

// cancel makes r cancelled at now, for the reason.
func cancel(r *ce.Registration, now time.Time, reason string) {
	r.Status, r.CancelledAt, r.CancelReason, r.UpdatedAt = ce.RegistrationCancelled, now, reason, now
}

// HoldReleaseGrace is how long after its checkout expired a pending
// registration still holds its seat before ReleaseExpiredHolds gives it
// back. The payment provider's expiry callback normally releases the seat
// first, within minutes of the expiry; the grace leaves it that time, so
// that the safety net only catches callbacks that never come (a webhook
// misconfigured, an endpoint down for days) and a completion callback
// merely delayed still finds its registration pending.
const HoldReleaseGrace = time.Hour

// releaseReason is the CancelReason of a registration released by
// ReleaseExpiredHolds.
const releaseReason = "the payment was not completed in time"

// ReleaseExpiredHolds cancels the pending registrations, of any
// organization, created before now minus Options.CheckoutTTL minus
// HoldReleaseGrace, whose payment neither completed nor expired by the
// provider's callback, at most limit of them, oldest first, giving their
// seats back; it returns how many it released. Each is released in a
// transaction of its own, under the version it was listed at: one that
// changed since, most likely because the provider's callback won the race,
// is skipped, not an error. A registration whose payment is processing
// (payment_processing) is never released here: the provider reports
// whether that payment succeeds or fails. A completion callback that
// arrives after the release is refunded by HandlePaymentEvent
// (PaymentRefunded). A registration that fails to be released does not
// hold up the others: the error returned joins the failures, each naming
// its registration, after every registration was tried.
// A maintenance worker calls it periodically; see RunMaintenance. It is
// safe for concurrent use, also by several processes sharing the store.
func (s *Service) ReleaseExpiredHolds(ctx context.Context, limit int) (int, error) {
	cutoff := s.now().Add(-s.checkoutTTL - HoldReleaseGrace)
	pending, err := s.store.Registrations().ListPendingPayment(ctx, cutoff, limit)
	if err != nil {
		return 0, err
	}
	released := 0
	var errs []error
	for _, r := range pending {
		err := s.store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
			cancel(r, s.now(), releaseReason)
			return tx.Registrations().Update(ctx, r)
		})
		switch {
		case errors.Is(err, ce.ErrConflict):
			s.logger.InfoContext(ctx, "pending registration changed before its release", "organization", r.OrganizationID, "registration", r.ID)
			continue
		case err != nil:
			errs = append(errs, fmt.Errorf("ticketing: release registration %s: %w", r.ID, err))
			continue
		}
		released++
		s.logger.InfoContext(ctx, "released the seat of an unpaid registration", "organization", r.OrganizationID, "event", r.EventID, "registration", r.ID, "checkout", r.PaymentReference)
	}
	return released, errors.Join(errs...)
}
