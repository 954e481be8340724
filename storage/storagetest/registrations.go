package storagetest

import (
	"context"
	"crypto/rand"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// newRegistration returns an unsaved, confirmed registration for the tier,
// with tokens of its own.
func newRegistration(tier *ce.Tier) *ce.Registration {
	return &ce.Registration{
		ID:             ce.NewID(ce.PrefixRegistration, time.Now()),
		OrganizationID: tier.OrganizationID,
		EventID:        tier.EventID,
		TierID:         tier.ID,
		Email:          "ada@example.com",
		FirstName:      "Ada",
		LastName:       "Lovelace",
		Status:         ce.RegistrationConfirmed,
		GuideToken:     rand.Text(),
		TicketCode:     rand.Text(),
		AmountPaid:     tier.Price,
		CreatedAt:      base,
		UpdatedAt:      base,
	}
}

// createRegistration stores a new confirmed registration for the tier.
func createRegistration(t *testing.T, s storage.Repositories, tier *ce.Tier) *ce.Registration {
	t.Helper()
	r := newRegistration(tier)
	if err := s.Registrations().Create(ctx(t), r); err != nil {
		t.Fatalf("create registration: %v", err)
	}
	return r
}

// createCappedTier stores a new tier of e with the capacity.
func createCappedTier(t *testing.T, s storage.Repositories, e *ce.Event, name string, capacity int) *ce.Tier {
	t.Helper()
	tier := newTier(e, name, 0)
	tier.Capacity = capacity
	if err := s.Tiers().Create(ctx(t), tier); err != nil {
		t.Fatalf("create tier: %v", err)
	}
	return tier
}

// createCappedEvent stores a new event of org with the capacity.
func createCappedEvent(t *testing.T, s storage.Repositories, org *ce.Organization, capacity int) *ce.Event {
	t.Helper()
	e := newEvent(org, base)
	e.Settings.Capacity = capacity
	if err := s.Events().Create(ctx(t), e); err != nil {
		t.Fatalf("create event: %v", err)
	}
	return e
}

// wantSoldOut fails the test unless err is a sold-out conflict.
func wantSoldOut(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, storage.ErrSoldOut) || !errors.Is(err, ce.ErrConflict) {
		t.Errorf("%s: got error %v, want ErrSoldOut and ErrConflict", what, err)
	}
}

// wantSeats checks that exactly free more seats of the tier can be taken:
// it registers free times, then expects ErrSoldOut. The registrations it
// makes are cancelled again, so the seats stay free.
func wantSeats(t *testing.T, s storage.Store, what string, tier *ce.Tier, free int) {
	t.Helper()
	var taken []*ce.Registration
	for i := range free {
		r := newRegistration(tier)
		if err := s.Registrations().Create(ctx(t), r); err != nil {
			t.Errorf("%s: seat %d of %d free: %v", what, i+1, free, err)
			break
		}
		taken = append(taken, r)
	}
	if len(taken) == free {
		wantSoldOut(t, what+": one seat more", s.Registrations().Create(ctx(t), newRegistration(tier)))
	}
	for _, r := range taken {
		r.Status = ce.RegistrationCancelled
		if err := s.Registrations().Update(ctx(t), r); err != nil {
			t.Fatalf("%s: cancel: %v", what, err)
		}
	}
}

func regID(r *ce.Registration) string { return r.ID }

func testRegistrationRoundTrip(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, base)
	tier := newTier(e, "Online", 0)
	tier.JoinURL = "https://meet.example.com/j/123"
	if err := s.Tiers().Create(ctx(t), tier); err != nil {
		t.Fatalf("create tier: %v", err)
	}
	r := newRegistration(tier)
	r.Email, r.FirstName, r.LastName = "zoë@example.com", "Zoë", "O'Brien — 東京"
	r.JoinToken = rand.Text()
	r.JoinedAt = base.Add(time.Hour)
	r.CheckedInAt = base.Add(2 * time.Hour)
	r.CheckInMethod = ce.CheckInQR
	r.PaymentReference = "pi_3Nx"
	r.AmountPaid = ce.Money{Amount: 4999, Currency: "EUR"}
	r.RefundReference = "re_3Ny"
	r.CancelReason = "kept for the round trip"
	r.Version = 7 // Create sets 1
	if err := s.Registrations().Create(ctx(t), r); err != nil {
		t.Fatalf("create: %v", err)
	}
	if r.Version != 1 || r.CreatedAt != storage.NormalizeTime(base) || r.JoinedAt != storage.NormalizeTime(base.Add(time.Hour)) {
		t.Errorf("written back by create: got version %d, createdAt %v, joinedAt %v; want 1 and UTC microseconds",
			r.Version, r.CreatedAt, r.JoinedAt)
	}
	got, err := s.Registrations().Get(ctx(t), org.ID, r.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "registration", got, r)

	cancelled := newRegistration(tier)
	cancelled.Status = ce.RegistrationCancelled
	cancelled.CancelledAt = base.Add(3 * time.Hour)
	if err := s.Registrations().Create(ctx(t), cancelled); err != nil {
		t.Fatalf("create cancelled: %v", err)
	}
	got, err = s.Registrations().Get(ctx(t), org.ID, cancelled.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "cancelled registration", got, cancelled)
}

