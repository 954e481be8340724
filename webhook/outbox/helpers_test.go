package outbox_test

import (
	"context"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/pgtest"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/storage/pgstore"
	"github.com/completeevent/completeevent-go/storage/sqlitestore"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
	"github.com/completeevent/completeevent-go/webhook/webhooktest"
)

// adapter opens stores of one kind. open returns a new store on the
// database db names (the same db gives the same database, as two server
// instances share one); newDB names a new, empty database.
type adapter struct {
	name  string
	newDB func(t testing.TB) string
	open  func(t testing.TB, db string) storage.Store
}

// adapters are the storage adapters the outbox is tested on. A memstore
// database is one store: open returns the same one for the same name.
func adapters() []adapter {
	var (
		mu   sync.Mutex
		mems = map[string]*memstore.Store{}
	)
	return []adapter{
		{
			name:  "memstore",
			newDB: func(t testing.TB) string { return t.Name() + ce.NewToken(5) },
			open: func(t testing.TB, db string) storage.Store {
				mu.Lock()
				defer mu.Unlock()
				if mems[db] == nil {
					mems[db] = memstore.New()
				}
				return mems[db]
			},
		},
		{
			name:  "sqlite",
			newDB: func(t testing.TB) string { return filepath.Join(t.TempDir(), "outbox.db") },
			open: func(t testing.TB, db string) storage.Store {
				s, err := sqlitestore.Open(context.Background(), db, nil)
				if err != nil {
					t.Fatalf("open sqlite: %v", err)
				}
				t.Cleanup(func() { _ = s.Close() })
				return s
			},
		},
		{
			name:  "postgres",
			newDB: func(t testing.TB) string { return pgtest.DSN(t) },
			open: func(t testing.TB, db string) storage.Store {
				s, err := pgstore.Open(context.Background(), db, nil)
				if err != nil {
					t.Fatalf("open postgres: %v", err)
				}
				t.Cleanup(func() { _ = s.Close() })
				return s
			},
		},
	}
}

// forEachAdapter runs test on a new database of each adapter, in parallel.
// test gets the adapter, the database and a store on it.
func forEachAdapter(t *testing.T, test func(t *testing.T, a adapter, db string, s storage.Store)) {
	for _, a := range adapters() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			db := a.newDB(t)
			test(t, a, db, a.open(t, db))
		})
	}
}

// newSender returns a sender that may send to loopback receivers, with
// the timeout, and closes its idle connections when the test ends.
func newSender(t testing.TB, timeout time.Duration) *webhook.Sender {
	s := webhook.NewSender(&webhook.SenderOptions{AllowPrivateNetworks: true, Timeout: timeout})
	t.Cleanup(s.CloseIdleConnections)
	return s
}

// newOrg stores a new organization.
func newOrg(t testing.TB, s storage.Store) *ce.Organization {
	t.Helper()
	org := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, time.Now()), Name: "Org", CreatedAt: time.Now()}
	if err := s.Organizations().Create(context.Background(), org); err != nil {
		t.Fatalf("create organization: %v", err)
	}
	return org
}

// newReceiver starts a recording receiver for secret answering with
// handler (nil: 200), closed when the test ends.
func newReceiver(t testing.TB, secret string, handler http.Handler) *webhooktest.Receiver {
	rc := webhooktest.NewReceiver(secret, &webhooktest.ReceiverOptions{Handler: handler})
	t.Cleanup(rc.Close)
	return rc
}

// newEndpoint stores an endpoint of org, subscribed to check-ins, that
// sends to a new receiver answering with handler.
func newEndpoint(t testing.TB, s storage.Store, org *ce.Organization, handler http.Handler) (*ce.WebhookEndpoint, *webhooktest.Receiver) {
	t.Helper()
	secret := webhook.NewSecret()
	rc := newReceiver(t, secret, handler)
	now := time.Now()
	e := &ce.WebhookEndpoint{
		ID:             ce.NewID(ce.PrefixWebhookEndpoint, now),
		OrganizationID: org.ID,
		URL:            rc.URL() + "/hooks",
		EventTypes:     []string{ce.EventTypeCheckinCompleted},
		Enabled:        true,
		Secret:         secret,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if err := s.WebhookEndpoints().Create(context.Background(), e); err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	return e, rc
}

// checkin is the data the tests publish; n tells messages apart.
func checkin(n int) webhook.CheckinCompleted {
	return webhook.CheckinCompleted{
		Attendee:    webhook.Attendee{RegistrationID: ce.NewID(ce.PrefixRegistration, time.Now()), EventID: "evt_1", Email: "alex@example.com", FirstName: "Alex", LastName: "Smith", TierName: "Regular"},
		Method:      ce.CheckInQR,
		CheckedInAt: time.Date(2026, 4, 15, 14, 32, n, 0, time.UTC),
	}
}

// publish dispatches n check-ins of org, each in a committed transaction
// of its own.
func publish(t testing.TB, s storage.Store, d *outbox.Dispatcher, org *ce.Organization, n int) {
	t.Helper()
	for i := range n {
		err := s.RunInTx(context.Background(), func(ctx context.Context, tx storage.Tx) error {
			return d.Dispatch(ctx, org.ID, checkin(i))
		})
		if err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
}

// startWorker runs w until the test ends, then waits for Run to return.
// stop stops it earlier, and returns Run's error.
func startWorker(t testing.TB, w *outbox.Worker) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			err = <-done
		})
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return stop
}

// waitFor waits until the receiver got n deliveries, failing the test
// after the timeout.
func waitFor(t testing.TB, rc *webhooktest.Receiver, n int, timeout time.Duration) []webhooktest.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	got, err := rc.Wait(ctx, n)
	if err != nil {
		t.Fatalf("waiting for %d deliveries: got %d after %v", n, len(got), timeout)
	}
	return got
}

// waitLog waits until every delivery of the endpoint's log satisfies
// done, failing the test after the timeout, and returns the log.
func waitLog(t testing.TB, s storage.Store, org *ce.Organization, endpointID string, done func(*ce.WebhookDelivery) bool, timeout time.Duration) []*ce.WebhookDelivery {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		log, err := s.WebhookDeliveries().List(context.Background(), org.ID, endpointID, storage.DeliveryFilter{Limit: storage.MaxPageLimit})
		if err != nil {
			t.Fatalf("list deliveries: %v", err)
		}
		all := true
		for _, d := range log {
			all = all && done(d)
		}
		if all {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("the delivery log did not settle within %v: %+v", timeout, log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// settled reports whether a delivery is no longer pending.
func settled(d *ce.WebhookDelivery) bool { return d.Status != ce.DeliveryPending }

// checkGoroutines fails the test if, once the test's cleanups ran, more
// goroutines run than before it started: every goroutine of the worker and
// the sender must end. Call it first in a test, before anything registers
// a cleanup, so that its own cleanup runs last.
func checkGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				t.Errorf("goroutines: got %d after the test, want at most %d as before it:\n%s",
					runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
