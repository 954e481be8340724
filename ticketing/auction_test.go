package ticketing_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/paymentstest"
	"github.com/completeevent/completeevent-go/webhook"
)

// validItem returns an item input that closes an hour after testNow.
func validItem() ticketing.AuctionItemInput {
	return ticketing.AuctionItemInput{
		Title:        "Signed poster",
		StartingBid:  ce.Money{Amount: 1000, Currency: "EUR"},
		MinIncrement: 100,
		ClosesAt:     testNow.Add(time.Hour),
	}
}

func TestCreateAuctionItemRefusesBadInput(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	stranger := newAttendees(t, a.store)
	for _, tc := range []struct {
		name  string
		event string
		in    func(*ticketing.AuctionItemInput)
		kind  error
		field string
	}{
		{"no title", a.event.ID, func(in *ticketing.AuctionItemInput) { in.Title = " " }, ce.ErrInvalid, "title"},
		{"zero starting bid", a.event.ID, func(in *ticketing.AuctionItemInput) { in.StartingBid.Amount = 0 }, ce.ErrInvalid, "startingBid.amount"},
		{"negative starting bid", a.event.ID, func(in *ticketing.AuctionItemInput) { in.StartingBid.Amount = -5 }, ce.ErrInvalid, "startingBid.amount"},
		{"unknown currency", a.event.ID, func(in *ticketing.AuctionItemInput) { in.StartingBid.Currency = "XYZ" }, ce.ErrInvalid, "startingBid.currency"},
		{"zero increment", a.event.ID, func(in *ticketing.AuctionItemInput) { in.MinIncrement = 0 }, ce.ErrInvalid, "minIncrement"},
		{"starting bid above the maximum", a.event.ID, func(in *ticketing.AuctionItemInput) { in.StartingBid.Amount = ce.MaxAmount + 1 }, ce.ErrInvalid, "startingBid.amount"},
		{"increment above the maximum", a.event.ID, func(in *ticketing.AuctionItemInput) { in.MinIncrement = math.MaxInt64 }, ce.ErrInvalid, "minIncrement"},
		{"closes in the past", a.event.ID, func(in *ticketing.AuctionItemInput) { in.ClosesAt = testNow }, ce.ErrInvalid, "closesAt"},
		{"closes after the event", a.event.ID, func(in *ticketing.AuctionItemInput) { in.ClosesAt = a.event.EndsAt.Add(time.Second) }, ce.ErrInvalid, "closesAt"},
		{"another organization's event", stranger.event.ID, nil, ce.ErrNotFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := validItem()
			if tc.in != nil {
				tc.in(&in)
			}
			_, err := a.svc.CreateAuctionItem(context.Background(), a.org, tc.event, in)
			wantKind(t, err, tc.kind, tc.field)
		})
	}
}

