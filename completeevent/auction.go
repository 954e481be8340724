package completeevent

import "time"

// AuctionItemStatus is the life-cycle state of a silent-auction item.
type AuctionItemStatus string

// The auction item statuses.
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
	// StartingBid is the lowest first bid; its currency is the auction's.
	StartingBid Money `json:"startingBid"`
	// MinIncrement is the least, in minor units, by which a bid must beat
	// the highest one.
	MinIncrement int64             `json:"minIncrement"`
	ClosesAt     time.Time         `json:"closesAt"`
	Status       AuctionItemStatus `json:"status"`
	// WinningBidID is set when the item closes with at least one bid.
	WinningBidID string    `json:"winningBidId,omitempty"`
	PaidAt       time.Time `json:"paidAt,omitzero"`
	CreatedAt    time.Time `json:"createdAt"`
}

// Bid is an attendee's offer for an auction item.
type Bid struct {
	ID             string    `json:"id"`
	ItemID         string    `json:"itemId"`
	RegistrationID string    `json:"registrationId"`
	Amount         Money     `json:"amount"`
	CreatedAt      time.Time `json:"createdAt"`
}
