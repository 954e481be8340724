package ticketing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/txretry"
	"github.com/completeevent/completeevent-go/storage"
)

// AuctionItemInput is what a new silent-auction item is made of.
type AuctionItemInput struct {
	// Title is required.
	Title       string
	Description string
	// StartingBid is the lowest first bid, at least 1 minor unit, with
	// the item's currency.
	StartingBid ce.Money
	// MinIncrement is the least, in minor units, by which a bid must beat
	// the highest one; at least 1.
	MinIncrement int64
	// ClosesAt is when bidding ends: in the future, and not after the
	// event ends.
	ClosesAt time.Time
}

// CreateAuctionItem adds an open item to the silent auction of the
// organization's event. It returns ErrNotFound if there is no such event,
// ErrInvalid naming the first wrong field of in (closesAt for a closing
// time in the past or after the event ends; startingBid.amount or
// minIncrement for an amount the Payments cannot charge, see
// AmountChecker), and ErrConflict if the event is cancelled.
func (s *Service) CreateAuctionItem(ctx context.Context, orgID, eventID string, in AuctionItemInput) (*ce.AuctionItem, error) {
	e, err := s.store.Events().Get(ctx, orgID, eventID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	item := &ce.AuctionItem{
		ID:             ce.NewID(ce.PrefixAuctionItem, now),
		OrganizationID: orgID,
		EventID:        eventID,
		Title:          strings.TrimSpace(in.Title),
		Description:    in.Description,
		StartingBid:    in.StartingBid,
		MinIncrement:   in.MinIncrement,
		ClosesAt:       in.ClosesAt,
		Status:         ce.AuctionItemOpen,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if err := s.validateItem(item, e); err != nil {
		return nil, err
	}
	switch {
	case !item.ClosesAt.After(now):
		return nil, ce.Invalid("closesAt", "must be in the future")
	case e.Status == ce.EventCancelled:
		return nil, ce.Conflict("event %s is cancelled", eventID)
	}
	if err := s.store.AuctionItems().Create(ctx, item); err != nil {
		return nil, err
	}
	return item, nil
}

// validateItem reports an ErrInvalid error naming the first wrong field of
// item, an item of event e, or, once the rest is valid, its starting bid
// or its minimum increment if the Payments cannot charge them (see
// AmountChecker).
func (s *Service) validateItem(item *ce.AuctionItem, e *ce.Event) error {
	if err := item.Validate(e); err != nil {
		return err
	}
	if err := s.checkAmount("startingBid.amount", item.StartingBid); err != nil {
		return err
	}
	return s.checkAmount("minIncrement", ce.Money{Amount: item.MinIncrement, Currency: item.StartingBid.Currency})
}

// GetAuctionItem returns the organization's auction item with the id, or
// ErrNotFound.
func (s *Service) GetAuctionItem(ctx context.Context, orgID, id string) (*ce.AuctionItem, error) {
	return s.store.AuctionItems().Get(ctx, orgID, id)
}

// ListAuctionItems returns the items of the organization's event, by
// closing time. It returns ErrNotFound if there is no such event.
func (s *Service) ListAuctionItems(ctx context.Context, orgID, eventID string) ([]*ce.AuctionItem, error) {
	if _, err := s.store.Events().Get(ctx, orgID, eventID); err != nil {
		return nil, err
	}
	return s.store.AuctionItems().ListByEvent(ctx, orgID, eventID)
}

// PlaceBid bids amount, in minor units of the item's currency, on an
// auction item of the event of the registration whose guide token is
// guideToken: attendees bid from their event guide. It returns ErrNotFound
// for an unknown token or an item not of the registration's event,
// ErrInvalid naming "amount" for an amount above completeevent.MaxAmount
// or one the Payments cannot charge (see AmountChecker), ErrForbidden if
// the registration is not confirmed, and ErrConflict if the event is
// cancelled, the item is closed or the bid is below the item's
// MinimumBid. Of concurrent bids, each is checked against the bids before
// it: two never both win a level.
func (s *Service) PlaceBid(ctx context.Context, guideToken, itemID string, amount int64) (*ce.Bid, error) {
	if amount > ce.MaxAmount {
		return nil, ce.Invalid("amount", "must be at most %d minor units", ce.MaxAmount)
	}
	r, e, err := s.auctionParticipant(ctx, guideToken)
	if err != nil {
		return nil, err
	}
	var bid *ce.Bid
	err = txretry.Run(ctx, s.store, false, func(ctx context.Context, tx storage.Tx) error {
		item, err := eventItem(ctx, tx, r, itemID)
		if err != nil {
			return err
		}
		now := s.now()
		if !item.TakesBids(now) {
			return ce.Conflict("bidding on %q closed at %s", item.Title, localTime(e, item.ClosesAt))
		}
		if least := item.MinimumBid(); amount < least {
			return &ce.Error{Kind: ce.ErrConflict, Field: "amount", Message: "the bid must be at least " + ce.Money{Amount: least, Currency: item.StartingBid.Currency}.String()}
		}
		offer := ce.Money{Amount: amount, Currency: item.StartingBid.Currency}
		if err := s.checkAmount("amount", offer); err != nil {
			return err
		}
		bid = &ce.Bid{
			ID:             ce.NewID(ce.PrefixBid, now),
			OrganizationID: r.OrganizationID,
			ItemID:         item.ID,
			RegistrationID: r.ID,
			Amount:         offer,
			CreatedAt:      now,
		}
		if err := tx.AuctionItems().CreateBid(ctx, bid); err != nil {
			return err
		}
		item.HighestBidID, item.HighestAmount, item.UpdatedAt = bid.ID, amount, now
		return txretry.Stale(tx.AuctionItems().Update(ctx, item))
	})
	if err != nil {
		return nil, err
	}
	return bid, nil
}

// CloseAuctionItem closes the organization's open auction item now, before
// its closing time if need be: the highest bid of a registration still
// confirmed wins, the oldest of equal ones, and its bidder is sent an
// e-mail with the link to pay; without such a bid the item closes without
// a winner. Closing a closed or paid item
// changes nothing and succeeds. It returns ErrNotFound if there is no such
// item.
func (s *Service) CloseAuctionItem(ctx context.Context, orgID, id string) (*ce.AuctionItem, error) {
	var out *ce.AuctionItem
	err := txretry.Run(ctx, s.store, false, func(ctx context.Context, tx storage.Tx) error {
		item, err := tx.AuctionItems().Get(ctx, orgID, id)
		if err != nil {
			return err
		}
		out = item
		if item.Status != ce.AuctionItemOpen {
			return nil
		}
		return s.close(ctx, tx, item)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// close closes the open item in tx and queues the winner's e-mail. The
// winning bid is the highest of a registration still confirmed: a bidder
// cancelled since bidding does not win.
func (s *Service) close(ctx context.Context, tx storage.Tx, item *ce.AuctionItem) error {
	now := s.now()
	item.Status, item.ClosedAt, item.UpdatedAt = ce.AuctionItemClosed, now, now
	winner, bid, err := s.winner(ctx, tx, item)
	if err != nil {
		return err
	}
	if winner != nil {
		item.HighestBidID, item.HighestAmount, item.WinnerRegistrationID = bid.ID, bid.Amount.Amount, winner.ID
	} else {
		item.HighestBidID, item.HighestAmount, item.WinnerRegistrationID = "", 0, ""
	}
	if err := tx.AuctionItems().Update(ctx, item); err != nil {
		return txretry.Stale(err)
	}
	if winner == nil {
		return nil
	}
	return s.queueEmail(ctx, tx, winner, ce.EmailAuctionWon, item.ID)
}

// winner returns the highest bid on item, the oldest of equal ones, whose
// registration is confirmed, and that registration; nil and nil if there
// is none.
func (s *Service) winner(ctx context.Context, tx storage.Tx, item *ce.AuctionItem) (*ce.Registration, *ce.Bid, error) {
	if item.HighestBidID == "" {
		return nil, nil, nil
	}
	bids, err := tx.AuctionItems().ListBids(ctx, item.OrganizationID, item.ID)
	if err != nil {
		return nil, nil, err
	}
	seen := make(map[string]bool) // registrations found not confirmed
	for _, bid := range bids {
		if seen[bid.RegistrationID] {
			continue
		}
		r, err := tx.Registrations().Get(ctx, item.OrganizationID, bid.RegistrationID)
		if err != nil {
			return nil, nil, err
		}
		if r.Status == ce.RegistrationConfirmed {
			return r, bid, nil
		}
		seen[bid.RegistrationID] = true
	}
	return nil, nil, nil
}

// CloseDueAuctionItems closes every open item, of any organization, whose
// closing time has come, at most limit of them, oldest first, and returns
// how many it closed. An item that fails to close does not hold up the
// others: the error returned joins the failures, each naming its item,
// after every item was tried. A maintenance worker calls it periodically;
// see RunMaintenance.
func (s *Service) CloseDueAuctionItems(ctx context.Context, limit int) (int, error) {
	due, err := s.store.AuctionItems().ListDue(ctx, s.now(), limit)
	if err != nil {
		return 0, err
	}
	closed := 0
	var errs []error
	for _, item := range due {
		if _, err := s.CloseAuctionItem(ctx, item.OrganizationID, item.ID); err != nil {
			errs = append(errs, fmt.Errorf("ticketing: close auction item %s: %w", item.ID, err))
			continue
		}
		closed++
	}
	return closed, errors.Join(errs...)
}

// AuctionAccess reports why the guide's attendee may not take part in the
// event's silent auction: ErrForbidden unless the registration is
// confirmed, ErrConflict if the event is cancelled; nil if they may see
// and bid on its items.
func (g *Guide) AuctionAccess() error { return auctionAccess(g.Registration, g.Event) }

// GuideAuctionItem returns the auction item with the id of the event of
// guide g, for its attendee to bid on or pay: the error of
// Guide.AuctionAccess if the attendee may not take part in the auction,
// and ErrNotFound for an item that is not of the guide's event.
func (s *Service) GuideAuctionItem(ctx context.Context, g *Guide, itemID string) (*ce.AuctionItem, error) {
	if err := g.AuctionAccess(); err != nil {
		return nil, err
	}
	return eventItem(ctx, s.store, g.Registration, itemID)
}

// auctionParticipant returns the registration whose guide token is
// guideToken, and its event, if it may take part in the event's auction;
// otherwise ErrNotFound for an unknown token, or the error of
// Guide.AuctionAccess.
func (s *Service) auctionParticipant(ctx context.Context, guideToken string) (*ce.Registration, *ce.Event, error) {
	r, err := s.guideRegistration(ctx, guideToken)
	if err != nil {
		return nil, nil, err
	}
	e, err := s.store.Events().Get(ctx, r.OrganizationID, r.EventID)
	if err != nil {
		return nil, nil, err
	}
	if err := auctionAccess(r, e); err != nil {
		return nil, nil, err
	}
	return r, e, nil
}

// eventItem returns the auction item with the id of registration r's
// event, through repos, or ErrNotFound, also for an item of another event.
func eventItem(ctx context.Context, repos storage.Repositories, r *ce.Registration, itemID string) (*ce.AuctionItem, error) {
	item, err := repos.AuctionItems().Get(ctx, r.OrganizationID, itemID)
	if err == nil && item.EventID != r.EventID {
		err = ce.NotFound("auction item %s not found", itemID)
	}
	return item, err
}

// auctionAccess reports why registration r may not take part in the
// auction of its event e; see Guide.AuctionAccess.
func auctionAccess(r *ce.Registration, e *ce.Event) error {
	switch {
	case r.Status != ce.RegistrationConfirmed:
		return ce.Forbidden("only confirmed attendees take part in the auction; this registration is %s", r.Status)
	case e.Status == ce.EventCancelled:
		return ce.Conflict("the event is cancelled, and its auction with it")
	}
	return nil
}
