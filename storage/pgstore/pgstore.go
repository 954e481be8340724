package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/driver/pgdriver"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/bunstore"
	"github.com/completeevent/completeevent-go/storage"
)

// Options tunes Open. The zero value, like a nil *Options, means the
// defaults.
type Options struct {
	// MaxOpenConns caps the connections to the database; callers wait
	// for a free one. Defaults to 4 × GOMAXPROCS.
	MaxOpenConns int
}

// Store keeps the records in a PostgreSQL database. A store made by Open,
// or by New on a *bun.DB, is safe for concurrent use; one made by New on a
// bun.Tx is as safe as that transaction, that is, for one goroutine.
type Store struct {
	store *bunstore.Store
}

var _ storage.Store = (*Store)(nil)

// Open connects to the PostgreSQL database of dsn, a URL such as
// "postgres://user:password@localhost:5432/dbname?sslmode=disable" in the
// syntax of pgdriver, and migrates its schema to the latest version. A nil
// opts means the defaults. Close the store when done.
func Open(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	connector, err := newConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	sqldb := sql.OpenDB(connector)
	conns := opts.MaxOpenConns
	if conns <= 0 {
		conns = 4 * runtime.GOMAXPROCS(0)
	}
	sqldb.SetMaxOpenConns(conns)
	sqldb.SetMaxIdleConns(conns)
	db := bun.NewDB(sqldb, pgdialect.New())
	if err := bunstore.Migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("pgstore: open: %w", err)
	}
	return &Store{store: newStore(db, db.Close)}, nil
}

// newConnector returns pgdriver's connector for dsn. pgdriver panics on a
// malformed DSN; newConnector returns that as an error instead.
func newConnector(dsn string) (c *pgdriver.Connector, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("invalid dsn: %v", r)
		}
	}()
	return pgdriver.NewConnector(pgdriver.WithDSN(dsn)), nil
}

// New returns a store that works through db, which must use
// pgdialect and hold the migrated schema (Open or Migrate made it): a
// *bun.DB the caller opened, or a bun.Tx of one, to write the store's
// records in the caller's transaction. On a bun.Tx, the store's RunInTx
// runs in a savepoint of that transaction, and nothing is committed until
// the caller commits it. Close does not close db.
func New(db bun.IDB) *Store {
	return &Store{store: newStore(db, nil)}
}

func newStore(db bun.IDB, closeDB func() error) *bunstore.Store {
	return bunstore.New(db, bunstore.Config{Name: "pgstore", Classify: classify, Close: closeDB})
}

// Migrate brings the schema in db, which must use pgdialect, to the latest
// version. Open does it; call Migrate once before using New on a database
// that Open never saw. Concurrent migrations, from any number of
// processes, queue on an advisory lock: only the first one changes the
// schema. On a bun.Tx the lock is held until the transaction ends.
func Migrate(ctx context.Context, db bun.IDB) error {
	if err := bunstore.Migrate(ctx, db); err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	return nil
}

// classify recognizes the PostgreSQL errors of the contract's kinds by
// their SQLSTATE: unique violations, and the serialization failures and
// deadlocks that a retry resolves, are conflicts; foreign key violations
// mean the referenced record is missing.
func classify(err error) error {
	var e pgdriver.Error
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Field('C') {
	case "23505", "40001", "40P01":
		return ce.ErrConflict
	case "23503":
		return ce.ErrNotFound
	}
	return nil
}

// Organizations returns the organization repository, outside any
// transaction of the store's own.
func (s *Store) Organizations() storage.Organizations { return s.store.Organizations() }

// APIKeys returns the API key repository, outside any transaction of the
// store's own.
func (s *Store) APIKeys() storage.APIKeys { return s.store.APIKeys() }

// Events returns the event repository, outside any transaction of the
// store's own.
func (s *Store) Events() storage.Events { return s.store.Events() }

// Tiers returns the tier repository, outside any transaction of the
// store's own.
func (s *Store) Tiers() storage.Tiers { return s.store.Tiers() }

// WebhookEndpoints returns the webhook endpoint repository, outside any
// transaction of the store's own.
func (s *Store) WebhookEndpoints() storage.WebhookEndpoints { return s.store.WebhookEndpoints() }

// WebhookDeliveries returns the webhook outbox and delivery log, outside
// any transaction of the store's own. Its Claim locks the rows it takes
// with FOR UPDATE SKIP LOCKED, so any number of server instances share
// one queue.
func (s *Store) WebhookDeliveries() storage.WebhookDeliveries { return s.store.WebhookDeliveries() }

// Registrations returns the registration repository, outside any
// transaction of the store's own. Its writes take seats with a
// conditional update of a counter row per tier and event, which
// concurrent transactions wait for, so no server instance oversells.
func (s *Store) Registrations() storage.Registrations { return s.store.Registrations() }

// Emails returns the e-mail outbox, outside any transaction of the
// store's own. Its Claim locks the rows it takes with FOR UPDATE SKIP
// LOCKED, so any number of server instances share one queue.
func (s *Store) Emails() storage.Emails { return s.store.Emails() }

// AuctionItems returns the auction item and bid repository, outside any
// transaction of the store's own.
func (s *Store) AuctionItems() storage.AuctionItems { return s.store.AuctionItems() }

// PaymentEvents returns the record of processed payment events, outside
// any transaction of the store's own.
func (s *Store) PaymentEvents() storage.PaymentEvents { return s.store.PaymentEvents() }

// RunInTx runs fn in one transaction; see storage.Store. On a store made
// by New on a bun.Tx, the transaction is a savepoint of the caller's.
func (s *Store) RunInTx(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) error {
	return s.store.RunInTx(ctx, fn)
}

// Close closes the database if Open opened it, and makes every later call
// fail.
func (s *Store) Close() error { return s.store.Close() }

// DB returns the bun.IDB the store works through: the *bun.DB that Open
// opened, or the one given to New. Begin a transaction on it and pass the
// transaction to New to write the store's records together with the
// caller's own.
func (s *Store) DB() bun.IDB { return s.store.DB() }
