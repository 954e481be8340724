package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/txretry"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/webhook"
)

// The defaults and limits of endpoints.
const (
	// DefaultRotationOverlap is how long the previous secret keeps
	// signing deliveries after a rotation.
	DefaultRotationOverlap = 24 * time.Hour
	// MaxEndpointTimeout bounds an endpoint's own attempt timeout, which
	// must stay below half the workers' lease (see WorkerOptions.Lease).
	MaxEndpointTimeout = 20 * time.Second
)

// Options configure a Service. The zero value, like a nil *Options, is a
// valid production configuration.
type Options struct {
	// Now returns the current time. Defaults to time.Now.
	Now func() time.Time
	// Logger receives disabled endpoints and test pings (see Worker).
	// Defaults to discarding them.
	Logger *slog.Logger
	// RotationOverlap is how long the previous secret keeps signing
	// deliveries after RotateSecret, so that receivers can switch
	// without downtime. Defaults to 24 h; negative means no overlap.
	RotationOverlap time.Duration
	// AllowPrivateNetworks accepts endpoint URLs that are plain http or
	// name loopback and private addresses, as
	// webhook.SenderOptions.AllowPrivateNetworks sends to them. For
	// development and tests only.
	AllowPrivateNetworks bool
	// Notify, if set, is called after a resend, or a change that enables
	// an endpoint, commits; pass Worker.Notify so that the worker sends
	// the due deliveries at once.
	Notify func()
}

// Service manages an organization's webhook endpoints and their delivery
// log: create, list, change, delete, rotate the secret, send a test ping
// and resend. Every method takes the organization's id and reports the
// records of other organizations as completeevent.ErrNotFound, like
// records that do not exist. Expected failures match ErrInvalid (naming
// the JSON field at fault), ErrNotFound and ErrConflict. A Service is
// safe for concurrent use.
type Service struct {
	deliverer
	overlap      time.Duration
	allowPrivate bool
	notify       func()
}

// NewService returns a Service on store that sends test pings with
// sender; opts may be nil.
func NewService(store storage.Store, sender Sender, opts *Options) *Service {
	var o Options
	if opts != nil {
		o = *opts
	}
	overlap := o.RotationOverlap
	switch {
	case overlap == 0:
		overlap = DefaultRotationOverlap
	case overlap < 0:
		overlap = 0
	}
	return &Service{
		deliverer:    newDeliverer(store, sender, o.Now, o.Logger),
		overlap:      overlap,
		allowPrivate: o.AllowPrivateNetworks,
		notify:       o.Notify,
	}
}

// EndpointInput is a new endpoint.
type EndpointInput struct {
	// URL must be an absolute https URL (see webhook.ValidateEndpointURL).
	URL string
	// EventTypes are the types the endpoint receives: at least one of
	// completeevent.SubscribableEventTypes, each once.
	EventTypes  []string
	Description string
	// Timeout bounds each attempt to the endpoint, at most
	// MaxEndpointTimeout; zero means the sender's default.
	Timeout time.Duration
}

// EndpointUpdate changes an endpoint: nil fields are left as they are.
type EndpointUpdate struct {
	URL         *string
	EventTypes  []string
	Description *string
	// Enabled turns the endpoint on or off; turning it on clears
	// DisabledReason, and its pending deliveries are sent again, at once
	// if Options.Notify wakes the worker.
	Enabled *bool
	Timeout *time.Duration
	// Version, if not zero, makes the change conditional on the endpoint
	// being at that version (ErrConflict otherwise).
	Version int64
}

// validate checks e, whose URL the service's network policy judges.
func (s *Service) validate(e *ce.WebhookEndpoint) error {
	if err := webhook.ValidateEndpointURL(e.URL, s.allowPrivate); err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	if e.Timeout < 0 || e.Timeout > MaxEndpointTimeout {
		return ce.Invalid("timeoutMs", "must be from 0 (the default) to %d", MaxEndpointTimeout.Milliseconds())
	}
	return nil
}

