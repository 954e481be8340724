package ticketing_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/paymentstest"
)

// exampleAuctionItem adds a signed poster to the silent auction of the
// event: bids from EUR 20.00, by steps of at least EUR 5.00, until 22:00
// CEST on 20 May 2026.
func exampleAuctionItem(svc *ticketing.Service, orgID, eventID string) *ce.AuctionItem {
	item, err := svc.CreateAuctionItem(context.Background(), orgID, eventID, ticketing.AuctionItemInput{
		Title:        "Signed poster",
		StartingBid:  ce.Money{Amount: 2000, Currency: "EUR"},
		MinIncrement: 500,
		ClosesAt:     time.Date(2026, 5, 20, 20, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	return item
}

// exampleBid places the bid, in euro cents, of the attendee with the guide
// token.
func exampleBid(svc *ticketing.Service, guideToken, itemID string, amount int64) {
	if _, err := svc.PlaceBid(context.Background(), guideToken, itemID, amount); err != nil {
		panic(err)
	}
}

func ExampleService_CreateAuctionItem() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)

	item, err := svc.CreateAuctionItem(ctx, orgID, e.ID, ticketing.AuctionItemInput{
		Title:        "Signed poster",
		Description:  "The meetup's poster, signed by the speakers.",
		StartingBid:  ce.Money{Amount: 2000, Currency: "EUR"},
		MinIncrement: 500,
		ClosesAt:     time.Date(2026, 5, 20, 20, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	loc, _ := e.Location()
	fmt.Println(item.Title, item.Status, item.StartingBid)
	fmt.Println("closes", item.ClosesAt.In(loc).Format("2006-01-02 15:04 MST"))

	// Bidding ends with the event at the latest.
	_, err = svc.CreateAuctionItem(ctx, orgID, e.ID, ticketing.AuctionItemInput{
		Title:        "Late lot",
		StartingBid:  ce.Money{Amount: 2000, Currency: "EUR"},
		MinIncrement: 500,
		ClosesAt:     e.EndsAt.Add(time.Hour),
	})
	fmt.Println(errors.Is(err, ce.ErrInvalid), ce.ErrorField(err))
	// Output:
	// Signed poster open EUR 20.00
	// closes 2026-05-20 22:00 CEST
	// true closesAt
}

func ExampleService_GetAuctionItem() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	item := exampleAuctionItem(svc, orgID, e.ID)
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")
	exampleBid(svc, ada.GuideToken, item.ID, 2000)

	item, err := svc.GetAuctionItem(ctx, orgID, item.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Amounts are in minor units of the starting bid's currency.
	eur := func(cents int64) ce.Money { return ce.Money{Amount: cents, Currency: item.StartingBid.Currency} }
	fmt.Println(item.Title, item.Status)
	fmt.Println("highest bid", eur(item.HighestAmount), "next bid from", eur(item.MinimumBid()))
	// Output:
	// Signed poster open
	// highest bid EUR 20.00 next bid from EUR 25.00
}

func ExampleService_GuideAuctionItem() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	item := exampleAuctionItem(svc, orgID, e.ID)
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")

	// Ada's bid form reads the item of her event, e.g. for its currency.
	g, err := svc.GuideByToken(ctx, ada.GuideToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	got, err := svc.GuideAuctionItem(ctx, g, item.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.Title, "from", got.StartingBid)
	_, err = svc.GuideAuctionItem(ctx, g, "itm_unknown")
	fmt.Println(err)
	// Output:
	// Signed poster from EUR 20.00
	// not found: auction item itm_unknown not found
}

func ExampleService_ListAuctionItems() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)
	for _, in := range []ticketing.AuctionItemInput{
		{Title: "Signed poster", ClosesAt: time.Date(2026, 5, 20, 20, 0, 0, 0, time.UTC)},
		{Title: "Dinner with the speakers", ClosesAt: time.Date(2026, 5, 20, 19, 30, 0, 0, time.UTC)},
	} {
		in.StartingBid, in.MinIncrement = ce.Money{Amount: 2000, Currency: "EUR"}, 500
		if _, err := svc.CreateAuctionItem(ctx, orgID, e.ID, in); err != nil {
			fmt.Println(err)
			return
		}
	}

	items, err := svc.ListAuctionItems(ctx, orgID, e.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	loc, _ := e.Location()
	for _, item := range items {
		fmt.Println(item.ClosesAt.In(loc).Format("15:04"), item.Title)
	}
	// Output:
	// 21:30 Dinner with the speakers
	// 22:00 Signed poster
}

func ExampleService_PlaceBid() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	item := exampleAuctionItem(svc, orgID, e.ID)
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")
	grace := exampleRegister(svc, e.ID, tiers[0].ID, "Grace", "Hopper")

	// Attendees bid from their event guide, identified by its token.
	bid, err := svc.PlaceBid(ctx, ada.GuideToken, item.ID, 2000)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Ada bids", bid.Amount)

	// A bid must beat the highest by the item's increment.
	_, err = svc.PlaceBid(ctx, grace.GuideToken, item.ID, 2200)
	fmt.Println(errors.Is(err, ce.ErrConflict), ce.ErrorField(err), ce.ErrorMessage(err))
	if bid, err = svc.PlaceBid(ctx, grace.GuideToken, item.ID, 2500); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("Grace bids", bid.Amount)

	_, err = svc.PlaceBid(ctx, "not-a-guide-token", item.ID, 5000)
	fmt.Println(errors.Is(err, ce.ErrNotFound))
	// Output:
	// Ada bids EUR 20.00
	// true amount the bid must be at least EUR 25.00
	// Grace bids EUR 25.00
	// true
}

func ExampleService_CloseAuctionItem() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	item := exampleAuctionItem(svc, orgID, e.ID)
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")
	exampleBid(svc, ada.GuideToken, item.ID, 2000)

	// The organizer ends the bidding early: the highest bid wins, and its
	// bidder is sent an e-mail with the link to pay.
	item, err := svc.CloseAuctionItem(ctx, orgID, item.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(item.Status, "won by Ada:", item.WinnerRegistrationID == ada.ID)

	// Closing again changes nothing; bidding is over.
	if item, err = svc.CloseAuctionItem(ctx, orgID, item.ID); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(item.Status)
	_, err = svc.PlaceBid(ctx, ada.GuideToken, item.ID, 3000)
	fmt.Println(errors.Is(err, ce.ErrConflict))
	// Output:
	// closed won by Ada: true
	// closed
	// true
}

func ExampleService_CloseDueAuctionItems() {
	ctx := context.Background()
	now := exampleNow()
	svc, orgID := exampleService(ticketing.Options{Now: func() time.Time { return now }})
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	item := exampleAuctionItem(svc, orgID, e.ID)
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")
	exampleBid(svc, ada.GuideToken, item.ID, 2000)

	n, err := svc.CloseDueAuctionItems(ctx, 100)
	fmt.Println("closed", n, err)

	// The evening of the event, at the item's closing time.
	now = item.ClosesAt
	n, err = svc.CloseDueAuctionItems(ctx, 100)
	fmt.Println("closed", n, err)
	if item, err = svc.GetAuctionItem(ctx, orgID, item.ID); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(item.Status, "won by Ada:", item.WinnerRegistrationID == ada.ID)
	// Output:
	// closed 0 <nil>
	// closed 1 <nil>
	// closed won by Ada: true
}

func ExampleService_RunMaintenance() {
	store := memstore.New()
	defer store.Close()
	now := exampleNow()
	clock := func() time.Time { return now }
	svc := ticketing.New(store, &ticketing.Options{Now: clock})
	org, _, err := svc.CreateOrganization(context.Background(), "Acme Events")
	if err != nil {
		fmt.Println(err)
		return
	}
	e, tiers := exampleOnSale(svc, org.ID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	item := exampleAuctionItem(svc, org.ID, e.ID)
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")
	exampleBid(svc, ada.GuideToken, item.ID, 2000)
	now = item.ClosesAt

	// The maintenance worker is a worker of its own on the same store. Its
	// only e-mail is the winner's, queued as it closes the item.
	won := make(chan struct{}, 1)
	closer := ticketing.New(store, &ticketing.Options{
		Now:         clock,
		EmailQueued: func() { won <- struct{}{} },
	})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- closer.RunMaintenance(ctx, time.Minute) }()

	select {
	case <-won:
	case <-time.After(10 * time.Second):
		fmt.Println("the item was not closed")
	}
	stop()
	fmt.Println("maintenance stopped:", <-done)
	if item, err = svc.GetAuctionItem(context.Background(), org.ID, item.ID); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(item.Status, "won by Ada:", item.WinnerRegistrationID == ada.ID)
	// Output:
	// maintenance stopped: <nil>
	// closed won by Ada: true
}

func ExampleService_PayAuctionItem() {
	ctx := context.Background()
	pay := paymentstest.New()
	svc, orgID := exampleService(ticketing.Options{Payments: pay, PublicURL: "https://events.example.org"})
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	item := exampleAuctionItem(svc, orgID, e.ID)
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")
	grace := exampleRegister(svc, e.ID, tiers[0].ID, "Grace", "Hopper")
	exampleBid(svc, ada.GuideToken, item.ID, 2000)
	exampleBid(svc, grace.GuideToken, item.ID, 2500)

	_, err := svc.PayAuctionItem(ctx, grace.GuideToken, item.ID)
	fmt.Println("still open:", errors.Is(err, ce.ErrConflict))
	if _, err := svc.CloseAuctionItem(ctx, orgID, item.ID); err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.PayAuctionItem(ctx, ada.GuideToken, item.ID)
	fmt.Println("not the winner:", errors.Is(err, ce.ErrForbidden))

	// Grace won; the link in her e-mail leads here. A second click returns
	// the same checkout.
	checkout, err := svc.PayAuctionItem(ctx, grace.GuideToken, item.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	again, err := svc.PayAuctionItem(ctx, grace.GuideToken, item.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("pay at", checkout.URL, again.ID == checkout.ID)

	// She pays, and the provider calls back.
	req := pay.LastCheckout()
	body, header := paymentstest.Callback(paymentstest.Completed(req, "evt_1", checkout.ID, req.Amount))
	res, err := svc.HandlePaymentEvent(ctx, body, header)
	if err != nil {
		fmt.Println(err)
		return
	}
	if item, err = svc.GetAuctionItem(ctx, orgID, item.ID); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Outcome, item.Status)
	// Output:
	// still open: true
	// not the winner: true
	// pay at https://pay.example.com/cs_1 true
	// item_paid paid
}
