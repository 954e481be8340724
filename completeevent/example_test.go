package completeevent_test

import (
	"errors"
	"fmt"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

func ExampleTier_Validate() {
	event := &ce.Event{
		Title: "Monthly meetup", TimeZone: "Europe/Amsterdam", Status: ce.EventDraft,
		StartsAt: time.Date(2026, 10, 24, 17, 0, 0, 0, time.UTC),
		EndsAt:   time.Date(2026, 10, 24, 20, 0, 0, 0, time.UTC),
	}
	tier := &ce.Tier{
		Name:    "Online",
		Price:   ce.Money{Amount: 500, Currency: "EUR"},
		JoinURL: "http://meet.example.com/abc",
	}
	err := tier.Validate(event)
	fmt.Println(errors.Is(err, ce.ErrInvalid), ce.ErrorField(err))
	fmt.Println(err)

	tier.JoinURL = "https://meet.example.com/abc"
	fmt.Println(tier.Validate(event), tier.Virtual())
	// Output:
	// true joinUrl
	// invalid: joinUrl: must be an absolute https URL, got scheme "http"
	// <nil> true
}

func ExampleMoney_String() {
	fmt.Println(ce.Money{Amount: 1250, Currency: "EUR"})
	fmt.Println(ce.Money{Amount: 1200, Currency: "JPY"})
	// Output:
	// EUR 12.50
	// JPY 1200
}

func ExampleNewID() {
	id := ce.NewID(ce.PrefixEvent, time.Now())
	fmt.Println(ce.ValidID(ce.PrefixEvent, id), len(id))
	// Output: true 30
}

func ExampleNewAPIKey() {
	token, key := ce.NewAPIKey("org_01", "CRM sync", time.Now())
	// Show token to the user once; store key, which holds only its hash.
	fmt.Println(key.Hash == ce.HashAPIKeyToken(token))
	// Output: true
}

func ExampleError() {
	err := fmt.Errorf("publish: %w", ce.NotFound("event %s not found", "evt_1"))
	var e *ce.Error
	if errors.As(err, &e) && errors.Is(err, ce.ErrNotFound) {
		fmt.Println(e.Message)
	}
	// Output: event evt_1 not found
}

func ExampleCurrencyDecimals() {
	for _, code := range []string{"EUR", "JPY", "BHD", "eur"} {
		d, ok := ce.CurrencyDecimals(code)
		fmt.Println(code, d, ok)
	}
	// Output:
	// EUR 2 true
	// JPY 0 true
	// BHD 3 true
	// eur 0 false
}

func ExampleValidToken() {
	token := ce.NewToken(20)
	fmt.Println(len(token), ce.ValidToken(token, 20), ce.ValidToken("not-a-token", 20))
	// Output: 32 true false
}

func ExampleAuctionItem_MinimumBid() {
	item := &ce.AuctionItem{StartingBid: ce.Money{Amount: 1000, Currency: "EUR"}, MinIncrement: 50}
	fmt.Println(item.MinimumBid())
	item.HighestBidID, item.HighestAmount = "bid_1", 1200
	fmt.Println(item.MinimumBid())
	// Output:
	// 1000
	// 1250
}

func ExampleAuctionItem_TakesBids() {
	closes := time.Date(2026, 5, 20, 21, 0, 0, 0, time.UTC)
	item := &ce.AuctionItem{Status: ce.AuctionItemOpen, ClosesAt: closes}
	fmt.Println(item.TakesBids(closes.Add(-time.Minute)), item.TakesBids(closes))
	// Output: true false
}
