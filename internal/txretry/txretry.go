// Package txretry runs a storage transaction that reads records and then
// writes them, and runs it once more on a fresh read when a concurrent
// writer changed a record between the read and the write. The services
// (ticketing, recurrence) share it, so that every change that reads before
// it writes handles a lost race the same way.
package txretry

import (
	"context"
	"errors"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// staleError marks a write that storage refused because the record
// changed since the transaction read it. It never leaves Run: Run returns
// the conflict it carries.
type staleError struct{ err error }

func (e staleError) Error() string { return e.err.Error() }

// Stale marks err, from a storage write of a record the transaction read
// before, as stale if it is an ErrConflict, so that Run retries; any other
// error is returned as is.
func Stale(err error) error {
	if errors.Is(err, ce.ErrConflict) {
		return staleError{err}
	}
	return err
}

// Run runs fn in a transaction of store. If fn fails with an error marked
// by Stale and the caller did not pin the version it expects, Run runs fn
// once more in a new transaction, on a fresh read; a second stale write,
// or a first one when pinned, is returned as its ErrConflict. Any other
// error of fn is returned as is.
func Run(ctx context.Context, store storage.Store, pinned bool, fn func(ctx context.Context, tx storage.Tx) error) error {
	attempts := 2
	if pinned {
		attempts = 1
	}
	var err error
	for range attempts {
		err = store.RunInTx(ctx, fn)
		var stale staleError
		if !errors.As(err, &stale) {
			return err
		}
		err = stale.err
	}
	return err
}
