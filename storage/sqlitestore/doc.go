// Package sqlitestore is the embedded storage adapter: every record in one
// SQLite file, through bun and the pure-Go driver modernc.org/sqlite, so
// that it needs no cgo and no server. It is the reference server's default.
//
// Open creates the file if needed and migrates its schema. The database
// runs in WAL mode, so readers never wait for the writer, with foreign keys
// enforced. SQLite has one writer at a time: write transactions take its
// write lock when they begin (BEGIN IMMEDIATE), so they are serializable
// and never fail to upgrade a read lock, and a writer that finds the lock
// taken waits up to Options.BusyTimeout for it instead of failing with
// SQLITE_BUSY. The writers of one Store take turns in the process, which
// is faster than SQLite's polling; writers in other processes, or of
// another Store of the same file, wait in SQLite.
//
// Times are kept in UTC with microsecond precision; the storage format is
// described by the shared implementation in internal/bunstore. The Store
// meets the whole storage contract, as TestConformance shows by running
// storage/storagetest.
package sqlitestore
