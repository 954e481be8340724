package ticketing_test

import (
	"context"
	"fmt"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/stripepay"
)

// A Service whose payment provider is an AmountChecker, as stripepay's
// is, refuses up front the prices and bids the provider could not charge:
// Stripe takes Kuwaiti dinars only in multiples of 0.010.
func ExampleAmountChecker() {
	ctx := context.Background()
	payments, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_123", WebhookSecret: "whsec_example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	svc, orgID := exampleService(ticketing.Options{Payments: payments, PublicURL: "https://events.example.org"})
	e := exampleEvent(svc, orgID, "Gala dinner", 20)

	_, err = svc.CreateTier(ctx, orgID, e.ID, ticketing.TierInput{Name: "Dinner", Price: ce.Money{Amount: 12_505, Currency: "KWD"}})
	fmt.Println(err)
	_, err = svc.CreateAuctionItem(ctx, orgID, e.ID, ticketing.AuctionItemInput{
		Title:        "Signed poster",
		StartingBid:  ce.Money{Amount: 5_000, Currency: "KWD"},
		MinIncrement: 5,
		ClosesAt:     time.Date(2026, 5, 20, 20, 0, 0, 0, time.UTC),
	})
	fmt.Println(err)
	// Output:
	// invalid: price.amount: KWD amounts must be multiples of 0.010 for card payments
	// invalid: minIncrement: KWD amounts must be multiples of 0.010 for card payments
}
