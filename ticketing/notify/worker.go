package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/backoff"
	"github.com/completeevent/completeevent-go/mail"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
)

// The defaults of WorkerOptions and RetryPolicy.
const (
	DefaultConcurrency    = 4
	DefaultPollInterval   = time.Second
	DefaultLease          = 2 * time.Minute
	DefaultSendTimeout    = time.Minute
	DefaultMaxAttempts    = 100
	DefaultInitialBackoff = 30 * time.Second
	DefaultMaxBackoff     = time.Hour
	DefaultMaxAge         = 72 * time.Hour
)

// GuideSource gives the registration an e-mail is about, with its event
// and tier, as they are now. *ticketing.Service is one.
type GuideSource interface {
	// GuideByRegistration returns the guide of the organization's
	// registration with the id, or an error matching
	// completeevent.ErrNotFound.
	GuideByRegistration(ctx context.Context, orgID, id string) (*ticketing.Guide, error)
}

var _ GuideSource = (*ticketing.Service)(nil)

// RetryPolicy says when an e-mail whose sending failed for a temporary
// reason is attempted again. The zero value means every default.
//
// The n-th retry waits InitialBackoff × 2^(n-1), at most MaxBackoff, with
// jitter: a time drawn evenly from the upper half of that wait, so that
// the e-mails of an outage do not all come back at once. With the
// defaults the waits are 30 s, 1 min, 2 min … 32 min, then 1 h, and an
// e-mail is retried for three days: a long outage of the mail server loses
// nothing. An e-mail is recorded as failed once it has had MaxAttempts
// attempts or its next attempt would come later than MaxAge after it was
// queued.
type RetryPolicy struct {
	// MaxAttempts is how many attempts an e-mail gets in all, the first
	// included. Defaults to 100, which the default MaxAge normally reaches
	// first.
	MaxAttempts int
	// InitialBackoff is the wait before the first retry. Defaults to 30 s.
	InitialBackoff time.Duration
	// MaxBackoff caps the wait between attempts. Defaults to 1 h.
	MaxBackoff time.Duration
	// MaxAge bounds how long after it was queued an e-mail is retried.
	// Defaults to 72 h.
	MaxAge time.Duration
}

// next returns when an e-mail queued at createdAt is attempted again after
// its attempts-th attempt failed at now, or false if it is not.
func (p RetryPolicy) next(attempts int, createdAt, now time.Time) (time.Time, bool) {
	if attempts >= p.MaxAttempts {
		return time.Time{}, false
	}
	at := now.Add(backoff.Jittered(attempts, p.InitialBackoff, p.MaxBackoff))
	if at.Sub(createdAt) > p.MaxAge {
		return time.Time{}, false
	}
	return at, true
}

// WorkerOptions configure a Worker. The zero value, like a nil
// *WorkerOptions, is a valid configuration.
type WorkerOptions struct {
	// Name identifies the worker in the leases it takes. Defaults to the
	// host name followed by a random suffix.
	Name string
	// Concurrency caps the e-mails the worker sends at once, and so the
	// connections it opens to the mail server. Defaults to 4.
	Concurrency int
	// PollInterval is how often the worker looks for due e-mails when
	// nothing wakes it: retries coming due, leases of dead workers
	// expiring, e-mails queued by other processes. Defaults to 1 s.
	PollInterval time.Duration
	// Lease is how long a claimed e-mail stays with the worker: its
	// rendering, sending and the recording of the outcome must fit in
	// it, or another worker may send the e-mail again. Defaults to 2 min.
	Lease time.Duration
	// SendTimeout bounds one Send of the mailer, on top of the mailer's
	// own timeout. Defaults to 1 min, and at most half the Lease, so that
	// half the lease is left to record the outcome.
	SendTimeout time.Duration
	// Retry says when e-mails that failed for a temporary reason are
	// attempted again.
	Retry RetryPolicy
	// Now returns the current time, for claims, outcomes and backoff.
	// Defaults to time.Now.
	Now func() time.Time
	// Logger receives every outcome: sent (Info), to be retried (Warn),
	// failed for good and errors of the store (Error). Defaults to
	// discarding them.
	Logger *slog.Logger
}

// Worker sends the queued e-mails of a store: it claims due e-mails with
// a lease, renders each from its registration, sends it with bounded
// concurrency and records the outcome, retrying temporary failures with
// backoff (see the package documentation for what it guarantees). Make it
// with NewWorker, which starts nothing, and run it with Run. Several
// workers, in one process or in many, may share a store. The methods of a
// Worker are safe for concurrent use.
type Worker struct {
	store       storage.Store
	guides      GuideSource
	mailer      mail.Mailer
	renderer    *Renderer
	name        string
	concurrency int
	poll        time.Duration
	lease       time.Duration
	sendTimeout time.Duration
	retry       RetryPolicy
	now         func() time.Time
	logger      *slog.Logger

	wake    chan struct{}
	running atomic.Bool
}

