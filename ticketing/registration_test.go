package ticketing_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
)

// attendees is a store with an organization, a published event with a
// free in-person tier and a free virtual tier, a webhook endpoint
// subscribed to every event type, and a service that dispatches to it.
type attendees struct {
	store    storage.Store
	svc      *ticketing.Service
	org      string
	event    *ce.Event
	inPerson *ce.Tier
	virtual  *ce.Tier
	endpoint *ce.WebhookEndpoint
	hooks    *recorder
	queued   *int64 // e-mails queued, as EmailQueued counts them
	mu       *sync.Mutex
	clock    *time.Time
}

// newAttendees sets up attendees on store.
func newAttendees(t *testing.T, store storage.Store) *attendees {
	t.Helper()
	a := &attendees{store: store, queued: new(int64), mu: &sync.Mutex{}, clock: new(time.Time)}
	*a.clock = testNow
	a.hooks = &recorder{Dispatcher: outbox.NewDispatcher(&outbox.DispatcherOptions{Now: a.now})}
	a.svc = ticketing.New(store, &ticketing.Options{
		Now:        a.now,
		Dispatcher: a.hooks,
		EmailQueued: func() {
			a.mu.Lock()
			*a.queued++
			a.mu.Unlock()
		},
	})
	a.org = newOrg(t, a.svc)
	ctx := context.Background()
	a.event = mustCreateEvent(t, a.svc, a.org)
	free := ce.Money{Currency: "EUR"}
	a.inPerson = mustCreateTier(t, a.svc, a.org, a.event.ID, ticketing.TierInput{Name: "Hall", Price: free, Capacity: 10})
	a.virtual = mustCreateTier(t, a.svc, a.org, a.event.ID, ticketing.TierInput{Name: "Stream", Price: free, Position: 1, JoinURL: "https://meet.example.com/spring"})
	if _, err := a.svc.PublishEvent(ctx, a.org, a.event.ID); err != nil {
		t.Fatalf("PublishEvent: %v", err)
	}
	a.endpoint = &ce.WebhookEndpoint{
		ID:             ce.NewID(ce.PrefixWebhookEndpoint, testNow),
		OrganizationID: a.org,
		URL:            "https://hooks.example.com/ce",
		EventTypes:     ce.SubscribableEventTypes(),
		Enabled:        true,
		Secret:         "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		CreatedAt:      testNow,
		UpdatedAt:      testNow,
	}
	if err := store.WebhookEndpoints().Create(ctx, a.endpoint); err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	return a
}

func (a *attendees) now() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return *a.clock
}

func (a *attendees) setNow(t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	*a.clock = t
}

// register registers n for tier and fails the test on an error.
func (a *attendees) register(t *testing.T, tier *ce.Tier, n int) *ce.Registration {
	t.Helper()
	got, err := a.svc.Register(context.Background(), a.event.ID, attendee(tier.ID, n))
	if err != nil {
		t.Fatalf("Register: got error %v, want nil", err)
	}
	return got.Registration
}

// attendee returns a valid registration input for the tier; n tells
// attendees apart.
func attendee(tierID string, n int) ticketing.RegistrationInput {
	return ticketing.RegistrationInput{
		TierID:    tierID,
		Email:     "ada" + strings.Repeat("x", n%5) + "@example.org",
		FirstName: "Ada",
		LastName:  "Lovelace",
	}
}

// recorder wraps a webhook.Dispatcher and keeps the data of the messages
// of committed transactions.
type recorder struct {
	webhook.Dispatcher
	mu        sync.Mutex
	committed []webhook.Data
}

func (d *recorder) Dispatch(ctx context.Context, orgID string, data webhook.Data) error {
	if err := d.Dispatcher.Dispatch(ctx, orgID, data); err != nil {
		return err
	}
	tx, _ := storage.TxFromContext(ctx)
	tx.AfterCommit(func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.committed = append(d.committed, data)
	})
	return nil
}

