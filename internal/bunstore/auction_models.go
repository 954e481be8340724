package bunstore

import (
	"time"

	"github.com/uptrace/bun"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// auctionItemModel is a row of ce_auction_items. The item's highest bid,
// winner and payment reference are empty strings until set; its closing
// and payment times are NULL until then.
type auctionItemModel struct {
	bun.BaseModel `bun:"table:ce_auction_items,alias:ai"`

	ID                   string    `bun:"id,pk"`
	OrganizationID       string    `bun:"organization_id"`
	EventID              string    `bun:"event_id"`
	Title                string    `bun:"title"`
	Description          string    `bun:"description"`
	StartingBidAmount    int64     `bun:"starting_bid_amount"`
	StartingBidCurrency  string    `bun:"starting_bid_currency"`
	MinIncrement         int64     `bun:"min_increment"`
	ClosesAt             time.Time `bun:"closes_at"`
	Status               string    `bun:"status"`
	HighestBidID         string    `bun:"highest_bid_id"`
	HighestAmount        int64     `bun:"highest_amount"`
	WinnerRegistrationID string    `bun:"winner_registration_id"`
	ClosedAt             time.Time `bun:"closed_at,nullzero"`
	PaymentReference     string    `bun:"payment_reference"`
	PaidAt               time.Time `bun:"paid_at,nullzero"`
	Version              int64     `bun:"version"`
	CreatedAt            time.Time `bun:"created_at"`
	UpdatedAt            time.Time `bun:"updated_at"`
}

func newAuctionItemModel(item *ce.AuctionItem) *auctionItemModel {
	return &auctionItemModel{
		ID:                   item.ID,
		OrganizationID:       item.OrganizationID,
		EventID:              item.EventID,
		Title:                item.Title,
		Description:          item.Description,
		StartingBidAmount:    item.StartingBid.Amount,
		StartingBidCurrency:  item.StartingBid.Currency,
		MinIncrement:         item.MinIncrement,
		ClosesAt:             storage.NormalizeTime(item.ClosesAt),
		Status:               string(item.Status),
		HighestBidID:         item.HighestBidID,
		HighestAmount:        item.HighestAmount,
		WinnerRegistrationID: item.WinnerRegistrationID,
		ClosedAt:             storage.NormalizeTime(item.ClosedAt),
		PaymentReference:     item.PaymentReference,
		PaidAt:               storage.NormalizeTime(item.PaidAt),
		Version:              item.Version,
		CreatedAt:            storage.NormalizeTime(item.CreatedAt),
		UpdatedAt:            storage.NormalizeTime(item.UpdatedAt),
	}
}

func (m *auctionItemModel) domain() *ce.AuctionItem {
	return &ce.AuctionItem{
		ID:                   m.ID,
		OrganizationID:       m.OrganizationID,
		EventID:              m.EventID,
		Title:                m.Title,
		Description:          m.Description,
		StartingBid:          ce.Money{Amount: m.StartingBidAmount, Currency: m.StartingBidCurrency},
		MinIncrement:         m.MinIncrement,
		ClosesAt:             storage.NormalizeTime(m.ClosesAt),
		Status:               ce.AuctionItemStatus(m.Status),
		HighestBidID:         m.HighestBidID,
		HighestAmount:        m.HighestAmount,
		WinnerRegistrationID: m.WinnerRegistrationID,
		ClosedAt:             storage.NormalizeTime(m.ClosedAt),
		PaymentReference:     m.PaymentReference,
		PaidAt:               storage.NormalizeTime(m.PaidAt),
		Version:              m.Version,
		CreatedAt:            storage.NormalizeTime(m.CreatedAt),
		UpdatedAt:            storage.NormalizeTime(m.UpdatedAt),
	}
}

// bidModel is a row of ce_bids.
type bidModel struct {
	bun.BaseModel `bun:"table:ce_bids,alias:b"`

	ID             string    `bun:"id,pk"`
	OrganizationID string    `bun:"organization_id"`
	ItemID         string    `bun:"item_id"`
	RegistrationID string    `bun:"registration_id"`
	Amount         int64     `bun:"amount"`
	Currency       string    `bun:"currency"`
	CreatedAt      time.Time `bun:"created_at"`
}

func newBidModel(b *ce.Bid) *bidModel {
	return &bidModel{
		ID:             b.ID,
		OrganizationID: b.OrganizationID,
		ItemID:         b.ItemID,
		RegistrationID: b.RegistrationID,
		Amount:         b.Amount.Amount,
		Currency:       b.Amount.Currency,
		CreatedAt:      storage.NormalizeTime(b.CreatedAt),
	}
}

func (m *bidModel) domain() *ce.Bid {
	return &ce.Bid{
		ID:             m.ID,
		OrganizationID: m.OrganizationID,
		ItemID:         m.ItemID,
		RegistrationID: m.RegistrationID,
		Amount:         ce.Money{Amount: m.Amount, Currency: m.Currency},
		CreatedAt:      storage.NormalizeTime(m.CreatedAt),
	}
}

// paymentEventModel is a row of ce_payment_events.
type paymentEventModel struct {
	bun.BaseModel `bun:"table:ce_payment_events,alias:pe"`

	ID          string    `bun:"id,pk"`
	ProcessedAt time.Time `bun:"processed_at"`
}
