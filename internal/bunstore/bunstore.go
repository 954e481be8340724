package bunstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// Config is what differs between the adapters.
type Config struct {
	// Name is the adapter's package name, the prefix of its error
	// messages, e.g. "sqlitestore".
	Name string
	// Classify returns completeevent.ErrConflict if err, from the driver,
	// reports a unique or primary key violation, completeevent.ErrNotFound
	// if it reports a foreign key violation, and nil otherwise.
	Classify func(err error) error
	// Close, if set, releases what the adapter opened; Store.Close calls
	// it once.
	Close func() error
	// SerializeWrites makes the store's transactions and its writes
	// outside transactions take turns in the process instead of in the
	// database. For SQLite, which has one writer at a time and whose busy
	// handler polls with sleeps of up to 100 ms, this keeps concurrent
	// writers as fast as sequential ones.
	SerializeWrites bool
	// WriteWait is how long a writer waits for its turn, with
	// SerializeWrites, before it fails.
	WriteWait time.Duration
}

// Store implements storage.Store on a bun.IDB. It is safe for concurrent
// use if its bun.IDB is (a *bun.DB is, a bun.Tx is not).
type Store struct {
	repos
}

var _ storage.Store = (*Store)(nil)

// shared is what a store and the transactions it runs have in common.
type shared struct {
	cfg    Config
	closed atomic.Bool
	// writer holds a token while a writer of the store has its turn, if
	// Config.SerializeWrites.
	writer chan struct{}
}

// New returns a store that works through db, which must use the
// PostgreSQL or the SQLite dialect and hold a migrated schema (Migrate).
func New(db bun.IDB, cfg Config) *Store {
	s := &shared{cfg: cfg}
	if cfg.SerializeWrites {
		s.writer = make(chan struct{}, 1)
	}
	return &Store{repos: newRepos(db, s)}
}

// RunInTx runs fn in a transaction of the store's bun.IDB (a savepoint if
// it is a transaction itself) and commits it if fn returns nil; see
// storage.Store. Errors of fn come back as they are.
//
// After a commit it runs the functions registered with AfterCommit. On a
// store whose bun.IDB is a caller's transaction, that is when the
// savepoint is released, before the caller commits.
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

// runInTx runs fn in a transaction, in the turn of a writer, and returns
// the committed transaction.
func (s *Store) runInTx(ctx context.Context, fn func(ctx context.Context, tx storage.Tx) error) (*txRepos, error) {
	release, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	var fnErr error
	t := &txRepos{}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		t.repos = newRepos(tx, s.shared)
		fnErr = fn(storage.ContextWithTx(ctx, t), t)
		return fnErr
	})
	switch {
	case fnErr != nil:
		return nil, fnErr
	case err != nil:
		return nil, s.fail(err, "run transaction", "transaction conflicts with another", "")
	}
	return t, nil
}

// txRepos is the storage.Tx of RunInTx.
type txRepos struct {
	repos
	afterCommit []func()
}

// AfterCommit registers fn to run after the transaction commits.
func (t *txRepos) AfterCommit(fn func()) { t.afterCommit = append(t.afterCommit, fn) }

// Close calls Config.Close, if set, the first time, and makes every later
// call fail.
func (s *Store) Close() error {
	if s.closed.Swap(true) || s.cfg.Close == nil {
		return nil
	}
	if err := s.cfg.Close(); err != nil {
		return fmt.Errorf("%s: close: %w", s.cfg.Name, err)
	}
	return nil
}

// DB returns the bun.IDB the store works through.
func (s *Store) DB() bun.IDB { return s.db }

// repos gives the repositories on one bun.IDB: the store's, or a
// transaction's.
type repos struct {
	db   bun.IDB
	inTx bool
	// pg says whether the database is PostgreSQL.
	pg bool
	// guard says whether to run statements that may violate a constraint
	// in a savepoint: on PostgreSQL, inside a transaction.
	guard bool
	*shared
}

func newRepos(db bun.IDB, s *shared) repos {
	_, inTx := db.(bun.Tx)
	pg := db.Dialect().Name() == dialect.PG
	return repos{db: db, inTx: inTx, pg: pg, guard: inTx && pg, shared: s}
}

// Organizations returns the organization repository.
func (r repos) Organizations() storage.Organizations { return organizations{r} }

// APIKeys returns the API key repository.
func (r repos) APIKeys() storage.APIKeys { return apiKeys{r} }

// Events returns the event repository.
func (r repos) Events() storage.Events { return events{r} }

// Tiers returns the tier repository.
func (r repos) Tiers() storage.Tiers { return tiers{r} }

// WebhookEndpoints returns the webhook endpoint repository.
func (r repos) WebhookEndpoints() storage.WebhookEndpoints { return webhookEndpoints{r} }

