package outbox_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
	"github.com/completeevent/completeevent-go/webhook/webhooktest"
)

func TestDispatchNeedsTransaction(t *testing.T) {
	t.Parallel()
	d := outbox.NewDispatcher(nil)
	err := d.Dispatch(context.Background(), "org_1", checkin(0))
	if !errors.Is(err, outbox.ErrNoTransaction) {
		t.Errorf("dispatch without a transaction: got %v, want ErrNoTransaction", err)
	}
}

func TestDispatchNotifiesAfterCommit(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, _ adapter, _ string, s storage.Store) {
		org := newOrg(t, s)
		e, _ := newEndpoint(t, s, org, nil)
		var notified atomic.Int32
		d := outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: func() { notified.Add(1) }})
		errRollback := errors.New("roll back")
		err := s.RunInTx(t.Context(), func(ctx context.Context, tx storage.Tx) error {
			if err := d.Dispatch(ctx, org.ID, checkin(1)); err != nil {
				return err
			}
			if notified.Load() != 0 {
				t.Errorf("notified before the commit")
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) || notified.Load() != 0 {
			t.Errorf("rolled back: got error %v and %d notifications, want errRollback and none", err, notified.Load())
		}
		publish(t, s, d, org, 2)
		if notified.Load() != 2 {
			t.Errorf("after 2 commits: got %d notifications, want 2", notified.Load())
		}
		// No subscriber: nothing stored, nobody woken.
		err = s.RunInTx(t.Context(), func(ctx context.Context, tx storage.Tx) error {
			return d.Dispatch(ctx, org.ID, webhook.AuctionItemPaid{ItemID: "itm_1"})
		})
		if err != nil || notified.Load() != 2 {
			t.Errorf("dispatch without subscribers: got error %v and %d notifications, want nil and 2", err, notified.Load())
		}
		log, err := s.WebhookDeliveries().List(t.Context(), org.ID, e.ID, storage.DeliveryFilter{})
		if err != nil || len(log) != 2 {
			t.Errorf("log: got %d deliveries and error %v, want 2 (the rolled-back one absent)", len(log), err)
		}
	})
}

// TestDeliver publishes check-ins to two endpoints and checks that each
// receiver gets each, verified, and that the log shows the attempts.
func TestDeliver(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, _ adapter, _ string, s storage.Store) {
		org := newOrg(t, s)
		e1, rc1 := newEndpoint(t, s, org, nil)
		e2, rc2 := newEndpoint(t, s, org, nil)
		w := outbox.NewWorker(s, newSender(t, 5*time.Second), &outbox.WorkerOptions{PollInterval: time.Hour})
		d := outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify})
		startWorker(t, w)
		const n = 20
		publish(t, s, d, org, n) // the commits wake the worker: it never polls
		for i, rc := range []*webhooktest.Receiver{rc1, rc2} {
			seen := map[string]bool{}
			for _, d := range waitFor(t, rc, n, 10*time.Second) {
				if d.Err != nil {
					t.Errorf("receiver %d: delivery refused: %v", i, d.Err)
				}
				seen[d.Header.Get(webhook.HeaderID)] = true
			}
			if len(seen) != n {
				t.Errorf("receiver %d: got %d distinct messages, want %d", i, len(seen), n)
			}
		}
		for _, e := range []*ce.WebhookEndpoint{e1, e2} {
			log := waitLog(t, s, org, e.ID, settled, 10*time.Second)
			if len(log) != n {
				t.Fatalf("log: got %d deliveries, want %d", len(log), n)
			}
			for _, d := range log {
				if d.Status != ce.DeliverySucceeded || d.AttemptCount != 1 || len(d.Attempts) != 1 ||
					d.Attempts[0].StatusCode != http.StatusOK || d.Attempts[0].ErrorClass != "" || d.Attempts[0].Duration <= 0 {
					t.Errorf("logged delivery: got %+v, want one successful attempt", d)
				}
			}
		}
	})
}

