package ticketing_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/paymentstest"
)

// exampleService returns a service configured by opts, whose clock
// defaults to exampleNow, on an empty in-memory store, and a new
// organization's id.
func exampleService(opts ticketing.Options) (*ticketing.Service, string) {
	if opts.Now == nil {
		opts.Now = exampleNow
	}
	svc := ticketing.New(memstore.New(), &opts)
	org, _, err := svc.CreateOrganization(context.Background(), "Acme Events")
	if err != nil {
		panic(err)
	}
	return svc, org.ID
}

// exampleOnSale creates an event, "Spring meetup" on 20 May 2026, with the
// tiers, and publishes it so that attendees can register.
func exampleOnSale(svc *ticketing.Service, orgID string, tiers ...ticketing.TierInput) (*ce.Event, []*ce.Tier) {
	ctx := context.Background()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)
	out := make([]*ce.Tier, len(tiers))
	for i, in := range tiers {
		t, err := svc.CreateTier(ctx, orgID, e.ID, in)
		if err != nil {
			panic(err)
		}
		out[i] = t
	}
	e, err := svc.PublishEvent(ctx, orgID, e.ID)
	if err != nil {
		panic(err)
	}
	return e, out
}

// exampleRegister registers the attendee, firstname@example.org, for the
// free tier.
func exampleRegister(svc *ticketing.Service, eventID, tierID, firstName, lastName string) *ce.Registration {
	reg, err := svc.Register(context.Background(), eventID, ticketing.RegistrationInput{
		TierID:    tierID,
		Email:     strings.ToLower(firstName) + "@example.org",
		FirstName: firstName,
		LastName:  lastName,
	})
	if err != nil {
		panic(err)
	}
	return reg.Registration
}