func testRegistrationErrors(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e, otherEvent := createEvent(t, s, org, base), createEvent(t, s, org, base)
	tier := createCappedTier(t, s, e, "Regular", 3)
	r := newRegistration(tier)
	r.JoinToken = rand.Text()
	if err := s.Registrations().Create(ctx(t), r); err != nil {
		t.Fatalf("create: %v", err)
	}
	inPerson := createRegistration(t, s, tier) // no join token

	_, err := s.Registrations().Get(ctx(t), other.ID, r.ID)
	wantKind(t, "get another organization's registration", err, ce.ErrNotFound)
	_, err = s.Registrations().Get(ctx(t), org.ID, ce.NewID(ce.PrefixRegistration, base))
	wantKind(t, "get missing registration", err, ce.ErrNotFound)

	refused := []struct {
		name   string
		change func(*ce.Registration)
		kind   error
	}{
		{"duplicate id", func(d *ce.Registration) { d.ID = r.ID }, ce.ErrConflict},
		{"duplicate guide token", func(d *ce.Registration) { d.GuideToken = r.GuideToken }, ce.ErrConflict},
		{"duplicate ticket code", func(d *ce.Registration) { d.TicketCode = r.TicketCode }, ce.ErrConflict},
		{"duplicate join token", func(d *ce.Registration) { d.JoinToken = r.JoinToken }, ce.ErrConflict},
		{"tier of another event", func(d *ce.Registration) { d.EventID = otherEvent.ID }, ce.ErrNotFound},
		{"tier of another organization", func(d *ce.Registration) { d.OrganizationID = other.ID }, ce.ErrNotFound},
		{"missing tier", func(d *ce.Registration) { d.TierID = ce.NewID(ce.PrefixTier, base) }, ce.ErrNotFound},
	}
	for _, tc := range refused {
		d := newRegistration(tier)
		tc.change(d)
		wantKind(t, "create with a "+tc.name, s.Registrations().Create(ctx(t), d), tc.kind)
		// In a transaction, the refusal leaves the transaction usable.
		var later *ce.Registration
		err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
			wantKind(t, "create in a transaction with a "+tc.name, tx.Registrations().Create(c, d), tc.kind)
			later = newRegistration(tier)
			later.Status = ce.RegistrationCancelled // takes no seat
			return tx.Registrations().Create(c, later)
		})
		if err != nil {
			t.Errorf("transaction after a create with a %s: %v", tc.name, err)
		}
	}
	// Two registrations without a join token do not collide, and the
	// refused ones took no seat: one of the three is left.
	wantSeats(t, s, "after refused creates", tier, 1)

	stolen := *inPerson
	stolen.OrganizationID = other.ID
	wantKind(t, "update another organization's registration", s.Registrations().Update(ctx(t), &stolen), ce.ErrNotFound)
	missing := newRegistration(tier)
	missing.Version = 1
	wantKind(t, "update missing registration", s.Registrations().Update(ctx(t), missing), ce.ErrNotFound)
	got, err := s.Registrations().Get(ctx(t), org.ID, inPerson.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "registration after refused changes", got, inPerson)

	wantKind(t, "delete a tier with registrations", s.Tiers().Delete(ctx(t), org.ID, tier.ID), ce.ErrConflict)
	if _, err := s.Tiers().Get(ctx(t), org.ID, tier.ID); err != nil {
		t.Errorf("tier after a refused delete: %v", err)
	}
}

