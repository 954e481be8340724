// Package testadapters opens a fresh store of each storage adapter for the
// tests of the services, so that every service test runs on memstore,
// SQLite and PostgreSQL alike.
package testadapters

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/completeevent/completeevent-go/internal/pgtest"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/storage/pgstore"
	"github.com/completeevent/completeevent-go/storage/sqlitestore"
	"github.com/uptrace/bun"
)

// Adapter opens fresh stores of one adapter.
type Adapter struct {
	Name string
	// Open returns a new, empty store, closed when the test ends. The
	// PostgreSQL one skips the test unless COMPLETEEVENT_TEST_POSTGRES_URL
	// is set (see internal/pgtest).
	Open func(t testing.TB) storage.Store
}

// All returns memstore, sqlitestore and pgstore, in that order.
func All() []Adapter {
	return []Adapter{
		{"memstore", func(t testing.TB) storage.Store {
			return closeWith(t, memstore.New())
		}},
		{"sqlitestore", func(t testing.TB) storage.Store {
			s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), nil)
			if err != nil {
				t.Fatalf("open sqlitestore: %v", err)
			}
			return closeWith(t, s)
		}},
		{"pgstore", func(t testing.TB) storage.Store {
			s, err := pgstore.Open(context.Background(), pgtest.DSN(t), nil)
			if err != nil {
				t.Fatalf("open pgstore: %v", err)
			}
			return closeWith(t, s)
		}},
	}
}

// closeWith closes s when t ends and returns it.
func closeWith(t testing.TB, s storage.Store) storage.Store {
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// ForEach runs test as a parallel subtest on a fresh store of each
// adapter.
func ForEach(t *testing.T, test func(t *testing.T, store storage.Store)) {
	t.Helper()
	for _, a := range All() {
		t.Run(a.Name, func(t *testing.T) {
			t.Parallel()
			test(t, a.Open(t))
		})
	}
}

// StatementLog is a bun query hook that records the verb of each statement
// a database runs (SELECT, INSERT, SAVEPOINT…), for tests that count the
// statements of an operation.
type StatementLog struct {
	mu         sync.Mutex
	statements []string
}

// BeforeQuery implements bun.QueryHook.
func (l *StatementLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

// AfterQuery implements bun.QueryHook.
func (l *StatementLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	verb, _, _ := strings.Cut(strings.TrimSpace(e.Query), " ")
	l.statements = append(l.statements, verb)
}

// During returns the verbs of the statements run while fn runs.
func (l *StatementLog) During(fn func()) []string {
	l.mu.Lock()
	l.statements = nil
	l.mu.Unlock()
	fn()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.statements
}
