// Package storage is the contract between CompleteEvent's services and the
// databases that keep their records, documented like a database/sql driver:
// every method states what it returns when, and the exported conformance
// suite in storage/storagetest checks each of these obligations for any
// adapter, ours (memstore, sqlitestore, pgstore) and third parties'.
//
// # Obligations of every adapter
//
//   - Errors. A missing record, or one that belongs to another organization,
//     is reported as completeevent.ErrNotFound (the two are never told
//     apart). A duplicate id, a duplicate unique value or a stale Version is
//     completeevent.ErrConflict. Driver errors are translated into these
//     kinds, never wrapped raw into them; other failures (a lost connection)
//     are returned wrapped with the adapter's package name and match none of
//     the kinds.
//   - Times. Every time is returned in UTC with microsecond precision.
//     Create and Update write the stored values back into the record passed
//     in, so the caller holds exactly what a later Get returns. The zero
//     time round-trips as the zero time.
//   - Versions. Create sets Version to 1. Update succeeds only if the
//     record's Version equals the stored one, and then increments both; a
//     mismatch is ErrConflict, so two concurrent updates of one version never
//     both succeed.
//   - Transactions. Store.RunInTx runs its function in one transaction: all
//     of its writes are committed together when it returns nil, and none are
//     kept when it returns an error or panics. The context passed to the
//     function carries the transaction (TxFromContext), so code that is given
//     only a context, such as a webhook dispatcher, writes in the same
//     transaction. Transactions are serializable with respect to the
//     conflicts this contract names; nested RunInTx calls are not supported.
//     Functions registered with Tx.AfterCommit run after a commit and never
//     after a rollback.
//   - Webhook outbox. WebhookDeliveries.Publish fans a message out to the
//     endpoints subscribed at that moment, in the caller's transaction.
//     WebhookDeliveries.Claim leases due deliveries so that no two workers,
//     in one process or many, ever hold one delivery at once, and claims it
//     again once the lease expires; Finish and Release act only under the
//     delivery's latest lease. The delivery log lists newest first.
//   - Capacity. Registrations.Create and Update take and give back seats of
//     the tier and the event in the same atomic step as the registration,
//     so a tier or an event is never oversold, however many transactions
//     register at once; the refused one gets ErrSoldOut. Guide tokens,
//     ticket codes and join tokens are unique.
//   - E-mail outbox. Emails.Enqueue queues in the caller's transaction;
//     Emails.Claim leases like WebhookDeliveries.Claim, and Finish acts
//     only under the latest lease.
//   - Auctions and payments. Bidding needs nothing beyond the version
//     check: of transactions that each read an item, add a bid and update
//     the item under the version read, exactly one per version commits.
//     AuctionItems.ListDue lists the due items of every organization.
//     PaymentEvents.Record refuses an id recorded before with ErrConflict,
//     in the caller's transaction, which stays usable.
//   - Concurrency. A Store is safe for concurrent use by many goroutines;
//     a Tx belongs to the goroutine running the transaction.
//   - Text and money. Any valid UTF-8 text without NUL characters (which
//     domain validation refuses) and any int64 amount round-trip unchanged.
package storage