func TestAuction(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		p := newPaid(t, store)
		ctx := context.Background()
		item, err := p.svc.CreateAuctionItem(ctx, p.org, p.event.ID, validItem())
		if err != nil {
			t.Fatalf("CreateAuctionItem: %v", err)
		}
		alice := p.register(t, p.inPerson, 0)
		bob := p.register(t, p.inPerson, 1)
		cancelled := p.register(t, p.inPerson, 2)
		if _, err := p.svc.CancelRegistration(ctx, p.org, cancelled.ID, ticketing.CancelInput{}); err != nil {
			t.Fatal(err)
		}

		bid := func(r *ce.Registration, amount int64) error {
			_, err := p.svc.PlaceBid(ctx, r.GuideToken, item.ID, amount)
			return err
		}
		wantKind(t, bid(alice, 999), ce.ErrConflict, "amount")
		if err := bid(alice, 1000); err != nil {
			t.Fatalf("first bid at the starting bid: %v", err)
		}
		err = bid(bob, 1050)
		wantKind(t, err, ce.ErrConflict, "amount")
		if !strings.Contains(err.Error(), "at least EUR 11.00") {
			t.Errorf("bid below the increment: got %q, want it to name EUR 11.00", err)
		}
		wantKind(t, bid(cancelled, 5000), ce.ErrForbidden, "")
		_, err = p.svc.PlaceBid(ctx, ce.NewToken(20), item.ID, 5000)
		wantKind(t, err, ce.ErrNotFound, "")
		stranger := newAttendees(t, store)
		later := validItem()
		later.ClosesAt = later.ClosesAt.Add(time.Hour)
		strangerItem, err := stranger.svc.CreateAuctionItem(ctx, stranger.org, stranger.event.ID, later)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.svc.PlaceBid(ctx, alice.GuideToken, strangerItem.ID, 5000)
		wantKind(t, err, ce.ErrNotFound, "")

		// Concurrent bids at one level: exactly one wins it.
		const racers = 8
		var wg sync.WaitGroup
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() { errs[i] = bid(bob, 1100) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, ce.ErrConflict):
				t.Errorf("concurrent bid: unexpected error %v", err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d bids of EUR 11.00 won, want 1", won, racers)
		}

		// Paying before closing, closing, paying by the loser.
		_, err = p.svc.PayAuctionItem(ctx, bob.GuideToken, item.ID)
		wantKind(t, err, ce.ErrConflict, "")
		p.setNow(item.ClosesAt)
		wantKind(t, bid(alice, 9000), ce.ErrConflict, "")
		if n, err := p.svc.CloseDueAuctionItems(ctx, 10); err != nil || n != 1 {
			t.Fatalf("CloseDueAuctionItems: closed %d (%v), want 1", n, err)
		}
		closed, err := p.svc.GetAuctionItem(ctx, p.org, item.ID)
		if err != nil || closed.Status != ce.AuctionItemClosed || closed.WinnerRegistrationID != bob.ID || closed.HighestAmount != 1100 {
			t.Fatalf("closed item %+v (%v): want closed, won by %s at 1100", closed, err, bob.ID)
		}
		if kinds := p.emails(t, bob.ID); len(kinds) != 2 || kinds[1] != ce.EmailAuctionWon {
			t.Errorf("winner's e-mails %v: want the confirmation and auction_won", kinds)
		}
		_, err = p.svc.PayAuctionItem(ctx, alice.GuideToken, item.ID)
		wantKind(t, err, ce.ErrForbidden, "")

		checkout, err := p.svc.PayAuctionItem(ctx, bob.GuideToken, item.ID)
		if err != nil {
			t.Fatalf("PayAuctionItem: %v", err)
		}
		req := p.payments.LastCheckout()
		if req.Amount != (ce.Money{Amount: 1100, Currency: "EUR"}) || req.ItemID != item.ID || req.Purpose != ticketing.PurposeAuctionItem {
			t.Errorf("checkout request %+v: want 1100 EUR for item %s", req, item.ID)
		}
		res, err := p.deliver(paymentstest.Completed(req, "evt_paid", checkout.ID, req.Amount))
		if err != nil || res.Outcome != ticketing.PaymentPaidItem {
			t.Fatalf("payment: got %+v, %v; want item paid", res, err)
		}
		_, err = p.svc.PayAuctionItem(ctx, bob.GuideToken, item.ID)
		wantKind(t, err, ce.ErrConflict, "")
		// A second checkout paid after the first is refunded.
		res, err = p.deliver(paymentstest.Completed(req, "evt_paid_again", "cs_second", req.Amount))
		if err != nil || res.Outcome != ticketing.PaymentRefunded {
			t.Errorf("paying twice: got %+v, %v; want a refund", res, err)
		}
		msgs := messages[webhook.AuctionItemPaid](t, p.attendees)
		if len(msgs) != 1 {
			t.Fatalf("got %d auction.item.paid messages, want 1", len(msgs))
		}
		data := msgs[0]
		if data.ItemID != item.ID || data.RegistrationID != bob.ID || data.Amount != 1100 || data.Currency != "EUR" || data.PaymentReference != checkout.ID {
			t.Errorf("auction.item.paid data %+v", data)
		}
	})
}