// TestFailures sends to endpoints that fail in every way, under a retry
// policy of three quick attempts, and checks the log of each and that
// none of them holds up the healthy endpoint.
func TestFailures(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, _ adapter, _ string, s storage.Store) {
		org := newOrg(t, s)
		healthy, healthyRC := newEndpoint(t, s, org, nil)
		e500, _ := newEndpoint(t, s, org, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}))
		gone, _ := newEndpoint(t, s, org, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusGone)
		}))
		redirect, _ := newEndpoint(t, s, org, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, healthy.URL, http.StatusMovedPermanently)
		}))
		hanging, _ := newEndpoint(t, s, org, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		refused, _ := newEndpoint(t, s, org, nil)
		refused.URL = closedURL(t)
		if err := s.WebhookEndpoints().Update(t.Context(), refused); err != nil {
			t.Fatalf("update: %v", err)
		}
		var calls atomic.Int32
		flaky, _ := newEndpoint(t, s, org, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) <= 2 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		}))

		w := outbox.NewWorker(s, newSender(t, 300*time.Millisecond), &outbox.WorkerOptions{
			PollInterval: 20 * time.Millisecond,
			Retry:        outbox.RetryPolicy{MaxAttempts: 3, InitialBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond},
		})
		d := outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify})
		startWorker(t, w)
		publish(t, s, d, org, 1)
		waitFor(t, healthyRC, 1, 5*time.Second)

		tests := []struct {
			name       string
			endpoint   *ce.WebhookEndpoint
			status     ce.DeliveryStatus
			attempts   int
			code       int
			errorClass webhook.ErrorClass
			excerpt    string
		}{
			{"healthy", healthy, ce.DeliverySucceeded, 1, 200, "", ""},
			{"500", e500, ce.DeliveryFailed, 3, 500, webhook.ErrorNon2xx, "boom\n"},
			{"410 Gone", gone, ce.DeliveryFailed, 1, 410, webhook.ErrorNon2xx, ""},
			{"redirect", redirect, ce.DeliveryFailed, 1, 301, webhook.ErrorRedirect, ""},
			{"hanging past the timeout", hanging, ce.DeliveryFailed, 3, 0, webhook.ErrorTimeout, ""},
			{"connection refused", refused, ce.DeliveryFailed, 3, 0, webhook.ErrorRefused, ""},
			{"503 twice, then 200", flaky, ce.DeliverySucceeded, 3, 200, "", ""},
		}
		for _, tt := range tests {
			log := waitLog(t, s, org, tt.endpoint.ID, settled, 10*time.Second)
			if len(log) != 1 {
				t.Errorf("%s: got %d deliveries, want 1", tt.name, len(log))
				continue
			}
			got := log[0]
			if got.Status != tt.status || got.AttemptCount != tt.attempts || len(got.Attempts) != tt.attempts {
				t.Errorf("%s: got status %s, %d attempts counted, %d logged; want %s and %d", tt.name, got.Status, got.AttemptCount, len(got.Attempts), tt.status, tt.attempts)
				continue
			}
			last := got.Attempts[len(got.Attempts)-1]
			if last.StatusCode != tt.code || last.ErrorClass != string(tt.errorClass) || last.ResponseExcerpt != tt.excerpt ||
				(tt.errorClass != "") != (last.Error != "") {
				t.Errorf("%s: got last attempt %+v, want status %d, error class %q, excerpt %q", tt.name, last, tt.code, tt.errorClass, tt.excerpt)
			}
		}
		e, err := s.WebhookEndpoints().Get(t.Context(), org.ID, gone.ID)
		if err != nil {
			t.Fatalf("get endpoint: %v", err)
		}
		if e.Enabled || !strings.Contains(e.DisabledReason, "410 Gone") {
			t.Errorf("endpoint that answered 410: got enabled %v, reason %q; want disabled, saying why", e.Enabled, e.DisabledReason)
		}
		if n := len(healthyRC.Deliveries()); n != 1 {
			t.Errorf("the redirect was followed: the healthy receiver got %d deliveries, want 1", n)
		}
	})
}