// NewWorker returns a Worker that sends the e-mails queued in store
// through mailer, rendered by renderer from the guides of their
// registrations (pass the *ticketing.Service); all four are required. opts
// may be nil. It starts no goroutine.
func NewWorker(store storage.Store, guides GuideSource, mailer mail.Mailer, renderer *Renderer, opts *WorkerOptions) *Worker {
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
	if o.Retry.MaxAttempts <= 0 {
		o.Retry.MaxAttempts = DefaultMaxAttempts
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	lease := backoff.Or(o.Lease, DefaultLease)
	return &Worker{
		store:       store,
		guides:      guides,
		mailer:      mailer,
		renderer:    renderer,
		name:        o.Name,
		concurrency: o.Concurrency,
		poll:        backoff.Or(o.PollInterval, DefaultPollInterval),
		lease:       lease,
		sendTimeout: min(backoff.Or(o.SendTimeout, DefaultSendTimeout), lease/2),
		retry: RetryPolicy{
			MaxAttempts:    o.Retry.MaxAttempts,
			InitialBackoff: backoff.Or(o.Retry.InitialBackoff, DefaultInitialBackoff),
			MaxBackoff:     backoff.Or(o.Retry.MaxBackoff, DefaultMaxBackoff),
			MaxAge:         backoff.Or(o.Retry.MaxAge, DefaultMaxAge),
		},
		now:    o.Now,
		logger: o.Logger,
		wake:   make(chan struct{}, 1),
	}
}

// Notify tells the worker that e-mails are due: it claims at once instead
// of at its next poll. Notify never blocks; signals coalesce, and one sent
// before Run starts is kept. Pass it as ticketing.Options.EmailQueued.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// errRunning is returned by Run while another Run of the worker runs.
var errRunning = errors.New("notify: worker is already running")

// Run sends due e-mails until ctx ends, then stops claiming, waits for the
// e-mails in flight to be sent and their outcomes recorded (each within
// its lease, as the sends do not see ctx end), and returns nil. Errors of
// the store do not stop it: it logs them and tries again at its next
// poll. A Worker runs once at a time; a second concurrent Run returns an
// error at once.
func (w *Worker) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errRunning
	}
	defer w.running.Store(false)
	r := &run{
		Worker:  w,
		sendCtx: context.WithoutCancel(ctx),
		slots:   make(chan struct{}, w.concurrency),
		freed:   make(chan struct{}, 1),
	}
	defer r.sends.Wait()
	poll := time.NewTicker(w.poll)
	defer poll.Stop()
	for {
		var freed <-chan struct{}
		if r.claim(ctx) {
			freed = r.freed
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case <-poll.C:
		case <-freed:
		}
	}
}

// run is the state of one Run.
type run struct {
	*Worker
	// sendCtx is Run's context without its cancellation: a stop lets the
	// sends in flight finish.
	sendCtx context.Context
	// slots holds a token per e-mail in flight, at most Concurrency.
	slots chan struct{}
	// freed is signaled when an e-mail in flight is done.
	freed chan struct{}
	sends sync.WaitGroup
}

// claim claims as many due e-mails as there are free slots and starts
// sending them. It reports whether more may be due than it took: then the
// loop claims again as soon as a slot frees up.
func (r *run) claim(ctx context.Context) (more bool) {
	n := 0
take:
	for n < r.concurrency {
		select {
		case r.slots <- struct{}{}:
			n++
		default:
			break take
		}
	}
	if n == 0 {
		return true
	}
	claims, err := r.store.Emails().Claim(ctx, r.now(), r.lease, n, r.name)
	if err != nil {
		claims = nil
		if ctx.Err() == nil {
			r.logger.ErrorContext(ctx, "claim e-mails", "err", err)
		}
	}
	for range n - len(claims) {
		<-r.slots
	}
	for _, c := range claims {
		r.sends.Go(func() {
			defer func() {
				<-r.slots
				select {
				case r.freed <- struct{}{}:
				default:
				}
			}()
			r.process(r.sendCtx, c)
		})
	}
	return err == nil && len(claims) == n
}

// process sends the claimed e-mail c and records the outcome.
func (w *Worker) process(ctx context.Context, c storage.ClaimedEmail) {
	// Past the lease another worker may claim the e-mail: what is not
	// done by then is left to it.
	ctx, cancel := context.WithTimeout(ctx, w.lease)
	defer cancel()
	err := w.send(ctx, &c.Email)
	now := w.now()
	out := w.outcome(c, err, now)
	w.finish(ctx, &c.Email, out, now)
}

// permanentError marks an error that another attempt cannot fix, like
// mail.ErrPermanent.
type permanentError struct{ err error }

func (e permanentError) Error() string        { return e.err.Error() }
func (e permanentError) Unwrap() error        { return e.err }
func (e permanentError) Is(target error) bool { return target == mail.ErrPermanent }

