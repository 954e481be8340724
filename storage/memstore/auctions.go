package memstore

import (
	"cmp"
	"context"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// auctionData is the auction items and their bids.
type auctionData struct {
	items map[string]ce.AuctionItem
	bids  map[string]ce.Bid
}

func newAuctionData() auctionData {
	return auctionData{items: map[string]ce.AuctionItem{}, bids: map[string]ce.Bid{}}
}

func normalizeAuctionItem(item *ce.AuctionItem) {
	for _, t := range []*time.Time{&item.ClosesAt, &item.ClosedAt, &item.PaidAt, &item.CreatedAt, &item.UpdatedAt} {
		*t = storage.NormalizeTime(*t)
	}
}

func (d *data) auctionItem(organizationID, id string) (ce.AuctionItem, error) {
	item, ok := d.auctions.items[id]
	if !ok || item.OrganizationID != organizationID {
		return ce.AuctionItem{}, ce.NotFound("auction item %s not found", id)
	}
	return item, nil
}

func compareAuctionItems(a, b *ce.AuctionItem) int {
	return cmp.Or(a.ClosesAt.Compare(b.ClosesAt), cmp.Compare(a.ID, b.ID))
}

type auctionItems struct{ s session }

func (r auctionItems) Create(ctx context.Context, item *ce.AuctionItem) error {
	return r.CreateMany(ctx, []*ce.AuctionItem{item})
}

// CreateMany checks every item before it stores any, so that it stores
// all or none even outside a transaction.
func (r auctionItems) CreateMany(ctx context.Context, items []*ce.AuctionItem) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		ids := make(map[string]bool, len(items))
		for _, item := range items {
			if _, err := d.event(item.OrganizationID, item.EventID); err != nil {
				return err
			}
			if _, ok := d.auctions.items[item.ID]; ok || ids[item.ID] {
				return ce.Conflict("auction item %s already exists", item.ID)
			}
			ids[item.ID] = true
		}
		for _, item := range items {
			normalizeAuctionItem(item)
			item.Version = 1
			put(d.auctions.items, item.ID, *item, undo)
		}
		return nil
	})
}

func (r auctionItems) Get(ctx context.Context, organizationID, id string) (*ce.AuctionItem, error) {
	var item ce.AuctionItem
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		var err error
		item, err = d.auctionItem(organizationID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &item, nil
}

func (r auctionItems) ListByEvent(ctx context.Context, organizationID, eventID string) ([]*ce.AuctionItem, error) {
	var out []*ce.AuctionItem
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		out = collect(d.auctions.items, func(item ce.AuctionItem) bool {
			return item.OrganizationID == organizationID && item.EventID == eventID
		}, compareAuctionItems)
		return nil
	})
	return out, err
}

// ListDue looks at every item: the store is for tests and small
// installations, whose auctions hold few items.
func (r auctionItems) ListDue(ctx context.Context, now time.Time, limit int) ([]*ce.AuctionItem, error) {
	var out []*ce.AuctionItem
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		now := storage.NormalizeTime(now)
		out = collect(d.auctions.items, func(item ce.AuctionItem) bool {
			return item.Status == ce.AuctionItemOpen && !item.ClosesAt.After(now)
		}, compareAuctionItems)
		return nil
	})
	if limit = max(limit, 0); len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

func (r auctionItems) Update(ctx context.Context, item *ce.AuctionItem) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		old, err := d.auctionItem(item.OrganizationID, item.ID)
		if err != nil {
			return err
		}
		if old.Version != item.Version {
			return ce.Conflict("auction item %s was changed by someone else (version %d, not %d)", item.ID, old.Version, item.Version)
		}
		item.EventID, item.CreatedAt = old.EventID, old.CreatedAt
		normalizeAuctionItem(item)
		item.Version++
		put(d.auctions.items, item.ID, *item, undo)
		return nil
	})
}

func (r auctionItems) CreateBid(ctx context.Context, bid *ce.Bid) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		if _, err := d.auctionItem(bid.OrganizationID, bid.ItemID); err != nil {
			return err
		}
		if _, err := d.registration(bid.OrganizationID, bid.RegistrationID); err != nil {
			return err
		}
		if _, ok := d.auctions.bids[bid.ID]; ok {
			return ce.Conflict("bid %s already exists", bid.ID)
		}
		bid.CreatedAt = storage.NormalizeTime(bid.CreatedAt)
		put(d.auctions.bids, bid.ID, *bid, undo)
		return nil
	})
}

func (r auctionItems) GetBid(ctx context.Context, organizationID, id string) (*ce.Bid, error) {
	var bid ce.Bid
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		var ok bool
		if bid, ok = d.auctions.bids[id]; !ok || bid.OrganizationID != organizationID {
			return ce.NotFound("bid %s not found", id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &bid, nil
}

func (r auctionItems) ListBids(ctx context.Context, organizationID, itemID string) ([]*ce.Bid, error) {
	var out []*ce.Bid
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		out = collect(d.auctions.bids, func(bid ce.Bid) bool {
			return bid.OrganizationID == organizationID && bid.ItemID == itemID
		}, func(a, b *ce.Bid) int {
			return cmp.Or(cmp.Compare(b.Amount.Amount, a.Amount.Amount), a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
		return nil
	})
	return out, err
}
