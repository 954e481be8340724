package ticketing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/stripetest"
	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/stripepay"
)

// refusal is what a test compares of an error: its field and message;
// the zero refusal is no error.
type refusal struct {
	Field, Message string
}

// refusalOf returns the refusal err is, failing the test unless err is
// nil or matches ErrInvalid.
func refusalOf(t *testing.T, err error) refusal {
	t.Helper()
	if err == nil {
		return refusal{}
	}
	if !errors.Is(err, ce.ErrInvalid) {
		t.Fatalf("got error %v, want nil or ErrInvalid", err)
	}
	return refusal{ce.ErrorField(err), ce.ErrorMessage(err)}
}

// The messages of Stripe's refusals.
const (
	kwdStep = "KWD amounts must be multiples of 0.010 for card payments"
	mgaStep = "MGA amounts must be multiples of 1.00 for card payments"
	iskMost = "at most 999,999 ISK can be paid"
)

// stripeRule returns a Stripe provider for its CheckAmount, which makes no
// request.
func stripeRule(t *testing.T) *stripepay.Payments {
	t.Helper()
	pay, err := stripepay.New(stripepay.Config{SecretKey: stripetest.SecretKey, WebhookSecret: "whsec_test", APIBaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatalf("stripepay.New: %v", err)
	}
	return pay
}

// newStripeRuled returns a paid set-up whose fake provider follows
// Stripe's rule on amounts.
func newStripeRuled(t *testing.T, store storage.Store) *paid {
	t.Helper()
	p := newPaid(t, store)
	p.payments.SetAmountCheck(stripeRule(t).CheckAmount)
	return p
}

func TestTierPriceMustBePayable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		price ce.Money
		want  refusal
	}{
		{"KWD in tens of fils", ce.Money{Amount: 1010, Currency: "KWD"}, refusal{}},
		{"KWD 1.005", ce.Money{Amount: 1005, Currency: "KWD"}, refusal{"price.amount", kwdStep}},
		{"free KWD", ce.Money{Currency: "KWD"}, refusal{}},
		{"MGA in whole ariary", ce.Money{Amount: 500_000, Currency: "MGA"}, refusal{}},
		{"MGA 1.50", ce.Money{Amount: 150, Currency: "MGA"}, refusal{"price.amount", mgaStep}},
		{"ISK 999,999", ce.Money{Amount: 999_999, Currency: "ISK"}, refusal{}},
		{"ISK 1,000,000", ce.Money{Amount: 1_000_000, Currency: "ISK"}, refusal{"price.amount", iskMost}},
		{"EUR 1,000,000.00", ce.Money{Amount: 100_000_000, Currency: "EUR"}, refusal{"price.amount", "at most 999,999.99 EUR can be paid"}},
	}
	p := newStripeRuled(t, newMemstore(t))
	ctx := context.Background()
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validTierInput()
			in.Name = "Create " + tt.name
			in.Price = tt.price
			_, err := p.svc.CreateTier(ctx, p.org, p.event.ID, in)
			if diff := cmp.Diff(tt.want, refusalOf(t, err)); diff != "" {
				t.Errorf("CreateTier with %v (-want +got):\n%s", tt.price, diff)
			}

			in.Name, in.Price, in.Position = "Update "+tt.name, ce.Money{Currency: tt.price.Currency}, i
			tier := mustCreateTier(t, p.svc, p.org, p.event.ID, in)
			_, err = p.svc.UpdateTier(ctx, p.org, tier.ID, ticketing.TierUpdate{Price: &tt.price})
			if diff := cmp.Diff(tt.want, refusalOf(t, err)); diff != "" {
				t.Errorf("UpdateTier to %v (-want +got):\n%s", tt.price, diff)
			}
		})
	}
}

