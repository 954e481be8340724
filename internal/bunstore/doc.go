// Package bunstore implements the storage contract once, on bun, for the two
// SQL adapters: storage/sqlitestore (modernc.org/sqlite) and storage/pgstore
// (pgdriver). It holds the bun models of the tables, their conversion to and
// from the completeevent types, the queries of every repository, the
// transaction handling and the versioned schema migrations with their SQL
// per dialect. An adapter only opens its database, says how to recognize
// its driver's constraint errors (Config.Classify) and wraps the result.
//
// # Storage format
//
// Tables are prefixed with "ce_" so that pgstore can share a database with
// the application that embeds it. Times are stored normalized by
// storage.NormalizeTime (UTC, microseconds): as timestamptz on PostgreSQL
// and, on SQLite, as bun writes a time.Time, the text
// "2006-01-02 15:04:05.999999+00:00" in a TIMESTAMP column, which
// round-trips exactly and, always in UTC with four-digit years and trailing
// zeros of the fraction dropped, sorts as text in time order ('+' sorts
// before '.' and the digits). A time the domain may leave unset (a
// registration or sales window bound) is NULL when zero; a required time is
// never NULL and stores the zero time as 0001-01-01 00:00:00 UTC, which
// reads back as the zero time. Event settings are plain columns, not a JSON
// document, so their times get the same treatment and later queries can
// filter on them. On PostgreSQL the identifier columns use the "C"
// collation, so that ordering by id is byte order on every database, as on
// SQLite and memstore.
//
// # Errors
//
// Unique violations become completeevent.ErrConflict and foreign-key
// violations completeevent.ErrNotFound; the Config.Classify of the adapter
// recognizes them, so that this package imports no SQL driver; a foreign
// key violation of a DELETE means the record is still referred to, and is
// ErrConflict. Every other failure is wrapped with the adapter's name.
//
// On PostgreSQL a failed statement aborts the enclosing transaction, and a
// later COMMIT silently rolls back. So that a caller inside a transaction
// may handle an ErrConflict or ErrNotFound and carry on, as with memstore
// and SQLite, every statement that can violate a constraint runs in a
// savepoint when the store works inside a PostgreSQL transaction.
//
// # Registrations and seats
//
// The seats held are counted per tier and per event in tables of their own
// (migrate_registrations.go), which the statements writing tiers and
// events never touch. A registration that takes a seat is one atomic step,
// a savepoint inside a transaction or a transaction of its own: INSERT the
// registration, then one conditional upsert on the tier's counter and one
// on the event's, each counting the seat only while it is below the
// capacity; no row changed is storage.ErrSoldOut, and the step is undone.
// On PostgreSQL the upsert holds the counter row's lock until the
// transaction ends, so racing registrations take turns on the last seat;
// the tier's counter is always taken before the event's, so they never
// deadlock. The e-mail outbox is claimed like the webhook deliveries.
//
// # Auctions and payment events
//
// Auction items and bids (migrate_auctions.go) take no lock of their own: a
// bid's update of its item is conditioned on the version read, as every
// update is, so of racing bids on one version one commits. ListDue reads a
// partial index of the open items. A payment event is a row whose primary
// key refuses it a second time, in a savepoint inside a PostgreSQL
// transaction like every write that may violate a constraint.
//
// # Webhook outbox
//
// The webhook tables (migrate_webhooks.go) serve a queue: Claim is one
// UPDATE of the due deliveries chosen by a subquery in due order, with
// FOR UPDATE SKIP LOCKED on PostgreSQL and none on SQLite, whose writers
// take turns; Finish writes a whole batch of attempts and outcomes in one
// round trip (one multi-statement message on PostgreSQL, a transaction on
// SQLite). Publish reads the subscribed endpoints FOR KEY SHARE on
// PostgreSQL, so that none is deleted before its deliveries are inserted.
// Beyond these locks the SQL differs only for speed: PostgreSQL returns
// the claimed deliveries joined to their messages and endpoints in the
// claim's statement, SQLite reads those after the claim. PostgreSQL picks the due index for the claim only when its
// statistics know the table is large; autovacuum keeps them so, but a
// table filled by a burst within the last minute may be sorted whole at
// each claim until then (ANALYZE ce_webhook_deliveries helps at once).
package bunstore