func testRegistrationTokens(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	tier := createTier(t, s, createEvent(t, s, org, base), "Regular", 0)
	r := newRegistration(tier)
	r.JoinToken = rand.Text()
	if err := s.Registrations().Create(ctx(t), r); err != nil {
		t.Fatalf("create: %v", err)
	}
	createRegistration(t, s, tier) // an empty join token

	for _, tc := range []struct {
		name  string
		kind  storage.TokenKind
		token string
	}{
		{"guide token", storage.GuideToken, r.GuideToken},
		{"ticket code", storage.TicketCode, r.TicketCode},
		{"join token", storage.JoinToken, r.JoinToken},
	} {
		got, err := s.Registrations().GetByToken(ctx(t), tc.kind, tc.token)
		if err != nil {
			t.Errorf("get by %s: %v", tc.name, err)
		} else {
			wantEqual(t, "registration by "+tc.name, got, r)
		}
		_, err = s.Registrations().GetByToken(ctx(t), tc.kind, "")
		wantKind(t, "get by an empty "+tc.name, err, ce.ErrNotFound)
		_, err = s.Registrations().GetByToken(ctx(t), tc.kind, rand.Text())
		wantKind(t, "get by an unknown "+tc.name, err, ce.ErrNotFound)
	}
	_, err := s.Registrations().GetByToken(ctx(t), storage.TicketCode, r.GuideToken)
	wantKind(t, "get by a token of another kind", err, ce.ErrNotFound)
}

func testRegistrationList(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e := createEvent(t, s, org, base)
	a, b := createTier(t, s, e, "A", 0), createTier(t, s, e, "B", 1)
	var all []*ce.Registration
	for i, status := range []ce.RegistrationStatus{
		ce.RegistrationConfirmed, ce.RegistrationPendingPayment, ce.RegistrationCancelled,
		ce.RegistrationConfirmed, ce.RegistrationConfirmed, ce.RegistrationPendingPayment, ce.RegistrationConfirmed,
	} {
		r := newRegistration([]*ce.Tier{a, b}[i%2])
		r.Status = status
		if err := s.Registrations().Create(ctx(t), r); err != nil {
			t.Fatalf("create: %v", err)
		}
		all = append(all, r)
	}
	slices.SortFunc(all, func(x, y *ce.Registration) int { return strings.Compare(x.ID, y.ID) })
	elsewhere := createRegistration(t, s, createTier(t, s, createEvent(t, s, org, base), "Elsewhere", 0))

	list := func(f storage.RegistrationFilter) []*ce.Registration {
		t.Helper()
		got, err := s.Registrations().List(ctx(t), org.ID, e.ID, f)
		if err != nil {
			t.Fatalf("list %+v: %v", f, err)
		}
		return got
	}
	got := list(storage.RegistrationFilter{})
	wantEqual(t, "registrations", got, all)

	var paged []*ce.Registration
	for f := (storage.RegistrationFilter{Limit: 3}); ; {
		page := list(f)
		if len(page) > 3 {
			t.Fatalf("page of limit 3: got %d registrations", len(page))
		}
		if len(page) == 0 {
			break
		}
		paged = append(paged, page...)
		f.After = page[len(page)-1].ID
	}
	wantEqual(t, "registrations in pages of 3", ids(paged, regID), ids(all, regID))

	keep := func(ok func(*ce.Registration) bool) []string {
		var out []string
		for _, r := range all {
			if ok(r) {
				out = append(out, r.ID)
			}
		}
		return out
	}
	wantEqual(t, "confirmed registrations",
		ids(list(storage.RegistrationFilter{Status: ce.RegistrationConfirmed}), regID),
		keep(func(r *ce.Registration) bool { return r.Status == ce.RegistrationConfirmed }))
	wantEqual(t, "registrations of tier B",
		ids(list(storage.RegistrationFilter{TierID: b.ID}), regID),
		keep(func(r *ce.Registration) bool { return r.TierID == b.ID }))
	wantEqual(t, "pending registrations of tier B after the first",
		ids(list(storage.RegistrationFilter{Status: ce.RegistrationPendingPayment, TierID: b.ID, After: all[0].ID}), regID),
		keep(func(r *ce.Registration) bool {
			return r.Status == ce.RegistrationPendingPayment && r.TierID == b.ID && r.ID > all[0].ID
		}))

	for _, tc := range []struct{ name, after string }{
		{"of another event", elsewhere.ID},
		{"of no registration", ce.NewID(ce.PrefixRegistration, base)},
	} {
		_, err := s.Registrations().List(ctx(t), org.ID, e.ID, storage.RegistrationFilter{After: tc.after})
		wantKind(t, "list after a registration "+tc.name, err, ce.ErrNotFound)
	}
	_, err := s.Registrations().List(ctx(t), other.ID, e.ID, storage.RegistrationFilter{After: all[0].ID})
	wantKind(t, "list another organization's event after one of its registrations", err, ce.ErrNotFound)
	if got, err := s.Registrations().List(ctx(t), other.ID, e.ID, storage.RegistrationFilter{}); err != nil || len(got) != 0 {
		t.Errorf("list another organization's event: got %d registrations, error %v; want none", len(got), err)
	}
}

