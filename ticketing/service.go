package ticketing

import (
	"context"
	"errors"
	"log/slog"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// Options configure a Service. The zero value, like a nil *Options, is a
// valid configuration.
type Options struct {
	// Now returns the current time, used for new ids and for the
	// CreatedAt and UpdatedAt of records. Defaults to time.Now.
	Now func() time.Time
	// Logger receives a record of each organization created and each
	// event published. Defaults to discarding them.
	Logger *slog.Logger
}

// Service applies the rules of events, tiers and organizations to a store.
// It is safe for concurrent use.
type Service struct {
	store  storage.Store
	now    func() time.Time
	logger *slog.Logger
}

// New returns a Service that keeps its records in store. opts may be nil.
func New(store storage.Store, opts *Options) *Service {
	s := &Service{store: store, now: time.Now, logger: slog.New(slog.DiscardHandler)}
	if opts != nil {
		if opts.Now != nil {
			s.now = opts.Now
		}
		if opts.Logger != nil {
			s.logger = opts.Logger
		}
	}
	return s
}

// errStale marks a write that storage refused because the record changed
// since the transaction read it. It never leaves the service: change
// returns the conflict it carries.
type errStale struct{ err error }

func (e errStale) Error() string { return e.err.Error() }

// staleOnWrite marks a conflict from a storage write as stale, so that
// change retries it.
func staleOnWrite(err error) error {
	if errors.Is(err, ce.ErrConflict) {
		return errStale{err}
	}
	return err
}

// change runs fn in a transaction. If fn's write was refused as stale and
// the caller did not pin the version it expects, it runs fn once more in a
// new transaction, on a fresh read.
func (s *Service) change(ctx context.Context, pinned bool, fn func(ctx context.Context, tx storage.Tx) error) error {
	attempts := 2
	if pinned {
		attempts = 1
	}
	var err error
	for range attempts {
		err = s.store.RunInTx(ctx, fn)
		var stale errStale
		if !errors.As(err, &stale) {
			return err
		}
		err = stale.err
	}
	return err
}

// checkVersion reports ErrConflict if the caller pinned a version (want is
// not zero) and the record is at another one.
func checkVersion(kind, id string, want, have int64) error {
	if want != 0 && want != have {
		return ce.Conflict("%s %s is at version %d, not %d: read it again", kind, id, have, want)
	}
	return nil
}
