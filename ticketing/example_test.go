package ticketing_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing"
)

// exampleNow is the fixed clock of the examples.
func exampleNow() time.Time { return time.Date(2026, 4, 15, 12, 0, 0, 0, time.UTC) }

// exampleSetup returns a service on an empty in-memory store and a new
// organization's id.
func exampleSetup() (*ticketing.Service, string) {
	svc := ticketing.New(memstore.New(), &ticketing.Options{Now: exampleNow})
	org, _, err := svc.CreateOrganization(context.Background(), "Acme Events")
	if err != nil {
		panic(err)
	}
	return svc, org.ID
}

// exampleEvent creates a draft event starting on the given day of May 2026.
func exampleEvent(svc *ticketing.Service, orgID, title string, day int) *ce.Event {
	e, err := svc.CreateEvent(context.Background(), orgID, ticketing.EventInput{
		Title:    title,
		TimeZone: "Europe/Amsterdam",
		StartsAt: time.Date(2026, 5, day, 17, 0, 0, 0, time.UTC),
		EndsAt:   time.Date(2026, 5, day, 21, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	return e
}

func ExampleNew() {
	store := memstore.New()
	defer store.Close()
	svc := ticketing.New(store, &ticketing.Options{Now: exampleNow})

	org, _, err := svc.CreateOrganization(context.Background(), "Acme Events")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(org.Name, org.CreatedAt.Format(time.RFC3339))
	// Output: Acme Events 2026-04-15T12:00:00Z
}

func ExampleService_CreateOrganization() {
	ctx := context.Background()
	svc := ticketing.New(memstore.New(), nil)

	org, token, err := svc.CreateOrganization(ctx, "Acme Events")
	if err != nil {
		fmt.Println(err)
		return
	}
	// Show the token to the organization's owner once: only its hash is kept.
	key, err := svc.Authenticate(ctx, token)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(org.Name, key.OrganizationID == org.ID)
	// Output: Acme Events true
}

func ExampleService_Authenticate() {
	svc := ticketing.New(memstore.New(), nil)

	_, err := svc.Authenticate(context.Background(), "ce_not-a-key")
	fmt.Println(errors.Is(err, ce.ErrUnauthorized))
	// Output: true
}

func ExampleService_CreateEvent() {
	svc, orgID := exampleSetup()

	e, err := svc.CreateEvent(context.Background(), orgID, ticketing.EventInput{
		Title:    "Spring meetup",
		Venue:    "De Kleine Komedie",
		TimeZone: "Europe/Amsterdam",
		StartsAt: time.Date(2026, 5, 20, 17, 0, 0, 0, time.UTC),
		EndsAt:   time.Date(2026, 5, 20, 21, 0, 0, 0, time.UTC),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	loc, _ := e.Location()
	fmt.Println(e.Title, e.Status, e.Version)
	fmt.Println("starts", e.StartsAt.In(loc).Format("2006-01-02 15:04 MST"))

	_, err = svc.CreateEvent(context.Background(), orgID, ticketing.EventInput{
		Title:    "Backwards",
		TimeZone: "Europe/Amsterdam",
		StartsAt: time.Date(2026, 5, 20, 21, 0, 0, 0, time.UTC),
		EndsAt:   time.Date(2026, 5, 20, 17, 0, 0, 0, time.UTC),
	})
	fmt.Println(errors.Is(err, ce.ErrInvalid), ce.ErrorField(err))
	// Output:
	// Spring meetup draft 1
	// starts 2026-05-20 19:00 CEST
	// true endsAt
}

func ExampleService_GetEvent() {
	svc, orgID := exampleSetup()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)

	got, err := svc.GetEvent(context.Background(), orgID, e.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.Title)

	// Another organization's id, or no event at all: the same answer.
	_, err = svc.GetEvent(context.Background(), "org_someone_else", e.ID)
	fmt.Println(errors.Is(err, ce.ErrNotFound))
	// Output:
	// Spring meetup
	// true
}

func ExampleService_ListEvents() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	exampleEvent(svc, orgID, "Summer meetup", 30)
	exampleEvent(svc, orgID, "Spring meetup", 20)
	exampleEvent(svc, orgID, "Launch party", 10)

	f := storage.EventFilter{Limit: 2}
	for {
		page, err := svc.ListEvents(ctx, orgID, f)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, e := range page.Events {
			fmt.Println(e.StartsAt.Format(time.DateOnly), e.Title)
		}
		if page.Next == "" {
			break
		}
		f.After = page.Next
	}
	// Output:
	// 2026-05-10 Launch party
	// 2026-05-20 Spring meetup
	// 2026-05-30 Summer meetup
}

func ExampleService_UpdateEvent() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)

	title := "Spring meetup 2026"
	e, err := svc.UpdateEvent(ctx, orgID, e.ID, ticketing.EventUpdate{Title: &title, Version: e.Version})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Title, e.Version)

	// Version 1 is stale now.
	venue := "Online"
	_, err = svc.UpdateEvent(ctx, orgID, e.ID, ticketing.EventUpdate{Venue: &venue, Version: 1})
	fmt.Println(errors.Is(err, ce.ErrConflict))
	// Output:
	// Spring meetup 2026 2
	// true
}

