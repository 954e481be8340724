package notify_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/mail"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/storage/sqlitestore"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/notify"
)

// A worker sends the confirmation that the ticketing service queues when
// an attendee registers. Here the mailer writes .eml files into a folder,
// as the reference server does in development.
func ExampleNewWorker() {
	ctx := context.Background()
	store := memstore.New()
	defer store.Close()
	dir, err := os.MkdirTemp("", "notify-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	mailer, err := mail.NewDirMailer(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	renderer, err := notify.NewRenderer("https://events.example.org", &notify.RenderOptions{
		From: "Acme Events <tickets@example.org>",
	})
	if err != nil {
		log.Fatal(err)
	}
	// The service wakes the worker as soon as a queued e-mail commits.
	var worker *notify.Worker
	svc := ticketing.New(store, &ticketing.Options{EmailQueued: func() { worker.Notify() }})
	worker = notify.NewWorker(store, svc, mailer, renderer, nil)

	runCtx, stop := context.WithCancel(ctx)
	stopped := make(chan error, 1)
	go func() { stopped <- worker.Run(runCtx) }()

	reg := exampleRegistration(svc)
	emails, err := store.Emails().ListByRegistration(ctx, reg.OrganizationID, reg.ID)
	for err == nil && emails[0].Status == ce.EmailPending {
		time.Sleep(10 * time.Millisecond)
		emails, err = store.Emails().ListByRegistration(ctx, reg.OrganizationID, reg.ID)
	}
	if err != nil {
		log.Fatal(err)
	}
	stop()
	if err := <-stopped; err != nil {
		log.Fatal(err)
	}

	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) != 1 {
		log.Fatalf("got %d files (%v), want 1", len(files), err)
	}
	eml, err := os.ReadFile(files[0])
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(emails[0].Kind, emails[0].Status, "after", emails[0].Attempts, "attempt")
	fmt.Println(strings.Contains(string(eml), "Subject: Your registration for Spring meetup"))
	// Output:
	// confirmation sent after 1 attempt
	// true
}

// exampleRegistration registers an attendee for a free in-person tier of a
// published event.
func exampleRegistration(svc *ticketing.Service) *ce.Registration {
	ctx := context.Background()
	org, _, err := svc.CreateOrganization(ctx, "Acme Events")
	if err != nil {
		log.Fatal(err)
	}
	start := time.Now().AddDate(0, 1, 0).Truncate(time.Hour)
	e, err := svc.CreateEvent(ctx, org.ID, ticketing.EventInput{
		Title: "Spring meetup", Venue: "De Kleine Komedie", TimeZone: "Europe/Amsterdam",
		StartsAt: start, EndsAt: start.Add(3 * time.Hour),
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := svc.PublishEvent(ctx, org.ID, e.ID); err != nil {
		log.Fatal(err)
	}
	tier, err := svc.CreateTier(ctx, org.ID, e.ID, ticketing.TierInput{Name: "Regular", Price: ce.Money{Currency: "EUR"}})
	if err != nil {
		log.Fatal(err)
	}
	res, err := svc.Register(ctx, e.ID, ticketing.RegistrationInput{
		TierID: tier.ID, Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace",
	})
	if err != nil {
		log.Fatal(err)
	}
	return res.Registration
}

// In a server, the worker runs until the process is told to stop, then
// finishes the sends in flight. Here it sends through the SMTP server of
// SMTP_URL, e.g. smtps://user:password@smtp.example.org.
func ExampleWorker_Run() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	store, err := sqlitestore.Open(ctx, "completeevent.db", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	mailer, err := mail.NewSMTPMailer(os.Getenv("SMTP_URL"), &mail.SMTPOptions{From: "Acme Events <tickets@example.org>"})
	if err != nil {
		log.Fatal(err)
	}
	renderer, err := notify.NewRenderer("https://events.example.org", nil)
	if err != nil {
		log.Fatal(err)
	}

	var worker *notify.Worker
	svc := ticketing.New(store, &ticketing.Options{EmailQueued: func() { worker.Notify() }})
	worker = notify.NewWorker(store, svc, mailer, renderer, &notify.WorkerOptions{Concurrency: 8})
	// … serve svc over HTTP …

	if err := worker.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// Render turns a queued e-mail and its registration into a message, with a
// plain-text and an HTML part, and for an in-person ticket its QR code.
func ExampleRenderer_Render() {
	renderer, err := notify.NewRenderer("https://events.example.org", nil)
	if err != nil {
		log.Fatal(err)
	}
	m, err := renderer.Render(&notify.Content{
		Email: &ce.Email{ID: "eml_01jrx9", Kind: ce.EmailConfirmation},
		Guide: &ticketing.Guide{
			Registration: &ce.Registration{
				ID: "reg_01jrx9", Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace",
				Status: ce.RegistrationConfirmed, GuideToken: "q8hkt2vn5xwc7lmp3rys9bdf", TicketCode: "t1ck3tc0d3",
			},
			Event: &ce.Event{
				Title: "Spring meetup", Venue: "De Kleine Komedie", TimeZone: "Europe/Amsterdam",
				StartsAt: time.Date(2026, 5, 1, 16, 0, 0, 0, time.UTC),
				EndsAt:   time.Date(2026, 5, 1, 19, 0, 0, 0, time.UTC),
			},
			Tier: &ce.Tier{Name: "Regular"},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.To)
	fmt.Println(m.Subject)
	fmt.Println(m.MessageID)
	fmt.Println(strings.Split(m.Text, "\n")[4])
	fmt.Println(m.Inline[0].ContentID, m.Inline[0].ContentType)
	// Output:
	// "Ada Lovelace" <ada@example.org>
	// Your registration for Spring meetup
	// eml_01jrx9@events.example.org
	// When:   Friday 1 May 2026, 18:00–21:00 CEST (Europe/Amsterdam)
	// ticket-qr image/png
}
