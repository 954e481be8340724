package bunstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
)

// migrationLockKey is the PostgreSQL advisory lock that serializes
// migrations: the bytes of "cemigrat".
const migrationLockKey = 0x63656d6967726174

// Migrate brings the schema in db up to the latest version, in one
// transaction (a savepoint if db is already a transaction). It is
// idempotent, and safe when several processes open one database at once:
// on PostgreSQL they queue on an advisory transaction lock, on SQLite on
// the write lock, which the adapter takes at BEGIN (_txlock=immediate). A
// database migrated by a newer version of this package is left alone, so
// that an older server instance still starts during a rolling upgrade.
// db must use the PostgreSQL or the SQLite dialect.
func Migrate(ctx context.Context, db bun.IDB) error {
	versionTable, versions, err := schema(db.Dialect().Name())
	if err != nil {
		return err
	}
	return db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if tx.Dialect().Name() == dialect.PG {
			if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", int64(migrationLockKey)); err != nil {
				return fmt.Errorf("lock for migration: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, versionTable); err != nil {
			return fmt.Errorf("create the schema version table: %w", err)
		}
		var current sql.NullInt64
		if err := tx.QueryRowContext(ctx, "SELECT max(version) FROM ce_schema_migrations").Scan(&current); err != nil {
			return fmt.Errorf("read the schema version: %w", err)
		}
		for v := int(current.Int64) + 1; v <= len(versions); v++ {
			for _, stmt := range versions[v-1] {
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migrate to version %d: %w", v, err)
				}
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO ce_schema_migrations (version) VALUES (?)", v); err != nil {
				return fmt.Errorf("record schema version %d: %w", v, err)
			}
		}
		return nil
	})
}

// schema returns the SQL of the dialect: the statement that creates the
// table of applied versions if it is missing, and the statements of each
// version, versions[v-1] migrating from version v-1 to v. Versions are
// append-only: a released one never changes.
func schema(d dialect.Name) (versionTable string, versions [][]string, err error) {
	switch d {
	case dialect.PG:
		return pgVersionTable, [][]string{pgVersion1(), version2(), pgVersion3(), pgVersion4(), pgVersion5(), version6()}, nil
	case dialect.SQLite:
		return sqliteVersionTable, [][]string{sqliteVersion1(), version2(), sqliteVersion3(), sqliteVersion4(), sqliteVersion5(), version6()}, nil
	default:
		return "", nil, fmt.Errorf("migrate: unsupported dialect %s", d)
	}
}

