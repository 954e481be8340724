package sqlitestore_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/sqlitestore"
	"github.com/completeevent/completeevent-go/storage/storagetest"
)

// open opens a store on the file at path, closed when the test ends.
func open(t *testing.T, path string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storagetest.Run(t, storagetest.Harness{
		NewStore: func(t *testing.T) storage.Store {
			return open(t, filepath.Join(t.TempDir(), "conformance.db"))
		},
	})
}

func newOrg(t *testing.T, s storage.Store) *ce.Organization {
	t.Helper()
	org := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, time.Now()), Name: "Acme", CreatedAt: time.Now()}
	if err := s.Organizations().Create(t.Context(), org); err != nil {
		t.Fatalf("create organization: %v", err)
	}
	return org
}

func newEvent(org *ce.Organization, start time.Time) *ce.Event {
	return &ce.Event{
		ID:             ce.NewID(ce.PrefixEvent, time.Now()),
		OrganizationID: org.ID,
		Title:          "Meetup",
		TimeZone:       "Europe/Amsterdam",
		StartsAt:       start,
		EndsAt:         start.Add(time.Hour),
		Status:         ce.EventDraft,
		CreatedAt:      start,
		UpdatedAt:      start,
	}
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reopen.db")
	s, err := sqlitestore.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	org := newOrg(t, s)
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := s.Organizations().Get(t.Context(), org.ID); err == nil {
		t.Errorf("get after close: got no error")
	}

	s = open(t, path) // migrates again: nothing to do
	got, err := s.Organizations().Get(t.Context(), org.ID)
	if err != nil {
		t.Fatalf("get after reopen: %v", err)
	}
	if *got != *org {
		t.Errorf("organization after reopen: got %+v, want %+v", got, org)
	}
	var versions []int
	if err := s.DB().NewSelect().Table("ce_schema_migrations").Column("version").Scan(t.Context(), &versions); err != nil {
		t.Fatalf("read versions: %v", err)
	}
	if want := []int{1, 2, 3, 4, 5, 6}; !slices.Equal(versions, want) {
		t.Errorf("applied schema versions: got %v, want %v", versions, want)
	}
}

// TestConcurrentWriters races transactions of two stores on one file, as
// two processes would, and expects none to fail with SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "writers.db")
	stores := []*sqlitestore.Store{open(t, path), open(t, path)}
	org := newOrg(t, stores[0])
	const writers, txsEach = 50, 4
	var wg sync.WaitGroup
	for i := range writers {
		s := stores[i%len(stores)]
		wg.Go(func() {
			for range txsEach {
				err := s.RunInTx(t.Context(), func(ctx context.Context, tx storage.Tx) error {
					// Read, then write: a transaction that took only a
					// read lock at BEGIN could not upgrade it.
					if _, err := tx.Organizations().Get(ctx, org.ID); err != nil {
						return err
					}
					e := newEvent(org, time.Now())
					if err := tx.Events().Create(ctx, e); err != nil {
						return err
					}
					e.Status = ce.EventPublished
					return tx.Events().Update(ctx, e)
				})
				if err != nil {
					t.Errorf("writer %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := stores[1].Events().List(t.Context(), org.ID, storage.EventFilter{Status: ce.EventPublished, Limit: storage.MaxPageLimit})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(got) != writers*txsEach {
		t.Errorf("published events: got %d, want %d", len(got), writers*txsEach)
	}
}

// TestSubsecondOrder checks that times stored as text sort as times,
// whatever the length of their fraction of a second.
func TestSubsecondOrder(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "order.db"))
	org := newOrg(t, s)
	second := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	starts := []time.Time{
		second.Add(time.Second),
		second.Add(500 * time.Millisecond),
		second.Add(250 * time.Millisecond),
		second.Add(999999 * time.Microsecond),
		second,
		second.Add(time.Microsecond),
		second.Add(100 * time.Millisecond),
		second.Add(-time.Microsecond),
	}
	for _, start := range starts {
		if err := s.Events().Create(t.Context(), newEvent(org, start)); err != nil {
			t.Fatalf("create: %v", err)
		}
	}
	var got []time.Time
	after := ""
	for {
		page, err := s.Events().List(t.Context(), org.ID, storage.EventFilter{After: after, Limit: 3})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			got = append(got, e.StartsAt)
		}
		after = page[len(page)-1].ID
	}
	if len(got) != len(starts) {
		t.Fatalf("listed %d events, want %d", len(got), len(starts))
	}
	for i := 1; i < len(got); i++ {
		if !got[i-1].Before(got[i]) {
			t.Errorf("listing order: %v before %v", got[i-1], got[i])
		}
	}
}

func TestOpenErrors(t *testing.T) {
	for _, path := range []string{"", filepath.Join(t.TempDir(), "missing", "dir", "x.db")} {
		if s, err := sqlitestore.Open(t.Context(), path, nil); err == nil {
			_ = s.Close()
			t.Errorf("open %q: got no error", path)
		}
	}
}