func testRegistrationUpdate(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEvent(t, s, org, base)
	tier := createTier(t, s, e, "Regular", 0)
	r := newRegistration(tier)
	r.JoinToken = rand.Text()
	if err := s.Registrations().Create(ctx(t), r); err != nil {
		t.Fatalf("create: %v", err)
	}

	changed := *r
	changed.Email, changed.FirstName, changed.LastName = "grace@example.com", "Grace", "Hopper"
	changed.Status = ce.RegistrationPendingPayment
	changed.JoinedAt = base.Add(time.Minute)
	changed.CheckedInAt, changed.CheckInMethod = base.Add(time.Hour), ce.CheckInManual
	changed.PaymentReference, changed.RefundReference = "pi_1", "re_1"
	changed.AmountPaid = ce.Money{Amount: 100, Currency: "USD"}
	changed.CancelReason = "none"
	changed.UpdatedAt = base.Add(2 * time.Hour)
	// Never changed by Update:
	changed.EventID = createEvent(t, s, org, base).ID
	changed.TierID = createTier(t, s, e, "Other", 1).ID
	changed.GuideToken, changed.TicketCode, changed.JoinToken = "g", "t", "j"
	changed.CreatedAt = base.Add(time.Hour)
	if err := s.Registrations().Update(ctx(t), &changed); err != nil {
		t.Fatalf("update: %v", err)
	}
	want := changed
	want.Version = 2
	want.EventID, want.TierID, want.CreatedAt = r.EventID, r.TierID, r.CreatedAt
	want.GuideToken, want.TicketCode, want.JoinToken = r.GuideToken, r.TicketCode, r.JoinToken
	want.JoinedAt = storage.NormalizeTime(want.JoinedAt)
	want.CheckedInAt = storage.NormalizeTime(want.CheckedInAt)
	want.UpdatedAt = storage.NormalizeTime(want.UpdatedAt)
	wantEqual(t, "registration written back by update", &changed, &want)
	got, err := s.Registrations().Get(ctx(t), org.ID, r.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "updated registration", got, &want)

	stale := *r
	stale.Email = "lost@example.com"
	wantKind(t, "update with a stale version", s.Registrations().Update(ctx(t), &stale), ce.ErrConflict)
	got, err = s.Registrations().Get(ctx(t), org.ID, r.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "registration after a stale update", got, &want)
}

// testRegistrationSeats checks the tier's capacity as registrations are
// made, cancelled and taken back, and the counts.
func testRegistrationSeats(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createCappedEvent(t, s, org, 0)
	tier := createCappedTier(t, s, e, "Small", 2)
	first := createRegistration(t, s, tier)
	second := newRegistration(tier)
	second.Status = ce.RegistrationPendingPayment
	if err := s.Registrations().Create(ctx(t), second); err != nil {
		t.Fatalf("create pending: %v", err)
	}
	third := newRegistration(tier)
	wantSoldOut(t, "create in a full tier", s.Registrations().Create(ctx(t), third))
	_, err := s.Registrations().Get(ctx(t), org.ID, third.ID)
	wantKind(t, "get a registration refused for want of a seat", err, ce.ErrNotFound)
	var ceErr *ce.Error
	if !errors.As(s.Registrations().Create(ctx(t), third), &ceErr) || ceErr.Kind != ce.ErrConflict {
		t.Errorf("sold out: got %v, want a *completeevent.Error of kind ErrConflict", ceErr)
	}
	cancelled := newRegistration(tier)
	cancelled.Status = ce.RegistrationCancelled
	if err := s.Registrations().Create(ctx(t), cancelled); err != nil {
		t.Errorf("create a cancelled registration in a full tier: %v", err)
	}

	// A status change between two that hold a seat changes nothing.
	second.Status = ce.RegistrationPaymentProcessing
	if err := s.Registrations().Update(ctx(t), second); err != nil {
		t.Fatalf("payment processing: %v", err)
	}
	wantSeats(t, s, "while the payment is processing", tier, 0)
	second.Status = ce.RegistrationConfirmed
	if err := s.Registrations().Update(ctx(t), second); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	wantSeats(t, s, "after confirming", tier, 0)

	// Cancelling gives the seat back; taking it back needs a free one.
	first.Status = ce.RegistrationCancelled
	if err := s.Registrations().Update(ctx(t), first); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	wantSeats(t, s, "after cancelling", tier, 1)
	if err := s.Registrations().Create(ctx(t), third); err != nil {
		t.Fatalf("create in the freed seat: %v", err)
	}
	before := *first
	first.Status = ce.RegistrationConfirmed
	wantSoldOut(t, "un-cancel in a full tier", s.Registrations().Update(ctx(t), first))
	got, err := s.Registrations().Get(ctx(t), org.ID, first.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "registration refused a seat", got, &before)
	third.Status = ce.RegistrationCancelled
	if err := s.Registrations().Update(ctx(t), third); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if err := s.Registrations().Update(ctx(t), first); err != nil {
		t.Errorf("un-cancel in a free seat: %v", err)
	}
	wantSeats(t, s, "after un-cancelling", tier, 0)

	// Lowering the capacity below the seats held only refuses new ones.
	tier.Capacity = 1
	if err := s.Tiers().Update(ctx(t), tier); err != nil {
		t.Fatalf("lower the capacity: %v", err)
	}
	second.Status = ce.RegistrationCancelled
	if err := s.Registrations().Update(ctx(t), second); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	wantSeats(t, s, "one seat held of a capacity of 1", tier, 0)
	first.Status = ce.RegistrationCancelled
	if err := s.Registrations().Update(ctx(t), first); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	wantSeats(t, s, "no seat held of a capacity of 1", tier, 1)
}