// send renders e from its registration as it is now and sends it. Errors
// matching mail.ErrPermanent are permanent, others temporary.
func (w *Worker) send(ctx context.Context, e *ce.Email) error {
	g, err := w.guides.GuideByRegistration(ctx, e.OrganizationID, e.RegistrationID)
	if errors.Is(err, ce.ErrNotFound) {
		return permanentError{fmt.Errorf("notify: registration %s no longer exists: %w", e.RegistrationID, err)}
	}
	if err != nil {
		return fmt.Errorf("notify: read registration %s: %w", e.RegistrationID, err)
	}
	org, err := w.store.Organizations().Get(ctx, e.OrganizationID)
	if errors.Is(err, ce.ErrNotFound) {
		return permanentError{fmt.Errorf("notify: organization %s no longer exists: %w", e.OrganizationID, err)}
	}
	if err != nil {
		return fmt.Errorf("notify: read organization %s: %w", e.OrganizationID, err)
	}
	c := &Content{Email: e, Guide: g, Organization: org}
	if e.Kind == ce.EmailAuctionWon {
		if c.Item, err = w.item(ctx, e); err != nil {
			return err
		}
	}
	m, err := w.renderer.Render(c)
	if err != nil {
		return permanentError{err}
	}
	ctx, cancel := context.WithTimeout(ctx, w.sendTimeout)
	defer cancel()
	return w.mailer.Send(ctx, m)
}

// item returns the auction item e is about, the one its SubjectID names.
// A missing one is a permanent error.
func (w *Worker) item(ctx context.Context, e *ce.Email) (*ce.AuctionItem, error) {
	if e.SubjectID == "" {
		return nil, permanentError{fmt.Errorf("notify: %s e-mail %s names no auction item", e.Kind, e.ID)}
	}
	item, err := w.store.AuctionItems().Get(ctx, e.OrganizationID, e.SubjectID)
	if errors.Is(err, ce.ErrNotFound) {
		return nil, permanentError{fmt.Errorf("notify: auction item %s no longer exists: %w", e.SubjectID, err)}
	}
	if err != nil {
		return nil, fmt.Errorf("notify: read auction item %s: %w", e.SubjectID, err)
	}
	return item, nil
}

// outcome returns what to record of the attempt of c that ended at now
// with err.
func (w *Worker) outcome(c storage.ClaimedEmail, err error, now time.Time) storage.EmailOutcome {
	out := storage.EmailOutcome{EmailID: c.Email.ID, Seq: c.Seq, Status: ce.EmailSent}
	if err == nil {
		return out
	}
	out.Status, out.Error = ce.EmailFailed, err.Error()
	if errors.Is(err, mail.ErrPermanent) {
		return out
	}
	attempts := c.Email.Attempts + 1
	next, ok := w.retry.next(attempts, c.Email.CreatedAt, now)
	if !ok {
		out.Error = fmt.Sprintf("notify: gave up after attempt %d: %v", attempts, err)
		return out
	}
	out.Status, out.NextAttemptAt = ce.EmailPending, next
	return out
}

// The waits between attempts to record an outcome that the store refused.
const (
	finishRetryMin = 50 * time.Millisecond
	finishRetryMax = 5 * time.Second
)

// finish records out, the outcome of an attempt of e at now, retrying
// while the store fails until ctx (the lease) ends, and logs it.
func (w *Worker) finish(ctx context.Context, e *ce.Email, out storage.EmailOutcome, now time.Time) {
	attrs := []any{"email", e.ID, "kind", e.Kind, "organization", e.OrganizationID,
		"registration", e.RegistrationID, "attempt", e.Attempts + 1}
	for wait := finishRetryMin; ; wait = min(2*wait, finishRetryMax) {
		recorded, err := w.store.Emails().Finish(ctx, now, out)
		if err == nil && !recorded {
			// The claim is no longer the e-mail's latest: the lease
			// expired and another worker claimed the e-mail, whose
			// outcome counts, or an earlier try of this recording went
			// through although the store reported an error.
			w.logger.WarnContext(ctx, "e-mail attempt not recorded: its claim is no longer the latest",
				append(attrs, "status", out.Status, "err", out.Error)...)
			return
		}
		if err == nil {
			break
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			w.logger.ErrorContext(ctx, "record e-mail attempt: the lease ended; the e-mail will be attempted again",
				append(attrs, "status", out.Status, "err", err)...)
			return
		case <-timer.C:
		}
	}
	switch out.Status {
	case ce.EmailSent:
		w.logger.InfoContext(ctx, "e-mail sent", attrs...)
	case ce.EmailPending:
		w.logger.WarnContext(ctx, "e-mail not sent; will retry", append(attrs, "next", out.NextAttemptAt, "err", out.Error)...)
	default:
		w.logger.ErrorContext(ctx, "e-mail failed", append(attrs, "err", out.Error)...)
	}
}
