package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/backoff"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/webhook"
)

// Sender makes one signed delivery attempt. *webhook.Sender implements
// it; its Send must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, d webhook.Delivery) webhook.Result
}

var _ Sender = (*webhook.Sender)(nil)

// DefaultLease is how long a claimed delivery stays with the worker that
// claimed it, unless WorkerOptions.Lease says otherwise. It exceeds two
// attempts of MaxEndpointTimeout with room to record them (see
// WorkerOptions.Lease).
const DefaultLease = 60 * time.Second

// storeTimeout bounds the writes that record what was sent, which run even
// while a worker stops.
const storeTimeout = 10 * time.Second

// deliverer makes attempts and turns their results into outcomes: what a
// Worker and "Send test" share.
type deliverer struct {
	store   storage.Store
	sender  Sender
	now     func() time.Time
	logger  *slog.Logger
	signers signerCache
}

// newDeliverer returns a deliverer; now and logger may be nil for
// time.Now and discarding.
func newDeliverer(store storage.Store, sender Sender, now func() time.Time, logger *slog.Logger) deliverer {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return deliverer{store: store, sender: sender, now: now, logger: logger}
}

// signerCache keeps one webhook.HMACSigner per secret, so that the hash
// states it pools are reused across deliveries. It forgets everything
// when it grows past maxSigners secrets. It is safe for concurrent use,
// and read without locking.
type signerCache struct {
	signers sync.Map // secret → *webhook.HMACSigner
	size    atomic.Int64
}

// maxSigners bounds signerCache.
const maxSigners = 1024

// get returns the signer of secret, or nil for an empty secret, which the
// sender reports as an invalid delivery.
func (c *signerCache) get(secret string) *webhook.HMACSigner {
	if secret == "" {
		return nil
	}
	if s, ok := c.signers.Load(secret); ok {
		return s.(*webhook.HMACSigner)
	}
	if c.size.Add(1) > maxSigners {
		c.signers.Clear()
		c.size.Store(1)
	}
	s, _ := c.signers.LoadOrStore(secret, webhook.NewSigner(secret))
	return s.(*webhook.HMACSigner)
}

// attempt signs c's message with a timestamp of now and sends it once.
func (d *deliverer) attempt(ctx context.Context, c *storage.ClaimedDelivery, now time.Time) webhook.Result {
	body, err := webhook.Encode(webhook.Event{ID: c.Message.ID, Type: c.Message.EventType, Timestamp: now, Data: c.Message.Data})
	if err != nil {
		return webhook.Result{ErrorClass: webhook.ErrorInvalid, Err: fmt.Errorf("outbox: encode message %s: %w", c.Message.ID, err)}
	}
	secrets := c.Endpoint.Secrets(now)
	delivery := webhook.Delivery{URL: c.Endpoint.URL, Body: body, Signer: d.signers.get(secrets[0]), Timeout: c.Endpoint.Timeout}
	for _, s := range secrets[1:] {
		delivery.Others = append(delivery.Others, d.signers.get(s))
	}
	return d.sender.Send(ctx, delivery)
}