func testRegistrationCounts(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e := createEvent(t, s, org, base)
	a, b := createTier(t, s, e, "A", 0), createTier(t, s, e, "B", 1)
	createTier(t, s, e, "Empty", 2)
	for _, r := range []struct {
		tier      *ce.Tier
		status    ce.RegistrationStatus
		checkedIn bool
	}{
		{a, ce.RegistrationConfirmed, true},
		{a, ce.RegistrationConfirmed, true},
		{a, ce.RegistrationConfirmed, false},
		{a, ce.RegistrationPendingPayment, false},
		{a, ce.RegistrationCancelled, true}, // checked in, then cancelled: not counted as checked in
		{b, ce.RegistrationPendingPayment, false},
		{b, ce.RegistrationPaymentProcessing, false}, // awaits its payment too
		{b, ce.RegistrationCancelled, false},
		{b, ce.RegistrationCancelled, false},
	} {
		reg := newRegistration(r.tier)
		reg.Status = r.status
		if r.checkedIn {
			reg.CheckedInAt, reg.CheckInMethod = base, ce.CheckInQR
		}
		if err := s.Registrations().Create(ctx(t), reg); err != nil {
			t.Fatalf("create: %v", err)
		}
	}
	elsewhere := createEvent(t, s, org, base)
	createRegistration(t, s, createTier(t, s, elsewhere, "Elsewhere", 0))
	got, err := s.Registrations().Counts(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("counts: %v", err)
	}
	wantEqual(t, "counts", got, map[string]storage.TierCounts{
		a.ID: {PendingPayment: 1, Confirmed: 3, Cancelled: 1, CheckedIn: 2},
		b.ID: {PendingPayment: 2, Cancelled: 2},
	})
	for _, tc := range []struct{ name, orgID, eventID string }{
		{"another organization's event", other.ID, e.ID},
		{"a missing event", org.ID, ce.NewID(ce.PrefixEvent, base)},
	} {
		if got, err := s.Registrations().Counts(ctx(t), tc.orgID, tc.eventID); err != nil || len(got) != 0 {
			t.Errorf("counts of %s: got %v, error %v; want an empty map", tc.name, got, err)
		}
	}

	byEvent, err := s.Registrations().CountByEvents(ctx(t), org.ID, []string{e.ID, elsewhere.ID, ce.NewID(ce.PrefixEvent, base)})
	if err != nil {
		t.Fatalf("count by events: %v", err)
	}
	wantEqual(t, "counts by event", byEvent, map[string]storage.TierCounts{
		e.ID:         {PendingPayment: 3, Confirmed: 3, Cancelled: 3, CheckedIn: 2},
		elsewhere.ID: {Confirmed: 1},
	})
	for _, tc := range []struct {
		name  string
		orgID string
		ids   []string
	}{
		{"another organization's events", other.ID, []string{e.ID}},
		{"no events", org.ID, nil},
	} {
		if got, err := s.Registrations().CountByEvents(ctx(t), tc.orgID, tc.ids); err != nil || len(got) != 0 {
			t.Errorf("counts by %s: got %v, error %v; want an empty map", tc.name, got, err)
		}
	}
}

