package recurrence_test

import (
	"context"
	"fmt"
	"time"

	// The examples need the IANA time zones even where the system has none.
	_ "time/tzdata"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/recurrence"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing"
)

// exampleNow is the fixed clock of the examples.
func exampleNow() time.Time { return time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC) }

// exampleSetup returns the ticketing and recurrence services on one
// in-memory store, and an organization with a 19:00–22:00 Amsterdam event
// on Thursday 22 October 2026 that has two tiers: an early-bird tier on
// sale from 09:00 on the Monday before, and a virtual one.
func exampleSetup() (*recurrence.Service, string, *ce.Event) {
	ctx := context.Background()
	store := memstore.New()
	tickets := ticketing.New(store, &ticketing.Options{Now: exampleNow})
	series := recurrence.New(store, &recurrence.Options{Now: exampleNow})
	org, _, err := tickets.CreateOrganization(ctx, "Acme Events")
	if err != nil {
		panic(err)
	}
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	start := time.Date(2026, 10, 22, 19, 0, 0, 0, ams)
	e, err := tickets.CreateEvent(ctx, org.ID, ticketing.EventInput{
		Title: "Monthly meetup", TimeZone: "Europe/Amsterdam", StartsAt: start, EndsAt: start.Add(3 * time.Hour),
	})
	if err != nil {
		panic(err)
	}
	for _, in := range []ticketing.TierInput{
		{Name: "Early bird", Price: ce.Money{Amount: 1000, Currency: "EUR"}, SalesStartAt: time.Date(2026, 10, 19, 9, 0, 0, 0, ams), SalesEndAt: start},
		{Name: "Online", Price: ce.Money{Amount: 500, Currency: "EUR"}, Position: 1, JoinURL: "https://meet.example.com/monthly"},
	} {
		if _, err := tickets.CreateTier(ctx, org.ID, e.ID, in); err != nil {
			panic(err)
		}
	}
	return series, org.ID, e
}

func ExampleNew() {
	store := memstore.New()
	defer store.Close()
	svc := recurrence.New(store, &recurrence.Options{Now: exampleNow, MaxOccurrences: 100})

	_, err := svc.Series(context.Background(), "org_missing", "evt_missing")
	fmt.Println(err)
	// Output: not found: event evt_missing not found
}

