package ticketing

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/txretry"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/webhook"
)

// PaymentOutcome says what HandlePaymentEvent did.
type PaymentOutcome string

// The payment outcomes.
const (
	// PaymentConfirmedRegistration: a pending registration was paid and
	// is confirmed.
	PaymentConfirmedRegistration PaymentOutcome = "registration_confirmed"
	// PaymentProcessingRegistration: a pending registration's payment was
	// made with a method that confirms later; the registration is
	// payment_processing and keeps its seat until the payment succeeds or
	// fails.
	PaymentProcessingRegistration PaymentOutcome = "registration_processing"
	// PaymentReleasedRegistration: a pending registration's checkout
	// expired, or its delayed payment failed; its seat is free again.
	PaymentReleasedRegistration PaymentOutcome = "registration_released"
	// PaymentPaidItem: an auction item was paid by its winner.
	PaymentPaidItem PaymentOutcome = "item_paid"
	// PaymentRefunded: a payment for something already paid was refunded.
	PaymentRefunded PaymentOutcome = "refunded"
	// PaymentDuplicate: the callback was processed before; nothing
	// changed.
	PaymentDuplicate PaymentOutcome = "duplicate"
	// PaymentIgnored: nothing to do, see the reason: a callback of
	// another type, an unknown checkout, a record already past it.
	PaymentIgnored PaymentOutcome = "ignored"
	// PaymentRejected: the callback reports a payment of another amount
	// than asked: it was refunded, and the registration it was for
	// cancelled, freeing its seat, or the auction item left for its
	// winner to pay again; see the reason.
	PaymentRejected PaymentOutcome = "rejected"
)

// PaymentResult is what HandlePaymentEvent did with a callback.
type PaymentResult struct {
	Outcome PaymentOutcome
	// Reason explains PaymentIgnored and PaymentRejected.
	Reason string
	// Event is the verified callback.
	Event *PaymentEvent
}

// HandlePaymentEvent processes a callback of the payment provider, its raw
// body and headers, once: it verifies it (an error matching ErrUnauthorized
// for a forged or stale one, ErrInvalid for a malformed one), and, in one
// transaction with the record that it was processed, confirms the paid
// registration (dispatching registration.confirmed and queueing the
// confirmation e-mail), frees the seat of an expired one, keeps the seat of
// one whose payment is processing (payment_processing, see
// completeevent.RegistrationPaymentProcessing), or marks the paid auction
// item paid (dispatching auction.item.paid). The same callback
// delivered again, or one that arrives after its record moved on, changes
// nothing. A payment for something already paid, or cancelled, is
// refunded (PaymentRefunded), and the refund recorded in a cancelled
// registration (RefundReference); one of another amount than asked is refunded
// too (PaymentRejected), freeing the seat of a registration, while an
// auction item's winner may pay again. A refund is made outside any
// transaction, before the callback is recorded as processed. Any other
// error is a storage or provider failure, a failed refund included: answer
// the provider with an error so that it delivers the callback again.
func (s *Service) HandlePaymentEvent(ctx context.Context, body []byte, header http.Header) (*PaymentResult, error) {
	if s.payments == nil {
		return nil, errNoPayments
	}
	ev, err := s.payments.ParseEvent(body, header)
	if err != nil {
		return nil, err
	}
	var res *PaymentResult
	err = txretry.Run(ctx, s.store, false, func(ctx context.Context, tx storage.Tx) (err error) {
		if res, err = s.recordPaymentEvent(ctx, tx, ev); res != nil || err != nil {
			return err
		}
		switch {
		case ev.Type == PaymentOther:
			res = &PaymentResult{Outcome: PaymentIgnored, Reason: "not a payment's completion or expiry"}
		case ev.Purpose == PurposeRegistration:
			res, err = s.registrationPayment(ctx, tx, ev)
		case ev.Purpose == PurposeAuctionItem:
			res, err = s.itemPayment(ctx, tx, ev)
		default:
			res = &PaymentResult{Outcome: PaymentIgnored, Reason: fmt.Sprintf("unknown purpose %q", ev.Purpose)}
		}
		return err
	})
	if need, ok := errors.AsType[*refundNeeded](err); ok {
		res, err = s.refundPayment(ctx, ev, need)
	}
	if err != nil {
		return nil, err
	}
	res.Event = ev
	s.logger.InfoContext(ctx, "payment event", "id", ev.ID, "type", ev.Type, "checkout", ev.CheckoutID, "outcome", res.Outcome, "reason", res.Reason)
	return res, nil
}