// messages returns the data of the committed webhook messages of type T,
// oldest first, after checking that the endpoint's delivery log holds as
// many deliveries of that type.
func messages[T webhook.Data](t *testing.T, a *attendees) []T {
	t.Helper()
	a.hooks.mu.Lock()
	var out []T
	for _, d := range a.hooks.committed {
		if v, ok := d.(T); ok {
			out = append(out, v)
		}
	}
	a.hooks.mu.Unlock()
	deliveries, err := a.store.WebhookDeliveries().List(context.Background(), a.org, a.endpoint.ID, storage.DeliveryFilter{Limit: storage.MaxPageLimit})
	if err != nil {
		t.Fatalf("list deliveries: %v", err)
	}
	var zero T
	logged := 0
	for _, d := range deliveries {
		if d.EventType == zero.EventType() {
			logged++
		}
	}
	if logged != len(out) {
		t.Errorf("the delivery log holds %d %s deliveries, but %d messages were committed", logged, zero.EventType(), len(out))
	}
	return out
}

// emails returns the kinds of the e-mails queued to the registration.
func (a *attendees) emails(t *testing.T, regID string) []ce.EmailKind {
	t.Helper()
	list, err := a.store.Emails().ListByRegistration(context.Background(), a.org, regID)
	if err != nil {
		t.Fatalf("list e-mails: %v", err)
	}
	var kinds []ce.EmailKind
	for _, e := range list {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

func TestRegisterConfirmsAFreeRegistration(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		a := newAttendees(t, store)
		for _, tier := range []*ce.Tier{a.inPerson, a.virtual} {
			r := a.register(t, tier, 0)
			if r.Status != ce.RegistrationConfirmed || r.AmountPaid != (ce.Money{Currency: "EUR"}) {
				t.Errorf("registration %+v: want confirmed, paid 0 EUR", r)
			}
			tokens := []string{r.GuideToken, r.TicketCode, r.JoinToken}
			if !ce.ValidToken(tokens[0], 20) || !ce.ValidToken(tokens[1], 20) || !ce.ValidToken(tokens[2], 20) ||
				tokens[0] == tokens[1] || tokens[1] == tokens[2] || tokens[0] == tokens[2] {
				t.Errorf("tokens %q: want three distinct 20-byte tokens", tokens)
			}
			stored, err := a.svc.GetRegistration(context.Background(), a.org, r.ID)
			if err != nil {
				t.Fatalf("GetRegistration: %v", err)
			}
			if diff := cmp.Diff(r, stored); diff != "" {
				t.Errorf("stored registration differs (-returned +stored):\n%s", diff)
			}
			if diff := cmp.Diff([]ce.EmailKind{ce.EmailConfirmation}, a.emails(t, r.ID)); diff != "" {
				t.Errorf("e-mails queued (-want +got):\n%s", diff)
			}
		}
		msgs := messages[webhook.RegistrationConfirmed](t, a)
		if len(msgs) != 2 {
			t.Fatalf("got %d registration.confirmed messages, want 2", len(msgs))
		}
		got := msgs[1]
		want := webhook.RegistrationConfirmed{
			Attendee:    webhook.Attendee{RegistrationID: got.RegistrationID, EventID: a.event.ID, Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace", TierID: a.virtual.ID, TierName: "Stream", Virtual: true},
			Currency:    "EUR",
			ConfirmedAt: testNow,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("registration.confirmed data (-want +got):\n%s", diff)
		}
		if *a.queued != 2 {
			t.Errorf("EmailQueued called %d times, want 2 (once per committed registration)", *a.queued)
		}
	})
}

func TestRegisterRefusesBadInput(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	ctx := context.Background()
	other := mustCreateEvent(t, a.svc, a.org)
	otherTier := mustCreateTier(t, a.svc, a.org, other.ID, ticketing.TierInput{Name: "Other", Price: ce.Money{Currency: "EUR"}})
	priced := mustCreateTier(t, a.svc, a.org, a.event.ID, ticketing.TierInput{Name: "Paid", Price: ce.Money{Amount: 1000, Currency: "EUR"}})
	later := mustCreateTier(t, a.svc, a.org, a.event.ID, ticketing.TierInput{Name: "Later", Price: ce.Money{Currency: "EUR"}, SalesStartAt: testNow.Add(time.Hour)})
	over := mustCreateTier(t, a.svc, a.org, a.event.ID, ticketing.TierInput{Name: "Early bird", Price: ce.Money{Currency: "EUR"}, SalesStartAt: testNow.Add(-48 * time.Hour), SalesEndAt: testNow.Add(-time.Hour)})
	long := strings.Repeat("n", 10<<10)
	tests := []struct {
		name    string
		eventID string
		in      func(in *ticketing.RegistrationInput)
		kind    error
		field   string
	}{
		{"unknown event", ce.NewID(ce.PrefixEvent, testNow), nil, ce.ErrNotFound, ""},
		{"draft event", other.ID, func(in *ticketing.RegistrationInput) { in.TierID = otherTier.ID }, ce.ErrNotFound, ""},
		{"tier of another event", a.event.ID, func(in *ticketing.RegistrationInput) { in.TierID = otherTier.ID }, ce.ErrInvalid, "tierId"},
		{"unknown tier", a.event.ID, func(in *ticketing.RegistrationInput) { in.TierID = "tier_nope" }, ce.ErrInvalid, "tierId"},
		{"no tier", a.event.ID, func(in *ticketing.RegistrationInput) { in.TierID = " " }, ce.ErrInvalid, "tierId"},
		{"sales not started", a.event.ID, func(in *ticketing.RegistrationInput) { in.TierID = later.ID }, ce.ErrConflict, ""},
		{"sales ended", a.event.ID, func(in *ticketing.RegistrationInput) { in.TierID = over.ID }, ce.ErrConflict, ""},
		{"priced tier without payments", a.event.ID, func(in *ticketing.RegistrationInput) { in.TierID = priced.ID }, ce.ErrConflict, ""},
		{"no email", a.event.ID, func(in *ticketing.RegistrationInput) { in.Email = "" }, ce.ErrInvalid, "email"},
		{"email without domain", a.event.ID, func(in *ticketing.RegistrationInput) { in.Email = "ada@" }, ce.ErrInvalid, "email"},
		{"email without dot", a.event.ID, func(in *ticketing.RegistrationInput) { in.Email = "ada@localhost" }, ce.ErrInvalid, "email"},
		{"email with display name", a.event.ID, func(in *ticketing.RegistrationInput) { in.Email = "Ada <ada@example.org>" }, ce.ErrInvalid, "email"},
		{"two emails", a.event.ID, func(in *ticketing.RegistrationInput) { in.Email = "ada@example.org, bob@example.org" }, ce.ErrInvalid, "email"},
		{"email too long", a.event.ID, func(in *ticketing.RegistrationInput) { in.Email = long + "@example.org" }, ce.ErrInvalid, "email"},
		{"empty first name", a.event.ID, func(in *ticketing.RegistrationInput) { in.FirstName = "  " }, ce.ErrInvalid, "firstName"},
		{"10 KB first name", a.event.ID, func(in *ticketing.RegistrationInput) { in.FirstName = long }, ce.ErrInvalid, "firstName"},
		{"empty last name", a.event.ID, func(in *ticketing.RegistrationInput) { in.LastName = "" }, ce.ErrInvalid, "lastName"},
		{"10 KB last name", a.event.ID, func(in *ticketing.RegistrationInput) { in.LastName = long }, ce.ErrInvalid, "lastName"},
		{"control character in name", a.event.ID, func(in *ticketing.RegistrationInput) { in.LastName = "Love\x00lace" }, ce.ErrInvalid, "lastName"},
		{"invalid UTF-8 in name", a.event.ID, func(in *ticketing.RegistrationInput) { in.FirstName = "A\xffda" }, ce.ErrInvalid, "firstName"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := attendee(a.inPerson.ID, 0)
			if tc.in != nil {
				tc.in(&in)
			}
			_, err := a.svc.Register(ctx, tc.eventID, in)
			wantKind(t, err, tc.kind, tc.field)
		})
	}
	if n := len(messages[webhook.RegistrationConfirmed](t, a)); n != 0 {
		t.Errorf("refused registrations published %d messages, want 0", n)
	}
}

