package storage

import (
	"context"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// AuctionItems stores the items of events' silent auctions and their bids.
//
// Bidding is a read-modify-write of the item: a service reads it, checks the
// bid against HighestAmount, creates the bid and updates the item with
// HighestBidID and HighestAmount under the Version it read, all in one
// transaction. Of concurrent bids on one version only one update succeeds,
// so two bids never both win one level.
type AuctionItems interface {
	// Create stores a new item with Version 1. It returns ErrNotFound if
	// its event does not exist in its organization and ErrConflict if the
	// id exists.
	Create(ctx context.Context, item *ce.AuctionItem) error
	// CreateMany stores new items like Create, all or none, in as few
	// statements as the database allows. An empty list stores nothing.
	CreateMany(ctx context.Context, items []*ce.AuctionItem) error
	// Get returns the organization's item with the id, or ErrNotFound.
	Get(ctx context.Context, organizationID, id string) (*ce.AuctionItem, error)
	// ListByEvent returns the items of the organization's event ordered by
	// ClosesAt, then by id; an empty list for an event without items or
	// that does not exist.
	ListByEvent(ctx context.Context, organizationID, eventID string) ([]*ce.AuctionItem, error)
	// ListDue returns at most limit open items, of any organization, whose
	// ClosesAt is not after now, by ClosesAt, then id: those a closing
	// worker closes.
	ListDue(ctx context.Context, now time.Time, limit int) ([]*ce.AuctionItem, error)
	// Update replaces the stored item of item's organization and id with
	// item and increments its Version. It returns ErrNotFound if there is
	// no such item and ErrConflict if item.Version is not the stored
	// version. OrganizationID, EventID and CreatedAt are never changed.
	Update(ctx context.Context, item *ce.AuctionItem) error
	// CreateBid stores a new bid. It returns ErrNotFound if its item or
	// its registration does not exist in its organization, and ErrConflict
	// if the id exists.
	CreateBid(ctx context.Context, bid *ce.Bid) error
	// GetBid returns the organization's bid with the id, or ErrNotFound.
	GetBid(ctx context.Context, organizationID, id string) (*ce.Bid, error)
	// ListBids returns the bids on the organization's item, highest
	// amount first, then oldest first.
	ListBids(ctx context.Context, organizationID, itemID string) ([]*ce.Bid, error)
}

// PaymentEvents remembers the payment provider's callbacks already
// processed, so that a callback delivered twice changes nothing the second
// time.
type PaymentEvents interface {
	// Record stores the provider's event id as processed at the time, in
	// the transaction of the change it causes. It returns ErrConflict if
	// the id was recorded before: the caller then rolls back and ignores
	// the callback.
	Record(ctx context.Context, id string, at time.Time) error
}