// recordPaymentEvent records in tx that ev was processed. It returns a
// PaymentDuplicate result if it was before, and a storage failure as an
// error.
func (s *Service) recordPaymentEvent(ctx context.Context, tx storage.Tx, ev *PaymentEvent) (*PaymentResult, error) {
	err := tx.PaymentEvents().Record(ctx, ev.ID, s.now())
	if errors.Is(err, ce.ErrConflict) {
		return &PaymentResult{Outcome: PaymentDuplicate}, nil
	}
	return nil, err
}

// refundNeeded is the error with which the transaction of
// HandlePaymentEvent says that the payment must be refunded: the
// transaction rolls back, leaving the callback unrecorded, so that the
// provider is not called while it is open; see refundPayment.
type refundNeeded struct {
	// outcome is the result's: PaymentRefunded or PaymentRejected.
	outcome PaymentOutcome
	// why is the start of the result's reason.
	why string
}

func (e *refundNeeded) Error() string { return "ticketing: refund needed: " + e.why }

// payAgain lets the winner of ev's item pay it again if it is still
// closed and unpaid: it stores the item again, so that its new version
// keys a new checkout rather than the completed one. It reports whether
// it did.
func (s *Service) payAgain(ctx context.Context, tx storage.Tx, ev *PaymentEvent) (bool, error) {
	item, err := tx.AuctionItems().Get(ctx, ev.OrganizationID, ev.ItemID)
	if errors.Is(err, ce.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if item.Status != ce.AuctionItemClosed || item.WinnerRegistrationID != ev.RegistrationID {
		return false, nil
	}
	item.UpdatedAt = s.now()
	if err := tx.AuctionItems().Update(ctx, item); err != nil {
		return false, txretry.Stale(err)
	}
	return true, nil
}

// refundKey returns the provider's idempotency key of the refund of the
// checkout with the id: whoever asks, a cancellation or a callback, and
// however often, the checkout is refunded once.
func refundKey(checkoutID string) string { return "refund-" + checkoutID }

// ignored returns a PaymentIgnored result with the formatted reason.
func ignored(format string, args ...any) *PaymentResult {
	return &PaymentResult{Outcome: PaymentIgnored, Reason: fmt.Sprintf(format, args...)}
}

// registrationPayment applies a completed, processing or expired checkout
// of a registration in tx.
func (s *Service) registrationPayment(ctx context.Context, tx storage.Tx, ev *PaymentEvent) (*PaymentResult, error) {
	r, err := tx.Registrations().Get(ctx, ev.OrganizationID, ev.RegistrationID)
	if errors.Is(err, ce.ErrNotFound) {
		return ignored("unknown registration %q", ev.RegistrationID), nil
	}
	if err != nil {
		return nil, err
	}
	if !checkoutOf(r, ev.CheckoutID) {
		if ev.Type == PaymentCompleted {
			return nil, &refundNeeded{outcome: PaymentRefunded, why: fmt.Sprintf("checkout %s is not the one registration %s awaits", ev.CheckoutID, r.ID)}
		}
		return ignored("checkout %s is not registration %s's", ev.CheckoutID, r.ID), nil
	}
	if !r.Status.AwaitsPayment() {
		if ev.Type == PaymentCompleted && r.Status == ce.RegistrationCancelled {
			return nil, &refundNeeded{outcome: PaymentRefunded, why: "registration " + r.ID + " was cancelled before its payment completed"}
		}
		return ignored("registration %s is %s", r.ID, r.Status), nil
	}
	now := s.now()
	r.PaymentReference, r.UpdatedAt = ev.CheckoutID, now
	switch {
	case ev.Type == PaymentExpired:
		cancel(r, now, "the payment was not completed")
		if err := tx.Registrations().Update(ctx, r); err != nil {
			return nil, txretry.Stale(err)
		}
		return &PaymentResult{Outcome: PaymentReleasedRegistration}, nil
	case ev.Type == PaymentProcessing && r.Status == ce.RegistrationPaymentProcessing:
		return ignored("the payment of registration %s is being processed already", r.ID), nil
	case ev.Type == PaymentProcessing:
		// Out of ReleaseExpiredHolds' reach: the provider reports the
		// payment's success or failure, even days later.
		r.Status = ce.RegistrationPaymentProcessing
		if err := tx.Registrations().Update(ctx, r); err != nil {
			return nil, txretry.Stale(err)
		}
		return &PaymentResult{Outcome: PaymentProcessingRegistration}, nil
	}
	if ev.Amount != r.AmountPaid {
		// The checkout is complete and never expires: refund it and free
		// the seat it held.
		why := fmt.Sprintf("paid %s, but registration %s costs %s", ev.Amount, r.ID, r.AmountPaid)
		return nil, &refundNeeded{outcome: PaymentRejected, why: why}
	}
	t, err := tx.Tiers().Get(ctx, r.OrganizationID, r.TierID)
	if err != nil {
		return nil, err
	}
	r.Status = ce.RegistrationConfirmed
	if err := tx.Registrations().Update(ctx, r); err != nil {
		return nil, txretry.Stale(err)
	}
	if err := s.confirmed(ctx, tx, r, t); err != nil {
		return nil, err
	}
	return &PaymentResult{Outcome: PaymentConfirmedRegistration}, nil
}

// refundPayment refunds the checkout of ev, outside any transaction, as
// need asks, then records ev as processed in a short transaction with the
// refund in the registration it was for (see refunded); a rejected
// payment frees the seat of a registration still awaiting it, or lets the
// winner of an auction item pay again. An error leaves ev unrecorded, for
// the provider to deliver it again: the idempotency key makes the retry
// refund once.
func (s *Service) refundPayment(ctx context.Context, ev *PaymentEvent, need *refundNeeded) (*PaymentResult, error) {
	reason := need.why
	refund, err := s.payments.Refund(ctx, ev.CheckoutID, refundKey(ev.CheckoutID))
	switch {
	case errors.Is(err, ce.ErrConflict):
		reason += "; refunded before"
	case err != nil:
		return nil, fmt.Errorf("ticketing: refund checkout %s: %w", ev.CheckoutID, err)
	default:
		reason += "; refund " + refund
	}
	var res *PaymentResult
	err = txretry.Run(ctx, s.store, false, func(ctx context.Context, tx storage.Tx) (err error) {
		if res, err = s.recordPaymentEvent(ctx, tx, ev); res != nil || err != nil {
			return err
		}
		res = &PaymentResult{Outcome: need.outcome, Reason: reason}
		rejected := need.outcome == PaymentRejected
		switch {
		case ev.Purpose == PurposeRegistration:
			released, err := s.refunded(ctx, tx, ev, refund, rejected)
			if released {
				res.Reason += "; the seat is released"
			}
			return err
		case ev.Purpose == PurposeAuctionItem && rejected:
			again, err := s.payAgain(ctx, tx, ev)
			if again {
				res.Reason += "; the winner may pay again"
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// checkoutOf reports whether the checkout with the id is registration r's:
// the one it records, or any checkout made for it if it records none,
// having lost the reference when recording it failed (see startPayment):
// a checkout is made for one registration alone.
func checkoutOf(r *ce.Registration, checkoutID string) bool {
	return r.PaymentReference == "" || r.PaymentReference == checkoutID
}

// refunded updates, in tx, the registration of ev after the refund of
// ev's checkout, if it awaits or awaited that checkout: with release it
// frees the seat of the registration if it still awaits the payment; the
// refund's id, if not empty, is recorded in the registration once it is
// cancelled, unless it records one already. It reports whether it freed
// the seat.
func (s *Service) refunded(ctx context.Context, tx storage.Tx, ev *PaymentEvent, refund string, release bool) (bool, error) {
	r, err := tx.Registrations().Get(ctx, ev.OrganizationID, ev.RegistrationID)
	if errors.Is(err, ce.ErrNotFound) {
		return false, nil
	}
	if err != nil || !checkoutOf(r, ev.CheckoutID) {
		return false, err
	}
	now := s.now()
	released := release && r.Status.AwaitsPayment()
	if released {
		cancel(r, now, "the amount paid did not match")
	}
	record := refund != "" && r.Status == ce.RegistrationCancelled && r.RefundReference == ""
	if record {
		r.PaymentReference, r.RefundReference, r.UpdatedAt = ev.CheckoutID, refund, now
	}
	if !released && !record {
		return false, nil
	}
	return released, txretry.Stale(tx.Registrations().Update(ctx, r))
}

// itemPayment applies a completed or expired checkout of an auction item
// in tx.
func (s *Service) itemPayment(ctx context.Context, tx storage.Tx, ev *PaymentEvent) (*PaymentResult, error) {
	item, err := tx.AuctionItems().Get(ctx, ev.OrganizationID, ev.ItemID)
	if errors.Is(err, ce.ErrNotFound) {
		return ignored("unknown auction item %q", ev.ItemID), nil
	}
	if err != nil {
		return nil, err
	}
	switch ev.Type {
	case PaymentExpired:
		return ignored("a checkout of item %s expired; the winner may pay again", item.ID), nil
	case PaymentProcessing:
		return ignored("the payment of item %s is being processed", item.ID), nil
	}
	switch {
	case item.WinnerRegistrationID == "" || item.WinnerRegistrationID != ev.RegistrationID:
		return ignored("registration %q did not win item %s", ev.RegistrationID, item.ID), nil
	case item.Status == ce.AuctionItemPaid:
		return nil, &refundNeeded{outcome: PaymentRefunded, why: "item " + item.ID + " was paid already"}
	case item.Status != ce.AuctionItemClosed:
		return ignored("item %s is %s", item.ID, item.Status), nil
	}
	if want := (ce.Money{Amount: item.HighestAmount, Currency: item.StartingBid.Currency}); ev.Amount != want {
		why := fmt.Sprintf("paid %s, but item %s costs %s", ev.Amount, item.ID, want)
		return nil, &refundNeeded{outcome: PaymentRejected, why: why}
	}
	winner, err := tx.Registrations().Get(ctx, item.OrganizationID, item.WinnerRegistrationID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	item.Status, item.PaymentReference, item.PaidAt, item.UpdatedAt = ce.AuctionItemPaid, ev.CheckoutID, now, now
	if err := tx.AuctionItems().Update(ctx, item); err != nil {
		return nil, txretry.Stale(err)
	}
	err = s.dispatch(ctx, item.OrganizationID, webhook.AuctionItemPaid{
		EventID:          item.EventID,
		ItemID:           item.ID,
		ItemTitle:        item.Title,
		BidID:            item.HighestBidID,
		RegistrationID:   winner.ID,
		Email:            winner.Email,
		FirstName:        winner.FirstName,
		LastName:         winner.LastName,
		Amount:           item.HighestAmount,
		Currency:         item.StartingBid.Currency,
		PaymentReference: ev.CheckoutID,
		PaidAt:           now,
	})
	if err != nil {
		return nil, err
	}
	return &PaymentResult{Outcome: PaymentPaidItem}, nil
}

// PayAuctionItem starts the payment of an auction item by its winner, the
// registration whose guide token is guideToken, and returns the checkout.
// It returns ErrNotFound for an unknown token or an item not of the
// registration's event, ErrForbidden if the registration is not confirmed
// or did not win the item, and ErrConflict if the item is still open or
// already paid, the event cancelled (see Guide.AuctionAccess), or the
// Service has no Payments. While the item is unpaid, calls return the same
// checkout (the provider's idempotency), so a double click opens one.
func (s *Service) PayAuctionItem(ctx context.Context, guideToken, itemID string) (*Checkout, error) {
	if s.payments == nil {
		return nil, errNoPayments
	}
	r, _, err := s.auctionParticipant(ctx, guideToken)
	if err != nil {
		return nil, err
	}
	item, err := eventItem(ctx, s.store, r, itemID)
	if err != nil {
		return nil, err
	}
	switch {
	case item.Status == ce.AuctionItemOpen:
		return nil, ce.Conflict("bidding on %q is still open", item.Title)
	case item.Status == ce.AuctionItemPaid:
		return nil, ce.Conflict("%q is paid already", item.Title)
	case item.WinnerRegistrationID != r.ID:
		return nil, &ce.Error{Kind: ce.ErrForbidden, Message: "only the winner pays for an item"}
	}
	// The same request while the item is unpaid, the same key: a second
	// click returns the same checkout rather than opening another.
	req, err := s.checkoutRequest(r, PurposeAuctionItem)
	if err != nil {
		return nil, err
	}
	req.ItemID = item.ID
	req.Description = item.Title
	req.Amount = ce.Money{Amount: item.HighestAmount, Currency: item.StartingBid.Currency}
	req.IdempotencyKey = fmt.Sprintf("auction-%s-%d", item.ID, item.Version)
	checkout, err := s.payments.CreateCheckout(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("ticketing: start the payment of item %s: %w", item.ID, err)
	}
	return checkout, nil
}
