// Package storagetest is the conformance suite of the storage contract.
// Every adapter, ours and third parties', proves itself by calling Run from
// one test:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, storagetest.Harness{
//			NewStore: func(t *testing.T) storage.Store { ... },
//		})
//	}
//
// Run checks every obligation the storage package documents: the error
// kinds, versions, transactions and rollback, concurrency, listing order
// and paging (of recurring series too), bulk creation that stores all or
// none, the round trip of times, money and text, and the webhook outbox:
// fan-out at publish time, rollback, after-commit hooks, the claim and
// lease rules under concurrent claimers, batch finishing, release, resend
// and the delivery log's order and paging; registrations: their tokens,
// listing, counts, and the capacity of tiers and events, never oversold by
// racing transactions; the e-mail outbox's claims and leases; auction
// items, the due ones of every organization, and their bids, of which
// racing bidders never win one level twice; and payment events, recorded
// once.
package storagetest
