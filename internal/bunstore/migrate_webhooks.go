package bunstore

// The webhook tables of schema version 3: endpoints, messages (the outbox),
// deliveries (one per message and subscribed endpoint, with the lease of
// the worker sending it) and attempts (the delivery log).
//
// An endpoint's event types are one text column, ",type,type,": a
// subscription test is "event_types LIKE '%,type,%'" on both databases,
// and an endpoint stays one row that one statement writes. The fan-out
// reads only the few endpoints of one organization, by index, so a
// separate subscription table would buy nothing but a join. Message data
// is text, not jsonb, so that the signed bytes come back unchanged.
//
// Attempts have no foreign key to their delivery: a worker records a
// batch of them in one statement, which must not fail because an endpoint
// was deleted, taking its deliveries along (ON DELETE CASCADE), while some
// of them were being sent. Deleting an endpoint deletes the attempts of
// its deliveries first; an attempt recorded during that race is left
// unreachable, as no listing reads attempts but through their delivery.
//
// A pending delivery is due at next_attempt_at; a claim moves it to the
// end of the lease and increments lease, so the partial index on
// (next_attempt_at, id) of the pending deliveries serves every claim, and
// an expired lease needs no sweeping: the delivery is simply due again.

// pgVersion3 creates the webhook tables on PostgreSQL.
func pgVersion3() []string {
	return []string{
		`CREATE TABLE ce_webhook_endpoints (
			id text COLLATE "C" PRIMARY KEY,
			organization_id text COLLATE "C" NOT NULL REFERENCES ce_organizations (id),
			url text NOT NULL,
			event_types text NOT NULL,
			description text NOT NULL,
			enabled boolean NOT NULL,
			disabled_reason text NOT NULL,
			secret text NOT NULL,
			previous_secret text NOT NULL,
			previous_secret_expires_at timestamptz,
			timeout_ns bigint NOT NULL,
			version bigint NOT NULL,
			created_at timestamptz NOT NULL,
			updated_at timestamptz NOT NULL,
			UNIQUE (organization_id, id)
		)`,
		`CREATE INDEX ce_webhook_endpoints_organization_idx ON ce_webhook_endpoints (organization_id, created_at, id)`,
		`CREATE TABLE ce_webhook_messages (
			id text COLLATE "C" PRIMARY KEY,
			organization_id text COLLATE "C" NOT NULL REFERENCES ce_organizations (id),
			event_type text NOT NULL,
			data text NOT NULL,
			created_at timestamptz NOT NULL
		)`,
		`CREATE TABLE ce_webhook_deliveries (
			id text COLLATE "C" PRIMARY KEY,
			organization_id text COLLATE "C" NOT NULL,
			message_id text COLLATE "C" NOT NULL REFERENCES ce_webhook_messages (id),
			endpoint_id text COLLATE "C" NOT NULL,
			event_type text NOT NULL,
			status text NOT NULL,
			attempt_count bigint NOT NULL,
			next_attempt_at timestamptz,
			lease bigint NOT NULL,
			leased_by text NOT NULL,
			created_at timestamptz NOT NULL,
			updated_at timestamptz NOT NULL,
			FOREIGN KEY (organization_id, endpoint_id) REFERENCES ce_webhook_endpoints (organization_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX ce_webhook_deliveries_due_idx ON ce_webhook_deliveries (next_attempt_at, id) WHERE status = 'pending'`,
		`CREATE INDEX ce_webhook_deliveries_endpoint_idx ON ce_webhook_deliveries (endpoint_id, created_at, id)`,
		`CREATE TABLE ce_webhook_attempts (
			id text COLLATE "C" PRIMARY KEY,
			delivery_id text COLLATE "C" NOT NULL,
			at timestamptz NOT NULL,
			status_code integer NOT NULL,
			duration_ns bigint NOT NULL,
			dns_ns bigint NOT NULL,
			connect_ns bigint NOT NULL,
			tls_ns bigint NOT NULL,
			first_byte_ns bigint NOT NULL,
			error_class text NOT NULL,
			error text NOT NULL,
			response_excerpt text NOT NULL
		)`,
		`CREATE INDEX ce_webhook_attempts_delivery_idx ON ce_webhook_attempts (delivery_id, at, id)`,
	}
}

// sqliteVersion3 creates the webhook tables on SQLite.
func sqliteVersion3() []string {
	return []string{
		`CREATE TABLE ce_webhook_endpoints (
			id TEXT PRIMARY KEY,
			organization_id TEXT NOT NULL REFERENCES ce_organizations (id),
			url TEXT NOT NULL,
			event_types TEXT NOT NULL,
			description TEXT NOT NULL,
			enabled INTEGER NOT NULL,
			disabled_reason TEXT NOT NULL,
			secret TEXT NOT NULL,
			previous_secret TEXT NOT NULL,
			previous_secret_expires_at TIMESTAMP,
			timeout_ns INTEGER NOT NULL,
			version INTEGER NOT NULL,
			created_at TIMESTAMP NOT NULL,
			updated_at TIMESTAMP NOT NULL,
			UNIQUE (organization_id, id)
		)`,
		`CREATE INDEX ce_webhook_endpoints_organization_idx ON ce_webhook_endpoints (organization_id, created_at, id)`,
		`CREATE TABLE ce_webhook_messages (
			id TEXT PRIMARY KEY,
			organization_id TEXT NOT NULL REFERENCES ce_organizations (id),
			event_type TEXT NOT NULL,
			data TEXT NOT NULL,
			created_at TIMESTAMP NOT NULL
		)`,
		`CREATE TABLE ce_webhook_deliveries (
			id TEXT PRIMARY KEY,
			organization_id TEXT NOT NULL,
			message_id TEXT NOT NULL REFERENCES ce_webhook_messages (id),
			endpoint_id TEXT NOT NULL,
			event_type TEXT NOT NULL,
			status TEXT NOT NULL,
			attempt_count INTEGER NOT NULL,
			next_attempt_at TIMESTAMP,
			lease INTEGER NOT NULL,
			leased_by TEXT NOT NULL,
			created_at TIMESTAMP NOT NULL,
			updated_at TIMESTAMP NOT NULL,
			FOREIGN KEY (organization_id, endpoint_id) REFERENCES ce_webhook_endpoints (organization_id, id) ON DELETE CASCADE
		)`,
		`CREATE INDEX ce_webhook_deliveries_due_idx ON ce_webhook_deliveries (next_attempt_at, id) WHERE status = 'pending'`,
		`CREATE INDEX ce_webhook_deliveries_endpoint_idx ON ce_webhook_deliveries (endpoint_id, created_at, id)`,
		`CREATE TABLE ce_webhook_attempts (
			id TEXT PRIMARY KEY,
			delivery_id TEXT NOT NULL,
			at TIMESTAMP NOT NULL,
			status_code INTEGER NOT NULL,
			duration_ns INTEGER NOT NULL,
			dns_ns INTEGER NOT NULL,
			connect_ns INTEGER NOT NULL,
			tls_ns INTEGER NOT NULL,
			first_byte_ns INTEGER NOT NULL,
			error_class TEXT NOT NULL,
			error TEXT NOT NULL,
			response_excerpt TEXT NOT NULL
		)`,
		`CREATE INDEX ce_webhook_attempts_delivery_idx ON ce_webhook_attempts (delivery_id, at, id)`,
	}
}
