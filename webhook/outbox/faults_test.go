package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
)

// fakeClock is a settable clock, safe for concurrent use. step, if set,
// advances it at each reading.
type fakeClock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.t
	c.t = c.t.Add(c.step)
	return now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// senderFunc is a Sender that makes its attempts with a function.
type senderFunc func(ctx context.Context, d webhook.Delivery) webhook.Result

func (f senderFunc) Send(ctx context.Context, d webhook.Delivery) webhook.Result { return f(ctx, d) }

// ok is the Result of an attempt answered with 200.
func ok(context.Context, webhook.Delivery) webhook.Result {
	return webhook.Result{StatusCode: http.StatusOK, Duration: time.Millisecond}
}

// errStoreDown is the error of flakyStore.
var errStoreDown = errors.New("test: the store is down")

// flakyStore is a store whose WebhookDeliveries.Finish fails with err, or
// errStoreDown if nil, while failures is positive, counting it down.
type flakyStore struct {
	storage.Store
	failures atomic.Int32
	err      error
}

func (s *flakyStore) WebhookDeliveries() storage.WebhookDeliveries {
	return flakyDeliveries{s.Store.WebhookDeliveries(), s}
}

type flakyDeliveries struct {
	storage.WebhookDeliveries
	s *flakyStore
}

func (d flakyDeliveries) Finish(ctx context.Context, now time.Time, outcomes []storage.Outcome) error {
	if d.s.failures.Add(-1) >= 0 {
		if d.s.err != nil {
			return d.s.err
		}
		return errStoreDown
	}
	return d.WebhookDeliveries.Finish(ctx, now, outcomes)
}

// deliveryOf returns the single delivery of the endpoint.
func deliveryOf(t *testing.T, s storage.Store, org *ce.Organization, endpointID string) *ce.WebhookDelivery {
	t.Helper()
	log, err := s.WebhookDeliveries().List(t.Context(), org.ID, endpointID, storage.DeliveryFilter{})
	if err != nil || len(log) != 1 {
		t.Fatalf("log of endpoint %s: got %d deliveries and error %v, want 1", endpointID, len(log), err)
	}
	return log[0]
}

// TestQueuedDeliveryLeaseLapses has one slot and a batch of eight
// deliveries, each attempt taking 25 s of a 60 s lease: a delivery that
// waited in the queue is never started with less of its lease left than
// its attempt takes, and each is sent once. The test answers each attempt
// itself, advancing the worker's clock, and waits for it to be recorded.
func TestQueuedDeliveryLeaseLapses(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	org := newOrg(t, s)
	byURL := map[string]*ce.WebhookEndpoint{}
	for range 8 {
		e, _ := newEndpoint(t, s, org, nil)
		byURL[e.URL] = e
	}
	publish(t, s, outbox.NewDispatcher(nil), org, 1) // one delivery per endpoint
	clock := &fakeClock{t: time.Now()}
	type call struct {
		url    string
		answer chan webhook.Result
	}
	calls := make(chan call)
	sender := senderFunc(func(ctx context.Context, d webhook.Delivery) webhook.Result {
		c := call{url: d.URL, answer: make(chan webhook.Result, 1)}
		select {
		case calls <- c:
			return <-c.answer
		case <-ctx.Done():
			return webhook.Result{ErrorClass: webhook.ErrorNetwork, Err: fmt.Errorf("test: %w", ctx.Err())}
		}
	})
	const lease, attempt = time.Minute, 25 * time.Second
	w := outbox.NewWorker(s, sender, &outbox.WorkerOptions{
		Concurrency: 1, BatchSize: 10, Lease: lease, PollInterval: 10 * time.Millisecond, DrainTimeout: 10 * time.Millisecond, Now: clock.Now,
	})
	startWorker(t, w)

	sent := map[string]int{} // by endpoint id
	for done := 0; done < len(byURL); {
		var c call
		select {
		case c = <-calls:
		case <-time.After(10 * time.Second):
			t.Fatalf("no attempt within 10 s; sent %v", sent)
		}
		e := byURL[c.url]
		if left := deliveryOf(t, s, org, e.ID).NextAttemptAt.Sub(clock.Now()); left < attempt {
			t.Errorf("endpoint %s: attempt started with %v of the lease left, want at least the %v it takes", e.ID, left, attempt)
		}
		sent[e.ID]++
		clock.Advance(attempt)
		c.answer <- webhook.Result{StatusCode: http.StatusOK, Duration: attempt}
		// Recorded (logged, if not settled) before the clock moves on.
		waitLog(t, s, org, e.ID, func(d *ce.WebhookDelivery) bool { return len(d.Attempts) >= sent[e.ID] }, 10*time.Second)
		done = 0
		for _, e := range byURL {
			if settled(deliveryOf(t, s, org, e.ID)) {
				done++
			}
		}
	}
	for _, e := range byURL {
		if sent[e.ID] != 1 {
			t.Errorf("endpoint %s: got %d attempts, want 1", e.ID, sent[e.ID])
		}
	}
}