// testRegistrationEventCapacity checks the event's capacity, over tiers
// without one of their own.
func testRegistrationEventCapacity(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createCappedEvent(t, s, org, 3)
	a, b := createCappedTier(t, s, e, "A", 0), createCappedTier(t, s, e, "B", 0)
	createRegistration(t, s, a)
	held := createRegistration(t, s, b)
	createRegistration(t, s, a)
	wantSoldOut(t, "create in tier A of a full event", s.Registrations().Create(ctx(t), newRegistration(a)))
	wantSoldOut(t, "create in tier B of a full event", s.Registrations().Create(ctx(t), newRegistration(b)))

	held.Status = ce.RegistrationCancelled
	if err := s.Registrations().Update(ctx(t), held); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	wantSeats(t, s, "event with a seat given back", a, 1)
	wantSeats(t, s, "event with a seat given back", b, 1)

	e.Settings.Capacity = 5
	if err := s.Events().Update(ctx(t), e); err != nil {
		t.Fatalf("raise the capacity: %v", err)
	}
	wantSeats(t, s, "event with a raised capacity", b, 3)
}

// testRegistrationSeatsKeptByUpdates checks that updating a tier or an
// event after registrations keeps its count of seats held.
func testRegistrationSeatsKeptByUpdates(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createCappedEvent(t, s, org, 3)
	small, other := createCappedTier(t, s, e, "Small", 2), createCappedTier(t, s, e, "Other", 0)
	createRegistration(t, s, small)
	createRegistration(t, s, small)

	small.Name, small.Description = "Small, renamed", "Two seats."
	if err := s.Tiers().Update(ctx(t), small); err != nil {
		t.Fatalf("update tier: %v", err)
	}
	e.Title = "Renamed"
	if err := s.Events().Update(ctx(t), e); err != nil {
		t.Fatalf("update event: %v", err)
	}
	wantSeats(t, s, "tier after updates", small, 0)
	wantSeats(t, s, "event after updates", other, 1)

	// Create many tiers and events, as a duplicate does, beside them.
	more := createEvent(t, s, org, base)
	if err := s.Tiers().CreateMany(ctx(t), []*ce.Tier{newTier(e, "Third", 2), newTier(more, "Copy", 0)}); err != nil {
		t.Fatalf("create tiers: %v", err)
	}
	if err := s.Events().CreateMany(ctx(t), []*ce.Event{newEvent(org, base)}); err != nil {
		t.Fatalf("create events: %v", err)
	}
	wantSeats(t, s, "tier after creating others", small, 0)
	wantSeats(t, s, "event after creating others", other, 1)
}

// testRegistrationRollback checks that the seats taken or given back in a
// rolled-back transaction are as before it.
func testRegistrationRollback(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	tier := createCappedTier(t, s, createCappedEvent(t, s, org, 0), "One seat", 1)

	var taken *ce.Registration
	err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		taken = createRegistration(t, tx, tier)
		wantSoldOut(t, "create in a tier full in the transaction", tx.Registrations().Create(c, newRegistration(tier)))
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx: got %v, want the function's error", err)
	}
	_, err = s.Registrations().Get(ctx(t), org.ID, taken.ID)
	wantKind(t, "registration of a rolled-back transaction", err, ce.ErrNotFound)
	wantSeats(t, s, "tier after a rolled-back registration", tier, 1)

	held := createRegistration(t, s, tier)
	err = s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		cancelled := *held
		cancelled.Status = ce.RegistrationCancelled
		if err := tx.Registrations().Update(c, &cancelled); err != nil {
			return err
		}
		createRegistration(t, tx, tier) // the seat given back
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx: got %v, want the function's error", err)
	}
	got, err := s.Registrations().Get(ctx(t), org.ID, held.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "registration cancelled in a rolled-back transaction", got, held)
	wantSeats(t, s, "tier after a rolled-back cancellation", tier, 0)
}