// deliver makes one attempt of c and returns its outcome under policy,
// with the sender's result. If the endpoint answered 410 Gone, it disables
// the endpoint first, saying why.
func (d *deliverer) deliver(ctx context.Context, c *storage.ClaimedDelivery, policy RetryPolicy) (storage.Outcome, webhook.Result) {
	now := d.now()
	res := d.attempt(ctx, c, now)
	a := newAttempt(c.Delivery.ID, now, res)
	status, next := policy.next(res, c.Delivery.AttemptCount+1, c.Delivery.CreatedAt, now)
	if d.logger.Enabled(ctx, slog.LevelDebug) {
		d.logger.LogAttrs(ctx, slog.LevelDebug, "webhook attempt",
			slog.String("delivery", c.Delivery.ID), slog.String("endpoint", c.Endpoint.ID),
			slog.Int("status", res.StatusCode), slog.String("errorClass", string(res.ErrorClass)),
			slog.Duration("duration", res.Duration), slog.String("outcome", string(status)))
	}
	if res.StatusCode == http.StatusGone {
		reason := fmt.Sprintf("the endpoint answered 410 Gone at %s", now.UTC().Format(time.RFC3339))
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
		err := d.store.WebhookEndpoints().Disable(wctx, c.Endpoint.OrganizationID, c.Endpoint.ID, reason, now)
		cancel()
		if err != nil {
			d.logger.ErrorContext(ctx, "disable webhook endpoint", "endpoint", c.Endpoint.ID, "err", err)
		} else {
			d.logger.WarnContext(ctx, "webhook endpoint disabled", "endpoint", c.Endpoint.ID, "organization", c.Endpoint.OrganizationID, "reason", reason)
		}
	}
	return storage.Outcome{Lease: c.Lease, Attempt: a, Status: status, NextAttemptAt: next}, res
}

// newAttempt returns the log of the attempt at at that ended with res.
func newAttempt(deliveryID string, at time.Time, res webhook.Result) ce.WebhookAttempt {
	a := ce.WebhookAttempt{
		ID:         ce.NewID(ce.PrefixWebhookAttempt, at),
		DeliveryID: deliveryID,
		At:         at,
		StatusCode: res.StatusCode,
		Duration:   res.Duration,
		Timings: ce.AttemptTimings{
			DNS:       res.Timings.DNS,
			Connect:   res.Timings.Connect,
			TLS:       res.Timings.TLS,
			FirstByte: res.Timings.FirstByte,
		},
		ErrorClass:      string(res.ErrorClass),
		ResponseExcerpt: res.ResponseExcerpt,
	}
	if res.Err != nil {
		// Storable text: valid UTF-8 without NUL, as the storage
		// contract asks.
		a.Error = strings.ReplaceAll(strings.ToValidUTF8(res.Err.Error(), "\uFFFD"), "\x00", "\uFFFD")
	}
	return a
}

// finish records outcomes, even while the caller's context ends: what was
// sent must be logged.
func (d *deliverer) finish(ctx context.Context, outcomes []storage.Outcome) error {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	return d.store.WebhookDeliveries().Finish(wctx, d.now(), outcomes)
}

// The waits between the tries of a recording of outcomes that failed.
const (
	finishBackoff    = 50 * time.Millisecond
	finishMaxBackoff = 5 * time.Second
)

// finishRetrying records outcomes as finish does and, while that fails
// for a reason that may pass (not ErrInvalid or ErrConflict: a record the
// store refuses, or one already written by a try whose answer was lost),
// tries again with backoff, as long as the next try comes before
// leaseEnd, the end of the earliest of the outcomes' leases (after it,
// the deliveries may be claimed and sent again anyway), and ctx has not
// ended; each try records even once ctx has ended. It returns the last
// error.
func (d *deliverer) finishRetrying(ctx context.Context, leaseEnd time.Time, outcomes []storage.Outcome) error {
	for try := 1; ; try++ {
		err := d.finish(ctx, outcomes)
		if err == nil || errors.Is(err, ce.ErrInvalid) || errors.Is(err, ce.ErrConflict) {
			return err
		}
		wait := backoff.Jittered(try, finishBackoff, finishMaxBackoff)
		if d.now().Add(wait).After(leaseEnd) {
			return err
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return err
		}
	}
}

// release ends leases of deliveries not sent, even while the caller's
// context ends, so that they are due again at once rather than when the
// leases expire. It logs a failure: the leases then simply expire.
func (d *deliverer) release(ctx context.Context, leases []storage.Lease) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := d.store.WebhookDeliveries().Release(wctx, d.now(), leases); err != nil {
		d.logger.ErrorContext(ctx, "release webhook deliveries", "count", len(leases), "err", err)
	}
}
