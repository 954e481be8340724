package completeevent

import (
	"math"
	"time"
)

// AuctionItemStatus is the life-cycle state of a silent-auction item.
type AuctionItemStatus string

// The auction item statuses: open for bids until it closes; closed, with
// or without a winner; paid once the winner paid.
const (
	AuctionItemOpen   AuctionItemStatus = "open"
	AuctionItemClosed AuctionItemStatus = "closed"
	AuctionItemPaid   AuctionItemStatus = "paid"
)

// AuctionItem is one lot of an event's silent auction. Closing it picks the
// highest bid; the winner then pays for it.
type AuctionItem struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	EventID        string `json:"eventId"`
	Title          string `json:"title"`
	Description    string `json:"description,omitempty"`
	// StartingBid is the lowest first bid; its currency is the item's.
	StartingBid Money `json:"startingBid"`
	// MinIncrement is the least, in minor units, by which a bid must beat
	// the highest one.
	MinIncrement int64             `json:"minIncrement"`
	ClosesAt     time.Time         `json:"closesAt"`
	Status       AuctionItemStatus `json:"status"`
	// HighestBidID and HighestAmount are those of the highest bid so far;
	// empty and zero without bids. Once the item is closed they are those
	// of the winning bid, the highest of a bidder still confirmed: empty
	// and zero without a winner.
	HighestBidID  string `json:"highestBidId,omitempty"`
	HighestAmount int64  `json:"highestAmount,omitempty"`
	// WinnerRegistrationID is the registration of the highest bidder, set
	// when the item closes with at least one bid.
	WinnerRegistrationID string    `json:"winnerRegistrationId,omitempty"`
	ClosedAt             time.Time `json:"closedAt,omitzero"`
	// PaymentReference is the payment provider's id of the winner's
	// checkout that paid for the item.
	PaymentReference string    `json:"paymentReference,omitempty"`
	PaidAt           time.Time `json:"paidAt,omitzero"`
	// Version counts the stored changes, as Event.Version does.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Bid is an attendee's offer for an auction item.
type Bid struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	ItemID         string `json:"itemId"`
	RegistrationID string `json:"registrationId"`
	// Amount is in the item's currency.
	Amount    Money     `json:"amount"`
	CreatedAt time.Time `json:"createdAt"`
}

// MaxAmount is the largest amount, in minor units, of a bid, a starting bid
// or an increment: 99,999,999, eight digits, the most Stripe charges in
// most currencies. A payment provider may refuse some amounts below it:
// Stripe charges at most 999,999 ISK, and KWD and the other three-decimal
// currencies only in multiples of 10 minor units. A ticketing.Service
// whose provider says so (ticketing.AmountChecker) refuses those amounts
// too, so that any winning bid can be paid.
const MaxAmount = 99_999_999

// Limits on an auction item's text, in characters.
const (
	maxItemTitleLength       = 200
	maxItemDescriptionLength = 5000
)

// Validate reports an ErrInvalid error naming the first field of item that
// is wrong for an item of event e: a title, a starting bid of at least one
// minor unit in a known currency, an increment of at least one, neither
// above MaxAmount, and a closing time no later than the event's end.
func (item *AuctionItem) Validate(e *Event) error {
	if err := validateText("title", item.Title, true, maxItemTitleLength); err != nil {
		return err
	}
	if err := validateText("description", item.Description, false, maxItemDescriptionLength); err != nil {
		return err
	}
	if err := item.StartingBid.Validate("startingBid"); err != nil {
		return err
	}
	switch {
	case item.StartingBid.Amount < 1:
		return Invalid("startingBid.amount", "must be at least 1 minor unit")
	case item.StartingBid.Amount > MaxAmount:
		return Invalid("startingBid.amount", "must be at most %d minor units", MaxAmount)
	case item.MinIncrement < 1:
		return Invalid("minIncrement", "must be at least 1 minor unit")
	case item.MinIncrement > MaxAmount:
		return Invalid("minIncrement", "must be at most %d minor units", MaxAmount)
	case item.ClosesAt.IsZero():
		return Invalid("closesAt", "is required")
	case item.ClosesAt.After(e.EndsAt):
		return Invalid("closesAt", "must not be after the event ends")
	}
	return nil
}

// TakesBids reports whether item takes bids at now: it is open and its
// closing time has not come (a closing worker may not have closed it yet).
func (item *AuctionItem) TakesBids(now time.Time) bool {
	return item.Status == AuctionItemOpen && now.Before(item.ClosesAt)
}

// MinimumBid returns the least amount, in minor units, a new bid on item
// must offer: the starting bid, or the highest bid plus the increment,
// math.MaxInt64 where that sum would overflow.
func (item *AuctionItem) MinimumBid() int64 {
	if item.HighestBidID == "" {
		return item.StartingBid.Amount
	}
	if item.MinIncrement > 0 && item.HighestAmount > math.MaxInt64-item.MinIncrement {
		return math.MaxInt64
	}
	return item.HighestAmount + item.MinIncrement
}