// TestFinishRetried has the store fail to record the outcome of an
// attempt twice: the worker tries again, and the delivery is sent once and
// recorded.
func TestFinishRetried(t *testing.T) {
	t.Parallel()
	s := &flakyStore{Store: memstore.New()}
	s.failures.Store(2)
	org := newOrg(t, s)
	e, _ := newEndpoint(t, s, org, nil)
	var sends atomic.Int32
	sender := senderFunc(func(ctx context.Context, d webhook.Delivery) webhook.Result {
		sends.Add(1)
		return ok(ctx, d)
	})
	w := outbox.NewWorker(s, sender, &outbox.WorkerOptions{PollInterval: 10 * time.Millisecond})
	d := outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify})
	startWorker(t, w)
	publish(t, s, d, org, 1)
	log := waitLog(t, s, org, e.ID, settled, 10*time.Second)
	if got := log[0]; got.Status != ce.DeliverySucceeded || len(got.Attempts) != 1 {
		t.Errorf("delivery: got status %s and %d attempts logged, want succeeded and 1", got.Status, len(got.Attempts))
	}
	if n := sends.Load(); n != 1 {
		t.Errorf("got %d attempts sent, want 1", n)
	}
	if n := s.failures.Load(); n >= 0 {
		t.Errorf("failures left to the store: got %d, want none (the recording tried 3 times)", n)
	}
}

// TestSendTestFinishRetried has the store fail to record a test ping:
// SendTest tries again while the ping's lease lasts, and fails only once
// it would not.
func TestSendTestFinishRetried(t *testing.T) {
	t.Parallel()
	refused := ce.Invalid("attempt", "refused by the store")
	tests := []struct {
		name      string
		failures  int32
		err       error         // the store's, errStoreDown if nil
		step      time.Duration // of the service's clock at each reading
		wantErr   error
		wantTries int32
	}{
		{"fails twice", 2, nil, 0, nil, 3},
		// The lease (60 s) ends before the second try.
		{"fails until the lease ends", 1000, nil, 20 * time.Second, errStoreDown, 1},
		// Refused: trying again would not help.
		{"refused", 1000, refused, 0, ce.ErrInvalid, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &flakyStore{Store: memstore.New(), err: tt.err}
			s.failures.Store(tt.failures)
			org := newOrg(t, s)
			e, _ := newEndpoint(t, s, org, nil)
			clock := &fakeClock{t: time.Now(), step: tt.step}
			svc := outbox.NewService(s, senderFunc(ok), &outbox.Options{Now: clock.Now})
			attempt, err := svc.SendTest(t.Context(), org.ID, e.ID)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("send test: got error %v, want %v", err, tt.wantErr)
			}
			if tries := tt.failures - max(s.failures.Load(), -1); tries != tt.wantTries {
				t.Errorf("the recording was tried %d times, want %d", tries, tt.wantTries)
			}
			if err != nil {
				return
			}
			if attempt.StatusCode != http.StatusOK {
				t.Errorf("attempt: got status %d, want 200", attempt.StatusCode)
			}
			if got := deliveryOf(t, s, org, e.ID); got.Status != ce.DeliverySucceeded || len(got.Attempts) != 1 {
				t.Errorf("ping: got status %s and %d attempts logged, want succeeded and 1", got.Status, len(got.Attempts))
			}
		})
	}
}

// TestStopRecordsResponses stops a worker whose attempts outlast the drain
// timeout: the attempts that got a response as they were canceled (a 500,
// a 410) are recorded; only the one canceled before any response is
// released, to be sent again.
func TestStopRecordsResponses(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	org := newOrg(t, s)
	e500, _ := newEndpoint(t, s, org, nil)
	gone, _ := newEndpoint(t, s, org, nil)
	canceled, _ := newEndpoint(t, s, org, nil)
	started := make(chan struct{}, 3)
	sender := senderFunc(func(ctx context.Context, d webhook.Delivery) webhook.Result {
		started <- struct{}{}
		<-ctx.Done()
		switch d.URL {
		case e500.URL:
			return webhook.Result{StatusCode: http.StatusInternalServerError, ErrorClass: webhook.ErrorNon2xx, Err: webhook.ErrUnexpectedStatus}
		case gone.URL:
			return webhook.Result{StatusCode: http.StatusGone, ErrorClass: webhook.ErrorNon2xx, Err: webhook.ErrUnexpectedStatus}
		}
		return webhook.Result{ErrorClass: webhook.ErrorNetwork, Err: fmt.Errorf("test: attempt canceled: %w", ctx.Err())}
	})
	w := outbox.NewWorker(s, sender, &outbox.WorkerOptions{PollInterval: time.Hour, DrainTimeout: 10 * time.Millisecond})
	stop := startWorker(t, w)
	publish(t, s, outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify}), org, 1)
	for range 3 {
		<-started
	}
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
	tests := []struct {
		name     string
		endpoint *ce.WebhookEndpoint
		status   ce.DeliveryStatus
		attempts int
	}{
		{"500", e500, ce.DeliveryFailed, 1},
		{"410 Gone", gone, ce.DeliveryFailed, 1},
		{"canceled", canceled, ce.DeliveryPending, 0},
	}
	for _, tt := range tests {
		got := deliveryOf(t, s, org, tt.endpoint.ID)
		if got.Status != tt.status || len(got.Attempts) != tt.attempts || got.AttemptCount != tt.attempts || got.LeasedBy != "" {
			t.Errorf("%s: got status %s, %d attempts logged, %d counted, leased by %q; want %s, %d, not leased",
				tt.name, got.Status, len(got.Attempts), got.AttemptCount, got.LeasedBy, tt.status, tt.attempts)
		}
	}
}
