package outbox

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/backoff"
	"github.com/completeevent/completeevent-go/storage"
)

// The defaults of WorkerOptions.
const (
	DefaultConcurrency  = 64
	DefaultPerEndpoint  = 16
	DefaultPollInterval = time.Second
	DefaultDrainTimeout = 15 * time.Second
)

// WorkerOptions configure a Worker. The zero value, like a nil
// *WorkerOptions, is a valid configuration.
type WorkerOptions struct {
	// Name identifies the worker in the leases it takes (shown to
	// operators as a delivery's LeasedBy). Defaults to the host name
	// followed by a random suffix.
	Name string
	// Concurrency caps the deliveries the worker sends at once. Defaults
	// to 64.
	Concurrency int
	// PerEndpoint caps the deliveries the worker sends at once to one
	// endpoint, so that a hanging endpoint never takes every slot: while
	// an endpoint has that many in flight and as many claimed, waiting
	// for them, the worker claims none of its deliveries. Defaults to 16,
	// at most Concurrency.
	PerEndpoint int
	// BatchSize caps the deliveries one claim takes and one recording of
	// outcomes writes. The worker holds up to Concurrency + BatchSize
	// claimed deliveries: those beyond the free slots wait for one, so
	// that slots freed during a claim are refilled at once. A waiting
	// delivery is started only while half its lease remains; one whose
	// turn comes later is given back unsent, to be claimed afresh, and
	// one whose lease ends while every slot stays busy is claimed afresh
	// once it ends (see Lease). Defaults to Concurrency.
	BatchSize int
	// PollInterval is how often the worker looks for due deliveries when
	// nothing wakes it: retries coming due, leases of dead workers
	// expiring, messages published by other processes. Defaults to 1 s.
	PollInterval time.Duration
	// Lease is how long a claimed delivery stays with the worker. The
	// worker starts an attempt only while at least half of the
	// delivery's lease remains, and gives the delivery back otherwise; so
	// the lease must exceed two of the longest attempts (the sender's
	// timeout, or an endpoint's own) with room to record them, or an
	// attempt may outlast its lease and another worker send the delivery
	// again meanwhile. Defaults to DefaultLease (60 s).
	Lease time.Duration
	// DrainTimeout bounds how long Run, once its context ends, waits for
	// the attempts in flight, and retries the recording of attempts that
	// the store failed to record. Attempts still running then are
	// canceled and, unless a response arrived, their deliveries released,
	// to be sent again. Defaults to 15 s.
	DrainTimeout time.Duration
	// Retry decides whether and when failed deliveries are attempted
	// again. The zero value makes one attempt.
	Retry RetryPolicy
	// Now returns the current time. Defaults to time.Now.
	Now func() time.Time
	// Logger receives errors of the store, disabled endpoints (Warn) and
	// every attempt (Debug). Defaults to discarding them.
	Logger *slog.Logger
}

// Worker delivers the due webhook deliveries of a store: it claims them in
// batches, sends them with bounded concurrency in total and per endpoint,
// and records the attempts in batches. Make it with NewWorker, which
// starts nothing, and run it with Run. Several workers, in one process or
// in many, may share a store. The methods of a Worker are safe for
// concurrent use.
type Worker struct {
	deliverer
	name          string
	concurrency   int
	endpointLimit int
	batchSize     int
	pollInterval  time.Duration
	lease         time.Duration
	drainTimeout  time.Duration
	retry         RetryPolicy

	wake    chan struct{}
	running atomic.Bool
}

