package notify_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/mail"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/storage/sqlitestore"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/notify"
)

// adapter opens an empty store of one storage adapter, closed when the
// test ends.
type adapter struct {
	name string
	open func(t *testing.T) storage.Store
}

// adapters are the stores the worker is tested on: the queue must work
// the same through memory and through bun and SQL.
func adapters() []adapter {
	return []adapter{
		{"memstore", func(t *testing.T) storage.Store {
			s := memstore.New()
			t.Cleanup(func() { s.Close() })
			return s
		}},
		{"sqlite", func(t *testing.T) storage.Store {
			t.Helper()
			s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "completeevent.db"), nil)
			if err != nil {
				t.Fatalf("sqlitestore.Open: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}},
	}
}

// fixture is an organization with a published event in Amsterdam, 30 days
// from now, with a free in-person tier and a free virtual tier, on a
// ticketing service that wakes the fixture's workers when it queues an
// e-mail.
type fixture struct {
	store    storage.Store
	svc      *ticketing.Service
	renderer *notify.Renderer
	orgID    string
	event    *ce.Event
	inPerson *ce.Tier
	virtual  *ce.Tier

	mu      sync.Mutex
	workers []*notify.Worker
}

func newFixture(t *testing.T, store storage.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{store: store}
	f.svc = ticketing.New(store, &ticketing.Options{EmailQueued: f.emailQueued})
	var err error
	if f.renderer, err = notify.NewRenderer(testBaseURL, nil); err != nil {
		t.Fatalf("NewRenderer: %v", err)
	}
	org, _, err := f.svc.CreateOrganization(ctx, "Acme Events")
	if err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	f.orgID = org.ID
	start := time.Now().Add(30 * 24 * time.Hour).Truncate(time.Hour)
	e, err := f.svc.CreateEvent(ctx, f.orgID, ticketing.EventInput{
		Title: "Spring meetup", Venue: "De Kleine Komedie", TimeZone: "Europe/Amsterdam",
		StartsAt: start, EndsAt: start.Add(3 * time.Hour),
	})
	if err != nil {
		t.Fatalf("CreateEvent: %v", err)
	}
	if f.event, err = f.svc.PublishEvent(ctx, f.orgID, e.ID); err != nil {
		t.Fatalf("PublishEvent: %v", err)
	}
	free := ce.Money{Currency: "EUR"}
	if f.inPerson, err = f.svc.CreateTier(ctx, f.orgID, e.ID, ticketing.TierInput{Name: "Regular", Price: free}); err != nil {
		t.Fatalf("CreateTier: %v", err)
	}
	f.virtual, err = f.svc.CreateTier(ctx, f.orgID, e.ID, ticketing.TierInput{
		Name: "Livestream", Price: free, JoinURL: "https://meet.example.com/spring",
	})
	if err != nil {
		t.Fatalf("CreateTier: %v", err)
	}
	return f
}

// emailQueued wakes the fixture's workers, as ticketing.Options.EmailQueued.
func (f *fixture) emailQueued() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, w := range f.workers {
		w.Notify()
	}
}

// newWorker returns a worker on the fixture's store that the service
// wakes.
func (f *fixture) newWorker(m mail.Mailer, opts *notify.WorkerOptions) *notify.Worker {
	return f.newWorkerWithGuides(f.svc, m, opts)
}

func (f *fixture) newWorkerWithGuides(guides notify.GuideSource, m mail.Mailer, opts *notify.WorkerOptions) *notify.Worker {
	w := notify.NewWorker(f.store, guides, m, f.renderer, opts)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.workers = append(f.workers, w)
	return w
}

// register registers Ada for the tier.
func (f *fixture) register(t *testing.T, tier *ce.Tier) *ce.Registration {
	t.Helper()
	res, err := f.svc.Register(context.Background(), f.event.ID, ticketing.RegistrationInput{
		TierID: tier.ID, Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace",
	})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	return res.Registration
}

// emails returns the e-mails queued for the registration, oldest first.
func (f *fixture) emails(t *testing.T, regID string) []*ce.Email {
	t.Helper()
	list, err := f.store.Emails().ListByRegistration(context.Background(), f.orgID, regID)
	if err != nil {
		t.Fatalf("ListByRegistration: %v", err)
	}
	return list
}

// email returns the only e-mail queued for the registration.
func (f *fixture) email(t *testing.T, regID string) *ce.Email {
	t.Helper()
	list := f.emails(t, regID)
	if len(list) != 1 {
		t.Fatalf("e-mails of registration %s: got %d, want 1", regID, len(list))
	}
	return list[0]
}

// startWorker runs w until the returned stop is called or the test ends;
// stop cancels Run and returns its error.
func startWorker(t *testing.T, w *notify.Worker) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	stop = sync.OnceValue(func() error {
		cancel()
		return <-done
	})
	t.Cleanup(func() { _ = stop() })
	return stop
}