func TestCloseAuctionItemWithoutBids(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	ctx := context.Background()
	item, err := a.svc.CreateAuctionItem(ctx, a.org, a.event.ID, validItem())
	if err != nil {
		t.Fatal(err)
	}
	closed, err := a.svc.CloseAuctionItem(ctx, a.org, item.ID)
	if err != nil || closed.Status != ce.AuctionItemClosed || closed.WinnerRegistrationID != "" {
		t.Fatalf("CloseAuctionItem: %+v, %v; want closed without a winner", closed, err)
	}
	again, err := a.svc.CloseAuctionItem(ctx, a.org, item.ID)
	if err != nil || again.Version != closed.Version {
		t.Errorf("closing twice: %+v, %v; want the same item unchanged", again, err)
	}
	stranger := newAttendees(t, a.store)
	_, err = stranger.svc.CloseAuctionItem(ctx, stranger.org, item.ID)
	wantKind(t, err, ce.ErrNotFound, "")
}

func TestPlaceBidRefusesAmountsAboveTheMaximum(t *testing.T) {
	p := newPaid(t, newMemstore(t))
	ctx := context.Background()
	item, err := p.svc.CreateAuctionItem(ctx, p.org, p.event.ID, validItem())
	if err != nil {
		t.Fatal(err)
	}
	alice := p.register(t, p.inPerson, 0)
	for _, amount := range []int64{math.MaxInt64, ce.MaxAmount + 1} {
		_, err := p.svc.PlaceBid(ctx, alice.GuideToken, item.ID, amount)
		wantKind(t, err, ce.ErrInvalid, "amount")
	}
	// A bid refused leaves the minimum where it was: a bid of 1 does not
	// become the highest.
	_, err = p.svc.PlaceBid(ctx, alice.GuideToken, item.ID, 1)
	wantKind(t, err, ce.ErrConflict, "amount")
	if _, err := p.svc.PlaceBid(ctx, alice.GuideToken, item.ID, ce.MaxAmount); err != nil {
		t.Fatalf("bid of MaxAmount: %v", err)
	}
	_, err = p.svc.PlaceBid(ctx, alice.GuideToken, item.ID, 1)
	wantKind(t, err, ce.ErrConflict, "amount")
	got, err := p.svc.GetAuctionItem(ctx, p.org, item.ID)
	if err != nil || got.HighestAmount != ce.MaxAmount {
		t.Errorf("item %+v (%v): want the highest amount %d", got, err, ce.MaxAmount)
	}
}

func TestPlaceBidClosedNamesTheEventsTime(t *testing.T) {
	p := newPaid(t, newMemstore(t))
	ctx := context.Background()
	item, err := p.svc.CreateAuctionItem(ctx, p.org, p.event.ID, validItem())
	if err != nil {
		t.Fatal(err)
	}
	alice := p.register(t, p.inPerson, 0)
	p.setNow(item.ClosesAt)
	_, err = p.svc.PlaceBid(ctx, alice.GuideToken, item.ID, 5000)
	wantKind(t, err, ce.ErrConflict, "")
	if want := "closed at 2026-04-15 15:00 CEST"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want it to say %q", err, want)
	}
}