// WebhookDeliveries returns the webhook outbox and delivery log.
func (r repos) WebhookDeliveries() storage.WebhookDeliveries { return webhookDeliveries{r} }

// Registrations returns the registration repository.
func (r repos) Registrations() storage.Registrations { return registrations{r} }

// Emails returns the e-mail outbox.
func (r repos) Emails() storage.Emails { return emails{r} }

// AuctionItems returns the auction item and bid repository.
func (r repos) AuctionItems() storage.AuctionItems { return auctionItems{r} }

// PaymentEvents returns the record of processed payment events.
func (r repos) PaymentEvents() storage.PaymentEvents { return paymentEvents{r} }

// check fails once the store is closed.
func (r repos) check() error {
	if r.closed.Load() {
		return fmt.Errorf("%s: store is closed", r.cfg.Name)
	}
	return nil
}

// begin checks that the store is open and, with Config.SerializeWrites,
// waits for the turn of a writer outside a transaction (a transaction
// already has it). Call release when the write is done.
func (r repos) begin(ctx context.Context) (release func(), err error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if r.writer == nil || r.inTx {
		return func() {}, nil
	}
	select {
	case r.writer <- struct{}{}:
	default:
		timer := time.NewTimer(r.cfg.WriteWait)
		defer timer.Stop()
		select {
		case r.writer <- struct{}{}:
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: wait for other writers: %w", r.cfg.Name, ctx.Err())
		case <-timer.C:
			return nil, fmt.Errorf("%s: other writers kept the database busy for %v", r.cfg.Name, r.cfg.WriteWait)
		}
	}
	return func() { <-r.writer }, nil
}

// write runs fn, which executes a statement that may violate a constraint.
// When guarded, it runs in a savepoint, so that the violation leaves the
// enclosing PostgreSQL transaction usable.
func (r repos) write(ctx context.Context, fn func(ctx context.Context, db bun.IDB) error) error {
	if !r.guard {
		return fn(ctx, r.db)
	}
	return r.db.RunInTx(ctx, nil, func(ctx context.Context, sp bun.Tx) error {
		return fn(ctx, sp)
	})
}

// atomically runs fn on repositories of one transaction: r's own if r
// works in one, else a new one, in the turn of a writer. fn translates its
// errors; a failure to commit is wrapped with op.
func (r repos) atomically(ctx context.Context, op string, fn func(ctx context.Context, tx repos) error) error {
	if r.inTx {
		if err := r.check(); err != nil {
			return err
		}
		return fn(ctx, r)
	}
	release, err := r.begin(ctx)
	if err != nil {
		return err
	}
	defer release()
	return r.runInTx(ctx, op, fn)
}

// atomicStep runs fn, whose statements stand or fall together, on
// repositories of one transaction: in a savepoint of r's transaction, so
// that a failure undoes fn's writes and leaves the transaction usable, or
// in a transaction of its own outside one (see atomically). fn translates
// its errors; a failure of the savepoint or the commit is wrapped with op.
func (r repos) atomicStep(ctx context.Context, op string, fn func(ctx context.Context, tx repos) error) error {
	if !r.inTx {
		return r.atomically(ctx, op, fn)
	}
	if err := r.check(); err != nil {
		return err
	}
	return r.runInTx(ctx, op, fn)
}

// runInTx runs fn on repositories of a transaction begun on r.db: a
// savepoint when r.db is a transaction. fn translates its errors; a
// failure to begin or commit is wrapped with op.
func (r repos) runInTx(ctx context.Context, op string, fn func(ctx context.Context, tx repos) error) error {
	var fnErr error
	err := r.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		fnErr = fn(ctx, newRepos(tx, r.shared))
		return fnErr
	})
	switch {
	case fnErr != nil:
		return fnErr
	case err != nil:
		return r.fail(err, op, "", "")
	}
	return nil
}

// insert stores the model of a new record, translating a unique violation
// into ErrConflict with the message conflict and a foreign key violation
// into ErrNotFound with the message notFound.
func (r repos) insert(ctx context.Context, model any, op, conflict, notFound string) error {
	release, err := r.begin(ctx)
	if err != nil {
		return err
	}
	defer release()
	err = r.write(ctx, func(ctx context.Context, db bun.IDB) error {
		_, err := db.NewInsert().Model(model).Exec(ctx)
		return err
	})
	if err != nil {
		return r.fail(err, op, conflict, notFound)
	}
	return nil
}

// maxRowsPerInsert bounds the rows of one INSERT of insertMany, and so
// the length of the statement, which bun builds with the values inlined.
const maxRowsPerInsert = 500