// testRegistrationSoldOutInTx checks that a write refused for want of a
// seat inside a transaction leaves nothing of itself, not even the tier's
// seat of a registration refused by its event, and that the transaction
// goes on and commits.
func testRegistrationSoldOutInTx(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createCappedEvent(t, s, org, 1)
	capped, open := createCappedTier(t, s, e, "Two seats", 2), createCappedTier(t, s, e, "Open", 0)
	createRegistration(t, s, open) // the event's only seat
	waiting := newRegistration(capped)
	waiting.Status = ce.RegistrationCancelled
	if err := s.Registrations().Create(ctx(t), waiting); err != nil {
		t.Fatalf("create cancelled: %v", err)
	}

	refused := newRegistration(capped)
	var later *ce.Registration
	err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		wantSoldOut(t, "create in a full event in a transaction", tx.Registrations().Create(c, refused))
		back := *waiting
		back.Status = ce.RegistrationConfirmed
		wantSoldOut(t, "un-cancel in a full event in a transaction", tx.Registrations().Update(c, &back))
		later = newRegistration(open)
		later.Status = ce.RegistrationCancelled
		return tx.Registrations().Create(c, later)
	})
	if err != nil {
		t.Fatalf("RunInTx after sold-out errors: %v", err)
	}
	if _, err := s.Registrations().Get(ctx(t), org.ID, later.ID); err != nil {
		t.Errorf("registration made after sold-out errors: %v, want it committed", err)
	}
	_, err = s.Registrations().Get(ctx(t), org.ID, refused.ID)
	wantKind(t, "registration refused in a committed transaction", err, ce.ErrNotFound)
	got, err := s.Registrations().Get(ctx(t), org.ID, waiting.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "registration refused a seat in a committed transaction", got, waiting)

	e.Settings.Capacity = 0
	if err := s.Events().Update(ctx(t), e); err != nil {
		t.Fatalf("lift the event's capacity: %v", err)
	}
	wantSeats(t, s, "tier after refused writes", capped, 2)
}

// racers is how many transactions race for the seats of a tier or event.
const racers = 50

// raceForSeats runs racers transactions at once, each registering for the
// tier that tierOf(i) returns, and checks that exactly seats of them
// succeed and the others fail with ErrSoldOut.
func raceForSeats(t *testing.T, s storage.Store, e *ce.Event, seats int, tierOf func(i int) *ce.Tier) {
	t.Helper()
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			errs[i] = s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
				return tx.Registrations().Create(c, newRegistration(tierOf(i)))
			})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		if err == nil {
			won++
		} else {
			wantSoldOut(t, "racing registration "+strconv.Itoa(i), err)
		}
	}
	if won != seats {
		t.Errorf("%d racing registrations for %d seats: got %d successes, want %d", racers, seats, won, seats)
	}
	got, err := s.Registrations().List(ctx(t), e.OrganizationID, e.ID, storage.RegistrationFilter{Limit: storage.MaxPageLimit})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(got) != seats {
		t.Errorf("registrations stored after the race: got %d, want %d", len(got), seats)
	}
}

func testRegistrationRaceForTier(t *testing.T, s storage.Store) {
	e := createCappedEvent(t, s, newOrg(t, s), 0)
	tier := createCappedTier(t, s, e, "Ten seats", 10)
	raceForSeats(t, s, e, 10, func(int) *ce.Tier { return tier })
}

func testRegistrationRaceForEvent(t *testing.T, s storage.Store) {
	e := createCappedEvent(t, s, newOrg(t, s), 10)
	tiers := []*ce.Tier{createCappedTier(t, s, e, "A", 0), createCappedTier(t, s, e, "B", 0)}
	raceForSeats(t, s, e, 10, func(i int) *ce.Tier { return tiers[i%2] })
}

// testRegistrationRaceToCheckIn races transactions that each read a
// registration and check it in unless it is: the version of the read
// makes exactly one of them win.
func testRegistrationRaceToCheckIn(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	r := createRegistration(t, s, createTier(t, s, createEvent(t, s, org, base), "Regular", 0))
	errAlready := ce.Conflict("already checked in")
	errs := make([]error, concurrency)
	var wg sync.WaitGroup
	for i := range concurrency {
		wg.Go(func() {
			errs[i] = s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
				cur, err := tx.Registrations().Get(c, org.ID, r.ID)
				if err != nil {
					return err
				}
				if !cur.CheckedInAt.IsZero() {
					return errAlready
				}
				cur.CheckedInAt, cur.CheckInMethod = base.Add(time.Duration(i)*time.Second), ce.CheckInQR
				return tx.Registrations().Update(c, cur)
			})
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("check-ins %d and %d both succeeded, want exactly one", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, ce.ErrConflict):
			t.Errorf("check-in %d: got error %v, want nil or ErrConflict", i, err)
		}
	}
	if winner < 0 {
		t.Fatalf("no check-in succeeded, want exactly one")
	}
	got, err := s.Registrations().Get(ctx(t), org.ID, r.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if want := storage.NormalizeTime(base.Add(time.Duration(winner) * time.Second)); got.Version != 2 || got.CheckedInAt != want {
		t.Errorf("after the race: got version %d checked in at %v, want version 2 at %v (the winner's)", got.Version, got.CheckedInAt, want)
	}
}

