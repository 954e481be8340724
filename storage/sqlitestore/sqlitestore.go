package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/bunstore"
	"github.com/completeevent/completeevent-go/storage"
)

// Options tunes Open. The zero value, like a nil *Options, means the
// defaults.
type Options struct {
	// BusyTimeout is how long a write waits for its turn, while other
	// writers of the file hold SQLite's write lock, before it fails.
	// Defaults to 10 seconds.
	BusyTimeout time.Duration
}

const defaultBusyTimeout = 10 * time.Second

// Store keeps the records in one SQLite file. It is safe for concurrent
// use. A function run by RunInTx must use the Tx it is given, not the
// Store: a write through the Store waits for the transaction to end, and
// fails after Options.BusyTimeout.
type Store struct {
	db    *bun.DB
	store *bunstore.Store
}

var _ storage.Store = (*Store)(nil)

// Open opens the SQLite database file at path, creating it if it does not
// exist, and migrates its schema to the latest version. A nil opts means
// the defaults. Close the store when done.
func Open(ctx context.Context, path string, opts *Options) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlitestore: open: empty path")
	}
	busyTimeout := defaultBusyTimeout
	if opts != nil && opts.BusyTimeout > 0 {
		busyTimeout = opts.BusyTimeout
	}
	sqldb, err := sql.Open("sqlite", dsn(path, busyTimeout))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	db := bun.NewDB(sqldb, sqlitedialect.New())
	if err := bunstore.Migrate(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	return &Store{
		db: db,
		store: bunstore.New(db, bunstore.Config{
			Name:            "sqlitestore",
			Classify:        classify,
			Close:           db.Close,
			SerializeWrites: true,
			WriteWait:       busyTimeout,
		}),
	}, nil
}

// dsn returns the modernc.org/sqlite data source name of the file at path
// with the connection settings: WAL, foreign keys, the busy timeout, and
// write transactions that take the write lock when they begin.
func dsn(path string, busyTimeout time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: filepath.ToSlash(path)}).EscapedPath(), RawQuery: q.Encode()}
	return u.String()
}

// classify recognizes the constraint violations of modernc.org/sqlite,
// which reports extended result codes.
func classify(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return nil
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return ce.ErrConflict
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return ce.ErrNotFound
	}
	return nil
}

// Organizations returns the organization repository, outside any
// transaction.
func (s *Store) Organizations() storage.Organizations { return s.store.Organizations() }

// APIKeys returns the API key repository, outside any transaction.
func (s *Store) APIKeys() storage.APIKeys { return s.store.APIKeys() }

// Events returns the event repository, outside any transaction.
func (s *Store) Events() storage.Events { return s.store.Events() }

// Tiers returns the tier repository, outside any transaction.
func (s *Store) Tiers() storage.Tiers { return s.store.Tiers() }

// WebhookEndpoints returns the webhook endpoint repository, outside any
// transaction.
func (s *Store) WebhookEndpoints() storage.WebhookEndpoints { return s.store.WebhookEndpoints() }

// WebhookDeliveries returns the webhook outbox and delivery log, outside
// any transaction.
func (s *Store) WebhookDeliveries() storage.WebhookDeliveries { return s.store.WebhookDeliveries() }

// Registrations returns the registration repository, outside any
// transaction.
func (s *Store) Registrations() storage.Registrations { return s.store.Registrations() }

// Emails returns the e-mail outbox, outside any transaction.
func (s *Store) Emails() storage.Emails { return s.store.Emails() }

// AuctionItems returns the auction item and bid repository, outside any
// transaction.
func (s *Store) AuctionItems() storage.AuctionItems { return s.store.AuctionItems() }

// PaymentEvents returns the record of processed payment events, outside
// any transaction.
func (s *Store) PaymentEvents() storage.PaymentEvents { return s.store.PaymentEvents() }

// RunInTx runs fn in one write transaction; see storage.Store. The
// transaction holds SQLite's write lock from its start, so other writers
// wait for it, at most Options.BusyTimeout.
func (s *Store) RunInTx(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) error {
	return s.store.RunInTx(ctx, fn)
}

// Close closes the database. Calls after Close fail.
func (s *Store) Close() error { return s.store.Close() }

// DB returns the bun database the store works on, for inspection and
// for tables of the caller's own; the store's tables are prefixed "ce_".
func (s *Store) DB() *bun.DB { return s.db }
