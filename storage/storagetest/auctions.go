package storagetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// The auction tests that run in parallel with the rest close their items
// in the far future, so that testAuctionItemsDue, which lists the due items
// of every organization near base, never sees them.

// newItem returns an unsaved, open auction item of e, closing at the time.
func newItem(e *ce.Event, closesAt time.Time) *ce.AuctionItem {
	return &ce.AuctionItem{
		ID:             ce.NewID(ce.PrefixAuctionItem, time.Now()),
		OrganizationID: e.OrganizationID,
		EventID:        e.ID,
		Title:          "Signed poster",
		Description:    "Signed by the whole band.",
		StartingBid:    ce.Money{Amount: 1000, Currency: "EUR"},
		MinIncrement:   100,
		ClosesAt:       closesAt,
		Status:         ce.AuctionItemOpen,
		CreatedAt:      base,
		UpdatedAt:      base,
	}
}

// createItem stores a new open auction item of e, closing at the time.
func createItem(t *testing.T, s storage.Repositories, e *ce.Event, closesAt time.Time) *ce.AuctionItem {
	t.Helper()
	item := newItem(e, closesAt)
	if err := s.AuctionItems().Create(ctx(t), item); err != nil {
		t.Fatalf("create auction item: %v", err)
	}
	return item
}

// newItems returns n unsaved items of e, a second apart from closesAt.
func newItems(e *ce.Event, closesAt time.Time, n int) []*ce.AuctionItem {
	items := make([]*ce.AuctionItem, n)
	for i := range items {
		items[i] = newItem(e, closesAt.Add(time.Duration(i)*time.Second))
	}
	return items
}

// newBid returns an unsaved bid of r on item, of the amount in the item's
// currency, made at the time.
func newBid(item *ce.AuctionItem, r *ce.Registration, amount int64, at time.Time) *ce.Bid {
	return &ce.Bid{
		ID:             ce.NewID(ce.PrefixBid, time.Now()),
		OrganizationID: item.OrganizationID,
		ItemID:         item.ID,
		RegistrationID: r.ID,
		Amount:         ce.Money{Amount: amount, Currency: item.StartingBid.Currency},
		CreatedAt:      at,
	}
}

// createBid stores a new bid of r on item.
func createBid(t *testing.T, s storage.Repositories, item *ce.AuctionItem, r *ce.Registration, amount int64, at time.Time) *ce.Bid {
	t.Helper()
	bid := newBid(item, r, amount, at)
	if err := s.AuctionItems().CreateBid(ctx(t), bid); err != nil {
		t.Fatalf("create bid: %v", err)
	}
	return bid
}

// listBids returns the bids on the organization's item.
func listBids(t *testing.T, s storage.Repositories, organizationID, itemID string) []*ce.Bid {
	t.Helper()
	bids, err := s.AuctionItems().ListBids(ctx(t), organizationID, itemID)
	if err != nil {
		t.Fatalf("list bids: %v", err)
	}
	return bids
}

// getItem returns the organization's stored item.
func getItem(t *testing.T, s storage.Repositories, organizationID, id string) *ce.AuctionItem {
	t.Helper()
	item, err := s.AuctionItems().Get(ctx(t), organizationID, id)
	if err != nil {
		t.Fatalf("get auction item: %v", err)
	}
	return item
}

// wantNoItems fails the test if any of a sample of the items is stored.
func wantNoItems(t *testing.T, s storage.Repositories, what string, items []*ce.AuctionItem) {
	t.Helper()
	for _, item := range sample(items) {
		if _, err := s.AuctionItems().Get(ctx(t), item.OrganizationID, item.ID); err == nil {
			t.Errorf("%s: auction item %s was stored, want none of the list", what, item.ID)
			return
		}
	}
}

// storedItem returns item as the store keeps it at the version: every
// time in UTC with microseconds. Tests compare with it rather than with
// what an adapter writes back, which would hide a field lost both ways.
func storedItem(item ce.AuctionItem, version int64) *ce.AuctionItem {
	item.Version = version
	for _, t := range []*time.Time{&item.ClosesAt, &item.ClosedAt, &item.PaidAt, &item.CreatedAt, &item.UpdatedAt} {
		*t = storage.NormalizeTime(*t)
	}
	return &item
}