// CreateEndpoint creates an enabled endpoint of the organization with a
// new secret, which the returned endpoint's Secret holds: show it to the
// user now, for it is never shown again. It returns ErrInvalid naming the
// first wrong field of in ("url", "eventTypes", "description",
// "timeoutMs") and ErrNotFound if the organization does not exist.
func (s *Service) CreateEndpoint(ctx context.Context, orgID string, in EndpointInput) (*ce.WebhookEndpoint, error) {
	now := s.now()
	e := &ce.WebhookEndpoint{
		ID:             ce.NewID(ce.PrefixWebhookEndpoint, now),
		OrganizationID: orgID,
		URL:            in.URL,
		EventTypes:     in.EventTypes,
		Description:    in.Description,
		Enabled:        true,
		Secret:         webhook.NewSecret(),
		Timeout:        in.Timeout,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if err := s.validate(e); err != nil {
		return nil, err
	}
	if err := s.store.WebhookEndpoints().Create(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// ListEndpoints returns the organization's endpoints, oldest first.
func (s *Service) ListEndpoints(ctx context.Context, orgID string) ([]*ce.WebhookEndpoint, error) {
	return s.store.WebhookEndpoints().List(ctx, orgID)
}

// GetEndpoint returns the organization's endpoint with the id, or
// ErrNotFound.
func (s *Service) GetEndpoint(ctx context.Context, orgID, id string) (*ce.WebhookEndpoint, error) {
	return s.store.WebhookEndpoints().Get(ctx, orgID, id)
}

// UpdateEndpoint applies u to the organization's endpoint with the id and
// returns it. It returns ErrNotFound if there is no such endpoint,
// ErrInvalid as CreateEndpoint does, and ErrConflict if u.Version is set
// and stale, or if concurrent changes kept winning.
func (s *Service) UpdateEndpoint(ctx context.Context, orgID, id string, u EndpointUpdate) (*ce.WebhookEndpoint, error) {
	return s.change(ctx, orgID, id, u.Version, func(e *ce.WebhookEndpoint) error {
		setIf(&e.URL, u.URL)
		if u.EventTypes != nil {
			e.EventTypes = u.EventTypes
		}
		setIf(&e.Description, u.Description)
		setIf(&e.Timeout, u.Timeout)
		if u.Enabled != nil {
			e.Enabled = *u.Enabled
			if e.Enabled {
				e.DisabledReason = ""
			}
		}
		return s.validate(e)
	})
}

// setIf sets *dst to *v if v is not nil.
func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// change reads the organization's endpoint, applies fn and stores it, in
// one transaction, retried once if a concurrent change won (unless the
// caller pinned a version). If fn enabled the endpoint, the commit wakes
// the worker for its pending deliveries.
func (s *Service) change(ctx context.Context, orgID, id string, version int64, fn func(e *ce.WebhookEndpoint) error) (*ce.WebhookEndpoint, error) {
	var out *ce.WebhookEndpoint
	err := txretry.Run(ctx, s.store, version != 0, func(ctx context.Context, tx storage.Tx) error {
		e, err := tx.WebhookEndpoints().Get(ctx, orgID, id)
		if err != nil {
			return err
		}
		if version != 0 && version != e.Version {
			return ce.Conflict("webhook endpoint %s is at version %d, not %d: read it again", id, e.Version, version)
		}
		wasEnabled := e.Enabled
		if err := fn(e); err != nil {
			return err
		}
		e.UpdatedAt = s.now()
		if err := tx.WebhookEndpoints().Update(ctx, e); err != nil {
			return txretry.Stale(err)
		}
		if !wasEnabled && e.Enabled && s.notify != nil {
			tx.AfterCommit(s.notify)
		}
		out = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteEndpoint removes the organization's endpoint with the id, with
// its delivery log. It returns ErrNotFound if there is no such endpoint.
func (s *Service) DeleteEndpoint(ctx context.Context, orgID, id string) error {
	return s.store.WebhookEndpoints().Delete(ctx, orgID, id)
}

// RotateSecret gives the organization's endpoint a new secret and returns
// the endpoint with it in Secret: show it now, for it is never shown
// again. The previous secret keeps signing deliveries until
// PreviousSecretExpiresAt, Options.RotationOverlap from now (see
// completeevent.WebhookEndpoint.Secrets); a secret that was still
// overlapping from an earlier rotation stops at once. It returns
// ErrNotFound if there is no such endpoint.
func (s *Service) RotateSecret(ctx context.Context, orgID, id string) (*ce.WebhookEndpoint, error) {
	return s.change(ctx, orgID, id, 0, func(e *ce.WebhookEndpoint) error {
		e.PreviousSecret, e.PreviousSecretExpiresAt = "", time.Time{}
		if s.overlap > 0 {
			e.PreviousSecret, e.PreviousSecretExpiresAt = e.Secret, s.now().Add(s.overlap)
		}
		e.Secret = webhook.NewSecret()
		return nil
	})
}

// SendTest delivers a ping to the organization's endpoint at once, enabled
// or not, and returns the attempt: status code, timings, error class and
// message, response excerpt. The attempt is logged like any other, under
// a delivery of its own; a 410 Gone disables the endpoint. It returns
// ErrNotFound if there is no such endpoint, and an error only if the
// attempt could not be stored, after trying again with backoff until ctx
// ends or the delivery's lease (DefaultLease) would: a failed attempt is
// a result, not an error.
func (s *Service) SendTest(ctx context.Context, orgID, endpointID string) (*ce.WebhookAttempt, error) {
	data, err := json.Marshal(webhook.Ping{EndpointID: endpointID})
	if err != nil {
		return nil, fmt.Errorf("outbox: encode ping: %w", err)
	}
	now := s.now()
	m := &ce.WebhookMessage{
		ID:             ce.NewID(ce.PrefixWebhookMessage, now),
		OrganizationID: orgID,
		EventType:      webhook.EventTypePing,
		Data:           data,
		CreatedAt:      now,
	}
	// Claimed from the start, so no worker sends it too; if this process
	// dies before recording it, the lease expires and a worker does.
	c, err := s.store.WebhookDeliveries().PublishClaimed(ctx, m, endpointID, DefaultLease, "send-test")
	if err != nil {
		return nil, err
	}
	o, _ := s.deliver(ctx, &c, RetryPolicy{})
	// Tried again while the lease lasts and the caller waits: an
	// unrecorded ping is sent again by a worker when the lease ends.
	if err := s.finishRetrying(ctx, c.Delivery.NextAttemptAt, []storage.Outcome{o}); err != nil {
		return nil, err
	}
	return &o.Attempt, nil
}

// DeliveryList is one page of an endpoint's delivery log.
type DeliveryList struct {
	// Deliveries are newest first, each with its attempts.
	Deliveries []*ce.WebhookDelivery
	// Next is the cursor of the following page, to pass as
	// storage.DeliveryFilter.After, or empty if this is the last page.
	Next string
}

// ListDeliveries returns one page of the delivery log of the
// organization's endpoint, newest first. f.Limit is capped as
// storage.PageLimit says. It returns ErrNotFound if there is no such
// endpoint, and ErrInvalid naming "after" for a cursor that is not one of
// the endpoint's deliveries.
func (s *Service) ListDeliveries(ctx context.Context, orgID, endpointID string, f storage.DeliveryFilter) (*DeliveryList, error) {
	if _, err := s.store.WebhookEndpoints().Get(ctx, orgID, endpointID); err != nil {
		return nil, err
	}
	deliveries, err := s.store.WebhookDeliveries().List(ctx, orgID, endpointID, f)
	if errors.Is(err, ce.ErrNotFound) && f.After != "" {
		return nil, ce.Invalid("after", "is not a cursor of this listing")
	}
	if err != nil {
		return nil, err
	}
	list := &DeliveryList{Deliveries: deliveries}
	if len(deliveries) == storage.PageLimit(f.Limit) {
		last := deliveries[len(deliveries)-1].ID
		more, err := s.store.WebhookDeliveries().List(ctx, orgID, endpointID, storage.DeliveryFilter{After: last, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(more) > 0 {
			list.Next = last
		}
	}
	return list, nil
}

// GetDelivery returns the organization's delivery with the id, with its
// attempts, or ErrNotFound.
func (s *Service) GetDelivery(ctx context.Context, orgID, id string) (*ce.WebhookDelivery, error) {
	return s.store.WebhookDeliveries().Get(ctx, orgID, id)
}

// Resend makes the organization's delivery with the id due at once,
// whatever its status, and returns it: a worker sends its message again
// with the same message id (X-CompleteEvent-Id) and a new timestamp and
// signature. The retry policy then counts every attempt of the delivery.
// It returns ErrNotFound if there is no such delivery.
func (s *Service) Resend(ctx context.Context, orgID, id string) (*ce.WebhookDelivery, error) {
	var out *ce.WebhookDelivery
	err := s.store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		var err error
		if out, err = tx.WebhookDeliveries().Resend(ctx, orgID, id, s.now()); err != nil {
			return err
		}
		if s.notify != nil {
			tx.AfterCommit(s.notify)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
