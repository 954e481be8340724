package main

import (
	"context"
	"strings"

	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/storage/pgstore"
	"github.com/completeevent/completeevent-go/storage/sqlitestore"
)

// The kinds of store a database setting selects.
const (
	kindMemory   = "memory"
	kindPostgres = "postgres"
	kindSQLite   = "sqlite"
)

// storeKind returns which store db selects: "memory", a postgres:// or
// postgresql:// URL, or else the path of a SQLite file. Unlike db, which
// may hold a password, the kind is safe to log.
func storeKind(db string) string {
	switch {
	case db == kindMemory:
		return kindMemory
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		return kindPostgres
	}
	return kindSQLite
}

// openStore opens the store db selects (see storeKind), migrating its
// schema. Close it when done.
func openStore(ctx context.Context, db string) (storage.Store, error) {
	switch storeKind(db) {
	case kindMemory:
		return memstore.New(), nil
	case kindPostgres:
		return pgstore.Open(ctx, db, nil)
	}
	return sqlitestore.Open(ctx, db, nil)
}