func itemID(item *ce.AuctionItem) string { return item.ID }
func bidID(b *ce.Bid) string             { return b.ID }

func testAuctionItemRoundTrip(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, future)
	tokyo := time.FixedZone("JST", 9*60*60)
	item := newItem(e, future)
	item.Title, item.Description = "Zürich Café ☕ — 東京 🎉", "quotes ' \" ` and %_ wildcards\nline two"
	item.StartingBid = ce.Money{Amount: math.MaxInt64, Currency: "KWD"}
	item.MinIncrement = 1
	item.Status = ce.AuctionItemPaid
	item.HighestBidID, item.HighestAmount = ce.NewID(ce.PrefixBid, base), math.MaxInt64
	item.WinnerRegistrationID = ce.NewID(ce.PrefixRegistration, base)
	item.ClosedAt = future.Add(time.Nanosecond).In(tokyo)
	item.PaymentReference = "cs_test_a1B2"
	item.PaidAt = future.Add(time.Hour + 999*time.Nanosecond)
	item.UpdatedAt = base.Add(time.Minute)
	item.Version = 7 // Create sets 1
	want := storedItem(*item, 1)
	if err := s.AuctionItems().Create(ctx(t), item); err != nil {
		t.Fatalf("create: %v", err)
	}
	wantEqual(t, "auction item written back by create", item, want)
	wantEqual(t, "auction item", getItem(t, s, org.ID, item.ID), want)

	// An open item without bids: the optional fields stay empty, and a
	// required time left zero stays zero.
	open := newItem(e, future.Add(time.Hour))
	open.UpdatedAt = time.Time{}
	wantOpen := storedItem(*open, 1)
	if err := s.AuctionItems().Create(ctx(t), open); err != nil {
		t.Fatalf("create: %v", err)
	}
	wantEqual(t, "open auction item", getItem(t, s, org.ID, open.ID), wantOpen)
	listed, err := s.AuctionItems().ListByEvent(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "listed auction items", listed, []*ce.AuctionItem{want, wantOpen})
}

func testAuctionItemErrors(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e := createEvent(t, s, org, future)
	foreignEvent := createEvent(t, s, other, future)
	item := createItem(t, s, e, future)

	_, err := s.AuctionItems().Get(ctx(t), other.ID, item.ID)
	wantKind(t, "get another organization's auction item", err, ce.ErrNotFound)
	_, err = s.AuctionItems().Get(ctx(t), org.ID, ce.NewID(ce.PrefixAuctionItem, base))
	wantKind(t, "get missing auction item", err, ce.ErrNotFound)
	list, err := s.AuctionItems().ListByEvent(ctx(t), other.ID, e.ID)
	if err != nil || len(list) != 0 {
		t.Errorf("list another organization's auction items: got %d items, error %v; want none", len(list), err)
	}

	refused := []struct {
		name   string
		change func(*ce.AuctionItem)
		kind   error
	}{
		{"duplicate id", func(i *ce.AuctionItem) { i.ID = item.ID }, ce.ErrConflict},
		{"event of another organization", func(i *ce.AuctionItem) { i.EventID = foreignEvent.ID }, ce.ErrNotFound},
		{"event in another organization", func(i *ce.AuctionItem) { i.OrganizationID = other.ID }, ce.ErrNotFound},
		{"missing event", func(i *ce.AuctionItem) { i.EventID = ce.NewID(ce.PrefixEvent, base) }, ce.ErrNotFound},
	}
	for _, tc := range refused {
		bad := newItem(e, future)
		tc.change(bad)
		wantKind(t, "create with a "+tc.name, s.AuctionItems().Create(ctx(t), bad), tc.kind)
		// In a transaction, the refusal leaves the transaction usable.
		var later *ce.AuctionItem
		err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
			wantKind(t, "create in a transaction with a "+tc.name, tx.AuctionItems().Create(c, bad), tc.kind)
			later = newItem(e, future)
			return tx.AuctionItems().Create(c, later)
		})
		if err != nil {
			t.Errorf("transaction after a create with a %s: %v", tc.name, err)
			continue
		}
		getItem(t, s, org.ID, later.ID)
	}

	foreign := *item
	foreign.OrganizationID = other.ID
	wantKind(t, "update another organization's auction item", s.AuctionItems().Update(ctx(t), &foreign), ce.ErrNotFound)
	missing := newItem(e, future)
	missing.Version = 1
	wantKind(t, "update a missing auction item", s.AuctionItems().Update(ctx(t), missing), ce.ErrNotFound)
}