func TestRegisterRefusesOutsideTheEventsWindow(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	ctx := context.Background()
	opens := testNow.Add(24 * time.Hour)
	settings := ce.Settings{RegistrationOpensAt: opens, RegistrationClosesAt: opens.Add(24 * time.Hour)}
	if _, err := a.svc.UpdateEvent(ctx, a.org, a.event.ID, ticketing.EventUpdate{Settings: &settings}); err != nil {
		t.Fatalf("UpdateEvent: %v", err)
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		want string
	}{
		{"before it opens", testNow, "opens at 2026-04-16 14:00 CEST"},
		{"after it closes", opens.Add(25 * time.Hour), "closed at 2026-04-17 14:00 CEST"},
		{"after the event", a.event.EndsAt, "is over"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a.setNow(tc.now)
			_, err := a.svc.Register(ctx, a.event.ID, attendee(a.inPerson.ID, 0))
			wantKind(t, err, ce.ErrConflict, "")
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %q, want it to say %q", err, tc.want)
			}
		})
	}
	a.setNow(opens.Add(time.Hour))
	a.register(t, a.inPerson, 0)
}

func TestRegisterRefusesACancelledEvent(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	ctx := context.Background()
	e, err := a.store.Events().Get(ctx, a.org, a.event.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Status = ce.EventCancelled
	if err := a.store.Events().Update(ctx, e); err != nil {
		t.Fatal(err)
	}
	_, err = a.svc.Register(ctx, a.event.ID, attendee(a.inPerson.ID, 0))
	wantKind(t, err, ce.ErrConflict, "")
}

func TestRegisterNeverOversells(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		a := newAttendees(t, store)
		const racers = 50
		var wg sync.WaitGroup
		errs := make([]error, racers)
		for i := range racers {
			wg.Go(func() {
				_, errs[i] = a.svc.Register(context.Background(), a.event.ID, attendee(a.inPerson.ID, i))
			})
		}
		wg.Wait()
		confirmed, soldOut := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				confirmed++
			case errors.Is(err, storage.ErrSoldOut) && errors.Is(err, ce.ErrConflict):
				soldOut++
			default:
				t.Errorf("Register: unexpected error %v", err)
			}
		}
		if confirmed != 10 || soldOut != 40 {
			t.Errorf("got %d confirmed and %d sold out, want 10 and 40", confirmed, soldOut)
		}
		if n := len(messages[webhook.RegistrationConfirmed](t, a)); n != 10 {
			t.Errorf("got %d registration.confirmed messages, want 10", n)
		}
		sum, err := a.svc.SummarizeEvent(context.Background(), a.org, a.event.ID)
		if err != nil {
			t.Fatalf("SummarizeEvent: %v", err)
		}
		if got := sum.Tiers[0]; got.Confirmed != 10 || got.Remaining != 0 {
			t.Errorf("tier summary %+v: want 10 confirmed, 0 remaining", got)
		}
	})
}