func ExampleService_Register() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}, Capacity: 1})

	// The public route: the event's id and the attendee's details, no API key.
	reg, err := svc.Register(ctx, e.ID, ticketing.RegistrationInput{
		TierID:    tiers[0].ID,
		Email:     "ada@example.org",
		FirstName: "Ada",
		LastName:  "Lovelace",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// A free tier: confirmed at once, nothing to pay.
	fmt.Println(reg.Registration.Status, reg.Registration.AmountPaid, reg.Checkout == nil)

	// The hall has one seat.
	_, err = svc.Register(ctx, e.ID, ticketing.RegistrationInput{
		TierID:    tiers[0].ID,
		Email:     "grace@example.org",
		FirstName: "Grace",
		LastName:  "Hopper",
	})
	fmt.Println(errors.Is(err, ce.ErrConflict), errors.Is(err, storage.ErrSoldOut))
	// Output:
	// confirmed EUR 0.00 true
	// true true
}

func ExampleService_Register_paid() {
	ctx := context.Background()
	svc, orgID := exampleService(ticketing.Options{
		Payments:  paymentstest.New(), // standing in for a provider such as ticketing/stripepay
		PublicURL: "https://events.example.org",
	})
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Gala", Price: ce.Money{Amount: 2500, Currency: "EUR"}})

	reg, err := svc.Register(ctx, e.ID, ticketing.RegistrationInput{
		TierID:    tiers[0].ID,
		Email:     "ada@example.org",
		FirstName: "Ada",
		LastName:  "Lovelace",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// A priced tier: the seat is held while the attendee pays. Send them to
	// the checkout page; HandlePaymentEvent confirms the registration.
	loc, _ := e.Location()
	fmt.Println(reg.Registration.Status, reg.Registration.AmountPaid)
	fmt.Println("pay at", reg.Checkout.URL)
	fmt.Println("before", reg.Checkout.ExpiresAt.In(loc).Format("15:04 MST"))
	// Output:
	// pending_payment EUR 25.00
	// pay at https://pay.example.com/cs_1
	// before 14:31 CEST
}

func ExampleService_HandlePaymentEvent() {
	ctx := context.Background()
	pay := paymentstest.New()
	svc, orgID := exampleService(ticketing.Options{Payments: pay, PublicURL: "https://events.example.org"})
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Gala", Price: ce.Money{Amount: 2500, Currency: "EUR"}})
	reg, err := svc.Register(ctx, e.ID, ticketing.RegistrationInput{
		TierID: tiers[0].ID, Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace",
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Ada pays; the provider posts its callback to the server, which hands
	// the raw body and headers to HandlePaymentEvent.
	req := pay.LastCheckout()
	body, header := paymentstest.Callback(paymentstest.Completed(req, "evt_1", reg.Checkout.ID, req.Amount))
	res, err := svc.HandlePaymentEvent(ctx, body, header)
	if err != nil {
		fmt.Println(err) // answer the provider with an error: it retries
		return
	}
	fmt.Println(res.Outcome)
	r, err := svc.GetRegistration(ctx, orgID, reg.Registration.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Status, r.AmountPaid)

	// Providers deliver callbacks at least once.
	res, err = svc.HandlePaymentEvent(ctx, body, header)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Outcome)

	// A callback without a valid signature changes nothing.
	_, err = svc.HandlePaymentEvent(ctx, body, http.Header{})
	fmt.Println(errors.Is(err, ce.ErrUnauthorized))
	// Output:
	// registration_confirmed
	// confirmed EUR 25.00
	// duplicate
	// true
}

func ExampleService_HandlePaymentEvent_expired() {
	ctx := context.Background()
	pay := paymentstest.New()
	svc, orgID := exampleService(ticketing.Options{Payments: pay, PublicURL: "https://events.example.org"})
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Gala", Price: ce.Money{Amount: 2500, Currency: "EUR"}, Capacity: 1})
	gala := tiers[0].ID
	ada, err := svc.Register(ctx, e.ID, ticketing.RegistrationInput{TierID: gala, Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Ada's pending registration holds the only seat...
	_, err = svc.Register(ctx, e.ID, ticketing.RegistrationInput{TierID: gala, Email: "grace@example.org", FirstName: "Grace", LastName: "Hopper"})
	fmt.Println(errors.Is(err, storage.ErrSoldOut))

	// ...until her checkout expires unpaid.
	body, header := paymentstest.Callback(paymentstest.Expired(pay.LastCheckout(), "evt_1", ada.Checkout.ID))
	res, err := svc.HandlePaymentEvent(ctx, body, header)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Outcome)
	r, err := svc.GetRegistration(ctx, orgID, ada.Registration.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %s\n", r.Status, r.CancelReason)

	grace, err := svc.Register(ctx, e.ID, ticketing.RegistrationInput{TierID: gala, Email: "grace@example.org", FirstName: "Grace", LastName: "Hopper"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(grace.Registration.FirstName, grace.Registration.Status)
	// Output:
	// true
	// registration_released
	// cancelled: the payment was not completed
	// Grace pending_payment
}

func ExampleService_ReleaseExpiredHolds() {
	ctx := context.Background()
	now := exampleNow()
	svc, orgID := exampleService(ticketing.Options{
		Now:       func() time.Time { return now },
		Payments:  paymentstest.New(),
		PublicURL: "https://events.example.org",
	})
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Gala", Price: ce.Money{Amount: 2500, Currency: "EUR"}, Capacity: 1})
	gala := tiers[0].ID
	ada, err := svc.Register(ctx, e.ID, ticketing.RegistrationInput{TierID: gala, Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace"})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Ada's checkout expires after 31 minutes, but its expiry callback
	// never arrives. Until the grace period has passed too, her seat is
	// kept...
	now = now.Add(31 * time.Minute)
	n, err := svc.ReleaseExpiredHolds(ctx, 100)
	fmt.Println("released", n, err)

	// ...then given back.
	now = now.Add(ticketing.HoldReleaseGrace + time.Minute)
	n, err = svc.ReleaseExpiredHolds(ctx, 100)
	fmt.Println("released", n, err)
	r, err := svc.GetRegistration(ctx, orgID, ada.Registration.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %s\n", r.Status, r.CancelReason)
	grace, err := svc.Register(ctx, e.ID, ticketing.RegistrationInput{TierID: gala, Email: "grace@example.org", FirstName: "Grace", LastName: "Hopper"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(grace.Registration.FirstName, grace.Registration.Status)
	// Output:
	// released 0 <nil>
	// released 1 <nil>
	// cancelled: the payment was not completed in time
	// Grace pending_payment
}

func ExampleService_CancelRegistration() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")

	// A free registration has no payment to refund.
	_, err := svc.CancelRegistration(ctx, orgID, ada.ID, ticketing.CancelInput{Refund: true})
	fmt.Println(errors.Is(err, ce.ErrInvalid), ce.ErrorField(err))

	r, err := svc.CancelRegistration(ctx, orgID, ada.ID, ticketing.CancelInput{Reason: "Registered twice"})
	if err != nil {
		fmt.Println(err)
		return
	}
	loc, _ := e.Location()
	fmt.Printf("%s at %s: %s\n", r.Status, r.CancelledAt.In(loc).Format("2006-01-02 15:04 MST"), r.CancelReason)

	// A second cancellation changes nothing.
	_, err = svc.CancelRegistration(ctx, orgID, ada.ID, ticketing.CancelInput{})
	fmt.Println(errors.Is(err, ce.ErrConflict))
	// Output:
	// true refund
	// cancelled at 2026-04-15 14:00 CEST: Registered twice
	// true
}

func ExampleService_CancelRegistration_refund() {
	ctx := context.Background()
	pay := paymentstest.New()
	svc, orgID := exampleService(ticketing.Options{Payments: pay, PublicURL: "https://events.example.org"})
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Gala", Price: ce.Money{Amount: 2500, Currency: "EUR"}})
	reg, err := svc.Register(ctx, e.ID, ticketing.RegistrationInput{
		TierID: tiers[0].ID, Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	req := pay.LastCheckout()
	body, header := paymentstest.Callback(paymentstest.Completed(req, "evt_1", reg.Checkout.ID, req.Amount))
	if _, err := svc.HandlePaymentEvent(ctx, body, header); err != nil {
		fmt.Println(err)
		return
	}

	// The payment is refunded in full first; if the refund fails, the
	// registration stays confirmed.
	r, err := svc.CancelRegistration(ctx, orgID, reg.Registration.ID, ticketing.CancelInput{
		Reason: "The gala moved to a smaller room",
		Refund: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Status, r.AmountPaid, r.RefundReference)
	// Output: cancelled EUR 25.00 re_cs_1
}

func ExampleService_CheckIn() {
	ctx := context.Background()
	now := exampleNow()
	svc, orgID := exampleService(ticketing.Options{Now: func() time.Time { return now }})
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")

	// At the door on the day, the app scans the QR code of Ada's ticket:
	// its TicketCode.
	now = time.Date(2026, 5, 20, 16, 45, 0, 0, time.UTC)
	r, err := svc.CheckIn(ctx, orgID, e.ID, ticketing.CheckInInput{TicketCode: ada.TicketCode})
	if err != nil {
		fmt.Println(err)
		return
	}
	loc, _ := e.Location()
	fmt.Println(r.FirstName, r.CheckInMethod, r.CheckedInAt.In(loc).Format("15:04 MST"))

	// The same ticket again, a few minutes later.
	now = now.Add(5 * time.Minute)
	_, err = svc.CheckIn(ctx, orgID, e.ID, ticketing.CheckInInput{TicketCode: ada.TicketCode})
	fmt.Println(errors.Is(err, ce.ErrConflict), ce.ErrorMessage(err))
	// Output:
	// Ada qr 18:45 CEST
	// true already checked in at 2026-05-20 18:45 CEST (qr)
}

func ExampleService_CheckIn_manual() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")

	// Ada forgot her ticket: the organizer finds her in the list of
	// registrations and checks her in by its id.
	r, err := svc.CheckIn(ctx, orgID, e.ID, ticketing.CheckInInput{RegistrationID: ada.ID})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.FirstName, r.CheckInMethod)

	// Name the registration one way or the other.
	_, err = svc.CheckIn(ctx, orgID, e.ID, ticketing.CheckInInput{})
	fmt.Println(errors.Is(err, ce.ErrInvalid), ce.ErrorField(err))
	// Output:
	// Ada manual
	// true ticketCode
}

func ExampleService_Join() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{
		Name:    "Stream",
		Price:   ce.Money{Currency: "EUR"},
		JoinURL: "https://meet.example.com/spring",
	})
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")

	// Ada follows her personal join link, which carries her JoinToken; the
	// server redirects her to the tier's current URL.
	url, err := svc.Join(ctx, ada.JoinToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(url)
	r, err := svc.GetRegistration(ctx, orgID, ada.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("attended", !r.JoinedAt.IsZero())

	// The link stops working when the registration is cancelled.
	if _, err := svc.CancelRegistration(ctx, orgID, ada.ID, ticketing.CancelInput{}); err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.Join(ctx, ada.JoinToken)
	fmt.Println(errors.Is(err, ce.ErrForbidden))
	_, err = svc.Join(ctx, "not-a-join-token")
	fmt.Println(errors.Is(err, ce.ErrNotFound))
	// Output:
	// https://meet.example.com/spring
	// attended true
	// true
	// true
}

func ExampleService_GuideByToken() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")

	// The attendee's guide page, at PublicURL + "/guide/" + the token that
	// the confirmation e-mail links to.
	g, err := svc.GuideByToken(ctx, ada.GuideToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	loc, _ := g.Event.Location()
	fmt.Println(g.Registration.FirstName, g.Event.Title, g.Event.StartsAt.In(loc).Format("2006-01-02 15:04 MST"))
	fmt.Println(g.Tier.Name, "ticket:", g.HasTicket(), "join link:", g.HasJoinLink())

	// Malformed, unknown or not this attendee's: all the same.
	_, err = svc.GuideByToken(ctx, "not-a-guide-token")
	fmt.Println(errors.Is(err, ce.ErrNotFound))
	// Output:
	// Ada Spring meetup 2026-05-20 19:00 CEST
	// Hall ticket: true join link: false
	// true
}

func ExampleService_GuideByRegistration() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")

	// The mail worker knows the e-mail's organization and registration,
	// and renders the e-mail from the guide as it is now.
	g, err := svc.GuideByRegistration(ctx, orgID, ada.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("To: %s\nYour ticket for %s (%s)\n", g.Registration.Email, g.Event.Title, g.Tier.Name)
	// Output:
	// To: ada@example.org
	// Your ticket for Spring meetup (Hall)
}

func ExampleGuide_HasJoinLink() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{
		Name:    "Stream",
		Price:   ce.Money{Currency: "EUR"},
		JoinURL: "https://meet.example.com/spring",
	})
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")

	g, err := svc.GuideByRegistration(ctx, orgID, ada.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(g.HasJoinLink(), g.HasTicket())

	// A cancelled registration shows neither.
	if _, err := svc.CancelRegistration(ctx, orgID, ada.ID, ticketing.CancelInput{}); err != nil {
		fmt.Println(err)
		return
	}
	if g, err = svc.GuideByRegistration(ctx, orgID, ada.ID); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(g.HasJoinLink(), g.HasTicket())
	// Output:
	// true false
	// false false
}

func ExampleGuide_HasTicket() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID,
		ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}},
		ticketing.TierInput{Name: "Stream", Price: ce.Money{Currency: "EUR"}, JoinURL: "https://meet.example.com/spring"},
	)
	for _, t := range tiers {
		r := exampleRegister(svc, e.ID, t.ID, "Ada", "Lovelace")
		g, err := svc.GuideByToken(ctx, r.GuideToken)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(g.Tier.Name, "ticket:", g.HasTicket(), "join link:", g.HasJoinLink())
	}
	// Output:
	// Hall ticket: true join link: false
	// Stream ticket: false join link: true
}

func ExampleGuide_When() {
	g := &ticketing.Guide{
		Event: &ce.Event{
			TimeZone: "Europe/Amsterdam",
			StartsAt: time.Date(2026, 5, 1, 16, 0, 0, 0, time.UTC),
			EndsAt:   time.Date(2026, 5, 1, 19, 0, 0, 0, time.UTC),
			Venue:    "De Kleine Komedie, Amsterdam",
		},
		Tier: &ce.Tier{Name: "Hall"},
	}
	fmt.Println(g.When())
	fmt.Println(g.Where())
	// Output:
	// Friday 1 May 2026, 18:00–21:00 CEST (Europe/Amsterdam)
	// De Kleine Komedie, Amsterdam
}

func ExampleService_GetRegistration() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	ada := exampleRegister(svc, e.ID, tiers[0].ID, "Ada", "Lovelace")

	r, err := svc.GetRegistration(ctx, orgID, ada.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.FirstName, r.LastName, r.Email, r.Status)

	// Another organization's id, or no registration at all: the same answer.
	_, err = svc.GetRegistration(ctx, "org_someone_else", ada.ID)
	fmt.Println(errors.Is(err, ce.ErrNotFound))
	// Output:
	// Ada Lovelace ada@example.org confirmed
	// true
}

func ExampleService_ListRegistrations() {
	ctx := context.Background()
	// Registrations are listed oldest first; ids order them only to the
	// millisecond, so this example's clock moves a minute per registration.
	now := exampleNow()
	svc, orgID := exampleService(ticketing.Options{Now: func() time.Time { return now }})
	e, tiers := exampleOnSale(svc, orgID, ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}})
	var ids []string
	for _, name := range [][2]string{{"Ada", "Lovelace"}, {"Grace", "Hopper"}, {"Alan", "Turing"}} {
		now = now.Add(time.Minute)
		ids = append(ids, exampleRegister(svc, e.ID, tiers[0].ID, name[0], name[1]).ID)
	}
	if _, err := svc.CancelRegistration(ctx, orgID, ids[1], ticketing.CancelInput{}); err != nil {
		fmt.Println(err)
		return
	}

	f := storage.RegistrationFilter{Status: ce.RegistrationConfirmed, Limit: 1}
	for {
		page, err := svc.ListRegistrations(ctx, orgID, e.ID, f)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, r := range page.Registrations {
			fmt.Println(r.FirstName, r.LastName, r.Status)
		}
		if page.Next == "" {
			break
		}
		f.After = page.Next
	}
	// Output:
	// Ada Lovelace confirmed
	// Alan Turing confirmed
}

func ExampleService_SummarizeEvent() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e, tiers := exampleOnSale(svc, orgID,
		ticketing.TierInput{Name: "Hall", Price: ce.Money{Currency: "EUR"}, Capacity: 3},
		ticketing.TierInput{Name: "Stream", Price: ce.Money{Currency: "EUR"}, Position: 1, JoinURL: "https://meet.example.com/spring"},
	)
	hall, stream := tiers[0].ID, tiers[1].ID
	ada := exampleRegister(svc, e.ID, hall, "Ada", "Lovelace")
	grace := exampleRegister(svc, e.ID, hall, "Grace", "Hopper")
	exampleRegister(svc, e.ID, stream, "Alan", "Turing")
	if _, err := svc.CheckIn(ctx, orgID, e.ID, ticketing.CheckInInput{RegistrationID: ada.ID}); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := svc.CancelRegistration(ctx, orgID, grace.ID, ticketing.CancelInput{}); err != nil {
		fmt.Println(err)
		return
	}

	sum, err := svc.SummarizeEvent(ctx, orgID, e.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range sum.Tiers {
		fmt.Printf("%s: %d confirmed, %d cancelled, %d checked in, %d left\n",
			t.Tier.Name, t.Confirmed, t.Cancelled, t.CheckedIn, t.Remaining)
	}
	// -1: the stream has no cap, so neither has the event.
	fmt.Println("event:", sum.Remaining)
	// Output:
	// Hall: 1 confirmed, 1 cancelled, 1 checked in, 2 left
	// Stream: 1 confirmed, 0 cancelled, 0 checked in, -1 left
	// event: -1
}
