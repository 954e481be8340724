package ticketing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
)

// errBroken is what brokenStore's writes of the broken record fail with.
var errBroken = errors.New("disk full")

// brokenStore is a store whose transactions fail every update of the
// registration or auction item with the id broken.
type brokenStore struct {
	storage.Store
	broken string
}

func (s *brokenStore) RunInTx(ctx context.Context, fn func(context.Context, storage.Tx) error) error {
	return s.Store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		return fn(ctx, brokenTx{tx, s.broken})
	})
}

type brokenTx struct {
	storage.Tx
	broken string
}

func (t brokenTx) Registrations() storage.Registrations {
	return brokenRegistrations{t.Tx.Registrations(), t.broken}
}

func (t brokenTx) AuctionItems() storage.AuctionItems {
	return brokenAuctionItems{t.Tx.AuctionItems(), t.broken}
}

type brokenRegistrations struct {
	storage.Registrations
	broken string
}

func (r brokenRegistrations) Update(ctx context.Context, reg *ce.Registration) error {
	if reg.ID == r.broken {
		return errBroken
	}
	return r.Registrations.Update(ctx, reg)
}

type brokenAuctionItems struct {
	storage.AuctionItems
	broken string
}

func (a brokenAuctionItems) Update(ctx context.Context, item *ce.AuctionItem) error {
	if item.ID == a.broken {
		return errBroken
	}
	return a.AuctionItems.Update(ctx, item)
}

// wantBroken fails the test unless err is brokenStore's failure and names
// the record with the id.
func wantBroken(t *testing.T, what string, err error, id string) {
	t.Helper()
	if !errors.Is(err, errBroken) || !strings.Contains(err.Error(), id) {
		t.Errorf("%s: got error %v, want %v naming %s", what, err, errBroken, id)
	}
}

// TestReleaseExpiredHoldsGoesPastAFailure checks that a registration that
// cannot be released does not keep the seats of the younger ones held.
func TestReleaseExpiredHoldsGoesPastAFailure(t *testing.T) {
	store := &brokenStore{Store: newMemstore(t)}
	p := newPaid(t, store)
	first, _ := p.pendingFor(t, p.priced, 0)
	p.setNow(testNow.Add(time.Minute))
	dinner := mustCreateTier(t, p.svc, p.org, p.event.ID, ticketing.TierInput{Name: "Dinner", Price: ce.Money{Amount: 4000, Currency: "EUR"}, Position: 2})
	second, _ := p.pendingFor(t, dinner, 1)
	store.broken = first.ID

	p.setNow(testNow.Add(holdExpiry + time.Hour))
	n, err := p.svc.ReleaseExpiredHolds(context.Background(), 10)
	if n != 1 {
		t.Errorf("released %d, want 1", n)
	}
	wantBroken(t, "ReleaseExpiredHolds", err, first.ID)
	if got := p.get(t, first.ID).Status; got != ce.RegistrationPendingPayment {
		t.Errorf("the broken registration: got %s, want still pending_payment", got)
	}
	if got := p.get(t, second.ID).Status; got != ce.RegistrationCancelled {
		t.Errorf("the registration after it: got %s, want released", got)
	}
}

// TestCloseDueAuctionItemsGoesPastAFailure checks that an item that cannot
// be closed does not keep the younger ones open.
func TestCloseDueAuctionItemsGoesPastAFailure(t *testing.T) {
	store := &brokenStore{Store: newMemstore(t)}
	p := newPaid(t, store)
	ctx := context.Background()
	var items []*ce.AuctionItem
	for i := range 2 {
		in := validItem()
		in.ClosesAt = testNow.Add(time.Duration(i+1) * time.Hour)
		item, err := p.svc.CreateAuctionItem(ctx, p.org, p.event.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, item)
	}
	store.broken = items[0].ID

	p.setNow(testNow.Add(3 * time.Hour))
	n, err := p.svc.CloseDueAuctionItems(ctx, 10)
	if n != 1 {
		t.Errorf("closed %d, want 1", n)
	}
	wantBroken(t, "CloseDueAuctionItems", err, items[0].ID)
	for i, want := range []ce.AuctionItemStatus{ce.AuctionItemOpen, ce.AuctionItemClosed} {
		got, err := p.svc.GetAuctionItem(ctx, p.org, items[i].ID)
		if err != nil || got.Status != want {
			t.Errorf("item %d: got %v (%v), want %s", i, got, err, want)
		}
	}
}