// A copy one week later, across the end of summer time: it starts at
// 19:00 local as asked, lasts three hours, and its tier goes on sale at
// 09:00 local on the Monday before, like the original's.
func ExampleService_Duplicate() {
	svc, orgID, e := exampleSetup()
	ams, _ := time.LoadLocation(e.TimeZone)

	c, err := svc.Duplicate(context.Background(), orgID, e.ID, recurrence.DuplicateInput{
		StartsAt:          time.Date(2026, 10, 29, 19, 0, 0, 0, ams),
		RecurringInstance: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	const layout = "Mon 2 Jan 15:04 MST"
	fmt.Println(c.Event.Status, c.Event.StartsAt.In(ams).Format(layout), "to", c.Event.EndsAt.In(ams).Format("15:04"))
	fmt.Println("in the original's series:", c.Event.SeriesID == e.ID, "copied from it:", c.Event.DuplicatedFrom == e.ID)
	for _, t := range c.Tiers {
		sales := "always on sale"
		if !t.SalesStartAt.IsZero() {
			sales = "on sale from " + t.SalesStartAt.In(ams).Format(layout)
		}
		fmt.Printf("%s, virtual %v, %s\n", t.Name, t.Virtual(), sales)
	}
	// Output:
	// draft Thu 29 Oct 19:00 CET to 22:00
	// in the original's series: true copied from it: true
	// Early bird, virtual false, on sale from Mon 26 Oct 09:00 CET
	// Online, virtual true, always on sale
}

// A quarterly series: the event is its first occurrence, and counts
// towards COUNT.
func ExampleExpand() {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2026, 1, 15, 19, 0, 0, 0, ams)
	starts, err := recurrence.Expand(start, ams, recurrence.Recurrence{Rule: "FREQ=MONTHLY;INTERVAL=3;COUNT=4"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range starts {
		fmt.Println(s.Format("Mon 2 Jan 2006 15:04 MST"))
	}
	// Output:
	// Thu 15 Jan 2026 19:00 CET
	// Wed 15 Apr 2026 19:00 CEST
	// Wed 15 Jul 2026 19:00 CEST
	// Thu 15 Oct 2026 19:00 CEST
}

// The second Tuesday of every month until the end of June, except in
// April, plus an extra session.
func ExampleExpand_extraAndExcludedDates() {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		fmt.Println(err)
		return
	}
	april, _ := recurrence.ParseDate("2026-04-14")
	extra, _ := recurrence.ParseDate("2026-05-28")
	starts, err := recurrence.Expand(time.Date(2026, 1, 13, 18, 30, 0, 0, ny), ny, recurrence.Recurrence{
		Rule:          "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20260630",
		ExcludedDates: []recurrence.Date{april},
		ExtraDates:    []recurrence.Date{extra},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range starts {
		fmt.Println(s.Format("Mon 2 Jan 15:04 MST"))
	}
	// Output:
	// Tue 13 Jan 18:30 EST
	// Tue 10 Feb 18:30 EST
	// Tue 10 Mar 18:30 EDT
	// Tue 12 May 18:30 EDT
	// Thu 28 May 18:30 EDT
	// Tue 9 Jun 18:30 EDT
}

// Parts of RFC 5545 outside the supported subset are refused by name.
func ExampleExpand_unsupportedPart() {
	_, err := recurrence.Expand(time.Date(2026, 1, 13, 18, 0, 0, 0, time.UTC), time.UTC,
		recurrence.Recurrence{Rule: "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1;COUNT=6"}, nil)
	fmt.Println(ce.ErrorField(err))
	fmt.Println(ce.ErrorMessage(err))
	// Output:
	// rule
	// BYSETPOS is not supported; the supported parts are FREQ, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH and WKST
}

// The fourth Thursday of the month, like the event: the preview lists the
// instances CreateSeries would make, after the event itself.
func ExampleService_Preview() {
	svc, orgID, e := exampleSetup()
	occurrences, err := svc.Preview(context.Background(), orgID, e.ID, recurrence.Recurrence{Rule: "FREQ=MONTHLY;BYDAY=4TH;COUNT=3"})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, o := range occurrences {
		fmt.Println(o.StartsAt.Format("Mon 2 Jan 15:04 MST"), "to", o.EndsAt.Format("15:04"))
	}
	// Output:
	// Thu 26 Nov 19:00 CET to 22:00
	// Thu 24 Dec 19:00 CET to 22:00
}

func ExampleService_CreateSeries() {
	svc, orgID, e := exampleSetup()
	series, err := svc.CreateSeries(context.Background(), orgID, e.ID, recurrence.Recurrence{Rule: "FREQ=WEEKLY;COUNT=3"})
	if err != nil {
		fmt.Println(err)
		return
	}
	ams, _ := time.LoadLocation(e.TimeZone)
	fmt.Println("series of the event:", series.ID == e.ID)
	for _, se := range series.Events {
		fmt.Println(se.Event.Status, se.Event.StartsAt.In(ams).Format("Mon 2 Jan 15:04 MST"), se.Counts.Tiers, "tiers")
	}
	// Output:
	// series of the event: true
	// draft Thu 29 Oct 19:00 CET 2 tiers
	// draft Thu 5 Nov 19:00 CET 2 tiers
}

func ExampleService_Series() {
	svc, orgID, e := exampleSetup()
	ctx := context.Background()
	if _, err := svc.CreateSeries(ctx, orgID, e.ID, recurrence.Recurrence{Rule: "FREQ=MONTHLY;COUNT=3"}); err != nil {
		fmt.Println(err)
		return
	}
	series, err := svc.Series(ctx, orgID, e.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("series of", series.ID == e.ID)
	for _, se := range series.Events {
		fmt.Println(se.Event.StartsAt.Format(time.DateOnly), se.Event.Status, se.Counts.Tiers, "tiers")
	}
	// Output:
	// series of true
	// 2026-10-22 draft 2 tiers
	// 2026-11-22 draft 2 tiers
	// 2026-12-22 draft 2 tiers
}

func ExampleParseDate() {
	d, err := recurrence.ParseDate("2028-02-29")
	fmt.Println(d, d.Valid(), err)
	_, err = recurrence.ParseDate("2027-02-29")
	fmt.Println(err)
	// Output:
	// 2028-02-29 true <nil>
	// invalid: "2027-02-29" is not a date of the form 2026-12-24
}
