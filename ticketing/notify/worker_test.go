package notify_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/mail"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/notify"
)

// The worker tests run in synctest bubbles: time is fake and advances only
// when every goroutine waits, so backoff and leases of minutes or days
// pass at once, and synctest.Wait lets the worker finish what it can do
// now. A bubble also fails the test if any of its goroutines is left
// blocked at its end: the worker leaks none.

// quiet is how long the tests watch that nothing more is sent: longer than
// two leases and than the first backoffs, so an e-mail claimed or retried
// again would be sent by then. (Hours of 1 s polls would slow the SQLite
// runs for nothing.)
const quiet = 10 * time.Minute

// TestWorkerSendsAtOnce shows that a queued e-mail is sent as soon as its
// transaction commits: Notify wakes the worker, whose poll would only come
// an hour later.
func TestWorkerSendsAtOnce(t *testing.T) {
	t.Parallel()
	for _, a := range adapters() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFixture(t, a.open(t))
				mailer := &fakeMailer{}
				startWorker(t, f.newWorker(mailer, &notify.WorkerOptions{PollInterval: time.Hour}))
				synctest.Wait()

				start := time.Now()
				r := f.register(t, f.inPerson)
				synctest.Wait()
				if !time.Now().Equal(start) {
					t.Fatalf("time passed: %v, want none (the worker was woken)", time.Since(start))
				}
				got := mailer.Accepted()
				if len(got) != 1 {
					t.Fatalf("messages sent: got %d, want 1", len(got))
				}
				if want := `"Ada Lovelace" <ada@example.org>`; got[0].To != want {
					t.Errorf("to: got %q, want %q", got[0].To, want)
				}
				if want := "Your registration for Spring meetup"; got[0].Subject != want {
					t.Errorf("subject: got %q, want %q", got[0].Subject, want)
				}
				if !strings.Contains(got[0].Text, testBaseURL+"/guide/"+r.GuideToken) {
					t.Errorf("text: want the guide link, got:\n%s", got[0].Text)
				}
				e := f.email(t, r.ID)
				if want := e.ID + "@events.example.org"; got[0].MessageID != want {
					t.Errorf("message id: got %q, want %q", got[0].MessageID, want)
				}
				if e.Kind != ce.EmailConfirmation || e.Status != ce.EmailSent || e.Attempts != 1 || !e.SentAt.Equal(start) || e.LastError != "" {
					t.Errorf("e-mail: got %s %s, %d attempts, sent at %v, error %q; want confirmation sent, 1 attempt, at %v, no error",
						e.Kind, e.Status, e.Attempts, e.SentAt, e.LastError, start)
				}
			})
		})
	}
}

// TestWorkerRetriesWithBackoff takes the mail server down for three
// attempts: each is retried after the backoff, never before, and the
// e-mail is sent once when the server is back, never again.
func TestWorkerRetriesWithBackoff(t *testing.T) {
	t.Parallel()
	const failures = 3
	for _, a := range adapters() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFixture(t, a.open(t))
				mailer := &fakeMailer{do: func(_ context.Context, n int, _ *mail.Message) error {
					if n <= failures {
						return errTemporary
					}
					return nil
				}}
				startWorker(t, f.newWorker(mailer, nil))
				r := f.register(t, f.virtual)

				for attempt := 1; attempt <= failures; attempt++ {
					synctest.Wait()
					e := f.email(t, r.ID)
					if e.Status != ce.EmailPending || e.Attempts != attempt || !strings.Contains(e.LastError, "451") {
						t.Fatalf("after attempt %d: got %s, %d attempts, error %q; want pending, %d attempts, the 451 error",
							attempt, e.Status, e.Attempts, e.LastError, attempt)
					}
					// UpdatedAt is when the attempt ended; stores round
					// times to a millisecond at worst.
					backoff := notify.DefaultInitialBackoff << (attempt - 1)
					if wait := e.NextAttemptAt.Sub(e.UpdatedAt); wait < backoff/2-time.Millisecond || wait > backoff+time.Millisecond {
						t.Fatalf("after attempt %d: next attempt %v after it, want between %v and %v",
							attempt, wait, backoff/2, backoff)
					}
					// Up to a poll before it is due, nothing happens.
					time.Sleep(time.Until(e.NextAttemptAt) - notify.DefaultPollInterval)
					synctest.Wait()
					if got := mailer.Calls(); got != attempt {
						t.Fatalf("calls %v before the next attempt is due: got %d, want %d",
							notify.DefaultPollInterval, got, attempt)
					}
					time.Sleep(2 * notify.DefaultPollInterval)
				}
				synctest.Wait()
				e := f.email(t, r.ID)
				if e.Status != ce.EmailSent || e.Attempts != failures+1 || e.LastError != "" {
					t.Errorf("e-mail: got %s, %d attempts, error %q; want sent, %d attempts, no error",
						e.Status, e.Attempts, e.LastError, failures+1)
				}
				time.Sleep(quiet)
				if got, want := mailer.Calls(), failures+1; got != want {
					t.Errorf("calls %v later: got %d, want %d", quiet, got, want)
				}
				if got := len(mailer.Accepted()); got != 1 {
					t.Errorf("messages accepted: got %d, want 1", got)
				}
			})
		})
	}
}