func testAuctionItemCreateMany(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e, second := createEvent(t, s, org, future), createEvent(t, s, org, future)
	items := append(newItems(e, future, 2), newItem(second, future))
	items[1].ClosedAt, items[1].Status = future.Add(time.Nanosecond), ce.AuctionItemClosed
	items[2].PaymentReference, items[2].PaidAt = "cs_test_bulk", future.In(time.FixedZone("JST", 9*60*60))
	want := make([]*ce.AuctionItem, len(items))
	for i, item := range items {
		want[i] = storedItem(*item, 1)
	}
	if err := s.AuctionItems().CreateMany(ctx(t), items); err != nil {
		t.Fatalf("create many: %v", err)
	}
	wantEqual(t, "auction items written back by create many", items, want)
	for _, item := range want {
		wantEqual(t, "auction item created in bulk", getItem(t, s, org.ID, item.ID), item)
	}
	if err := s.AuctionItems().CreateMany(ctx(t), nil); err != nil {
		t.Errorf("create an empty list: got error %v, want nil", err)
	}

	big := createEvent(t, s, org, future)
	many := newItems(big, future, manyRecords)
	if err := s.AuctionItems().CreateMany(ctx(t), many); err != nil {
		t.Fatalf("create %d auction items: %v", manyRecords, err)
	}
	listed, err := s.AuctionItems().ListByEvent(ctx(t), org.ID, big.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "auction items of a large bulk creation", ids(listed, itemID), ids(many, itemID))

	existing := items[0]
	foreign := createEvent(t, s, other, future)
	cases := []struct {
		name  string
		kind  error
		spoil func(items []*ce.AuctionItem)
	}{
		{"an existing id", ce.ErrConflict, func(is []*ce.AuctionItem) { is[len(is)-1].ID = existing.ID }},
		{"an id twice in the list", ce.ErrConflict, func(is []*ce.AuctionItem) { is[len(is)-1].ID = is[0].ID }},
		{"a missing event", ce.ErrNotFound, func(is []*ce.AuctionItem) { is[len(is)-1].EventID = ce.NewID(ce.PrefixEvent, base) }},
		{"another organization's event", ce.ErrNotFound, func(is []*ce.AuctionItem) { is[len(is)-1].EventID = foreign.ID }},
	}
	for _, c := range cases {
		for _, n := range []int{2, manyRecords} {
			what := fmt.Sprintf("%d auction items with %s", n, c.name)
			items := newItems(e, future, n)
			c.spoil(items)
			wantKind(t, what, s.AuctionItems().CreateMany(ctx(t), items), c.kind)
			wantNoItems(t, s, what, items[:n-1])

			items = newItems(e, future, n)
			c.spoil(items)
			var after *ce.AuctionItem
			err := s.RunInTx(ctx(t), func(ctx context.Context, tx storage.Tx) error {
				wantKind(t, what+" in a transaction", tx.AuctionItems().CreateMany(ctx, items), c.kind)
				after = newItem(e, future)
				return tx.AuctionItems().Create(ctx, after)
			})
			if err != nil {
				t.Errorf("%s: transaction after the refusal: %v", what, err)
			}
			wantNoItems(t, s, what+" in a transaction", items[:n-1])
		}
	}
}