func TestCancelRegistration(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		a := newAttendees(t, store)
		ctx := context.Background()
		full := mustCreateTier(t, a.svc, a.org, a.event.ID, ticketing.TierInput{Name: "One seat", Price: ce.Money{Currency: "EUR"}, Capacity: 1})
		r := a.register(t, full, 0)
		if _, err := a.svc.Register(ctx, a.event.ID, attendee(full.ID, 1)); !errors.Is(err, storage.ErrSoldOut) {
			t.Fatalf("second registration for one seat: got %v, want sold out", err)
		}
		a.setNow(testNow.Add(time.Hour))
		got, err := a.svc.CancelRegistration(ctx, a.org, r.ID, ticketing.CancelInput{Reason: "  Double booking  "})
		if err != nil {
			t.Fatalf("CancelRegistration: %v", err)
		}
		if got.Status != ce.RegistrationCancelled || !got.CancelledAt.Equal(testNow.Add(time.Hour)) || got.CancelReason != "Double booking" {
			t.Errorf("cancelled registration %+v: want cancelled at %v for %q", got, testNow.Add(time.Hour), "Double booking")
		}
		_, err = a.svc.CancelRegistration(ctx, a.org, r.ID, ticketing.CancelInput{})
		wantKind(t, err, ce.ErrConflict, "")
		if !strings.Contains(err.Error(), "already cancelled") {
			t.Errorf("second cancellation: got %q, want it to say already cancelled", err)
		}
		msgs := messages[webhook.RegistrationCancelled](t, a)
		if len(msgs) != 1 {
			t.Fatalf("got %d registration.cancelled messages, want 1", len(msgs))
		}
		if data := msgs[0]; data.RegistrationID != r.ID || data.TierName != "One seat" {
			t.Errorf("registration.cancelled data %+v: want registration %s of tier One seat", data, r.ID)
		}
		if diff := cmp.Diff([]ce.EmailKind{ce.EmailConfirmation, ce.EmailCancellation}, a.emails(t, r.ID)); diff != "" {
			t.Errorf("e-mails queued (-want +got):\n%s", diff)
		}
		a.register(t, full, 2) // the freed seat
	})
}

