// Package outbox is the sending side of CompleteEvent webhooks: a
// transactional outbox in storage, and the workers that deliver it.
//
// # Publishing
//
// A [Dispatcher] implements webhook.Dispatcher. Services call it inside
// the storage transaction of a domain change; it takes the transaction
// from the context (storage.TxFromContext) and writes one message and one
// delivery per endpoint subscribed to the event type at that moment. A
// rolled-back change leaves nothing; a committed one is never lost, and
// wakes the local [Worker] at once (storage.Tx.AfterCommit and
// [Worker.Notify]).
//
// # Delivering
//
// A [Worker] claims due deliveries in batches with a lease
// (storage.WebhookDeliveries.Claim: FOR UPDATE SKIP LOCKED on PostgreSQL),
// signs and POSTs each through a webhook.Sender, and records the attempts
// in batches. Any number of workers, in one process or in many sharing a
// database, share the queue; a worker that dies leaves its leases to
// expire, and the deliveries are claimed again. Concurrency is bounded in
// total and per endpoint, so a slow or dead endpoint never holds up the
// others: its deliveries wait for one of its own slots, not for a global
// one.
//
// One attempt is made by default, as the help page promises ("delivered
// once"); a [RetryPolicy] adds retries with exponential backoff, jitter and
// Retry-After. A 410 Gone disables the endpoint. Every attempt is logged
// with its status, timings, error class and response excerpt.
//
// During a secret rotation's overlap, X-CompleteEvent-Signature is signed
// with the previous secret, which receivers still hold, and
// webhook-signature carries a Standard Webhooks signature for each secret.
//
// # Managing endpoints
//
// A [Service] creates, lists, changes and deletes endpoints (the secret is
// shown once, at creation and rotation), sends a test ping at once, lists
// the delivery log and resends a delivery with its original message id.
package outbox