// closedURL returns the URL of a loopback port that refuses connections.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr + "/hooks"
}

// TestHangingEndpointIsolated checks that an endpoint hanging until the
// timeout never takes the slots of another, and that stopping the worker
// cancels the hanging attempts after the drain timeout and releases their
// deliveries instead of failing them.
func TestHangingEndpointIsolated(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, _ adapter, _ string, s storage.Store) {
		org := newOrg(t, s)
		release := make(chan struct{})
		hanging, hangingRC := newEndpoint(t, s, org, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(func() { close(release) }) // before the receiver closes
		healthy, healthyRC := newEndpoint(t, s, org, nil)
		w := outbox.NewWorker(s, newSender(t, time.Minute), &outbox.WorkerOptions{
			Concurrency: 4, PerEndpoint: 2, PollInterval: 20 * time.Millisecond, DrainTimeout: 100 * time.Millisecond,
		})
		d := outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify})
		stop := startWorker(t, w)
		const n = 20
		publish(t, s, d, org, n)
		waitFor(t, healthyRC, n, 10*time.Second)
		waitFor(t, hangingRC, 0, time.Second)
		if got := hangingInFlight(t, s, org, hanging.ID); got != 4 {
			t.Errorf("hanging endpoint: got %d deliveries leased, want 4 (2 in flight, its limit, and 2 waiting)", got)
		}
		waitLog(t, s, org, healthy.ID, settled, 5*time.Second)

		start := time.Now()
		if err := stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("stopping took %v with attempts hanging, want about the drain timeout", took)
		}
		log, err := s.WebhookDeliveries().List(t.Context(), org.ID, hanging.ID, storage.DeliveryFilter{Limit: n})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		for _, d := range log {
			if d.Status != ce.DeliveryPending || d.AttemptCount != 0 || d.LeasedBy != "" {
				t.Errorf("hanging endpoint's delivery after stop: got %+v, want pending, released, no attempt counted", d)
			}
		}
	})
}

// TestBacklogDoesNotHideOtherEndpoints has a claim take more of a hanging
// endpoint's backlog than the endpoint may hold, in place of another
// endpoint's due delivery: the worker gives the excess back and claims
// that delivery at once, not at its next poll.
func TestBacklogDoesNotHideOtherEndpoints(t *testing.T) {
	t.Parallel()
	forEachAdapter(t, func(t *testing.T, _ adapter, _ string, s storage.Store) {
		org := newOrg(t, s)
		release := make(chan struct{})
		_, hangingRC := newEndpoint(t, s, org, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}))
		t.Cleanup(func() { close(release) }) // before the receiver closes
		// No wake-up: only the claims themselves find the deliveries.
		d := outbox.NewDispatcher(nil)
		// The hanging endpoint's backlog, due first.
		publish(t, s, d, org, 10)
		_, healthyRC := newEndpoint(t, s, org, nil)
		publish(t, s, d, org, 1)
		w := outbox.NewWorker(s, newSender(t, time.Minute), &outbox.WorkerOptions{
			Concurrency: 2, PerEndpoint: 1, BatchSize: 4, PollInterval: time.Hour, DrainTimeout: 100 * time.Millisecond,
		})
		startWorker(t, w)
		waitFor(t, healthyRC, 1, 5*time.Second)
		waitFor(t, hangingRC, 0, time.Second)
	})
}

// hangingInFlight returns how many of the endpoint's deliveries are
// leased.
func hangingInFlight(t *testing.T, s storage.Store, org *ce.Organization, endpointID string) int {
	t.Helper()
	log, err := s.WebhookDeliveries().List(t.Context(), org.ID, endpointID, storage.DeliveryFilter{Limit: storage.MaxPageLimit})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	n := 0
	for _, d := range log {
		if d.LeasedBy != "" {
			n++
		}
	}
	return n
}