// fakeMailer is a mailer whose outcome the test decides, and which
// records every message it accepts.
type fakeMailer struct {
	// do, if set, returns the outcome of the n-th call (from 1); nil
	// accepts the message.
	do func(ctx context.Context, n int, m *mail.Message) error

	mu       sync.Mutex
	calls    int
	accepted []*mail.Message
}

func (f *fakeMailer) Send(ctx context.Context, m *mail.Message) error {
	f.mu.Lock()
	f.calls++
	n := f.calls
	f.mu.Unlock()
	var err error
	if f.do != nil {
		err = f.do(ctx, n, m)
	}
	if err == nil {
		f.mu.Lock()
		f.accepted = append(f.accepted, m)
		f.mu.Unlock()
	}
	return err
}

// Calls returns the number of calls of Send so far.
func (f *fakeMailer) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// Accepted returns the messages accepted so far.
func (f *fakeMailer) Accepted() []*mail.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*mail.Message(nil), f.accepted...)
}

// The errors of an SMTP server that is down for a while, and of one that
// refuses the recipient.
var (
	errTemporary = &mail.SendError{Code: 451, EnhancedCode: "4.3.0", Err: errors.New("451 4.3.0 try again later")}
	errPermanent = &mail.SendError{Code: 550, EnhancedCode: "5.1.1", Permanent: true, Err: errors.New("550 5.1.1 no such user")}
)

// guideFunc is a GuideSource in a function.
type guideFunc func(ctx context.Context, orgID, id string) (*ticketing.Guide, error)

func (f guideFunc) GuideByRegistration(ctx context.Context, orgID, id string) (*ticketing.Guide, error) {
	return f(ctx, orgID, id)
}

// flakyStore is a store whose e-mail queue fails the next claims and
// recordings it is told to, as a database that is briefly unreachable.
type flakyStore struct {
	storage.Store
	mu            sync.Mutex
	failClaims    int
	failFinishes  int
	finishesTried int
}

func (s *flakyStore) Emails() storage.Emails { return flakyEmails{s.Store.Emails(), s} }

// fail reports whether the operation whose remaining failures n counts
// fails this time.
func (s *flakyStore) fail(n *int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *n > 0 {
		*n--
		return true
	}
	return false
}

type flakyEmails struct {
	storage.Emails
	s *flakyStore
}

var errUnreachable = errors.New("database unreachable")

func (e flakyEmails) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int, worker string) ([]storage.ClaimedEmail, error) {
	if e.s.fail(&e.s.failClaims) {
		return nil, errUnreachable
	}
	return e.Emails.Claim(ctx, now, lease, limit, worker)
}

func (e flakyEmails) Finish(ctx context.Context, now time.Time, out storage.EmailOutcome) (bool, error) {
	e.s.mu.Lock()
	e.s.finishesTried++
	e.s.mu.Unlock()
	if e.s.fail(&e.s.failFinishes) {
		return false, errUnreachable
	}
	return e.Emails.Finish(ctx, now, out)
}