// insertMany stores the models of new records, all or none, in one INSERT
// per maxRowsPerInsert of them, translating errors as insert does. More
// than one statement runs in a transaction: a savepoint of the caller's,
// or one of its own.
func insertMany[M any](ctx context.Context, r repos, ms []M, op, conflict, notFound string) error {
	switch {
	case len(ms) == 0:
		return r.check()
	case len(ms) <= maxRowsPerInsert:
		return r.insert(ctx, &ms, op, conflict, notFound)
	}
	release, err := r.begin(ctx)
	if err != nil {
		return err
	}
	defer release()
	err = r.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for chunk := range slices.Chunk(ms, maxRowsPerInsert) {
			if _, err := tx.NewInsert().Model(&chunk).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return r.fail(err, op, conflict, notFound)
	}
	return nil
}

// fail translates err from the statement that tried to do op: a constraint
// violation the adapter classifies becomes ErrConflict with the message
// conflict, or ErrNotFound with the message notFound; a missing row
// (sql.ErrNoRows) becomes ErrNotFound too. An empty message means the kind
// cannot happen, and anything else is wrapped with the adapter's name and
// op.
func (r repos) fail(err error, op, conflict, notFound string) error {
	kind := r.cfg.Classify(err)
	if kind == nil && errors.Is(err, sql.ErrNoRows) {
		kind = ce.ErrNotFound
	}
	switch {
	case kind == ce.ErrConflict && conflict != "":
		return ce.Conflict("%s", conflict)
	case kind == ce.ErrNotFound && notFound != "":
		return ce.NotFound("%s", notFound)
	}
	return fmt.Errorf("%s: %s: %w", r.cfg.Name, op, err)
}

// versioned names the record an update replaces: the organization's
// record of kind what with the id, expected at version.
type versioned struct {
	what, id, organizationID string
	version                  int64
}

// update replaces the record v with model, whose version is already
// incremented, leaving the columns exclude unchanged, and scans the stored
// row back into model. If v is not stored at that version, it tells
// ErrNotFound (no such record of the organization) from ErrConflict
// (another version). conflict is the message of a constraint violation,
// if the update can cause one.
func (r repos) update(ctx context.Context, model any, v versioned, conflict string, exclude ...string) error {
	release, err := r.begin(ctx)
	if err != nil {
		return err
	}
	defer release()
	op := "update " + v.what + " " + v.id
	var n int64
	err = r.write(ctx, func(ctx context.Context, db bun.IDB) error {
		res, err := db.NewUpdate().Model(model).ExcludeColumn(exclude...).
			Where("?TableAlias.id = ? AND ?TableAlias.organization_id = ? AND ?TableAlias.version = ?",
				v.id, v.organizationID, v.version).
			Returning("*").
			Exec(ctx)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	switch {
	case err != nil:
		return r.fail(err, op, conflict, "")
	case n == 1:
		return nil
	}
	var stored int64
	err = r.db.NewSelect().Model(model).Column("version").
		Where("?TableAlias.id = ? AND ?TableAlias.organization_id = ?", v.id, v.organizationID).
		Scan(ctx, &stored)
	if err != nil {
		return r.fail(err, op, "", v.what+" "+v.id+" not found")
	}
	return ce.Conflict("%s %s was changed by someone else (version %d, not %d)", v.what, v.id, stored, v.version)
}

// get reads the organization's record with the id into model, or returns
// ErrNotFound naming it what (e.g. "tier").
func (r repos) get(ctx context.Context, model any, organizationID, id, what string) error {
	if err := r.check(); err != nil {
		return err
	}
	err := r.db.NewSelect().Model(model).
		Where("?TableAlias.id = ? AND ?TableAlias.organization_id = ?", id, organizationID).
		Scan(ctx)
	if err != nil {
		return r.fail(err, "get "+what+" "+id, "", what+" "+id+" not found")
	}
	return nil
}

// delete removes the organization's record with the id from the table of
// model, or returns ErrNotFound naming it what, or ErrConflict if other
// records refer to it (a foreign key violation).
func (r repos) delete(ctx context.Context, model any, organizationID, id, what string) error {
	release, err := r.begin(ctx)
	if err != nil {
		return err
	}
	defer release()
	var n int64
	err = r.write(ctx, func(ctx context.Context, db bun.IDB) error {
		res, err := db.NewDelete().Model(model).
			Where("?TableAlias.id = ? AND ?TableAlias.organization_id = ?", id, organizationID).
			Exec(ctx)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	switch {
	case err != nil && r.cfg.Classify(err) == ce.ErrNotFound:
		return ce.Conflict("%s %s cannot be deleted: other records refer to it", what, id)
	case err != nil:
		return r.fail(err, "delete "+what+" "+id, "", "")
	case n == 0:
		return ce.NotFound("%s %s not found", what, id)
	}
	return nil
}