func TestAuctionAmountsMustBePayable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		start ce.Money
		incr  int64
		want  refusal
	}{
		{"KWD in tens of fils", ce.Money{Amount: 1000, Currency: "KWD"}, 10, refusal{}},
		{"KWD starting at 1.001", ce.Money{Amount: 1001, Currency: "KWD"}, 10, refusal{"startingBid.amount", kwdStep}},
		{"KWD by 0.005", ce.Money{Amount: 1000, Currency: "KWD"}, 5, refusal{"minIncrement", kwdStep}},
		{"MGA in whole ariary", ce.Money{Amount: 10_000, Currency: "MGA"}, 100, refusal{}},
		{"MGA starting at 100.50", ce.Money{Amount: 10_050, Currency: "MGA"}, 100, refusal{"startingBid.amount", mgaStep}},
		{"MGA by 0.01", ce.Money{Amount: 10_000, Currency: "MGA"}, 1, refusal{"minIncrement", mgaStep}},
		{"ISK up to the maximum", ce.Money{Amount: 999_999, Currency: "ISK"}, 999_999, refusal{}},
		{"ISK starting above the maximum", ce.Money{Amount: 1_000_000, Currency: "ISK"}, 1, refusal{"startingBid.amount", iskMost}},
		{"ISK by more than the maximum", ce.Money{Amount: 1000, Currency: "ISK"}, 1_000_000, refusal{"minIncrement", iskMost}},
	}
	p := newStripeRuled(t, newMemstore(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validItem()
			in.StartingBid, in.MinIncrement = tt.start, tt.incr
			_, err := p.svc.CreateAuctionItem(context.Background(), p.org, p.event.ID, in)
			if diff := cmp.Diff(tt.want, refusalOf(t, err)); diff != "" {
				t.Errorf("CreateAuctionItem from %v by %d (-want +got):\n%s", tt.start, tt.incr, diff)
			}
		})
	}
}

func TestBidMustBePayable(t *testing.T) {
	t.Parallel()
	p := newStripeRuled(t, newMemstore(t))
	ctx := context.Background()
	item := func(start ce.Money, incr int64) string {
		in := validItem()
		in.StartingBid, in.MinIncrement = start, incr
		item, err := p.svc.CreateAuctionItem(ctx, p.org, p.event.ID, in)
		if err != nil {
			t.Fatalf("CreateAuctionItem: %v", err)
		}
		return item.ID
	}
	kwd := item(ce.Money{Amount: 1000, Currency: "KWD"}, 10)
	mga := item(ce.Money{Amount: 10_000, Currency: "MGA"}, 100)
	isk := item(ce.Money{Amount: 999_990, Currency: "ISK"}, 1)
	bidder := p.register(t, p.inPerson, 0)
	tests := []struct {
		name   string
		item   string
		amount int64
		want   refusal
	}{
		{"KWD 1.005", kwd, 1005, refusal{"amount", kwdStep}},
		{"KWD 1.010", kwd, 1010, refusal{}},
		{"KWD 1.021", kwd, 1021, refusal{"amount", kwdStep}},
		{"MGA 100.50", mga, 10_050, refusal{"amount", mgaStep}},
		{"MGA 102", mga, 10_200, refusal{}},
		{"ISK 1,000,000", isk, 1_000_000, refusal{"amount", iskMost}},
		{"ISK 999,999", isk, 999_999, refusal{}},
	}
	for _, tt := range tests {
		_, err := p.svc.PlaceBid(ctx, bidder.GuideToken, tt.item, tt.amount)
		if diff := cmp.Diff(tt.want, refusalOf(t, err)); diff != "" {
			t.Errorf("%s: PlaceBid(%d) (-want +got):\n%s", tt.name, tt.amount, diff)
		}
	}
}