func TestCloseAuctionItemSkipsCancelledBidders(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		p := newPaid(t, store)
		ctx := context.Background()
		item, err := p.svc.CreateAuctionItem(ctx, p.org, p.event.ID, validItem())
		if err != nil {
			t.Fatal(err)
		}
		alice := p.register(t, p.inPerson, 0)
		bob := p.register(t, p.inPerson, 1)
		bids := map[string]*ce.Bid{}
		for _, b := range []struct {
			name   string
			r      *ce.Registration
			amount int64
		}{{"alice", alice, 1000}, {"bob", bob, 1100}, {"alice again", alice, 1200}, {"bob again", bob, 1300}} {
			bid, err := p.svc.PlaceBid(ctx, b.r.GuideToken, item.ID, b.amount)
			if err != nil {
				t.Fatalf("bid of %s: %v", b.name, err)
			}
			bids[b.name] = bid
		}
		if _, err := p.svc.CancelRegistration(ctx, p.org, bob.ID, ticketing.CancelInput{}); err != nil {
			t.Fatal(err)
		}
		closed, err := p.svc.CloseAuctionItem(ctx, p.org, item.ID)
		if err != nil || closed.WinnerRegistrationID != alice.ID || closed.HighestBidID != bids["alice again"].ID || closed.HighestAmount != 1200 {
			t.Fatalf("closed item %+v (%v): want won by %s with bid %s at 1200", closed, err, alice.ID, bids["alice again"].ID)
		}
		if kinds := p.emails(t, bob.ID); slices.Contains(kinds, ce.EmailAuctionWon) {
			t.Errorf("cancelled bidder's e-mails %v: want no auction_won", kinds)
		}
		_, err = p.svc.PayAuctionItem(ctx, bob.GuideToken, item.ID)
		wantKind(t, err, ce.ErrForbidden, "")
		// The winner cancelled after the close cannot pay either.
		if _, err := p.svc.CancelRegistration(ctx, p.org, alice.ID, ticketing.CancelInput{}); err != nil {
			t.Fatal(err)
		}
		_, err = p.svc.PayAuctionItem(ctx, alice.GuideToken, item.ID)
		wantKind(t, err, ce.ErrForbidden, "")

		// Every bidder cancelled: no winner.
		later := validItem()
		later.Title = "Second poster"
		second, err := p.svc.CreateAuctionItem(ctx, p.org, p.event.ID, later)
		if err != nil {
			t.Fatal(err)
		}
		carol := p.register(t, p.inPerson, 2)
		if _, err := p.svc.PlaceBid(ctx, carol.GuideToken, second.ID, 1000); err != nil {
			t.Fatal(err)
		}
		if _, err := p.svc.CancelRegistration(ctx, p.org, carol.ID, ticketing.CancelInput{}); err != nil {
			t.Fatal(err)
		}
		closed, err = p.svc.CloseAuctionItem(ctx, p.org, second.ID)
		if err != nil || closed.Status != ce.AuctionItemClosed || closed.WinnerRegistrationID != "" || closed.HighestBidID != "" || closed.HighestAmount != 0 {
			t.Errorf("closed item %+v (%v): want closed without a winner", closed, err)
		}
	})
}

func TestAuctionItemPaidWithTheWrongAmount(t *testing.T) {
	p := newPaid(t, newMemstore(t))
	ctx := context.Background()
	item, err := p.svc.CreateAuctionItem(ctx, p.org, p.event.ID, validItem())
	if err != nil {
		t.Fatal(err)
	}
	bob := p.register(t, p.inPerson, 0)
	if _, err := p.svc.PlaceBid(ctx, bob.GuideToken, item.ID, 1500); err != nil {
		t.Fatal(err)
	}
	if _, err := p.svc.CloseAuctionItem(ctx, p.org, item.ID); err != nil {
		t.Fatal(err)
	}
	first, err := p.svc.PayAuctionItem(ctx, bob.GuideToken, item.ID)
	if err != nil {
		t.Fatal(err)
	}
	req := p.payments.LastCheckout()
	res, err := p.deliver(paymentstest.Completed(req, "evt_wrong", first.ID, ce.Money{Amount: 15, Currency: "EUR"}))
	if err != nil || res.Outcome != ticketing.PaymentRejected || !strings.Contains(res.Reason, "refund re_"+first.ID) {
		t.Fatalf("wrong amount: got %+v, %v; want rejected and refunded", res, err)
	}
	if got := p.payments.Refunds(); len(got) != 1 || got[0] != first.ID {
		t.Errorf("refunds %v, want %s", got, first.ID)
	}
	stored, err := p.svc.GetAuctionItem(ctx, p.org, item.ID)
	if err != nil || stored.Status != ce.AuctionItemClosed || stored.WinnerRegistrationID != bob.ID {
		t.Fatalf("item %+v (%v): want still closed, won by %s", stored, err, bob.ID)
	}
	again, err := p.svc.PayAuctionItem(ctx, bob.GuideToken, item.ID)
	if err != nil || again.ID == first.ID {
		t.Fatalf("paying again: %+v, %v; want a new checkout", again, err)
	}
	res, err = p.deliver(paymentstest.Completed(p.payments.LastCheckout(), "evt_right", again.ID, ce.Money{Amount: 1500, Currency: "EUR"}))
	if err != nil || res.Outcome != ticketing.PaymentPaidItem {
		t.Errorf("paying again: got %+v, %v; want item paid", res, err)
	}
}