// holdDay is the day of testRegistrationPendingPayment's registrations,
// long before every other test's, so that its listings see only its own.
var holdDay = base.Add(-1000 * 24 * time.Hour)

// releaseHolds cancels every pending registration created before until,
// left by earlier runs on a shared store, so that
// testRegistrationPendingPayment sees only its own.
func releaseHolds(t *testing.T, s storage.Store, until time.Time) {
	t.Helper()
	for {
		pending, err := s.Registrations().ListPendingPayment(ctx(t), until, storage.MaxPageLimit)
		if err != nil {
			t.Fatalf("list pending: %v", err)
		}
		if len(pending) == 0 {
			return
		}
		for _, r := range pending {
			r.Status, r.CancelledAt = ce.RegistrationCancelled, until
			if err := s.Registrations().Update(ctx(t), r); err != nil {
				t.Fatalf("cancel %s: %v", r.ID, err)
			}
		}
	}
}

func testRegistrationPendingPayment(t *testing.T, s storage.Store) {
	cutoff := holdDay.Add(time.Minute)
	releaseHolds(t, s, holdDay.Add(24*time.Hour))
	org, other := newOrg(t, s), newOrg(t, s)
	tier := createTier(t, s, createEvent(t, s, org, base), "Regular", 0)
	otherTier := createTier(t, s, createEvent(t, s, other, base), "Regular", 0)
	create := func(tier *ce.Tier, status ce.RegistrationStatus, createdAt time.Time) *ce.Registration {
		t.Helper()
		r := newRegistration(tier)
		r.Status, r.CreatedAt = status, createdAt
		if err := s.Registrations().Create(ctx(t), r); err != nil {
			t.Fatalf("create a %s registration: %v", status, err)
		}
		return r
	}
	// Out of order, across the organizations, with a tie.
	third := create(tier, ce.RegistrationPendingPayment, storage.NormalizeTime(cutoff).Add(-time.Microsecond))
	tied := []*ce.Registration{
		create(otherTier, ce.RegistrationPendingPayment, holdDay.Add(time.Second)),
		create(tier, ce.RegistrationPendingPayment, holdDay.Add(time.Second)),
	}
	slices.SortFunc(tied, func(a, b *ce.Registration) int { return strings.Compare(a.ID, b.ID) })
	second := create(otherTier, ce.RegistrationPendingPayment, holdDay.Add(2*time.Second))
	create(tier, ce.RegistrationPendingPayment, cutoff) // at the cutoff: not before it
	create(tier, ce.RegistrationConfirmed, holdDay)
	create(otherTier, ce.RegistrationCancelled, holdDay)
	create(tier, ce.RegistrationPaymentProcessing, holdDay) // paid, awaiting the bank: never released for want of a payment
	list := func(before time.Time, limit int) []*ce.Registration {
		t.Helper()
		pending, err := s.Registrations().ListPendingPayment(ctx(t), before, limit)
		if err != nil {
			t.Fatalf("list pending: %v", err)
		}
		return pending
	}

	all := []string{tied[0].ID, tied[1].ID, second.ID, third.ID}
	// The cutoff in another zone, with nanoseconds: normalized like
	// CreatedAt, so still the cutoff itself.
	lastNano := storage.NormalizeTime(cutoff).Add(time.Microsecond - time.Nanosecond).In(time.FixedZone("PST", -8*60*60))
	wantEqual(t, "pending registrations", ids(list(lastNano, 10), regID), all)
	wantEqual(t, "pending registrations with a limit", ids(list(cutoff, 2), regID), all[:2])
	wantEqual(t, "pending registrations before the first", ids(list(holdDay.Add(time.Second), 10), regID), []string{})
	wantEqual(t, "pending registrations with a zero limit", ids(list(cutoff, 0), regID), []string{})
	wantEqual(t, "pending registrations with a negative limit", ids(list(cutoff, -1), regID), []string{})
	wantEqual(t, "listed pending registration", list(cutoff, 1)[0], tied[0])

	// Confirming a registration takes it off the list.
	confirmed := *tied[0]
	confirmed.Status = ce.RegistrationConfirmed
	if err := s.Registrations().Update(ctx(t), &confirmed); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	wantEqual(t, "pending registrations after confirming the first", ids(list(cutoff, 10), regID), all[1:])
}
