package bunstore

// Schema version 6 indexes the seats held by registrations awaiting their
// payment.
//
// Only pending_payment registrations are ever released for want of a
// payment, so the index that ListPendingPayment reads holds only them, in
// its order (created_at, then id), like the due index of the auction items
// (migrate_auctions.go): a registration leaves it once confirmed or
// cancelled, so it stays small however many registrations there are.

// version6 creates the partial index of the pending registrations, for
// both dialects: the statement is the same on PostgreSQL and SQLite.
func version6() []string {
	return []string{
		`CREATE INDEX ce_registrations_pending_idx ON ce_registrations (created_at, id)
			WHERE status = 'pending_payment'`,
	}
}