func TestAmountsUncheckedWithoutChecker(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	kwd := ce.Money{Amount: 1005, Currency: "KWD"}
	for _, tc := range []struct {
		name string
		svc  func(*paid) *ticketing.Service
	}{
		{"provider without a rule", func(p *paid) *ticketing.Service { return p.svc }},
		{"no provider", func(p *paid) *ticketing.Service { return ticketing.New(p.store, &ticketing.Options{Now: p.now}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newPaid(t, newMemstore(t))
			svc := tc.svc(p)
			if _, err := svc.CreateTier(ctx, p.org, p.event.ID, ticketing.TierInput{Name: "Fils", Price: kwd, Position: 5}); err != nil {
				t.Errorf("CreateTier with %v: %v", kwd, err)
			}
			in := validItem()
			in.StartingBid, in.MinIncrement = kwd, 1
			item, err := svc.CreateAuctionItem(ctx, p.org, p.event.ID, in)
			if err != nil {
				t.Fatalf("CreateAuctionItem from %v: %v", kwd, err)
			}
			if _, err := svc.PlaceBid(ctx, p.register(t, p.inPerson, 0).GuideToken, item.ID, 1007); err != nil {
				t.Errorf("PlaceBid(1007): %v", err)
			}
		})
	}
}

func TestAmountCheckerErrorIsInvalid(t *testing.T) {
	t.Parallel()
	p := newPaid(t, newMemstore(t))
	down := errors.New("only even amounts")
	p.payments.SetAmountCheck(func(m ce.Money) error {
		if m.Amount%2 != 0 {
			return down
		}
		return nil
	})
	_, err := p.svc.CreateTier(context.Background(), p.org, p.event.ID, ticketing.TierInput{Name: "Odd", Price: ce.Money{Amount: 2501, Currency: "EUR"}, Position: 5})
	if diff := cmp.Diff(refusal{"price.amount", "only even amounts"}, refusalOf(t, err)); diff != "" {
		t.Errorf("CreateTier (-want +got):\n%s", diff)
	}
	if !errors.Is(err, down) {
		t.Errorf("got error %v, want it to wrap the provider's %v", err, down)
	}
}

// TestStripeChargesWhatWasAccepted runs a tier and an auction against
// stripe-mock through stripepay: the amounts Stripe cannot charge are
// refused up front, and the payable ones are paid.
func TestStripeChargesWhatWasAccepted(t *testing.T) {
	base := stripetest.Start(t)
	tests := []struct {
		cur                   string
		badPrice, price       int64
		badStart, start, incr int64
		badBid, bid           int64
		want                  string
	}{
		{"KWD", 1005, 1010, 1001, 1000, 10, 1005, 1010, kwdStep},
		{"MGA", 150, 500_000, 10_050, 10_000, 100, 10_050, 10_100, mgaStep},
		{"ISK", 1_000_000, 4900, 1_000_000, 500_000, 1, 1_000_000, 999_999, iskMost},
	}
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		for _, tt := range tests {
			t.Run(tt.cur, func(t *testing.T) {
				ctx := context.Background()
				a := newAttendees(t, store)
				pay, err := stripepay.New(stripepay.Config{SecretKey: stripetest.SecretKey, WebhookSecret: "whsec_test", APIBaseURL: base})
				if err != nil {
					t.Fatal(err)
				}
				a.svc = ticketing.New(store, &ticketing.Options{Now: a.now, Payments: pay, PublicURL: "https://events.example.org"})

				money := func(amount int64) ce.Money { return ce.Money{Amount: amount, Currency: tt.cur} }
				_, err = a.svc.CreateTier(ctx, a.org, a.event.ID, ticketing.TierInput{Name: "Gala", Price: money(tt.badPrice), Position: 2})
				if diff := cmp.Diff(refusal{"price.amount", tt.want}, refusalOf(t, err)); diff != "" {
					t.Errorf("CreateTier at %d (-want +got):\n%s", tt.badPrice, diff)
				}
				gala := mustCreateTier(t, a.svc, a.org, a.event.ID, ticketing.TierInput{Name: "Gala", Price: money(tt.price), Position: 2})
				got, err := a.svc.Register(ctx, a.event.ID, attendee(gala.ID, 0))
				if err != nil || got.Checkout == nil || !strings.HasPrefix(got.Checkout.ID, "cs_") {
					t.Fatalf("Register for %v: got %+v, %v; want a Stripe checkout", gala.Price, got, err)
				}

				in := ticketing.AuctionItemInput{Title: "Poster", StartingBid: money(tt.badStart), MinIncrement: tt.incr, ClosesAt: testNow.Add(time.Hour)}
				_, err = a.svc.CreateAuctionItem(ctx, a.org, a.event.ID, in)
				if diff := cmp.Diff(refusal{"startingBid.amount", tt.want}, refusalOf(t, err)); diff != "" {
					t.Errorf("CreateAuctionItem from %d (-want +got):\n%s", tt.badStart, diff)
				}
				in.StartingBid = money(tt.start)
				item, err := a.svc.CreateAuctionItem(ctx, a.org, a.event.ID, in)
				if err != nil {
					t.Fatalf("CreateAuctionItem from %d: %v", tt.start, err)
				}
				winner := a.register(t, a.inPerson, 1)
				_, err = a.svc.PlaceBid(ctx, winner.GuideToken, item.ID, tt.badBid)
				if diff := cmp.Diff(refusal{"amount", tt.want}, refusalOf(t, err)); diff != "" {
					t.Errorf("PlaceBid(%d) (-want +got):\n%s", tt.badBid, diff)
				}
				if _, err := a.svc.PlaceBid(ctx, winner.GuideToken, item.ID, tt.bid); err != nil {
					t.Fatalf("PlaceBid(%d): %v", tt.bid, err)
				}
				if _, err := a.svc.CloseAuctionItem(ctx, a.org, item.ID); err != nil {
					t.Fatalf("CloseAuctionItem: %v", err)
				}
				c, err := a.svc.PayAuctionItem(ctx, winner.GuideToken, item.ID)
				if err != nil || !strings.HasPrefix(c.ID, "cs_") {
					t.Errorf("PayAuctionItem of the winning %d %s: got %+v, %v; want a Stripe checkout", tt.bid, tt.cur, c, err)
				}
			})
		}
	})
}