const pgVersionTable = `CREATE TABLE IF NOT EXISTS ce_schema_migrations (
	version integer PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// pgVersion1 creates the organizations, API keys, events and tiers.
func pgVersion1() []string {
	return []string{
		`CREATE TABLE ce_organizations (
			id text COLLATE "C" PRIMARY KEY,
			name text NOT NULL,
			created_at timestamptz NOT NULL
		)`,
		`CREATE TABLE ce_api_keys (
			id text COLLATE "C" PRIMARY KEY,
			organization_id text COLLATE "C" NOT NULL REFERENCES ce_organizations (id),
			name text NOT NULL,
			hash text NOT NULL UNIQUE,
			created_at timestamptz NOT NULL
		)`,
		`CREATE INDEX ce_api_keys_organization_idx ON ce_api_keys (organization_id, created_at, id)`,
		`CREATE TABLE ce_events (
			id text COLLATE "C" PRIMARY KEY,
			organization_id text COLLATE "C" NOT NULL REFERENCES ce_organizations (id),
			title text NOT NULL,
			description text NOT NULL,
			venue text NOT NULL,
			time_zone text NOT NULL,
			starts_at timestamptz NOT NULL,
			ends_at timestamptz NOT NULL,
			status text NOT NULL,
			capacity bigint NOT NULL,
			registration_opens_at timestamptz,
			registration_closes_at timestamptz,
			confirmation_message text NOT NULL,
			visibility text NOT NULL,
			series_id text COLLATE "C",
			duplicated_from text COLLATE "C",
			version bigint NOT NULL,
			created_at timestamptz NOT NULL,
			updated_at timestamptz NOT NULL,
			UNIQUE (organization_id, id)
		)`,
		`CREATE INDEX ce_events_organization_starts_at_idx ON ce_events (organization_id, starts_at, id)`,
		`CREATE TABLE ce_tiers (
			id text COLLATE "C" PRIMARY KEY,
			organization_id text COLLATE "C" NOT NULL,
			event_id text COLLATE "C" NOT NULL,
			name text NOT NULL,
			description text NOT NULL,
			price_amount bigint NOT NULL,
			price_currency text NOT NULL,
			capacity bigint NOT NULL,
			sales_start_at timestamptz,
			sales_end_at timestamptz,
			position bigint NOT NULL,
			join_url text NOT NULL,
			version bigint NOT NULL,
			created_at timestamptz NOT NULL,
			updated_at timestamptz NOT NULL,
			UNIQUE (event_id, name),
			FOREIGN KEY (organization_id, event_id) REFERENCES ce_events (organization_id, id)
		)`,
		`CREATE INDEX ce_tiers_event_position_idx ON ce_tiers (event_id, position, id)`,
	}
}

const sqliteVersionTable = `CREATE TABLE IF NOT EXISTS ce_schema_migrations (
	version INTEGER PRIMARY KEY,
	applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
)`

// sqliteVersion1 creates the organizations, API keys, events and tiers.
// Times are TIMESTAMP columns, so that the driver reads them as time.Time.
func sqliteVersion1() []string {
	return []string{
		`CREATE TABLE ce_organizations (
			id TEXT PRIMARY KEY,
			name TEXT NOT NULL,
			created_at TIMESTAMP NOT NULL
		)`,
		`CREATE TABLE ce_api_keys (
			id TEXT PRIMARY KEY,
			organization_id TEXT NOT NULL REFERENCES ce_organizations (id),
			name TEXT NOT NULL,
			hash TEXT NOT NULL UNIQUE,
			created_at TIMESTAMP NOT NULL
		)`,
		`CREATE INDEX ce_api_keys_organization_idx ON ce_api_keys (organization_id, created_at, id)`,
		`CREATE TABLE ce_events (
			id TEXT PRIMARY KEY,
			organization_id TEXT NOT NULL REFERENCES ce_organizations (id),
			title TEXT NOT NULL,
			description TEXT NOT NULL,
			venue TEXT NOT NULL,
			time_zone TEXT NOT NULL,
			starts_at TIMESTAMP NOT NULL,
			ends_at TIMESTAMP NOT NULL,
			status TEXT NOT NULL,
			capacity INTEGER NOT NULL,
			registration_opens_at TIMESTAMP,
			registration_closes_at TIMESTAMP,
			confirmation_message TEXT NOT NULL,
			visibility TEXT NOT NULL,
			series_id TEXT,
			duplicated_from TEXT,
			version INTEGER NOT NULL,
			created_at TIMESTAMP NOT NULL,
			updated_at TIMESTAMP NOT NULL,
			UNIQUE (organization_id, id)
		)`,
		`CREATE INDEX ce_events_organization_starts_at_idx ON ce_events (organization_id, starts_at, id)`,
		`CREATE TABLE ce_tiers (
			id TEXT PRIMARY KEY,
			organization_id TEXT NOT NULL,
			event_id TEXT NOT NULL,
			name TEXT NOT NULL,
			description TEXT NOT NULL,
			price_amount INTEGER NOT NULL,
			price_currency TEXT NOT NULL,
			capacity INTEGER NOT NULL,
			sales_start_at TIMESTAMP,
			sales_end_at TIMESTAMP,
			position INTEGER NOT NULL,
			join_url TEXT NOT NULL,
			version INTEGER NOT NULL,
			created_at TIMESTAMP NOT NULL,
			updated_at TIMESTAMP NOT NULL,
			UNIQUE (event_id, name),
			FOREIGN KEY (organization_id, event_id) REFERENCES ce_events (organization_id, id)
		)`,
		`CREATE INDEX ce_tiers_event_position_idx ON ce_tiers (event_id, position, id)`,
	}
}

// version2 indexes the events of each recurring series in listing order,
// for both dialects. Events of no series (series_id NULL) are left out of
// the index; a query for "series_id = ?" implies NOT NULL, so both
// databases use it.
func version2() []string {
	return []string{
		`CREATE INDEX ce_events_series_idx ON ce_events (organization_id, series_id, starts_at, id)
			WHERE series_id IS NOT NULL`,
	}
}