// TestWorkerPermanentFailure shows that an e-mail the server refuses for
// good is recorded as failed and never attempted again.
func TestWorkerPermanentFailure(t *testing.T) {
	t.Parallel()
	for _, a := range adapters() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFixture(t, a.open(t))
				mailer := &fakeMailer{do: func(context.Context, int, *mail.Message) error { return errPermanent }}
				startWorker(t, f.newWorker(mailer, nil))
				r := f.register(t, f.inPerson)
				synctest.Wait()
				time.Sleep(quiet)
				e := f.email(t, r.ID)
				if e.Status != ce.EmailFailed || e.Attempts != 1 || !strings.Contains(e.LastError, "550 5.1.1 no such user") {
					t.Errorf("e-mail: got %s, %d attempts, error %q; want failed, 1 attempt, the 550 error", e.Status, e.Attempts, e.LastError)
				}
				if got := mailer.Calls(); got != 1 {
					t.Errorf("calls: got %d, want 1", got)
				}
			})
		})
	}
}

// TestWorkerGivesUp shows the limits of the retries: a server that stays
// down makes the e-mail fail after MaxAttempts, or once its next attempt
// would come after MaxAge; by default, after three days.
func TestWorkerGivesUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		retry        notify.RetryPolicy
		wantAttempts func(n int) bool
		want         string
	}{
		{
			name:         "max attempts",
			retry:        notify.RetryPolicy{MaxAttempts: 3},
			wantAttempts: func(n int) bool { return n == 3 },
			want:         "exactly 3",
		},
		{
			name:         "max age before the first retry",
			retry:        notify.RetryPolicy{InitialBackoff: 2 * time.Minute, MaxAge: 50 * time.Second},
			wantAttempts: func(n int) bool { return n == 1 },
			want:         "exactly 1",
		},
		{
			// 7 attempts in the first hour, then one every 30 to 60
			// minutes until 72 hours.
			name:         "defaults: three days",
			wantAttempts: func(n int) bool { return n >= 7+71 && n <= 7+142 && n <= notify.DefaultMaxAttempts },
			want:         "78 to 100",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFixture(t, adapters()[0].open(t))
				mailer := &fakeMailer{do: func(context.Context, int, *mail.Message) error { return errTemporary }}
				startWorker(t, f.newWorker(mailer, &notify.WorkerOptions{PollInterval: time.Minute, Retry: tt.retry}))
				r := f.register(t, f.inPerson)
				time.Sleep(notify.DefaultMaxAge + 24*time.Hour)
				e := f.email(t, r.ID)
				if e.Status != ce.EmailFailed || !tt.wantAttempts(e.Attempts) || e.Attempts != mailer.Calls() {
					t.Errorf("e-mail: got %s after %d attempts (%d calls), want failed after %s", e.Status, e.Attempts, mailer.Calls(), tt.want)
				}
				if !strings.Contains(e.LastError, "gave up after attempt") || !strings.Contains(e.LastError, "451") {
					t.Errorf("last error: got %q, want it to say the worker gave up, and why", e.LastError)
				}
				if age := e.UpdatedAt.Sub(e.CreatedAt); age > notify.DefaultMaxAge {
					t.Errorf("last attempt %v after the e-mail was queued, want at most %v", age, notify.DefaultMaxAge)
				}
			})
		})
	}
}