func ExampleService_PublishEvent() {
	svc, orgID := exampleSetup()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)

	e, err := svc.PublishEvent(context.Background(), orgID, e.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Status)
	// Output: published
}

func ExampleService_CreateTier() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)

	t, err := svc.CreateTier(ctx, orgID, e.ID, ticketing.TierInput{
		Name:    "Online",
		Price:   ce.Money{Amount: 500, Currency: "EUR"},
		JoinURL: "https://meet.example.com/spring",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Name, t.Price, t.Virtual())

	_, err = svc.CreateTier(ctx, orgID, e.ID, ticketing.TierInput{
		Name:    "Insecure",
		Price:   ce.Money{Currency: "EUR"},
		JoinURL: "http://meet.example.com/spring",
	})
	fmt.Println(ce.ErrorField(err))
	// Output:
	// Online EUR 5.00 true
	// joinUrl
}

func ExampleService_GetTier() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)
	t, err := svc.CreateTier(ctx, orgID, e.ID, ticketing.TierInput{Name: "Door", Price: ce.Money{Amount: 1500, Currency: "EUR"}})
	if err != nil {
		fmt.Println(err)
		return
	}

	got, err := svc.GetTier(ctx, orgID, t.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.Name, got.Price, got.Virtual())
	// Output: Door EUR 15.00 false
}

func ExampleService_ListTiers() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)
	for _, in := range []ticketing.TierInput{
		{Name: "Door", Price: ce.Money{Amount: 1500, Currency: "EUR"}, Position: 2},
		{Name: "Early bird", Price: ce.Money{Amount: 1000, Currency: "EUR"}, Position: 1},
		{Name: "Online", Price: ce.Money{Currency: "EUR"}, Position: 3, JoinURL: "https://meet.example.com/spring"},
	} {
		if _, err := svc.CreateTier(ctx, orgID, e.ID, in); err != nil {
			fmt.Println(err)
			return
		}
	}

	tiers, err := svc.ListTiers(ctx, orgID, e.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range tiers {
		fmt.Println(t.Position, t.Name, t.Price)
	}
	// Output:
	// 1 Early bird EUR 10.00
	// 2 Door EUR 15.00
	// 3 Online EUR 0.00
}

func ExampleService_UpdateTier() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)
	t, err := svc.CreateTier(ctx, orgID, e.ID, ticketing.TierInput{Name: "Regular", Price: ce.Money{Amount: 1500, Currency: "EUR"}})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Make the tier virtual.
	join := "https://meet.example.com/spring"
	t, err = svc.UpdateTier(ctx, orgID, t.ID, ticketing.TierUpdate{JoinURL: &join})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Name, t.Virtual(), t.Version)
	// Output: Regular true 2
}

func ExampleService_DeleteTier() {
	ctx := context.Background()
	svc, orgID := exampleSetup()
	e := exampleEvent(svc, orgID, "Spring meetup", 20)
	t, err := svc.CreateTier(ctx, orgID, e.ID, ticketing.TierInput{Name: "Regular", Price: ce.Money{Amount: 1500, Currency: "EUR"}})
	if err != nil {
		fmt.Println(err)
		return
	}

	fmt.Println(svc.DeleteTier(ctx, orgID, t.ID))
	_, err = svc.GetTier(ctx, orgID, t.ID)
	fmt.Println(errors.Is(err, ce.ErrNotFound))
	// Output:
	// <nil>
	// true
}
