package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/pgtest"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/pgstore"
	"github.com/completeevent/completeevent-go/storage/storagetest"
)

// open opens a store on dsn, closed when the test ends.
func open(t *testing.T, dsn string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	dsn := pgtest.DSN(t)
	storagetest.Run(t, storagetest.Harness{
		NewStore: func(t *testing.T) storage.Store { return open(t, dsn) },
	})
}

func newOrg(name string) *ce.Organization {
	return &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, time.Now()), Name: name, CreatedAt: time.Now()}
}

// wantOrg fails the test unless s has org exactly when want is true.
func wantOrg(t *testing.T, s storage.Store, org *ce.Organization, want bool) {
	t.Helper()
	_, err := s.Organizations().Get(t.Context(), org.ID)
	switch {
	case want && err != nil:
		t.Errorf("organization %q: got error %v, want it stored", org.Name, err)
	case !want && !errors.Is(err, ce.ErrNotFound):
		t.Errorf("organization %q: got error %v, want ErrNotFound", org.Name, err)
	}
}

func TestNewInCallersTransaction(t *testing.T) {
	s := open(t, pgtest.DSN(t))
	errRollback := errors.New("roll back")
	committed, rolledBack := newOrg("committed"), newOrg("rolled back")
	innerKept, innerUndone := newOrg("inner kept"), newOrg("inner undone")

	err := s.DB().RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		inTx := pgstore.New(tx)
		if err := inTx.Organizations().Create(ctx, committed); err != nil {
			return err
		}
		// RunInTx of a store on the caller's transaction is a savepoint:
		// its failure undoes only its own writes.
		err := inTx.RunInTx(ctx, func(ctx context.Context, stx storage.Tx) error {
			if err := stx.Organizations().Create(ctx, innerUndone); err != nil {
				return err
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			return fmt.Errorf("inner RunInTx: got %v, want the function's error", err)
		}
		if err := inTx.RunInTx(ctx, func(ctx context.Context, stx storage.Tx) error {
			return stx.Organizations().Create(ctx, innerKept)
		}); err != nil {
			return err
		}
		wantOrg(t, s, committed, false) // not visible before the caller commits
		return nil
	})
	if err != nil {
		t.Fatalf("caller's transaction: %v", err)
	}
	wantOrg(t, s, committed, true)
	wantOrg(t, s, innerKept, true)
	wantOrg(t, s, innerUndone, false)

	err = s.DB().RunInTx(t.Context(), nil, func(ctx context.Context, tx bun.Tx) error {
		if err := pgstore.New(tx).Organizations().Create(ctx, rolledBack); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("caller's transaction: got %v, want errRollback", err)
	}
	wantOrg(t, s, rolledBack, false)
}

// TestTransactionUsableAfterConflict checks that an expected error inside a
// transaction does not abort it, as a failed statement does in PostgreSQL.
func TestTransactionUsableAfterConflict(t *testing.T) {
	s := open(t, pgtest.DSN(t))
	first, second := newOrg("first"), newOrg("second")
	err := s.RunInTx(t.Context(), func(ctx context.Context, tx storage.Tx) error {
		if err := tx.Organizations().Create(ctx, first); err != nil {
			return err
		}
		dup := *first
		if err := tx.Organizations().Create(ctx, &dup); !errors.Is(err, ce.ErrConflict) {
			return fmt.Errorf("create duplicate: got %v, want ErrConflict", err)
		}
		orphan := &ce.Event{ID: ce.NewID(ce.PrefixEvent, time.Now()), OrganizationID: "org_missing"}
		if err := tx.Events().Create(ctx, orphan); !errors.Is(err, ce.ErrNotFound) {
			return fmt.Errorf("create orphan event: got %v, want ErrNotFound", err)
		}
		return tx.Organizations().Create(ctx, second)
	})
	if err != nil {
		t.Fatalf("RunInTx: %v", err)
	}
	wantOrg(t, s, first, true)
	wantOrg(t, s, second, true)
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := pgtest.DSN(t)
	const opens = 4
	stores := make([]*pgstore.Store, opens)
	errs := make([]error, opens)
	var wg sync.WaitGroup
	for i := range opens {
		wg.Go(func() { stores[i], errs[i] = pgstore.Open(t.Context(), dsn, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		t.Cleanup(func() { _ = stores[i].Close() })
	}
	if t.Failed() {
		return
	}
	// And once more, on the migrated schema.
	s := open(t, dsn)
	var versions []int
	if err := s.DB().NewSelect().Table("ce_schema_migrations").Column("version").Scan(t.Context(), &versions); err != nil {
		t.Fatalf("read versions: %v", err)
	}
	if want := []int{1, 2, 3, 4, 5, 6}; !slices.Equal(versions, want) {
		t.Errorf("applied schema versions: got %v, want %v", versions, want)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, dsn := range []string{"::not a url", "mysql://localhost/db", "postgres://localhost/db?sslmode=bogus"} {
		if s, err := pgstore.Open(t.Context(), dsn, nil); err == nil {
			_ = s.Close()
			t.Errorf("open %q: got no error", dsn)
		}
	}
}

func TestClose(t *testing.T) {
	s := open(t, pgtest.DSN(t))
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := s.Organizations().Count(t.Context()); err == nil {
		t.Errorf("count after close: got no error")
	}
	if err := s.RunInTx(t.Context(), func(context.Context, storage.Tx) error { return nil }); err == nil {
		t.Errorf("RunInTx after close: got no error")
	}
}