// NewWorker returns a Worker that delivers the deliveries of store with
// sender; opts may be nil. It starts no goroutine.
func NewWorker(store storage.Store, sender Sender, opts *WorkerOptions) *Worker {
	var o WorkerOptions
	if opts != nil {
		o = *opts
	}
	if o.Name == "" {
		host, _ := os.Hostname()
		o.Name = host + "-" + ce.NewToken(5)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PerEndpoint <= 0 {
		o.PerEndpoint = DefaultPerEndpoint
	}
	if o.BatchSize <= 0 {
		o.BatchSize = o.Concurrency
	}
	w := &Worker{
		deliverer:     newDeliverer(store, sender, o.Now, o.Logger),
		name:          o.Name,
		concurrency:   o.Concurrency,
		endpointLimit: min(o.PerEndpoint, o.Concurrency),
		batchSize:     o.BatchSize,
		pollInterval:  backoff.Or(o.PollInterval, DefaultPollInterval),
		lease:         backoff.Or(o.Lease, DefaultLease),
		drainTimeout:  backoff.Or(o.DrainTimeout, DefaultDrainTimeout),
		retry:         o.Retry,
		wake:          make(chan struct{}, 1),
	}
	return w
}

// Notify tells the worker that deliveries are due: it claims at once
// instead of at its next poll. Notify never blocks; signals coalesce, and
// one sent before Run starts is kept. Pass it as DispatcherOptions.Notify
// and Options.Notify.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// errRunning is returned by Run while another Run of the worker runs.
var errRunning = errors.New("outbox: worker is already running")

// Run delivers until ctx ends, then stops claiming, waits for the attempts
// in flight (at most WorkerOptions.DrainTimeout, after which it cancels
// them and releases the deliveries of those that got no response),
// records their outcomes and returns nil. Errors of the store do not stop
// it: it logs them and tries again at its next poll; a recording of
// attempts that fails is tried again with backoff while the deliveries'
// leases last. A Worker runs once at a time; a second concurrent Run
// returns an error at once.
func (w *Worker) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errRunning
	}
	defer w.running.Store(false)
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	r := &run{
		Worker:    w,
		sendCtx:   sendCtx,
		endpoints: map[string]*endpointLoad{},
		freed:     make(chan struct{}, 1),
		starts:    make(chan *storage.ClaimedDelivery, w.concurrency),
		results:   make(chan result, w.concurrency),
	}
	// A pool of senders, whose stacks, once grown by net/http, serve
	// every attempt.
	for range w.concurrency {
		r.sends.Go(func() {
			for c := range r.starts {
				r.send(c)
			}
		})
	}
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		r.record(ctx)
	}()

	r.loop(ctx)

	// Deliveries claimed but not started go back at once; those in flight
	// may finish within the drain timeout.
	r.mu.Lock()
	queued := r.queue
	r.queue = nil
	r.mu.Unlock()
	if len(queued) > 0 {
		leases := make([]storage.Lease, len(queued))
		for i, c := range queued {
			leases[i] = c.Lease
		}
		r.release(ctx, leases)
	}
	close(r.starts)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		r.sends.Wait()
	}()
	// At the drain timeout, sendCtx cancels the attempts still in flight
	// and ends the recorder's retries.
	timer := time.AfterFunc(w.drainTimeout, cancelSends)
	defer timer.Stop()
	select {
	case <-drained:
	case <-sendCtx.Done():
		w.logger.WarnContext(ctx, "webhook worker: canceling attempts still in flight", "drainTimeout", w.drainTimeout)
		<-drained
	}
	close(r.results)
	<-recorded
	return nil
}

// run is the state of one Run.
//
// The worker keeps a queue of claimed deliveries waiting for a slot, at
// most a batch, so that the slots that free up while a claim or a
// recording runs in the database are refilled at once. An endpoint holds
// at most PerEndpoint slots and as many queued deliveries. A queued
// delivery may wait for several attempts (when BatchSize exceeds
// Concurrency, or behind its endpoint's): it is started only while half
// its lease remains, which the lease leaves for one attempt and its
// recording, and given back otherwise.
type run struct {
	*Worker
	// sendCtx ends at the drain timeout: it cancels the attempts in
	// flight and the retries of recordings.
	sendCtx context.Context

	mu        sync.Mutex
	inFlight  int
	queue     []*storage.ClaimedDelivery // claimed, waiting for a slot, in claim order
	endpoints map[string]*endpointLoad   // by endpoint id, while it has any
	freed     chan struct{}              // signaled when an attempt ends

	// starts hands deliveries to the senders. It never blocks: what it
	// holds counts in inFlight, at most Concurrency.
	starts  chan *storage.ClaimedDelivery
	sends   sync.WaitGroup // the senders
	results chan result    // to the recorder
}

