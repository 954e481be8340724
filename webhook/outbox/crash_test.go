package outbox_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
)

// arrivals records when each message reached a receiver, and the
// messages that arrived while another request of theirs was in flight.
type arrivals struct {
	mu         sync.Mutex
	first      map[string]time.Time
	count      map[string]int
	inFlight   map[string]bool
	concurrent []string
}

func newArrivals() *arrivals {
	return &arrivals{first: map[string]time.Time{}, count: map[string]int{}, inFlight: map[string]bool{}}
}

// handler answers 200 after hold, recording the request.
func (a *arrivals) handler(hold time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(webhook.HeaderID)
		a.mu.Lock()
		if a.inFlight[id] {
			a.concurrent = append(a.concurrent, id)
		}
		a.inFlight[id] = true
		if a.count[id] == 0 {
			a.first[id] = time.Now()
		}
		a.count[id]++
		a.mu.Unlock()
		time.Sleep(hold)
		a.mu.Lock()
		a.inFlight[id] = false
		a.mu.Unlock()
	})
}

// check fails the test unless n messages arrived, each exactly once, and
// none sent twice at once.
func (a *arrivals) check(t *testing.T, n int) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.concurrent) > 0 {
		t.Errorf("messages sent twice at the same time: %q", a.concurrent)
	}
	if len(a.count) != n {
		t.Errorf("got %d distinct messages, want %d", len(a.count), n)
	}
	for id, c := range a.count {
		if c != 1 {
			t.Errorf("message %s arrived %d times, want once", id, c)
		}
	}
}

// TestCrashedWorker publishes deliveries, lets a worker claim them all and
// die without a trace (it never finishes nor releases its leases), and
// starts a new worker: every delivery is attempted once, none while the
// dead worker's lease held, and the log shows each attempt.
func TestCrashedWorker(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, a adapter, db string, s storage.Store) {
		org := newOrg(t, s)
		arr := newArrivals()
		e, rc := newEndpoint(t, s, org, arr.handler(0))
		const n = 30
		publish(t, s, outbox.NewDispatcher(nil), org, n)

		const lease = 500 * time.Millisecond
		crashedAt := time.Now()
		claimed, err := s.WebhookDeliveries().Claim(t.Context(), crashedAt, lease, n, "crashed")
		if err != nil || len(claimed) != n {
			t.Fatalf("the crashed worker's claim: got %d deliveries and error %v, want %d", len(claimed), err, n)
		}

		// The new worker is another server instance on the same database.
		w := outbox.NewWorker(a.open(t, db), newSender(t, 5*time.Second), &outbox.WorkerOptions{
			Name: "successor", PollInterval: 20 * time.Millisecond,
		})
		startWorker(t, w)
		waitFor(t, rc, n, 10*time.Second)
		arr.check(t, n)
		arr.mu.Lock()
		for id, at := range arr.first {
			if at.Before(crashedAt.Add(lease)) {
				t.Errorf("message %s sent at %v, while the crashed worker's lease held (until %v)", id, at, crashedAt.Add(lease))
			}
		}
		arr.mu.Unlock()
		log := waitLog(t, s, org, e.ID, settled, 10*time.Second)
		if len(log) != n {
			t.Fatalf("log: got %d deliveries, want %d", len(log), n)
		}
		for _, d := range log {
			if d.Status != ce.DeliverySucceeded || d.AttemptCount != 1 || len(d.Attempts) != 1 {
				t.Errorf("logged delivery: got status %s, %d attempts counted, %d logged; want succeeded, 1, 1", d.Status, d.AttemptCount, len(d.Attempts))
			}
		}
	})
}

// TestTwoWorkers runs two workers, as two server instances, on one
// database: no message is ever sent by both at once, and each is sent
// once.
func TestTwoWorkers(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, a adapter, db string, s storage.Store) {
		org := newOrg(t, s)
		arr := newArrivals()
		_, rc := newEndpoint(t, s, org, arr.handler(2*time.Millisecond))
		const n = 200
		publish(t, s, outbox.NewDispatcher(nil), org, n)
		senders := []*countingSender{{Sender: newSender(t, 5*time.Second)}, {Sender: newSender(t, 5*time.Second)}}
		for i, sender := range senders {
			startWorker(t, outbox.NewWorker(a.open(t, db), sender, &outbox.WorkerOptions{
				Name: fmt.Sprint("instance-", i), Concurrency: 8, PollInterval: 10 * time.Millisecond,
			}))
		}
		waitFor(t, rc, n, 30*time.Second)
		arr.check(t, n)
		for i, sender := range senders {
			if sender.n.Load() == 0 {
				t.Errorf("instance %d sent nothing: the test shows nothing about sharing a queue", i)
			}
		}
	})
}

// countingSender counts the attempts it makes.
type countingSender struct {
	outbox.Sender
	n atomic.Int64
}

func (s *countingSender) Send(ctx context.Context, d webhook.Delivery) webhook.Result {
	s.n.Add(1)
	return s.Sender.Send(ctx, d)
}
