package ticketing

import (
	"context"
	"fmt"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// startPayment stores the pending registration r of tier t of event e,
// which holds its seat, and starts its checkout. If the checkout cannot be
// started, the seat is given back.
func (s *Service) startPayment(ctx context.Context, e *ce.Event, t *ce.Tier, r *ce.Registration) (*Registered, error) {
	r.AmountPaid = t.Price
	if err := s.store.Registrations().Create(ctx, r); err != nil {
		return nil, err
	}
	guide := s.publicURL + "/guide/" + r.GuideToken
	checkout, err := s.payments.CreateCheckout(ctx, CheckoutRequest{
		Purpose:        PurposeRegistration,
		OrganizationID: r.OrganizationID,
		EventID:        r.EventID,
		RegistrationID: r.ID,
		Description:    e.Title + " – " + t.Name,
		Amount:         t.Price,
		Email:          r.Email,
		SuccessURL:     guide + "?payment=done",
		CancelURL:      guide + "?payment=cancelled",
		ExpiresAt:      r.CreatedAt.Add(s.checkoutTTL),
		IdempotencyKey: "checkout-" + r.ID,
	})
	if err != nil {
		s.release(context.WithoutCancel(ctx), r, "the payment could not be started")
		return nil, fmt.Errorf("ticketing: start the payment of registration %s: %w", r.ID, err)
	}
	r.PaymentReference = checkout.ID
	r.UpdatedAt = s.now()
	if err := s.store.Registrations().Update(ctx, r); err != nil {
		return nil, err
	}
	s.logger.InfoContext(ctx, "registration awaits payment", "organization", r.OrganizationID, "event", r.EventID, "registration", r.ID, "checkout", checkout.ID)
	return &Registered{Registration: r, Checkout: checkout}, nil
}

// release cancels the pending registration r, giving its seat back, and
// logs a failure to.
func (s *Service) release(ctx context.Context, r *ce.Registration, reason string) {
	now := s.now()
	r.Status, r.CancelledAt, r.CancelReason, r.UpdatedAt = ce.RegistrationCancelled, now, reason, now
	if err := s.store.Registrations().Update(ctx, r); err != nil {
		s.logger.ErrorContext(ctx, "releasing the seat of a registration", "registration", r.ID, "error", err)
	}
}