// endpointLoad counts one endpoint's deliveries in a run.
type endpointLoad struct {
	inFlight, queued int
}

// result is what an attempt leaves to record: an outcome, with the end of
// its lease, or, for an attempt canceled because the worker stops, a
// lease to release.
type result struct {
	outcome  storage.Outcome
	leaseEnd time.Time
	release  *storage.Lease
}

// loop claims deliveries until ctx ends.
func (r *run) loop(ctx context.Context) {
	poll := time.NewTicker(r.pollInterval)
	defer poll.Stop()
	more := r.claim(ctx)
	for {
		var freed <-chan struct{}
		if more {
			freed = r.freed
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-poll.C:
		case <-freed: // room for a good part of a batch, or idle
		}
		more = r.claim(ctx)
	}
}

// room returns how many more deliveries the run may hold, sending or
// queued. r.mu must be held.
func (r *run) room() int {
	return r.concurrency + r.batchSize - r.inFlight - len(r.queue)
}

// claim claims what the run has room for, queues it and starts what the
// slots can take. It reports whether more may be due than it took: then
// the loop claims again as soon as slots free up.
//
// A claim takes the due deliveries in order, whatever their endpoint, so
// it may take more of one endpoint's than the endpoint may hold (a hanging
// endpoint's backlog comes first) in place of other endpoints' deliveries.
// It gives those back, and claims once more at once: the endpoint is busy
// then, so the second claim skips it and takes the others' deliveries,
// rather than leave them waiting for the next wake-up.
func (r *run) claim(ctx context.Context) (more bool) {
	more, filled := r.claimBatch(ctx)
	if filled && ctx.Err() == nil {
		more, _ = r.claimBatch(ctx)
	}
	return more
}

// claimBatch makes one claim for claim. It also reports whether the claim
// filled an endpoint and gave back what it could not hold.
func (r *run) claimBatch(ctx context.Context) (more, filled bool) {
	r.mu.Lock()
	room := r.room()
	var busy []string
	for id, l := range r.endpoints {
		if l.inFlight+l.queued >= 2*r.endpointLimit {
			busy = append(busy, id)
		}
	}
	r.mu.Unlock()
	if room <= 0 {
		return true, false
	}
	limit := min(room, r.batchSize)
	claims, err := r.store.WebhookDeliveries().Claim(ctx, r.now(), r.lease, limit, r.name, busy...)
	if err != nil {
		if ctx.Err() == nil {
			r.logger.ErrorContext(ctx, "claim webhook deliveries", "err", err)
		}
		return false, false
	}
	var over []storage.Lease
	r.mu.Lock()
	for i := range claims {
		// The run passes pointers around: a claimed delivery is large.
		c := &claims[i]
		l := r.endpoints[c.Endpoint.ID]
		if l == nil {
			l = &endpointLoad{}
			r.endpoints[c.Endpoint.ID] = l
		}
		if l.inFlight+l.queued >= 2*r.endpointLimit {
			over = append(over, c.Lease)
			continue
		}
		l.queued++
		r.queue = append(r.queue, c)
	}
	lapsed := r.startQueued()
	r.mu.Unlock()
	if len(over)+len(lapsed) > 0 {
		// More of one endpoint's deliveries than it may hold, and
		// deliveries that waited too long: back to the store, due at
		// once, to be claimed afresh.
		r.release(ctx, append(over, lapsed...))
	}
	return len(claims) == limit || len(busy) > 0 || len(over)+len(lapsed) > 0, len(over) > 0
}

