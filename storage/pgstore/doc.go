// Package pgstore is the production storage adapter: the records in a
// PostgreSQL database, through bun and its pgdriver, shared by as many
// server instances as needed.
//
// Open connects and migrates the schema; migrations of instances that start
// together queue on an advisory lock. New makes a store that works through
// a bun.IDB the caller already has: its *bun.DB, or one of its
// transactions, so that the store's writes commit or roll back with the
// caller's own (see the example).
//
// Transactions run at PostgreSQL's default isolation, READ COMMITTED.
// Every update is conditional on the version the caller read (UPDATE ...
// WHERE version = $n), which PostgreSQL re-checks after waiting for a
// concurrent writer of the row, so two updates of one version never both
// succeed; unique indexes and foreign keys catch the other conflicts.
// A conflict or a missing record inside a transaction (ErrConflict,
// ErrNotFound) leaves the transaction usable: the statements that can fail
// that way run in a savepoint.
//
// Times are timestamptz, kept in UTC with microsecond precision. The store
// meets the whole storage contract, as TestConformance shows by running
// storage/storagetest; it runs when COMPLETEEVENT_TEST_POSTGRES_URL names a
// database.
package pgstore
