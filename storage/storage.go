package storage

import (
	"context"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// Store is a database of CompleteEvent records. Its repositories work
// outside any transaction, each call on its own; RunInTx groups calls into
// one transaction.
type Store interface {
	Repositories

	// RunInTx runs fn in one transaction and commits it if fn returns nil.
	// If fn returns an error or panics, the transaction is rolled back and
	// the error returned (the panic re-raised). The context given to fn
	// carries the transaction; see TxFromContext. An error from committing
	// is returned as is when it matches a kind (a conflict found at commit
	// time is ErrConflict), otherwise wrapped.
	RunInTx(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error

	// Close releases the store's resources. Calls after Close fail.
	Close() error
}

// Tx is an open transaction: the same repositories, all of whose writes are
// committed or rolled back together. A Tx is valid only while the function
// it was given to runs, and only on that function's goroutine.
type Tx interface {
	Repositories

	// AfterCommit registers fn to run once the transaction has committed,
	// after its writes are visible to other transactions and before
	// RunInTx returns, on the goroutine that called RunInTx; functions
	// run in the order they were registered. If the transaction rolls
	// back, they never run. fn must not block: a webhook dispatcher uses
	// it to wake the local delivery worker at once.
	AfterCommit(fn func())
}

// Repositories gives access to each kind of record.
type Repositories interface {
	Organizations() Organizations
	APIKeys() APIKeys
	Events() Events
	Tiers() Tiers
	WebhookEndpoints() WebhookEndpoints
	WebhookDeliveries() WebhookDeliveries
	Registrations() Registrations
	Emails() Emails
	AuctionItems() AuctionItems
	PaymentEvents() PaymentEvents
}

type txKey struct{}

// ContextWithTx returns a copy of ctx that carries tx. Adapters call it in
// RunInTx for the context they pass on.
func ContextWithTx(ctx context.Context, tx Tx) context.Context {
	return context.WithValue(ctx, txKey{}, tx)
}

// TxFromContext returns the transaction ctx carries, if any.
func TxFromContext(ctx context.Context) (Tx, bool) {
	tx, ok := ctx.Value(txKey{}).(Tx)
	return tx, ok
}

// Organizations stores organizations.
type Organizations interface {
	// Create stores a new organization. It returns ErrConflict if the id
	// exists.
	Create(ctx context.Context, org *ce.Organization) error
	// Get returns the organization with the id, or ErrNotFound.
	Get(ctx context.Context, id string) (*ce.Organization, error)
	// Count returns the number of organizations.
	Count(ctx context.Context) (int, error)
}

// APIKeys stores the hashes of API keys.
type APIKeys interface {
	// Create stores a new key. It returns ErrNotFound if its organization
	// does not exist, and ErrConflict if the id or the hash exists.
	Create(ctx context.Context, key *ce.APIKey) error
	// GetByHash returns the key with the hash, or ErrNotFound.
	GetByHash(ctx context.Context, hash string) (*ce.APIKey, error)
	// List returns the organization's keys, oldest first.
	List(ctx context.Context, organizationID string) ([]*ce.APIKey, error)
	// Delete removes the organization's key with the id, or returns
	// ErrNotFound.
	Delete(ctx context.Context, organizationID, id string) error
}

// EventFilter selects and pages the events List returns.
type EventFilter struct {
	// Status, if set, keeps only events with that status.
	Status ce.EventStatus
	// SeriesID, if set, keeps only the events of that recurring series:
	// those whose SeriesID is it (the first event of a series carries its
	// own id).
	SeriesID string
	// After, if set, is the id of the last event of the previous page:
	// the listing continues after it. An id of another organization or of
	// no event is ErrNotFound.
	After string
	// Limit is the page size; see PageLimit.
	Limit int
}

// Events stores events, each in its organization.
type Events interface {
	// Create stores a new event with Version 1. It returns ErrNotFound if
	// its organization does not exist and ErrConflict if the id exists.
	Create(ctx context.Context, e *ce.Event) error
	// CreateMany stores new events like Create, all or none: if one of
	// them cannot be stored, none is, and the error is the one Create
	// would return for it (an id given twice in events is ErrConflict).
	// An empty list stores nothing. Adapters write the records in as few
	// statements as the database allows, not one per record: a recurring
	// series creates hundreds at once.
	CreateMany(ctx context.Context, events []*ce.Event) error
	// Get returns the organization's event with the id, or ErrNotFound.
	Get(ctx context.Context, organizationID, id string) (*ce.Event, error)
	// Lookup returns the event with the id, of whichever organization, or
	// ErrNotFound: for public pages, which name an event by its id alone.
	Lookup(ctx context.Context, id string) (*ce.Event, error)
	// List returns the organization's events ordered by StartsAt, then by
	// id, at most PageLimit(f.Limit) of them.
	List(ctx context.Context, organizationID string, f EventFilter) ([]*ce.Event, error)
	// Update replaces the stored event of e's organization and id with e
	// and increments its Version. It returns ErrNotFound if there is no
	// such event and ErrConflict if e.Version is not the stored version.
	// OrganizationID and CreatedAt are never changed.
	Update(ctx context.Context, e *ce.Event) error
}

// Tiers stores ticket tiers, each in its event.
type Tiers interface {
	// Create stores a new tier with Version 1. It returns ErrNotFound if
	// its event does not exist in its organization, and ErrConflict if
	// the id exists or the event has a tier of the same name.
	Create(ctx context.Context, t *ce.Tier) error
	// CreateMany stores new tiers like Create, all or none: if one of them
	// cannot be stored, none is, and the error is the one Create would
	// return for it (an id, or a name within one event, given twice in
	// tiers is ErrConflict). An empty list stores nothing. Adapters write
	// the records in as few statements as the database allows, not one
	// per record: a duplicated event copies hundreds of tiers at once.
	CreateMany(ctx context.Context, tiers []*ce.Tier) error
	// Get returns the organization's tier with the id, or ErrNotFound.
	Get(ctx context.Context, organizationID, id string) (*ce.Tier, error)
	// ListByEvent returns the tiers of the organization's event ordered by
	// Position, then by id; an empty list for an event with no tiers or
	// that does not exist.
	ListByEvent(ctx context.Context, organizationID, eventID string) ([]*ce.Tier, error)
	// CountByEvents returns the number of tiers of each of the
	// organization's events with the ids, in one query. Events without
	// tiers, of another organization or that do not exist are absent from
	// the map; an empty list of ids gives an empty map.
	CountByEvents(ctx context.Context, organizationID string, eventIDs []string) (map[string]int, error)
	// Update replaces the stored tier of t's organization and id with t
	// and increments its Version. It returns ErrNotFound if there is no
	// such tier, and ErrConflict if t.Version is not the stored version or
	// another tier of the event has the name. EventID, OrganizationID and
	// CreatedAt are never changed.
	Update(ctx context.Context, t *ce.Tier) error
	// Delete removes the organization's tier with the id. It returns
	// ErrNotFound if there is no such tier, and ErrConflict if the tier
	// has registrations, cancelled ones included.
	Delete(ctx context.Context, organizationID, id string) error
}

// The page sizes of listings.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

// PageLimit returns the page size for a requested limit: DefaultPageLimit
// for zero or less, at most MaxPageLimit.
func PageLimit(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPageLimit
	case limit > MaxPageLimit:
		return MaxPageLimit
	}
	return limit
}
