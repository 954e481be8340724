package bunstore

// The tables of schema version 4: registrations, the seats they hold, and
// the e-mail outbox.
//
// A registration refers to its tier by (organization_id, event_id, id), so
// that the database itself refuses a tier of another event or
// organization; a tier with registrations cannot be deleted. The guide
// token and the ticket code are unique; the join token may be NULL (the
// contract allows registrations without one) and is unique where set.
//
// The seats held are counted per tier and per event in tables of their
// own, ce_tier_seats and ce_event_seats, not in ce_tiers and ce_events:
// the statements that update tiers and events write whole rows and so can
// never reset a count. A counter row is made by the first seat taken
// (takeSeatSQL), which is an upsert whose update takes a seat only while
// the count is below the capacity of the tier or the event, read in the
// same statement; on PostgreSQL the upsert locks the counter row until the
// transaction ends, so concurrent registrations for one tier or event take
// turns on it and never both get its last seat.
//
// E-mails are leased like webhook deliveries (see migrate_webhooks.go): a
// pending e-mail is due at next_attempt_at, a claim moves it to the end of
// the lease and increments lease, and the partial index of the pending
// e-mails serves every claim.

// pgVersion4 creates the registration and e-mail tables on PostgreSQL.
func pgVersion4() []string {
	return []string{
		`CREATE UNIQUE INDEX ce_tiers_organization_event_idx ON ce_tiers (organization_id, event_id, id)`,
		`CREATE TABLE ce_registrations (
			id text COLLATE "C" PRIMARY KEY,
			organization_id text COLLATE "C" NOT NULL,
			event_id text COLLATE "C" NOT NULL,
			tier_id text COLLATE "C" NOT NULL,
			email text NOT NULL,
			first_name text NOT NULL,
			last_name text NOT NULL,
			status text NOT NULL,
			guide_token text COLLATE "C" NOT NULL UNIQUE,
			ticket_code text COLLATE "C" NOT NULL UNIQUE,
			join_token text COLLATE "C" UNIQUE,
			joined_at timestamptz,
			checked_in_at timestamptz,
			check_in_method text NOT NULL,
			payment_reference text NOT NULL,
			paid_amount bigint NOT NULL,
			paid_currency text NOT NULL,
			refund_reference text NOT NULL,
			cancelled_at timestamptz,
			cancel_reason text NOT NULL,
			version bigint NOT NULL,
			created_at timestamptz NOT NULL,
			updated_at timestamptz NOT NULL,
			UNIQUE (organization_id, id),
			FOREIGN KEY (organization_id, event_id, tier_id) REFERENCES ce_tiers (organization_id, event_id, id)
		)`,
		`CREATE INDEX ce_registrations_event_idx ON ce_registrations (event_id, id)`,
		`CREATE INDEX ce_registrations_tier_idx ON ce_registrations (tier_id)`,
		`CREATE TABLE ce_tier_seats (
			tier_id text COLLATE "C" PRIMARY KEY REFERENCES ce_tiers (id),
			held bigint NOT NULL
		)`,
		`CREATE TABLE ce_event_seats (
			event_id text COLLATE "C" PRIMARY KEY REFERENCES ce_events (id),
			held bigint NOT NULL
		)`,
		`CREATE TABLE ce_emails (
			id text COLLATE "C" PRIMARY KEY,
			organization_id text COLLATE "C" NOT NULL,
			registration_id text COLLATE "C" NOT NULL,
			kind text NOT NULL,
			subject_id text NOT NULL,
			status text NOT NULL,
			attempts bigint NOT NULL,
			next_attempt_at timestamptz,
			last_error text NOT NULL,
			sent_at timestamptz,
			lease bigint NOT NULL,
			leased_by text NOT NULL,
			created_at timestamptz NOT NULL,
			updated_at timestamptz NOT NULL,
			FOREIGN KEY (organization_id, registration_id) REFERENCES ce_registrations (organization_id, id)
		)`,
		`CREATE INDEX ce_emails_due_idx ON ce_emails (next_attempt_at, id) WHERE status = 'pending'`,
		`CREATE INDEX ce_emails_registration_idx ON ce_emails (registration_id, created_at, id)`,
	}
}

// sqliteVersion4 creates the registration and e-mail tables on SQLite.
func sqliteVersion4() []string {
	return []string{
		`CREATE UNIQUE INDEX ce_tiers_organization_event_idx ON ce_tiers (organization_id, event_id, id)`,
		`CREATE TABLE ce_registrations (
			id TEXT PRIMARY KEY,
			organization_id TEXT NOT NULL,
			event_id TEXT NOT NULL,
			tier_id TEXT NOT NULL,
			email TEXT NOT NULL,
			first_name TEXT NOT NULL,
			last_name TEXT NOT NULL,
			status TEXT NOT NULL,
			guide_token TEXT NOT NULL UNIQUE,
			ticket_code TEXT NOT NULL UNIQUE,
			join_token TEXT UNIQUE,
			joined_at TIMESTAMP,
			checked_in_at TIMESTAMP,
			check_in_method TEXT NOT NULL,
			payment_reference TEXT NOT NULL,
			paid_amount INTEGER NOT NULL,
			paid_currency TEXT NOT NULL,
			refund_reference TEXT NOT NULL,
			cancelled_at TIMESTAMP,
			cancel_reason TEXT NOT NULL,
			version INTEGER NOT NULL,
			created_at TIMESTAMP NOT NULL,
			updated_at TIMESTAMP NOT NULL,
			UNIQUE (organization_id, id),
			FOREIGN KEY (organization_id, event_id, tier_id) REFERENCES ce_tiers (organization_id, event_id, id)
		)`,
		`CREATE INDEX ce_registrations_event_idx ON ce_registrations (event_id, id)`,
		`CREATE INDEX ce_registrations_tier_idx ON ce_registrations (tier_id)`,
		`CREATE TABLE ce_tier_seats (
			tier_id TEXT PRIMARY KEY REFERENCES ce_tiers (id),
			held INTEGER NOT NULL
		)`,
		`CREATE TABLE ce_event_seats (
			event_id TEXT PRIMARY KEY REFERENCES ce_events (id),
			held INTEGER NOT NULL
		)`,
		`CREATE TABLE ce_emails (
			id TEXT PRIMARY KEY,
			organization_id TEXT NOT NULL,
			registration_id TEXT NOT NULL,
			kind TEXT NOT NULL,
			subject_id TEXT NOT NULL,
			status TEXT NOT NULL,
			attempts INTEGER NOT NULL,
			next_attempt_at TIMESTAMP,
			last_error TEXT NOT NULL,
			sent_at TIMESTAMP,
			lease INTEGER NOT NULL,
			leased_by TEXT NOT NULL,
			created_at TIMESTAMP NOT NULL,
			updated_at TIMESTAMP NOT NULL,
			FOREIGN KEY (organization_id, registration_id) REFERENCES ce_registrations (organization_id, id)
		)`,
		`CREATE INDEX ce_emails_due_idx ON ce_emails (next_attempt_at, id) WHERE status = 'pending'`,
		`CREATE INDEX ce_emails_registration_idx ON ce_emails (registration_id, created_at, id)`,
	}
}
