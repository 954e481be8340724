package bunstore

// The tables of schema version 5: the silent auctions' items and bids, the
// payment provider's events already processed, and the tiers' choice to
// share their join URL.
//
// An item refers to its event by (organization_id, event_id) and a bid to
// its item and to its registration by (organization_id, id), so that the
// database itself refuses an event, item or registration of another
// organization. An item's highest bid is plain text, not a foreign key:
// bids refer to items, and an item written before its first bid must not
// refer back. Bidding needs no lock of its own: the bid's update of the
// item is conditioned on the version read, like any update.
//
// Only open items are ever due, so the index that ListDue reads holds only
// them, in its order, like the e-mail outbox's (migrate_registrations.go):
// closed and paid items leave it. A payment event is its id, the primary
// key whose violation tells a callback delivered twice.

// pgVersion5 creates the auction and payment event tables on PostgreSQL
// and adds the tiers' share_join_url.
func pgVersion5() []string {
	return []string{
		`ALTER TABLE ce_tiers ADD COLUMN share_join_url boolean NOT NULL DEFAULT false`,
		`CREATE TABLE ce_auction_items (
			id text COLLATE "C" PRIMARY KEY,
			organization_id text COLLATE "C" NOT NULL,
			event_id text COLLATE "C" NOT NULL,
			title text NOT NULL,
			description text NOT NULL,
			starting_bid_amount bigint NOT NULL,
			starting_bid_currency text NOT NULL,
			min_increment bigint NOT NULL,
			closes_at timestamptz NOT NULL,
			status text NOT NULL,
			highest_bid_id text COLLATE "C" NOT NULL,
			highest_amount bigint NOT NULL,
			winner_registration_id text COLLATE "C" NOT NULL,
			closed_at timestamptz,
			payment_reference text NOT NULL,
			paid_at timestamptz,
			version bigint NOT NULL,
			created_at timestamptz NOT NULL,
			updated_at timestamptz NOT NULL,
			UNIQUE (organization_id, id),
			FOREIGN KEY (organization_id, event_id) REFERENCES ce_events (organization_id, id)
		)`,
		`CREATE INDEX ce_auction_items_event_idx ON ce_auction_items (event_id, closes_at, id)`,
		`CREATE INDEX ce_auction_items_due_idx ON ce_auction_items (closes_at, id) WHERE status = 'open'`,
		`CREATE TABLE ce_bids (
			id text COLLATE "C" PRIMARY KEY,
			organization_id text COLLATE "C" NOT NULL,
			item_id text COLLATE "C" NOT NULL,
			registration_id text COLLATE "C" NOT NULL,
			amount bigint NOT NULL,
			currency text NOT NULL,
			created_at timestamptz NOT NULL,
			FOREIGN KEY (organization_id, item_id) REFERENCES ce_auction_items (organization_id, id),
			FOREIGN KEY (organization_id, registration_id) REFERENCES ce_registrations (organization_id, id)
		)`,
		`CREATE INDEX ce_bids_item_idx ON ce_bids (item_id, amount DESC, created_at, id)`,
		`CREATE TABLE ce_payment_events (
			id text COLLATE "C" PRIMARY KEY,
			processed_at timestamptz NOT NULL
		)`,
	}
}

// sqliteVersion5 creates the auction and payment event tables on SQLite
// and adds the tiers' share_join_url, an INTEGER like the other booleans.
func sqliteVersion5() []string {
	return []string{
		`ALTER TABLE ce_tiers ADD COLUMN share_join_url INTEGER NOT NULL DEFAULT 0`,
		`CREATE TABLE ce_auction_items (
			id TEXT PRIMARY KEY,
			organization_id TEXT NOT NULL,
			event_id TEXT NOT NULL,
			title TEXT NOT NULL,
			description TEXT NOT NULL,
			starting_bid_amount INTEGER NOT NULL,
			starting_bid_currency TEXT NOT NULL,
			min_increment INTEGER NOT NULL,
			closes_at TIMESTAMP NOT NULL,
			status TEXT NOT NULL,
			highest_bid_id TEXT NOT NULL,
			highest_amount INTEGER NOT NULL,
			winner_registration_id TEXT NOT NULL,
			closed_at TIMESTAMP,
			payment_reference TEXT NOT NULL,
			paid_at TIMESTAMP,
			version INTEGER NOT NULL,
			created_at TIMESTAMP NOT NULL,
			updated_at TIMESTAMP NOT NULL,
			UNIQUE (organization_id, id),
			FOREIGN KEY (organization_id, event_id) REFERENCES ce_events (organization_id, id)
		)`,
		`CREATE INDEX ce_auction_items_event_idx ON ce_auction_items (event_id, closes_at, id)`,
		`CREATE INDEX ce_auction_items_due_idx ON ce_auction_items (closes_at, id) WHERE status = 'open'`,
		`CREATE TABLE ce_bids (
			id TEXT PRIMARY KEY,
			organization_id TEXT NOT NULL,
			item_id TEXT NOT NULL,
			registration_id TEXT NOT NULL,
			amount INTEGER NOT NULL,
			currency TEXT NOT NULL,
			created_at TIMESTAMP NOT NULL,
			FOREIGN KEY (organization_id, item_id) REFERENCES ce_auction_items (organization_id, id),
			FOREIGN KEY (organization_id, registration_id) REFERENCES ce_registrations (organization_id, id)
		)`,
		`CREATE INDEX ce_bids_item_idx ON ce_bids (item_id, amount DESC, created_at, id)`,
		`CREATE TABLE ce_payment_events (
			id TEXT PRIMARY KEY,
			processed_at TIMESTAMP NOT NULL
		)`,
	}
}
