package outbox_test

import (
	"context"
	"fmt"
	"log"
	"os/signal"
	"syscall"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/storage/sqlitestore"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
)

// A service publishes a webhook message in the transaction of the change
// it reports: the delivery exists exactly when the change does.
func ExampleDispatcher() {
	ctx := context.Background()
	store := memstore.New()
	org := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, time.Now()), Name: "Acme", CreatedAt: time.Now()}
	if err := store.Organizations().Create(ctx, org); err != nil {
		log.Fatal(err)
	}
	svc := outbox.NewService(store, webhook.NewSender(nil), nil)
	endpoint, err := svc.CreateEndpoint(ctx, org.ID, outbox.EndpointInput{
		URL:        "https://crm.example.com/hooks/completeevent",
		EventTypes: []string{webhook.EventTypeCheckinCompleted},
	})
	if err != nil {
		log.Fatal(err)
	}

	dispatcher := outbox.NewDispatcher(nil)
	err = store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		// … check the attendee in, with tx …
		return dispatcher.Dispatch(ctx, org.ID, webhook.CheckinCompleted{
			Attendee:    webhook.Attendee{RegistrationID: "reg_1", EventID: "evt_1", Email: "alex@example.com", FirstName: "Alex", LastName: "Smith"},
			Method:      ce.CheckInQR,
			CheckedInAt: time.Now(),
		})
	})
	if err != nil {
		log.Fatal(err)
	}

	page, err := svc.ListDeliveries(ctx, org.ID, endpoint.ID, storage.DeliveryFilter{})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range page.Deliveries {
		fmt.Println(d.EventType, d.Status, d.AttemptCount, "attempts, to the endpoint:", d.EndpointID == endpoint.ID)
	}
	// Output:
	// checkin.completed pending 0 attempts, to the endpoint: true
}

// Rotating a secret keeps the old one signing for an overlap, so that
// receivers can switch without downtime: X-CompleteEvent-Signature uses
// the old secret until the overlap ends, and webhook-signature carries
// both.
func ExampleService_RotateSecret() {
	ctx := context.Background()
	now := time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC)
	store := memstore.New()
	org := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, now), Name: "Acme", CreatedAt: now}
	if err := store.Organizations().Create(ctx, org); err != nil {
		log.Fatal(err)
	}
	svc := outbox.NewService(store, webhook.NewSender(nil), &outbox.Options{
		Now:             func() time.Time { return now },
		RotationOverlap: 24 * time.Hour,
	})
	endpoint, err := svc.CreateEndpoint(ctx, org.ID, outbox.EndpointInput{
		URL:        "https://crm.example.com/hooks/completeevent",
		EventTypes: []string{webhook.EventTypeRegistrationConfirmed},
	})
	if err != nil {
		log.Fatal(err)
	}
	old := endpoint.Secret

	rotated, err := svc.RotateSecret(ctx, org.ID, endpoint.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("new secret shown once:", rotated.Secret != old)
	fmt.Println("overlap ends:", rotated.PreviousSecretExpiresAt.Format(time.RFC3339))
	during := rotated.Secrets(now.Add(time.Hour))
	fmt.Println("during the overlap:", len(during), "secrets; X-CompleteEvent-Signature with the old one:", during[0] == old)
	after := rotated.Secrets(now.Add(25 * time.Hour))
	fmt.Println("after it:", len(after), "secret, the new one:", after[0] == rotated.Secret)
	// Output:
	// new secret shown once: true
	// overlap ends: 2026-04-16T14:32:00Z
	// during the overlap: 2 secrets; X-CompleteEvent-Signature with the old one: true
	// after it: 1 secret, the new one: true
}

// A server runs one worker beside its HTTP server, wakes it on each
// commit, and drains it on shutdown.
func ExampleWorker() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	store, err := sqlitestore.Open(ctx, "completeevent.db", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	sender := webhook.NewSender(nil)
	defer sender.CloseIdleConnections()
	worker := outbox.NewWorker(store, sender, &outbox.WorkerOptions{
		Retry: outbox.RetryPolicy{MaxAttempts: 5},
	})
	dispatcher := outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: worker.Notify})
	_ = dispatcher // give it to the services that publish

	// Run returns once ctx ends and the attempts in flight are recorded.
	if err := worker.Run(ctx); err != nil {
		log.Fatal(err)
	}
}

// "Send test" delivers a ping at once and shows the result.
func ExampleService_SendTest() {
	ctx := context.Background()
	store := memstore.New()
	svc := outbox.NewService(store, webhook.NewSender(nil), nil)
	attempt, err := svc.SendTest(ctx, "org_…", "whe_…")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(attempt.StatusCode, attempt.Duration, attempt.ErrorClass, attempt.Error)
}
