package bunstore

import (
	"context"
	"fmt"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

type auctionItems struct{ repos }

func (r auctionItems) Create(ctx context.Context, item *ce.AuctionItem) error {
	m := newAuctionItemModel(item)
	m.Version = 1
	if err := r.insert(ctx, m, "create auction item "+item.ID,
		"auction item "+item.ID+" already exists",
		"event "+item.EventID+" not found"); err != nil {
		return err
	}
	*item = *m.domain()
	return nil
}

func (r auctionItems) CreateMany(ctx context.Context, items []*ce.AuctionItem) error {
	ms := make([]auctionItemModel, len(items))
	for i, item := range items {
		ms[i] = *newAuctionItemModel(item)
		ms[i].Version = 1
	}
	if err := insertMany(ctx, r.repos, ms, fmt.Sprintf("create %d auction items", len(items)),
		"one of the auction items already exists",
		"the event of one of the auction items was not found"); err != nil {
		return err
	}
	for i := range ms {
		*items[i] = *ms[i].domain()
	}
	return nil
}

func (r auctionItems) Get(ctx context.Context, organizationID, id string) (*ce.AuctionItem, error) {
	var m auctionItemModel
	if err := r.get(ctx, &m, organizationID, id, "auction item"); err != nil {
		return nil, err
	}
	return m.domain(), nil
}

func (r auctionItems) ListByEvent(ctx context.Context, organizationID, eventID string) ([]*ce.AuctionItem, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var ms []auctionItemModel
	err := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.event_id = ? AND ?TableAlias.organization_id = ?", eventID, organizationID).
		OrderExpr("?TableAlias.closes_at, ?TableAlias.id").
		Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "list auction items of event "+eventID, "", "")
	}
	return domains(ms, (*auctionItemModel).domain), nil
}

// ListDue reads the partial index of the open items (migrate_auctions.go),
// whose condition the query repeats as a literal.
func (r auctionItems) ListDue(ctx context.Context, now time.Time, limit int) ([]*ce.AuctionItem, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return []*ce.AuctionItem{}, nil
	}
	var ms []auctionItemModel
	err := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.status = 'open' AND ?TableAlias.closes_at <= ?", storage.NormalizeTime(now)).
		OrderExpr("?TableAlias.closes_at, ?TableAlias.id").
		Limit(limit).
		Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "list due auction items", "", "")
	}
	return domains(ms, (*auctionItemModel).domain), nil
}

func (r auctionItems) Update(ctx context.Context, item *ce.AuctionItem) error {
	m := newAuctionItemModel(item)
	m.Version = item.Version + 1
	err := r.update(ctx, m, versioned{"auction item", item.ID, item.OrganizationID, item.Version}, "",
		"id", "organization_id", "event_id", "created_at")
	if err != nil {
		return err
	}
	*item = *m.domain()
	return nil
}

func (r auctionItems) CreateBid(ctx context.Context, bid *ce.Bid) error {
	m := newBidModel(bid)
	if err := r.insert(ctx, m, "create bid "+bid.ID,
		"bid "+bid.ID+" already exists",
		"auction item "+bid.ItemID+" or registration "+bid.RegistrationID+" not found"); err != nil {
		return err
	}
	*bid = *m.domain()
	return nil
}

func (r auctionItems) GetBid(ctx context.Context, organizationID, id string) (*ce.Bid, error) {
	var m bidModel
	if err := r.get(ctx, &m, organizationID, id, "bid"); err != nil {
		return nil, err
	}
	return m.domain(), nil
}

func (r auctionItems) ListBids(ctx context.Context, organizationID, itemID string) ([]*ce.Bid, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var ms []bidModel
	err := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.item_id = ? AND ?TableAlias.organization_id = ?", itemID, organizationID).
		OrderExpr("?TableAlias.amount DESC, ?TableAlias.created_at, ?TableAlias.id").
		Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "list bids on auction item "+itemID, "", "")
	}
	return domains(ms, (*bidModel).domain), nil
}
