package storage

import (
	"context"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// WebhookEndpoints stores the organizations' webhook endpoints, secrets
// included: a record always carries them, and it is for the caller not to
// show them.
type WebhookEndpoints interface {
	// Create stores a new endpoint with Version 1. It returns ErrNotFound
	// if its organization does not exist, and ErrConflict if the id
	// exists. Its event types are non-empty and hold no comma (adapters
	// may keep them as delimited text); their order round-trips.
	Create(ctx context.Context, e *ce.WebhookEndpoint) error
	// Get returns the organization's endpoint with the id, or ErrNotFound.
	Get(ctx context.Context, organizationID, id string) (*ce.WebhookEndpoint, error)
	// List returns all the organization's endpoints ordered by CreatedAt,
	// then by id.
	List(ctx context.Context, organizationID string) ([]*ce.WebhookEndpoint, error)
	// Update replaces the stored endpoint of e's organization and id with
	// e and increments its Version. It returns ErrNotFound if there is no
	// such endpoint and ErrConflict if e.Version is not the stored
	// version. OrganizationID and CreatedAt are never changed. Enabling an
	// endpoint makes its pending deliveries claimable again.
	Update(ctx context.Context, e *ce.WebhookEndpoint) error
	// Disable turns the organization's endpoint off, whatever its
	// version: Enabled false, DisabledReason reason, UpdatedAt at, Version
	// incremented. A delivery worker calls it when the endpoint answers
	// 410 Gone. It returns ErrNotFound if there is no such endpoint.
	Disable(ctx context.Context, organizationID, id, reason string, at time.Time) error
	// Delete removes the organization's endpoint with the id together
	// with its deliveries and their attempts, or returns ErrNotFound.
	Delete(ctx context.Context, organizationID, id string) error
}

// WebhookDeliveries is the transactional outbox of webhook messages and
// the delivery log.
//
// A message is published inside the transaction of the domain change it
// reports (Publish, called by a webhook.Dispatcher), so that a committed
// change is never without its deliveries and a rolled-back one never has
// any. Delivery workers, in any number of processes sharing the database,
// then take due deliveries with Claim, which leases each to one worker:
// until the lease expires no other Claim returns it, so no two workers
// send it at once; a worker that dies leaves its leases to expire, and the
// deliveries are claimed again. Finish records attempts and their
// outcomes, in batches.
//
// A pending delivery is due when its NextAttemptAt is not after the time
// the caller passes as now. Claiming sets NextAttemptAt to the end of the
// lease, so an unfinished delivery becomes due again exactly when its
// lease expires. Only deliveries to enabled endpoints are claimed; those
// of a disabled endpoint wait until it is enabled again.
type WebhookDeliveries interface {
	// Publish stores m and one pending delivery of it, due at
	// m.CreatedAt, to each enabled endpoint of m's organization that is
	// subscribed to m.EventType at that moment, and returns those
	// deliveries ordered by endpoint id. If no endpoint is subscribed, it
	// stores nothing and returns an empty list. m.Data is stored as is,
	// byte for byte. It returns ErrConflict if m's id exists. Call it in
	// the transaction of the change m reports.
	Publish(ctx context.Context, m *ce.WebhookMessage) ([]*ce.WebhookDelivery, error)
	// PublishClaimed stores m and one delivery of it to the organization's
	// endpoint endpointID, whatever the endpoint subscribes to and even
	// if it is disabled, already claimed by worker until m.CreatedAt plus
	// lease, and returns it as Claim would: for sending at once, as "Send
	// test" does. If the sender never finishes it, the lease expires and
	// a worker delivers it. It returns ErrNotFound if the organization has
	// no such endpoint and ErrConflict if m's id exists.
	PublishClaimed(ctx context.Context, m *ce.WebhookMessage, endpointID string, lease time.Duration, worker string) (ClaimedDelivery, error)
	// Claim leases at most limit due deliveries to enabled endpoints
	// not listed in exclude (a worker's busy ones) to worker until now
	// plus lease, taking them in order of NextAttemptAt, then id, and
	// returns them, each with its message and its endpoint, in no
	// particular order. A delivery it returns is returned by no other Claim, of this
	// or any other process, before its lease expires, unless it is resent
	// meanwhile. Concurrent claimers never wait for each other's
	// deliveries: each takes the next due ones that are not being taken.
	// A limit of zero or less claims nothing.
	Claim(ctx context.Context, now time.Time, lease time.Duration, limit int, worker string, exclude ...string) ([]ClaimedDelivery, error)
	// Finish records the outcomes of attempts, in one transaction. It logs
	// each outcome's Attempt under its delivery if the delivery still
	// exists, even if the lease is no longer the delivery's latest (the
	// request was sent all the same). For each delivery whose latest lease
	// is the outcome's, it then increments AttemptCount, sets Status, sets
	// NextAttemptAt (zero unless pending) and UpdatedAt to now, and ends
	// the lease; other deliveries are left as they are, to the worker that
	// holds them now. Adapters write a batch in a few statements, not a
	// few per outcome: workers finish hundreds of deliveries per second.
	Finish(ctx context.Context, now time.Time, outcomes []Outcome) error
	// Release ends leases without an attempt, for deliveries a worker
	// claimed but will not send: each delivery still under the lease is
	// due again at now, with nothing else changed. Deliveries under a
	// later lease, or gone, are left as they are.
	Release(ctx context.Context, now time.Time, leases []Lease) error
	// Get returns the organization's delivery with the id, with its
	// attempts oldest first, or ErrNotFound.
	Get(ctx context.Context, organizationID, id string) (*ce.WebhookDelivery, error)
	// List returns the deliveries to the organization's endpoint, newest
	// first (by CreatedAt, then id, descending), each with its attempts
	// oldest first, at most PageLimit(f.Limit) of them. It returns
	// ErrNotFound if the organization has no such endpoint.
	List(ctx context.Context, organizationID, endpointID string, f DeliveryFilter) ([]*ce.WebhookDelivery, error)
	// Resend makes the organization's delivery with the id pending and
	// due at now, with its message (and so its message id) unchanged, and
	// returns it as Get does. A lease held on it ends: the worker holding
	// it can no longer finish it. It returns ErrNotFound if there is no
	// such delivery.
	Resend(ctx context.Context, organizationID, id string, now time.Time) (*ce.WebhookDelivery, error)
}

// DeliveryFilter pages the deliveries WebhookDeliveries.List returns.
type DeliveryFilter struct {
	// After, if set, is the id of the last delivery of the previous page:
	// the listing continues after it. An id of another endpoint or of no
	// delivery is ErrNotFound.
	After string
	// Limit is the page size; see PageLimit.
	Limit int
}

// Lease names one claim of a delivery: Finish and Release act on the
// delivery only while that claim is its latest.
type Lease struct {
	DeliveryID string
	// Seq tells the claims of one delivery apart.
	Seq int64
}

// ClaimedDelivery is a delivery leased to a worker, with what sending it
// takes.
type ClaimedDelivery struct {
	Lease Lease
	// Delivery is pending; its NextAttemptAt is when the lease expires
	// and its LeasedBy the worker. Attempts is nil.
	Delivery ce.WebhookDelivery
	// Message is the delivery's message.
	Message ce.WebhookMessage
	// Endpoint holds what sending needs of the delivery's endpoint, as it
	// is at the claim: ID, OrganizationID, URL, Enabled, Secret,
	// PreviousSecret, PreviousSecretExpiresAt and Timeout.
	Endpoint ce.WebhookEndpoint
}

// Outcome is the result of one attempt of a claimed delivery, for
// WebhookDeliveries.Finish.
type Outcome struct {
	Lease Lease
	// Attempt is the log of the request; its DeliveryID must be the
	// lease's.
	Attempt ce.WebhookAttempt
	// Status is DeliverySucceeded, DeliveryFailed (for good), or
	// DeliveryPending to try again at NextAttemptAt.
	Status        ce.DeliveryStatus
	NextAttemptAt time.Time
}