func testAuctionItemList(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e := createEvent(t, s, org, future)
	c := createItem(t, s, e, future.Add(2*time.Hour))
	a1 := createItem(t, s, e, future.Add(time.Hour))
	b := createItem(t, s, e, future.Add(90*time.Minute))
	a2 := createItem(t, s, e, future.Add(time.Hour))
	a := []string{a1.ID, a2.ID}
	slices.Sort(a)
	createItem(t, s, createEvent(t, s, org, future), future) // another event
	createItem(t, s, createEvent(t, s, other, future), future)

	got, err := s.AuctionItems().ListByEvent(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "auction item order", ids(got, itemID), []string{a[0], a[1], b.ID, c.ID})
	wantEqual(t, "listed auction item", got[3], c)
	for _, tc := range []struct{ name, organizationID, eventID string }{
		{"another organization's event", other.ID, e.ID},
		{"an event without items", org.ID, createEvent(t, s, org, future).ID},
		{"a missing event", org.ID, ce.NewID(ce.PrefixEvent, base)},
	} {
		list, err := s.AuctionItems().ListByEvent(ctx(t), tc.organizationID, tc.eventID)
		if err != nil || len(list) != 0 {
			t.Errorf("list the auction items of %s: got %d items, error %v; want none", tc.name, len(list), err)
		}
	}
}

// dueDay is the day of testAuctionItemsDue's items, the only ones that
// close near base.
var dueDay = base.Add(10 * 24 * time.Hour)

// closeDue closes every open item due at until, left by earlier runs on a
// shared store, so that testAuctionItemsDue sees only its own.
func closeDue(t *testing.T, s storage.Store, until time.Time) {
	t.Helper()
	for {
		due, err := s.AuctionItems().ListDue(ctx(t), until, storage.MaxPageLimit)
		if err != nil {
			t.Fatalf("list due: %v", err)
		}
		if len(due) == 0 {
			return
		}
		for _, item := range due {
			item.Status, item.ClosedAt = ce.AuctionItemClosed, until
			if err := s.AuctionItems().Update(ctx(t), item); err != nil {
				t.Fatalf("close %s: %v", item.ID, err)
			}
		}
	}
}

func testAuctionItemsDue(t *testing.T, s storage.Store) {
	now := dueDay.Add(time.Minute)
	closeDue(t, s, dueDay.Add(24*time.Hour))
	org, other := newOrg(t, s), newOrg(t, s)
	e, otherEvent := createEvent(t, s, org, dueDay), createEvent(t, s, other, dueDay)
	// Out of due order, across the organizations, with a tie.
	third := createItem(t, s, e, now) // due at the very instant
	tied := []*ce.AuctionItem{createItem(t, s, otherEvent, dueDay.Add(time.Second)), createItem(t, s, e, dueDay.Add(time.Second))}
	slices.SortFunc(tied, func(a, b *ce.AuctionItem) int { return strings.Compare(a.ID, b.ID) })
	second := createItem(t, s, otherEvent, dueDay.Add(2*time.Second))
	createItem(t, s, e, storage.NormalizeTime(now).Add(time.Microsecond)) // not due yet
	for _, status := range []ce.AuctionItemStatus{ce.AuctionItemClosed, ce.AuctionItemPaid} {
		done := newItem(e, dueDay)
		done.Status = status
		if err := s.AuctionItems().Create(ctx(t), done); err != nil {
			t.Fatalf("create a %s item: %v", status, err)
		}
	}
	listDue := func(now time.Time, limit int) []*ce.AuctionItem {
		t.Helper()
		due, err := s.AuctionItems().ListDue(ctx(t), now, limit)
		if err != nil {
			t.Fatalf("list due: %v", err)
		}
		return due
	}

	all := []string{tied[0].ID, tied[1].ID, second.ID, third.ID}
	// now in another zone, with nanoseconds: normalized like ClosesAt.
	lastNano := storage.NormalizeTime(now).Add(time.Microsecond - time.Nanosecond).In(time.FixedZone("PST", -8*60*60))
	wantEqual(t, "due items", ids(listDue(lastNano, 10), itemID), all)
	wantEqual(t, "due items with a limit", ids(listDue(now, 2), itemID), all[:2])
	wantEqual(t, "due items before the first", ids(listDue(dueDay.Add(time.Second-time.Microsecond), 10), itemID), []string{})
	wantEqual(t, "due items with a zero limit", ids(listDue(now, 0), itemID), []string{})
	wantEqual(t, "listed due item", listDue(now, 1)[0], tied[0])

	// Closing an item takes it off the list.
	closed := *tied[0]
	closed.Status, closed.ClosedAt = ce.AuctionItemClosed, now
	if err := s.AuctionItems().Update(ctx(t), &closed); err != nil {
		t.Fatalf("close: %v", err)
	}
	wantEqual(t, "due items after closing the first", ids(listDue(now, 10), itemID), all[1:])
}