// TestWorkerCrash hangs a worker in the middle of a send, as a process
// that froze or died: once its lease expires another worker sends the
// e-mail, and the hung attempt, when it ends at last, changes nothing.
func TestWorkerCrash(t *testing.T) {
	t.Parallel()
	for _, a := range adapters() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFixture(t, a.open(t))
				release := make(chan struct{})
				hung := &fakeMailer{do: func(context.Context, int, *mail.Message) error {
					<-release // deaf to its context: hung
					return errors.New("connection reset")
				}}
				stopHung := startWorker(t, f.newWorker(hung, &notify.WorkerOptions{Name: "hung"}))
				r := f.register(t, f.inPerson)
				synctest.Wait()
				if got := hung.Calls(); got != 1 {
					t.Fatalf("calls of the hung worker: got %d, want 1", got)
				}
				stopped := make(chan error, 1)
				go func() { stopped <- stopHung() }()

				good := &fakeMailer{}
				startWorker(t, f.newWorker(good, &notify.WorkerOptions{Name: "good"}))
				time.Sleep(notify.DefaultLease - time.Second)
				synctest.Wait()
				if got := good.Calls(); got != 0 {
					t.Fatalf("calls of the second worker while the lease holds: got %d, want 0", got)
				}
				select {
				case err := <-stopped:
					t.Fatalf("Run of the hung worker returned %v while its send was in flight, want it to wait", err)
				default:
				}
				time.Sleep(2 * time.Second)
				synctest.Wait()
				if got := len(good.Accepted()); got != 1 {
					t.Fatalf("messages sent by the second worker once the lease expired: got %d, want 1", got)
				}

				close(release)
				if err := <-stopped; err != nil {
					t.Errorf("Run of the hung worker: got error %v, want nil", err)
				}
				time.Sleep(quiet)
				e := f.email(t, r.ID)
				if e.Status != ce.EmailSent || e.Attempts != 1 {
					t.Errorf("e-mail: got %s after %d recorded attempts, want sent after 1 (the hung attempt is not recorded)", e.Status, e.Attempts)
				}
				if got := good.Calls(); got != 1 {
					t.Errorf("calls of the second worker %v later: got %d, want 1", quiet, got)
				}
			})
		})
	}
}

// TestWorkerStopIsGraceful stops a worker during a send: Run waits for the
// send and records it, so the e-mail is not sent again.
func TestWorkerStopIsGraceful(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, adapters()[0].open(t))
		release := make(chan struct{})
		mailer := &fakeMailer{do: func(ctx context.Context, _ int, _ *mail.Message) error {
			<-release
			return ctx.Err() // nil: the stop does not cancel the send
		}}
		stop := startWorker(t, f.newWorker(mailer, nil))
		r := f.register(t, f.virtual)
		synctest.Wait()
		stopped := make(chan error, 1)
		go func() { stopped <- stop() }()
		synctest.Wait()
		select {
		case err := <-stopped:
			t.Fatalf("Run returned %v during a send, want it to wait", err)
		default:
		}
		close(release)
		if err := <-stopped; err != nil {
			t.Fatalf("Run: got error %v, want nil", err)
		}
		if e := f.email(t, r.ID); e.Status != ce.EmailSent || e.Attempts != 1 {
			t.Errorf("e-mail: got %s after %d attempts, want sent after 1", e.Status, e.Attempts)
		}

		again := &fakeMailer{}
		startWorker(t, f.newWorker(again, nil))
		time.Sleep(quiet)
		if got := again.Calls(); got != 0 {
			t.Errorf("calls of a new worker: got %d, want 0", got)
		}
	})
}

// TestWorkerStoreErrors makes the database unreachable for a claim and
// for two recordings: the worker claims again at its next poll, and
// retries the recording of the accepted e-mail rather than sending it
// again.
func TestWorkerStoreErrors(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		store := &flakyStore{Store: adapters()[0].open(t), failClaims: 1, failFinishes: 2}
		f := newFixture(t, store)
		mailer := &fakeMailer{}
		r := f.register(t, f.inPerson)
		startWorker(t, f.newWorker(mailer, nil))
		synctest.Wait()
		if got := mailer.Calls(); got != 0 {
			t.Fatalf("calls after a failed claim: got %d, want 0", got)
		}
		time.Sleep(notify.DefaultPollInterval + time.Second)
		synctest.Wait()
		if e := f.email(t, r.ID); e.Status != ce.EmailSent || e.Attempts != 1 {
			t.Errorf("e-mail: got %s after %d attempts, want sent after 1", e.Status, e.Attempts)
		}
		store.mu.Lock()
		tried := store.finishesTried
		store.mu.Unlock()
		if tried != 3 {
			t.Errorf("recordings tried: got %d, want 3", tried)
		}
		time.Sleep(quiet)
		if got := mailer.Calls(); got != 1 {
			t.Errorf("calls: got %d, want 1", got)
		}
	})
}

