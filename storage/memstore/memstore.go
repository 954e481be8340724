package memstore

import (
	"context"
	"errors"
	"sync"

	"github.com/completeevent/completeevent-go/storage"
)

// Store keeps every record in memory. The zero value is not usable; call New.
// Store is safe for concurrent use. A function run by RunInTx must use the
// Tx it is given, never the Store itself, or it waits for itself forever.
type Store struct {
	mu     sync.Mutex
	closed bool
	data   data
}

var _ storage.Store = (*Store)(nil)

// errClosed is returned by every call after Close.
var errClosed = errors.New("memstore: store is closed")

// New returns an empty store.
func New() *Store {
	return &Store{data: newData()}
}

// Organizations returns the organization repository, outside any transaction.
func (s *Store) Organizations() storage.Organizations { return organizations{s.autocommit()} }

// APIKeys returns the API key repository, outside any transaction.
func (s *Store) APIKeys() storage.APIKeys { return apiKeys{s.autocommit()} }

// Events returns the event repository, outside any transaction.
func (s *Store) Events() storage.Events { return events{s.autocommit()} }

// Tiers returns the tier repository, outside any transaction.
func (s *Store) Tiers() storage.Tiers { return tiers{s.autocommit()} }

// WebhookEndpoints returns the webhook endpoint repository, outside any
// transaction.
func (s *Store) WebhookEndpoints() storage.WebhookEndpoints {
	return webhookEndpoints{s.autocommit()}
}

// WebhookDeliveries returns the webhook outbox and delivery log, outside
// any transaction.
func (s *Store) WebhookDeliveries() storage.WebhookDeliveries {
	return webhookDeliveries{s.autocommit()}
}

// Registrations returns the registration repository, outside any
// transaction.
func (s *Store) Registrations() storage.Registrations { return registrations{s.autocommit()} }

// Emails returns the e-mail outbox, outside any transaction.
func (s *Store) Emails() storage.Emails { return emails{s.autocommit()} }

// AuctionItems returns the auction item and bid repository, outside any
// transaction.
func (s *Store) AuctionItems() storage.AuctionItems { return auctionItems{s.autocommit()} }

// PaymentEvents returns the record of processed payment events, outside
// any transaction.
func (s *Store) PaymentEvents() storage.PaymentEvents { return paymentEvents{s.autocommit()} }

// RunInTx runs fn with the store locked and undoes its writes if it returns
// an error or panics. After a commit it runs the functions registered with
// AfterCommit, with the store unlocked. See storage.Store.
func (s *Store) RunInTx(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) error {
	t, err := s.runInTx(ctx, fn)
	if err != nil {
		return err
	}
	for _, f := range t.afterCommit {
		f()
	}
	return nil
}

// runInTx runs fn in a transaction under the store's lock and returns the
// committed transaction.
func (s *Store) runInTx(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) (*txn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	t := &txn{store: s}
	done := false
	defer func() {
		if !done {
			t.rollback()
		}
	}()
	if err := fn(storage.ContextWithTx(ctx, t), t); err != nil {
		return nil, err
	}
	t.closed = true
	done = true
	return t, nil
}

// Close makes every later call fail. It never fails itself.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// session is what a repository call works in: the store's lock and, inside
// a transaction, the undo log.
type session interface {
	// do runs f with the data locked and writes recorded for undo; f
	// gets a nil undo outside a transaction, where there is nothing to
	// undo.
	do(ctx context.Context, f func(d *data, undo func(func())) error) error
}

// autocommitSession runs each call alone under the store's lock.
type autocommitSession struct{ store *Store }

func (s *Store) autocommit() session { return autocommitSession{s} }

func (a autocommitSession) do(ctx context.Context, f func(*data, func(func())) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.store.mu.Lock()
	defer a.store.mu.Unlock()
	if a.store.closed {
		return errClosed
	}
	// A single call either fails before it writes or succeeds: nothing to
	// undo, and no undo closures to allocate.
	return f(&a.store.data, nil)
}

// txn is an open transaction; the store's lock is held by RunInTx.
type txn struct {
	store       *Store
	undo        []func()
	afterCommit []func()
	closed      bool
}

var _ storage.Tx = (*txn)(nil)

func (t *txn) Organizations() storage.Organizations { return organizations{t} }
func (t *txn) APIKeys() storage.APIKeys             { return apiKeys{t} }
func (t *txn) Events() storage.Events               { return events{t} }
func (t *txn) Tiers() storage.Tiers                 { return tiers{t} }
func (t *txn) WebhookEndpoints() storage.WebhookEndpoints {
	return webhookEndpoints{t}
}
func (t *txn) WebhookDeliveries() storage.WebhookDeliveries {
	return webhookDeliveries{t}
}
func (t *txn) Registrations() storage.Registrations { return registrations{t} }
func (t *txn) Emails() storage.Emails               { return emails{t} }
func (t *txn) AuctionItems() storage.AuctionItems   { return auctionItems{t} }
func (t *txn) PaymentEvents() storage.PaymentEvents { return paymentEvents{t} }

// AfterCommit registers fn to run after the transaction commits.
func (t *txn) AfterCommit(fn func()) { t.afterCommit = append(t.afterCommit, fn) }

var errTxDone = errors.New("memstore: transaction has already been committed or rolled back")

func (t *txn) do(ctx context.Context, f func(*data, func(func())) error) error {
	if t.closed {
		return errTxDone
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return f(&t.store.data, func(u func()) { t.undo = append(t.undo, u) })
}

func (t *txn) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
	t.closed = true
}