func testAuctionItemUpdate(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, future)
	r := createRegistration(t, s, createTier(t, s, e, "Regular", 0))
	item := createItem(t, s, e, future)
	bid := createBid(t, s, item, r, 2500, base)

	changed := *item
	changed.Title = "Signed poster, framed"
	changed.MinIncrement = 250
	changed.ClosesAt = future.Add(-time.Hour)
	changed.Status = ce.AuctionItemPaid
	changed.HighestBidID, changed.HighestAmount = bid.ID, bid.Amount.Amount
	changed.WinnerRegistrationID = r.ID
	changed.ClosedAt = future.Add(-time.Hour + time.Nanosecond)
	changed.PaymentReference = "cs_test_paid"
	changed.PaidAt = future.Add(time.Nanosecond).In(time.FixedZone("PST", -8*60*60))
	changed.UpdatedAt = base.Add(time.Hour)
	want := storedItem(changed, 2)
	// Never changed by Update:
	changed.EventID = createEvent(t, s, org, future).ID
	changed.CreatedAt = base.Add(time.Hour)
	if err := s.AuctionItems().Update(ctx(t), &changed); err != nil {
		t.Fatalf("update: %v", err)
	}
	wantEqual(t, "auction item written back by update", &changed, want)
	wantEqual(t, "updated auction item", getItem(t, s, org.ID, item.ID), want)

	// Optional fields set back to empty are stored empty.
	reopened := changed
	reopened.Status, reopened.ClosedAt, reopened.PaidAt, reopened.PaymentReference = ce.AuctionItemOpen, time.Time{}, time.Time{}, ""
	reopened.HighestBidID, reopened.HighestAmount, reopened.WinnerRegistrationID = "", 0, ""
	wantReopened := storedItem(reopened, 3)
	if err := s.AuctionItems().Update(ctx(t), &reopened); err != nil {
		t.Fatalf("update: %v", err)
	}
	wantEqual(t, "auction item with cleared fields", getItem(t, s, org.ID, item.ID), wantReopened)

	stale := changed // version 2, stored 3
	stale.Title = "Lost update"
	wantKind(t, "update with a stale version", s.AuctionItems().Update(ctx(t), &stale), ce.ErrConflict)
	wantEqual(t, "auction item after a stale update", getItem(t, s, org.ID, item.ID), wantReopened)
}