// startQueued starts sending each queued delivery that a slot, overall
// and of its endpoint, is free for, in queue order. It takes out of the
// queue, and returns the leases of, the deliveries it would start with
// less than half their lease left, which an attempt might outlast (see
// WorkerOptions.Lease): the caller releases them. r.mu must be held.
func (r *run) startQueued() (lapsed []storage.Lease) {
	now := r.now()
	kept := r.queue[:0]
	for i, c := range r.queue {
		if r.inFlight >= r.concurrency {
			kept = append(kept, r.queue[i:]...)
			break
		}
		l := r.endpoints[c.Endpoint.ID]
		switch {
		case c.Delivery.NextAttemptAt.Sub(now) < r.lease/2: // the end of the lease
			lapsed = append(lapsed, c.Lease)
			l.queued--
			r.forgetIdle(c.Endpoint.ID, l)
		case l.inFlight >= r.endpointLimit:
			kept = append(kept, c)
		default:
			l.queued--
			l.inFlight++
			r.inFlight++
			r.starts <- c
		}
	}
	clear(r.queue[len(kept):])
	r.queue = kept
	return lapsed
}

// forgetIdle stops counting the load of the endpoint with the id, l, if it
// has nothing in flight or queued. r.mu must be held.
func (r *run) forgetIdle(id string, l *endpointLoad) {
	if l.inFlight+l.queued == 0 {
		delete(r.endpoints, id)
	}
}

// send makes the attempt of c, hands its result to the recorder and gives
// its slot to the next queued delivery.
func (r *run) send(c *storage.ClaimedDelivery) {
	o, sent := r.deliver(r.sendCtx, c, r.retry)
	res := result{outcome: o, leaseEnd: c.Delivery.NextAttemptAt}
	if sent.StatusCode == 0 && errors.Is(sent.Err, context.Canceled) && r.sendCtx.Err() != nil {
		// Canceled by a stop before any response: sent again later, not
		// failed.
		res = result{release: &c.Lease}
	}
	r.results <- res
	r.mu.Lock()
	l := r.endpoints[c.Endpoint.ID]
	l.inFlight--
	r.inFlight--
	r.forgetIdle(c.Endpoint.ID, l)
	lapsed := r.startQueued()
	// Wake the loop only when it would claim: for a good part of a
	// batch, when idle, or for the deliveries given back.
	wake := r.room() >= r.claimThreshold() || r.inFlight+len(r.queue) == 0 || len(lapsed) > 0
	r.mu.Unlock()
	if len(lapsed) > 0 {
		r.release(r.sendCtx, lapsed)
	}
	if wake {
		select {
		case r.freed <- struct{}{}:
		default:
		}
	}
}

// claimThreshold is how much room the run waits for before it claims
// again while busy.
func (r *run) claimThreshold() int { return max(1, r.batchSize/2) }

// record writes the results of attempts until the channel closes: each
// time, everything that arrived meanwhile, up to a batch, in one Finish
// (tried again while it fails, until the earliest of the leases ends or
// the drain timeout passes) and at most one Release.
func (r *run) record(ctx context.Context) {
	var outcomes []storage.Outcome
	var releases []storage.Lease
	for first := range r.results {
		outcomes, releases = outcomes[:0], releases[:0]
		var leaseEnd time.Time
		res, ok := first, true
		for n := 0; ok; n++ {
			if res.release != nil {
				releases = append(releases, *res.release)
			} else {
				outcomes = append(outcomes, res.outcome)
				if leaseEnd.IsZero() || res.leaseEnd.Before(leaseEnd) {
					leaseEnd = res.leaseEnd
				}
			}
			if n+1 == r.batchSize {
				break
			}
			select {
			case res, ok = <-r.results:
			default:
				ok = false
			}
		}
		if len(outcomes) > 0 {
			if err := r.finishRetrying(r.sendCtx, leaseEnd, outcomes); err != nil {
				r.logger.ErrorContext(ctx, "record webhook attempts", "count", len(outcomes), "err", err)
			}
		}
		if len(releases) > 0 {
			r.release(ctx, releases)
		}
	}
}