// TestDrain stops a worker while an attempt is in flight: Run waits for it
// and records it.
func TestDrain(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	org := newOrg(t, s)
	arrived := make(chan struct{}, 1)
	e, rc := newEndpoint(t, s, org, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		time.Sleep(200 * time.Millisecond)
	}))
	w := outbox.NewWorker(s, newSender(t, 5*time.Second), nil)
	d := outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify})
	stop := startWorker(t, w)
	publish(t, s, d, org, 1)
	<-arrived
	if err := stop(); err != nil {
		t.Errorf("Run: %v", err)
	}
	log := waitLog(t, s, org, e.ID, settled, time.Nanosecond)
	if len(log) != 1 || log[0].Status != ce.DeliverySucceeded {
		t.Errorf("after stopping during an attempt: got %+v, want it succeeded and recorded", log)
	}
	if got := len(rc.Deliveries()); got != 1 {
		t.Errorf("receiver: got %d deliveries, want 1", got)
	}
}

func TestRunTwice(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	org := newOrg(t, s)
	_, rc := newEndpoint(t, s, org, nil)
	w := outbox.NewWorker(s, newSender(t, time.Second), nil)
	stop := startWorker(t, w)
	publish(t, s, outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify}), org, 1)
	waitFor(t, rc, 1, 5*time.Second) // the first Run runs
	if err := w.Run(t.Context()); err == nil {
		t.Error("a second concurrent Run: got nil, want an error")
	}
	if err := stop(); err != nil {
		t.Errorf("first Run: %v", err)
	}
}

// TestRetryPolicy checks the waits the policy gives: Retry-After on a 503
// lengthens the backoff, and no retry comes later than MaxAge.
func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		retryAfter string
		policy     outbox.RetryPolicy
		status     ce.DeliveryStatus
		minWait    time.Duration
		maxWait    time.Duration
	}{
		{"backoff with jitter", "", outbox.RetryPolicy{MaxAttempts: 3, InitialBackoff: time.Hour}, ce.DeliveryPending, 30 * time.Minute, time.Hour},
		{"Retry-After beyond the backoff", "7200", outbox.RetryPolicy{MaxAttempts: 3, InitialBackoff: time.Minute}, ce.DeliveryPending, 2 * time.Hour, 2*time.Hour + time.Minute},
		{"retry later than MaxAge", "", outbox.RetryPolicy{MaxAttempts: 3, InitialBackoff: time.Hour, MaxAge: time.Minute}, ce.DeliveryFailed, 0, 0},
		{"one attempt by default", "", outbox.RetryPolicy{}, ce.DeliveryFailed, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := memstore.New()
			org := newOrg(t, s)
			e, _ := newEndpoint(t, s, org, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.retryAfter != "" {
					w.Header().Set("Retry-After", tt.retryAfter)
				}
				w.WriteHeader(http.StatusServiceUnavailable)
			}))
			w := outbox.NewWorker(s, newSender(t, time.Second), &outbox.WorkerOptions{Retry: tt.policy})
			d := outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify})
			startWorker(t, w)
			start := time.Now()
			publish(t, s, d, org, 1)
			log := waitLog(t, s, org, e.ID, func(d *ce.WebhookDelivery) bool { return d.AttemptCount == 1 }, 5*time.Second)
			got := log[0]
			if got.Status != tt.status {
				t.Fatalf("got status %s, want %s", got.Status, tt.status)
			}
			if tt.status == ce.DeliveryPending {
				wait := got.NextAttemptAt.Sub(start)
				if wait < tt.minWait || wait > tt.maxWait+5*time.Second {
					t.Errorf("next attempt in %v, want between %v and %v", wait, tt.minWait, tt.maxWait)
				}
			}
		})
	}
}