func testAuctionBids(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e := createEvent(t, s, org, future)
	tier := createTier(t, s, e, "Regular", 0)
	ada, bob := createRegistration(t, s, tier), createRegistration(t, s, tier)
	foreignReg := createRegistration(t, s, createTier(t, s, createEvent(t, s, other, future), "Regular", 0))
	item, otherItem := createItem(t, s, e, future), createItem(t, s, e, future)

	// Made out of listing order: two late bids tied on the amount, the
	// highest, then the oldest of that amount.
	tiedLate := []*ce.Bid{newBid(item, ada, 1500, base.Add(time.Second)), newBid(item, bob, 1500, base.Add(time.Second))}
	for _, bid := range tiedLate {
		if err := s.AuctionItems().CreateBid(ctx(t), bid); err != nil {
			t.Fatalf("create bid: %v", err)
		}
	}
	slices.SortFunc(tiedLate, func(a, b *ce.Bid) int { return strings.Compare(a.ID, b.ID) })
	highest := newBid(item, bob, math.MaxInt64, base.Add(2*time.Second).In(time.FixedZone("PST", -8*60*60)))
	want := *highest
	want.CreatedAt = storage.NormalizeTime(highest.CreatedAt)
	if err := s.AuctionItems().CreateBid(ctx(t), highest); err != nil {
		t.Fatalf("create bid: %v", err)
	}
	wantEqual(t, "bid written back by create", highest, &want)
	// The same amount, oldest, with the id that sorts last.
	early := newBid(item, ada, 1500, base)
	early.ID = ce.NewID(ce.PrefixBid, time.Now().Add(time.Hour))
	if err := s.AuctionItems().CreateBid(ctx(t), early); err != nil {
		t.Fatalf("create bid: %v", err)
	}
	createBid(t, s, otherItem, ada, 9000, base)

	got, err := s.AuctionItems().GetBid(ctx(t), org.ID, highest.ID)
	if err != nil {
		t.Fatalf("get bid: %v", err)
	}
	wantEqual(t, "bid", got, &want)
	_, err = s.AuctionItems().GetBid(ctx(t), other.ID, highest.ID)
	wantKind(t, "get another organization's bid", err, ce.ErrNotFound)
	_, err = s.AuctionItems().GetBid(ctx(t), org.ID, ce.NewID(ce.PrefixBid, base))
	wantKind(t, "get a missing bid", err, ce.ErrNotFound)

	bids := listBids(t, s, org.ID, item.ID)
	wantEqual(t, "bid order", ids(bids, bidID), []string{highest.ID, early.ID, tiedLate[0].ID, tiedLate[1].ID})
	wantEqual(t, "listed bid", bids[1], early)
	if list := listBids(t, s, other.ID, item.ID); len(list) != 0 {
		t.Errorf("list the bids on another organization's item: got %d, want none", len(list))
	}

	refused := []struct {
		name   string
		change func(*ce.Bid)
		kind   error
	}{
		{"duplicate id", func(b *ce.Bid) { b.ID = early.ID }, ce.ErrConflict},
		{"item of another organization", func(b *ce.Bid) { b.OrganizationID = other.ID; b.RegistrationID = foreignReg.ID }, ce.ErrNotFound},
		{"registration of another organization", func(b *ce.Bid) { b.RegistrationID = foreignReg.ID }, ce.ErrNotFound},
		{"missing item", func(b *ce.Bid) { b.ItemID = ce.NewID(ce.PrefixAuctionItem, base) }, ce.ErrNotFound},
		{"missing registration", func(b *ce.Bid) { b.RegistrationID = ce.NewID(ce.PrefixRegistration, base) }, ce.ErrNotFound},
	}
	for _, tc := range refused {
		bad := newBid(item, ada, 100, base)
		tc.change(bad)
		wantKind(t, "create a bid with a "+tc.name, s.AuctionItems().CreateBid(ctx(t), bad), tc.kind)
		// In a transaction, the refusal leaves the transaction usable.
		var later *ce.Bid
		err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
			wantKind(t, "create a bid in a transaction with a "+tc.name, tx.AuctionItems().CreateBid(c, bad), tc.kind)
			later = newBid(otherItem, bob, 100, base)
			return tx.AuctionItems().CreateBid(c, later)
		})
		if err != nil {
			t.Errorf("transaction after a bid with a %s: %v", tc.name, err)
			continue
		}
		if _, err := s.AuctionItems().GetBid(ctx(t), org.ID, later.ID); err != nil {
			t.Errorf("bid created after a refused bid with a %s: %v", tc.name, err)
		}
	}
	wantEqual(t, "bids after refused ones", ids(listBids(t, s, org.ID, item.ID), bidID), ids(bids, bidID))
}

// placeBid is a service's bid: in one transaction, it reads the item, or
// uses seen if not nil, adds a bid of r at the minimum amount and updates
// the item under the version read. It returns the bid it tried.
func placeBid(c context.Context, s storage.Store, item *ce.AuctionItem, seen *ce.AuctionItem, r *ce.Registration) (*ce.Bid, error) {
	var bid *ce.Bid
	err := s.RunInTx(c, func(c context.Context, tx storage.Tx) error {
		cur := seen
		if cur == nil {
			var err error
			if cur, err = tx.AuctionItems().Get(c, item.OrganizationID, item.ID); err != nil {
				return err
			}
		}
		next := *cur // seen is shared by the bidders
		bid = newBid(&next, r, next.MinimumBid(), time.Now())
		if err := tx.AuctionItems().CreateBid(c, bid); err != nil {
			return err
		}
		next.HighestBidID, next.HighestAmount = bid.ID, bid.Amount.Amount
		return tx.AuctionItems().Update(c, &next)
	})
	return bid, err
}