func TestCancelRegistrationRefuses(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	r := a.register(t, a.inPerson, 0)
	other := newAttendees(t, a.store)
	ctx := context.Background()
	_, err := other.svc.CancelRegistration(ctx, other.org, r.ID, ticketing.CancelInput{})
	wantKind(t, err, ce.ErrNotFound, "")
	_, err = a.svc.CancelRegistration(ctx, a.org, r.ID, ticketing.CancelInput{Reason: strings.Repeat("r", 501)})
	wantKind(t, err, ce.ErrInvalid, "reason")
	_, err = a.svc.CancelRegistration(ctx, a.org, r.ID, ticketing.CancelInput{Reason: "bell\a"})
	wantKind(t, err, ce.ErrInvalid, "reason")
	if got, _ := a.svc.GetRegistration(ctx, a.org, r.ID); got.Status != ce.RegistrationConfirmed {
		t.Errorf("refused cancellations changed the registration to %s", got.Status)
	}
}

func TestCheckIn(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	ctx := context.Background()
	byCode := a.register(t, a.inPerson, 0)
	byHand := a.register(t, a.inPerson, 1)
	cancelled := a.register(t, a.inPerson, 2)
	if _, err := a.svc.CancelRegistration(ctx, a.org, cancelled.ID, ticketing.CancelInput{}); err != nil {
		t.Fatal(err)
	}
	otherEvent := mustCreateEvent(t, a.svc, a.org)
	otherTier := mustCreateTier(t, a.svc, a.org, otherEvent.ID, ticketing.TierInput{Name: "Other", Price: ce.Money{Currency: "EUR"}})
	if _, err := a.svc.PublishEvent(ctx, a.org, otherEvent.ID); err != nil {
		t.Fatal(err)
	}
	elsewhere, err := a.svc.Register(ctx, otherEvent.ID, attendee(otherTier.ID, 0))
	if err != nil {
		t.Fatal(err)
	}
	stranger := newAttendees(t, a.store)
	strangers := stranger.register(t, stranger.inPerson, 0)

	got, err := a.svc.CheckIn(ctx, a.org, a.event.ID, ticketing.CheckInInput{TicketCode: byCode.TicketCode})
	if err != nil {
		t.Fatalf("CheckIn by code: %v", err)
	}
	if got.CheckInMethod != ce.CheckInQR || !got.CheckedInAt.Equal(testNow) {
		t.Errorf("checked in %+v: want method qr at %v", got, testNow)
	}
	if got, err := a.svc.CheckIn(ctx, a.org, a.event.ID, ticketing.CheckInInput{RegistrationID: byHand.ID}); err != nil || got.CheckInMethod != ce.CheckInManual {
		t.Errorf("CheckIn by hand: got %+v, %v; want method manual", got, err)
	}

	tests := []struct {
		name    string
		eventID string
		in      ticketing.CheckInInput
		kind    error
		field   string
		says    string
	}{
		{"twice", a.event.ID, ticketing.CheckInInput{TicketCode: byCode.TicketCode}, ce.ErrConflict, "", "already checked in at 2026-04-15 14:00 CEST"},
		{"twice by hand", a.event.ID, ticketing.CheckInInput{RegistrationID: byHand.ID}, ce.ErrConflict, "", "already checked in"},
		{"unknown code", a.event.ID, ticketing.CheckInInput{TicketCode: ce.NewToken(20)}, ce.ErrNotFound, "", "no ticket"},
		{"malformed code", a.event.ID, ticketing.CheckInInput{TicketCode: "DROP TABLE"}, ce.ErrInvalid, "ticketCode", ""},
		{"malformed id", a.event.ID, ticketing.CheckInInput{RegistrationID: "reg_x"}, ce.ErrInvalid, "registrationId", ""},
		{"nothing", a.event.ID, ticketing.CheckInInput{}, ce.ErrInvalid, "ticketCode", ""},
		{"both", a.event.ID, ticketing.CheckInInput{TicketCode: byCode.TicketCode, RegistrationID: byHand.ID}, ce.ErrInvalid, "ticketCode", ""},
		{"ticket of another event", a.event.ID, ticketing.CheckInInput{TicketCode: elsewhere.Registration.TicketCode}, ce.ErrConflict, "", "another event"},
		{"cancelled registration", a.event.ID, ticketing.CheckInInput{TicketCode: cancelled.TicketCode}, ce.ErrConflict, "", "was cancelled"},
		{"another organization's ticket", a.event.ID, ticketing.CheckInInput{TicketCode: strangers.TicketCode}, ce.ErrNotFound, "", "no ticket"},
		{"another organization's registration", a.event.ID, ticketing.CheckInInput{RegistrationID: strangers.ID}, ce.ErrNotFound, "", ""},
		{"another organization's event", stranger.event.ID, ticketing.CheckInInput{TicketCode: strangers.TicketCode}, ce.ErrNotFound, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.svc.CheckIn(ctx, a.org, tc.eventID, tc.in)
			wantKind(t, err, tc.kind, tc.field)
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("got %q, want it to say %q", err, tc.says)
			}
		})
	}
	msgs := messages[webhook.CheckinCompleted](t, a)
	if len(msgs) != 2 {
		t.Fatalf("got %d checkin.completed messages, want 2", len(msgs))
	}
	if data := msgs[0]; data.RegistrationID != byCode.ID || data.Method != ce.CheckInQR {
		t.Errorf("checkin.completed data %+v: want registration %s by qr", data, byCode.ID)
	}
}