// TestWorkerGuideErrors shows how the worker treats the registration an
// e-mail is about: gone is a permanent failure, unreadable a temporary
// one.
func TestWorkerGuideErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantStatus ce.EmailStatus
		wantError  string
	}{
		{"registration gone", ce.NotFound("registration not found"), ce.EmailFailed, "no longer exists"},
		{"store unreachable", errUnreachable, ce.EmailPending, "database unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				f := newFixture(t, adapters()[0].open(t))
				guides := guideFunc(func(context.Context, string, string) (*ticketing.Guide, error) { return nil, tt.err })
				mailer := &fakeMailer{}
				startWorker(t, f.newWorkerWithGuides(guides, mailer, nil))
				r := f.register(t, f.inPerson)
				synctest.Wait()
				e := f.email(t, r.ID)
				if e.Status != tt.wantStatus || e.Attempts != 1 || !strings.Contains(e.LastError, tt.wantError) {
					t.Errorf("e-mail: got %s after %d attempts, error %q; want %s after 1, error with %q",
						e.Status, e.Attempts, e.LastError, tt.wantStatus, tt.wantError)
				}
				if got := mailer.Calls(); got != 0 {
					t.Errorf("calls: got %d, want 0", got)
				}
			})
		})
	}
}

// TestWorkerSkipsStaleConfirmation cancels a registration before its
// confirmation went out: the attendee gets the cancellation only.
func TestWorkerSkipsStaleConfirmation(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, adapters()[0].open(t))
		r := f.register(t, f.virtual)
		if _, err := f.svc.CancelRegistration(context.Background(), f.orgID, r.ID, ticketing.CancelInput{Reason: "Duplicate registration"}); err != nil {
			t.Fatalf("CancelRegistration: %v", err)
		}
		mailer := &fakeMailer{}
		startWorker(t, f.newWorker(mailer, nil))
		synctest.Wait()

		got := mailer.Accepted()
		if len(got) != 1 || got[0].Subject != "Your registration for Spring meetup was cancelled" {
			t.Fatalf("messages sent: got %d (%v), want the cancellation only", len(got), subjects(got))
		}
		if !strings.Contains(got[0].Text, "Duplicate registration") || strings.Contains(got[0].Text, "/join/") {
			t.Errorf("cancellation: want the reason and no join link, got:\n%s", got[0].Text)
		}
		emails := f.emails(t, r.ID)
		if len(emails) != 2 {
			t.Fatalf("e-mails: got %d, want 2", len(emails))
		}
		byKind := map[ce.EmailKind]*ce.Email{}
		for _, e := range emails {
			byKind[e.Kind] = e
		}
		if e := byKind[ce.EmailConfirmation]; e == nil || e.Status != ce.EmailFailed || !strings.Contains(e.LastError, "no longer applies") {
			t.Errorf("confirmation: got %+v, want failed as no longer applying", e)
		}
		if e := byKind[ce.EmailCancellation]; e == nil || e.Status != ce.EmailSent {
			t.Errorf("cancellation: got %+v, want sent", e)
		}
	})
}

func subjects(msgs []*mail.Message) []string {
	var s []string
	for _, m := range msgs {
		s = append(s, m.Subject)
	}
	return s
}

// TestWorkerConcurrency sends many e-mails through a slow server: never
// more than Concurrency at once, and all of them in the end.
func TestWorkerConcurrency(t *testing.T) {
	t.Parallel()
	const registrations, concurrency = 9, 2
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, adapters()[0].open(t))
		var mu sync.Mutex
		inFlight, most := 0, 0
		mailer := &fakeMailer{do: func(context.Context, int, *mail.Message) error {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			mu.Unlock()
			time.Sleep(10 * time.Second)
			mu.Lock()
			inFlight--
			mu.Unlock()
			return nil
		}}
		for range registrations {
			f.register(t, f.inPerson)
		}
		startWorker(t, f.newWorker(mailer, &notify.WorkerOptions{Concurrency: concurrency, PollInterval: time.Hour}))
		// Five rounds of 10 s: a freed slot is refilled at once, not at
		// the next poll, an hour away.
		time.Sleep(time.Minute)
		if got := len(mailer.Accepted()); got != registrations {
			t.Errorf("messages sent within a minute: got %d, want %d", got, registrations)
		}
		mu.Lock()
		defer mu.Unlock()
		if most != concurrency {
			t.Errorf("sends at once: got at most %d, want %d", most, concurrency)
		}
	})
}

// TestWorkerRunsOnce shows that a worker runs once at a time, and may run
// again once stopped.
func TestWorkerRunsOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		f := newFixture(t, adapters()[0].open(t))
		w := f.newWorker(&fakeMailer{}, nil)
		stop := startWorker(t, w)
		synctest.Wait()
		if err := w.Run(context.Background()); err == nil {
			t.Fatal("second Run: got no error, want one")
		}
		if err := stop(); err != nil {
			t.Fatalf("Run: %v", err)
		}
		mailer := &fakeMailer{}
		w = f.newWorker(mailer, nil)
		startWorker(t, w)
		f.register(t, f.inPerson)
		synctest.Wait()
		if got := mailer.Calls(); got != 1 {
			t.Errorf("calls after a restart: got %d, want 1", got)
		}
	})
}