func testAuctionBidRollback(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, future)
	r := createRegistration(t, s, createTier(t, s, e, "Regular", 0))
	item := createItem(t, s, e, future)
	var bid *ce.Bid
	err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		bid = createBid(t, tx, item, r, 1000, base)
		cur := getItem(t, tx, org.ID, item.ID)
		cur.HighestBidID, cur.HighestAmount = bid.ID, bid.Amount.Amount
		if err := tx.AuctionItems().Update(c, cur); err != nil {
			t.Fatalf("update in the transaction: %v", err)
		}
		if got := listBids(t, tx, org.ID, item.ID); len(got) != 1 {
			t.Errorf("bids in the transaction: got %d, want its own 1", len(got))
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx: got %v, want the function's error", err)
	}
	_, err = s.AuctionItems().GetBid(ctx(t), org.ID, bid.ID)
	wantKind(t, "bid created in a rolled-back transaction", err, ce.ErrNotFound)
	if got := listBids(t, s, org.ID, item.ID); len(got) != 0 {
		t.Errorf("bids after the rollback: got %d, want none", len(got))
	}
	wantEqual(t, "auction item updated in a rolled-back transaction", getItem(t, s, org.ID, item.ID), item)
}

// testAuctionConcurrentBids races bidders, each of which reads the item,
// bids the minimum and updates the item under the version it read, with
// no retry: of the bids on one version, exactly one is kept, so no level
// is won twice and no bid is lost.
func testAuctionConcurrentBids(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, future)
	tier := createTier(t, s, e, "Regular", 0)
	bidders := make([]*ce.Registration, concurrency)
	for i := range bidders {
		bidders[i] = createRegistration(t, s, tier)
	}
	for _, tc := range []struct {
		name string
		// stale makes every bidder use the item as read before the race,
		// all of them on version 1.
		stale bool
	}{
		{"ReadInTransaction", false},
		{"AllOnOneVersion", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			item := createItem(t, s, e, future)
			var seen *ce.AuctionItem
			if tc.stale {
				seen = item
			}
			var wg sync.WaitGroup
			bids := make([]*ce.Bid, concurrency)
			errs := make([]error, concurrency)
			for i, r := range bidders {
				wg.Go(func() { bids[i], errs[i] = placeBid(ctx(t), s, item, seen, r) })
			}
			wg.Wait()
			var kept []string
			for i, err := range errs {
				switch {
				case err == nil:
					kept = append(kept, bids[i].ID)
				case !errors.Is(err, ce.ErrConflict):
					t.Errorf("bid %d: got error %v, want nil or ErrConflict", i, err)
				}
			}
			if tc.stale && len(kept) != 1 {
				t.Errorf("bids on version 1: got %d successes, want exactly 1", len(kept))
			}
			if len(kept) == 0 {
				t.Fatalf("no bid succeeded")
			}
			stored := listBids(t, s, org.ID, item.ID)
			slices.Sort(kept)
			wantEqual(t, "stored bids", slices.Sorted(slices.Values(ids(stored, bidID))), kept)
			// One bid per level: the starting bid, then one increment each.
			var amounts, levels []int64
			for i, bid := range stored {
				amounts = append(amounts, bid.Amount.Amount)
				levels = append(levels, item.StartingBid.Amount+int64(len(stored)-1-i)*item.MinIncrement)
			}
			wantEqual(t, "amounts of the stored bids", amounts, levels)
			got := getItem(t, s, org.ID, item.ID)
			if got.Version != int64(1+len(kept)) || got.HighestBidID != stored[0].ID || got.HighestAmount != levels[0] {
				t.Errorf("item after %d successful bids: got version %d, highest bid %s of %d; want version %d, bid %s of %d",
					len(kept), got.Version, got.HighestBidID, got.HighestAmount, 1+len(kept), stored[0].ID, levels[0])
			}
		})
	}
}