func TestCheckInOnceUnderConcurrency(t *testing.T) {
	testadapters.ForEach(t, func(t *testing.T, store storage.Store) {
		a := newAttendees(t, store)
		r := a.register(t, a.inPerson, 0)
		const scans = 20
		var wg sync.WaitGroup
		errs := make([]error, scans)
		for i := range scans {
			wg.Go(func() {
				_, errs[i] = a.svc.CheckIn(context.Background(), a.org, a.event.ID, ticketing.CheckInInput{TicketCode: r.TicketCode})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ce.ErrConflict) || !strings.Contains(err.Error(), "already checked in"):
				t.Errorf("CheckIn: got %v, want nil or already checked in", err)
			}
		}
		if ok != 1 {
			t.Errorf("got %d successful check-ins, want 1", ok)
		}
		if n := len(messages[webhook.CheckinCompleted](t, a)); n != 1 {
			t.Errorf("got %d checkin.completed messages, want 1", n)
		}
	})
}

func TestJoin(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	ctx := context.Background()
	r := a.register(t, a.virtual, 0)
	joinAt := testNow.Add(time.Minute)
	a.setNow(joinAt)
	url, err := a.svc.Join(ctx, r.JoinToken)
	if err != nil || url != "https://meet.example.com/spring" {
		t.Fatalf("Join: got %q, %v; want the tier's join URL", url, err)
	}
	moved := "https://meet.example.com/room-2"
	if _, err := a.svc.UpdateTier(ctx, a.org, a.virtual.ID, ticketing.TierUpdate{JoinURL: &moved}); err != nil {
		t.Fatal(err)
	}
	a.setNow(joinAt.Add(time.Hour))
	if url, err := a.svc.Join(ctx, r.JoinToken); err != nil || url != moved {
		t.Errorf("Join after the URL changed: got %q, %v; want %q", url, err, moved)
	}
	got, err := a.svc.GetRegistration(ctx, a.org, r.ID)
	if err != nil || !got.JoinedAt.Equal(joinAt) {
		t.Errorf("JoinedAt = %v (%v), want the first use %v", got.JoinedAt, err, joinAt)
	}
	for _, token := range []string{ce.NewToken(20), "short", r.GuideToken, ""} {
		_, err := a.svc.Join(ctx, token)
		wantKind(t, err, ce.ErrNotFound, "")
	}
	if _, err := a.svc.CancelRegistration(ctx, a.org, r.ID, ticketing.CancelInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = a.svc.Join(ctx, r.JoinToken)
	wantKind(t, err, ce.ErrForbidden, "")
}

func TestJoinAfterTheTierBecameVirtual(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	ctx := context.Background()
	r := a.register(t, a.inPerson, 0)
	join := "https://meet.example.com/moved-online"
	if _, err := a.svc.UpdateTier(ctx, a.org, a.inPerson.ID, ticketing.TierUpdate{JoinURL: &join}); err != nil {
		t.Fatal(err)
	}
	g, err := a.svc.GuideByToken(ctx, r.GuideToken)
	if err != nil || !g.HasJoinLink() || g.HasTicket() {
		t.Fatalf("guide after the tier went online: join link %v, ticket %v (%v); want the join link", g.HasJoinLink(), g.HasTicket(), err)
	}
	if url, err := a.svc.Join(ctx, r.JoinToken); err != nil || url != join {
		t.Errorf("Join: got %q, %v; want %q", url, err, join)
	}
}

func TestGuide(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	ctx := context.Background()
	virtual := a.register(t, a.virtual, 0)
	inPerson := a.register(t, a.inPerson, 1)
	for _, tc := range []struct {
		r                *ce.Registration
		joinLink, ticket bool
	}{
		{virtual, true, false},
		{inPerson, false, true},
	} {
		g, err := a.svc.GuideByToken(ctx, tc.r.GuideToken)
		if err != nil {
			t.Fatalf("GuideByToken: %v", err)
		}
		if g.Registration.ID != tc.r.ID || g.Event.ID != a.event.ID || g.Tier.ID != tc.r.TierID {
			t.Errorf("guide of %s shows registration %s, event %s, tier %s", tc.r.ID, g.Registration.ID, g.Event.ID, g.Tier.ID)
		}
		if g.HasJoinLink() != tc.joinLink || g.HasTicket() != tc.ticket {
			t.Errorf("guide of tier %s: join link %v, ticket %v; want %v, %v", g.Tier.Name, g.HasJoinLink(), g.HasTicket(), tc.joinLink, tc.ticket)
		}
	}
	if _, err := a.svc.CancelRegistration(ctx, a.org, virtual.ID, ticketing.CancelInput{}); err != nil {
		t.Fatal(err)
	}
	g, err := a.svc.GuideByToken(ctx, virtual.GuideToken)
	if err != nil || g.Registration.Status != ce.RegistrationCancelled || g.HasJoinLink() {
		t.Errorf("guide after cancellation: status %v, join link %v (%v); want cancelled without a join link", g.Registration.Status, g.HasJoinLink(), err)
	}
	for _, token := range []string{ce.NewToken(20), "x", virtual.TicketCode} {
		_, err := a.svc.GuideByToken(ctx, token)
		wantKind(t, err, ce.ErrNotFound, "")
	}
}

func TestListRegistrationsAndSummary(t *testing.T) {
	a := newAttendees(t, newMemstore(t))
	ctx := context.Background()
	var ids []string
	for i := range 5 {
		ids = append(ids, a.register(t, a.inPerson, i).ID)
		a.setNow(a.now().Add(time.Millisecond))
	}
	a.register(t, a.virtual, 0)
	if _, err := a.svc.CancelRegistration(ctx, a.org, ids[1], ticketing.CancelInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.svc.CheckIn(ctx, a.org, a.event.ID, ticketing.CheckInInput{RegistrationID: ids[2]}); err != nil {
		t.Fatal(err)
	}

	page, err := a.svc.ListRegistrations(ctx, a.org, a.event.ID, storage.RegistrationFilter{TierID: a.inPerson.ID, Limit: 3})
	if err != nil {
		t.Fatalf("ListRegistrations: %v", err)
	}
	if got := regIDs(page.Registrations); !cmp.Equal(got, ids[:3]) || page.Next != ids[2] {
		t.Errorf("first page %v, next %q; want %v, next %q", got, page.Next, ids[:3], ids[2])
	}
	page, err = a.svc.ListRegistrations(ctx, a.org, a.event.ID, storage.RegistrationFilter{TierID: a.inPerson.ID, Limit: 3, After: page.Next})
	if err != nil || !cmp.Equal(regIDs(page.Registrations), ids[3:]) || page.Next != "" {
		t.Errorf("second page %v, next %q (%v); want %v and no next", regIDs(page.Registrations), page.Next, err, ids[3:])
	}
	page, err = a.svc.ListRegistrations(ctx, a.org, a.event.ID, storage.RegistrationFilter{Status: ce.RegistrationCancelled})
	if err != nil || !cmp.Equal(regIDs(page.Registrations), ids[1:2]) {
		t.Errorf("cancelled: got %v (%v), want %v", regIDs(page.Registrations), err, ids[1:2])
	}

	for _, tc := range []struct {
		name  string
		f     storage.RegistrationFilter
		field string
	}{
		{"unknown status", storage.RegistrationFilter{Status: "maybe"}, "status"},
		{"tier of another event", storage.RegistrationFilter{TierID: "tier_nope"}, "tierId"},
		{"foreign cursor", storage.RegistrationFilter{After: "reg_nope"}, "after"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := a.svc.ListRegistrations(ctx, a.org, a.event.ID, tc.f)
			wantKind(t, err, ce.ErrInvalid, tc.field)
		})
	}
	stranger := newAttendees(t, a.store)
	_, err = stranger.svc.ListRegistrations(ctx, stranger.org, a.event.ID, storage.RegistrationFilter{})
	wantKind(t, err, ce.ErrNotFound, "")

	sum, err := a.svc.SummarizeEvent(ctx, a.org, a.event.ID)
	if err != nil {
		t.Fatalf("SummarizeEvent: %v", err)
	}
	want := []ticketing.TierSummary{
		{Tier: a.inPerson, TierCounts: storage.TierCounts{Confirmed: 4, Cancelled: 1, CheckedIn: 1}, Remaining: 6},
		{Tier: a.virtual, TierCounts: storage.TierCounts{Confirmed: 1}, Remaining: -1},
	}
	if diff := cmp.Diff(want, sum.Tiers, cmp.Comparer(func(a, b *ce.Tier) bool { return a.ID == b.ID })); diff != "" || sum.Remaining != -1 {
		t.Errorf("summary (-want +got):\n%s\nremaining %d, want -1", diff, sum.Remaining)
	}
}

// regIDs returns the ids of list.
func regIDs(list []*ce.Registration) []string {
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	return ids
}
