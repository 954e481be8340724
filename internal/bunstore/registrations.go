package bunstore

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

type registrations struct{ repos }

// takeSeatSQL counts one more seat held in a tier or an event (%[1]s is
// the counter's table, %[2]s its key column, %[3]s the table of the tiers
// or events) in one statement: it makes the counter row, holding the
// first seat, or increments it while the count is below the capacity,
// read in the same statement. No row changed means sold out. On
// PostgreSQL the upsert locks the counter row until the transaction ends,
// so the next registration for the tier or event waits, then sees this
// one's count.
const takeSeatSQL = `INSERT INTO %[1]s AS s (%[2]s, held) VALUES (?, 1)
ON CONFLICT (%[2]s) DO UPDATE SET held = s.held + 1
WHERE NOT EXISTS (SELECT 1 FROM %[3]s AS c WHERE c.id = s.%[2]s AND c.capacity > 0 AND c.capacity <= s.held)`

// giveSeatSQL counts one seat less held in a tier or an event (%[1]s is
// the counter's table, %[2]s its key column).
const giveSeatSQL = `UPDATE %[1]s SET held = held - 1 WHERE %[2]s = ?`

// changeSeats takes a seat of the tier and of the event, or gives both
// back, as a registration goes from holding a seat or not (held) to
// holding one or not (holds). It returns storage.SoldOut if the tier or
// the event is full. The tier always comes first, so that concurrent
// transactions lock the counters in one order and never deadlock.
func (r repos) changeSeats(ctx context.Context, held, holds bool, tierID, eventID, op string) error {
	if held == holds {
		return nil
	}
	// Each counter: what it counts the seats of, its table and key
	// column, the table of those records, and the record's id.
	for _, c := range []struct{ what, table, key, records, id string }{
		{"tier", "ce_tier_seats", "tier_id", "ce_tiers", tierID},
		{"event", "ce_event_seats", "event_id", "ce_events", eventID},
	} {
		query := fmt.Sprintf(giveSeatSQL, c.table, c.key)
		if holds {
			query = fmt.Sprintf(takeSeatSQL, c.table, c.key, c.records)
		}
		res, err := r.db.ExecContext(ctx, query, c.id)
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		switch {
		case err != nil:
			return r.fail(err, op, "", "")
		case n == 0 && holds:
			return storage.SoldOut(c.what, c.id)
		}
	}
	return nil
}

// Create inserts the registration, then takes its seats, in one atomic
// step: 3 statements for a registration that holds a seat, in a savepoint
// of the caller's transaction or in a transaction of its own. The insert
// comes first, so that a missing tier or a duplicate is reported as such,
// not as a full tier.
func (r registrations) Create(ctx context.Context, reg *ce.Registration) error {
	m := newRegistrationModel(reg)
	m.Version = 1
	op := "create registration " + reg.ID
	err := r.atomicStep(ctx, op, func(ctx context.Context, tx repos) error {
		if _, err := tx.db.NewInsert().Model(m).Exec(ctx); err != nil {
			return tx.fail(err, op,
				"registration "+reg.ID+", or another with one of its tokens, already exists",
				"tier "+reg.TierID+" of event "+reg.EventID+" not found")
		}
		return tx.changeSeats(ctx, false, reg.Status.HoldsSeat(), m.TierID, m.EventID, op)
	})
	if err != nil {
		return err
	}
	*reg = *m.domain()
	return nil
}

func (r registrations) Get(ctx context.Context, organizationID, id string) (*ce.Registration, error) {
	var m registrationModel
	if err := r.get(ctx, &m, organizationID, id, "registration"); err != nil {
		return nil, err
	}
	return m.domain(), nil
}

// tokenColumn returns the column of the token kind, or "" if there is no
// such kind.
func tokenColumn(kind storage.TokenKind) string {
	switch kind {
	case storage.GuideToken:
		return "guide_token"
	case storage.TicketCode:
		return "ticket_code"
	case storage.JoinToken:
		return "join_token"
	}
	return ""
}

func (r registrations) GetByToken(ctx context.Context, kind storage.TokenKind, token string) (*ce.Registration, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	column := tokenColumn(kind)
	if column == "" || token == "" {
		return nil, ce.NotFound("registration not found")
	}
	var m registrationModel
	err := r.db.NewSelect().Model(&m).Where("?TableAlias.? = ?", bun.Ident(column), token).Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "get registration by token", "", "registration not found")
	}
	return m.domain(), nil
}

// List pages by keyset on the id, the cursor's position read in the
// database.
func (r registrations) List(ctx context.Context, organizationID, eventID string, f storage.RegistrationFilter) ([]*ce.Registration, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	op := "list registrations of event " + eventID
	var ms []registrationModel
	q := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.event_id = ? AND ?TableAlias.organization_id = ?", eventID, organizationID).
		OrderExpr("?TableAlias.id").
		Limit(storage.PageLimit(f.Limit))
	if f.Status != "" {
		q = q.Where("?TableAlias.status = ?", string(f.Status))
	}
	if f.TierID != "" {
		q = q.Where("?TableAlias.tier_id = ?", f.TierID)
	}
	if f.After != "" {
		q = q.Where("?TableAlias.id > (SELECT c.id FROM ce_registrations AS c "+
			"WHERE c.id = ? AND c.event_id = ? AND c.organization_id = ?)", f.After, eventID, organizationID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, r.fail(err, op, "", "")
	}
	if len(ms) == 0 && f.After != "" {
		// An empty page: the cursor was the last registration, or is not
		// one of the event's.
		n, err := r.db.NewSelect().Model((*registrationModel)(nil)).
			Where("?TableAlias.id = ? AND ?TableAlias.event_id = ? AND ?TableAlias.organization_id = ?", f.After, eventID, organizationID).
			Count(ctx)
		switch {
		case err != nil:
			return nil, r.fail(err, op, "", "")
		case n == 0:
			return nil, ce.NotFound("registration %s not found in event %s", f.After, eventID)
		}
	}
	return domains(ms, (*registrationModel).domain), nil
}

// ListPendingPayment reads the partial index of the pending registrations
// (migrate_holds.go), whose condition the query repeats as a literal.
func (r registrations) ListPendingPayment(ctx context.Context, createdBefore time.Time, limit int) ([]*ce.Registration, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return []*ce.Registration{}, nil
	}
	var ms []registrationModel
	err := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.status = 'pending_payment' AND ?TableAlias.created_at < ?", storage.NormalizeTime(createdBefore)).
		OrderExpr("?TableAlias.created_at, ?TableAlias.id").
		Limit(limit).
		Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "list pending registrations", "", "")
	}
	return domains(ms, (*registrationModel).domain), nil
}

// Update reads the stored status, version and tier, writes the
// registration under that version, and takes or gives back its seats, in
// one atomic step. The version in the UPDATE's condition makes the status
// read exact: a concurrent change in between makes the UPDATE change
// nothing.
func (r registrations) Update(ctx context.Context, reg *ce.Registration) error {
	m := newRegistrationModel(reg)
	m.Version = reg.Version + 1
	op := "update registration " + reg.ID
	err := r.atomicStep(ctx, op, func(ctx context.Context, tx repos) error {
		var old registrationModel
		err := tx.db.NewSelect().Model(&old).Column("status", "version", "tier_id", "event_id").
			Where("?TableAlias.id = ? AND ?TableAlias.organization_id = ?", reg.ID, reg.OrganizationID).
			Scan(ctx)
		if err != nil {
			return tx.fail(err, op, "", "registration "+reg.ID+" not found")
		}
		if old.Version != reg.Version {
			return ce.Conflict("registration %s was changed by someone else (version %d, not %d)", reg.ID, old.Version, reg.Version)
		}
		res, err := tx.db.NewUpdate().Model(m).
			ExcludeColumn("id", "organization_id", "event_id", "tier_id", "guide_token", "ticket_code", "join_token", "created_at").
			Where("?TableAlias.id = ? AND ?TableAlias.organization_id = ? AND ?TableAlias.version = ?",
				reg.ID, reg.OrganizationID, reg.Version).
			Returning("*").
			Exec(ctx)
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		switch {
		case err != nil:
			return tx.fail(err, op, "", "")
		case n == 0:
			return ce.Conflict("registration %s was changed by someone else", reg.ID)
		}
		return tx.changeSeats(ctx, ce.RegistrationStatus(old.Status).HoldsSeat(), reg.Status.HoldsSeat(), old.TierID, old.EventID, op)
	})
	if err != nil {
		return err
	}
	*reg = *m.domain()
	return nil
}

// Counts counts by state with one aggregate per state over the event's
// registrations, grouped by tier.
func (r registrations) Counts(ctx context.Context, organizationID, eventID string) (map[string]storage.TierCounts, error) {
	return r.count(ctx, "tier_id", "event "+eventID, func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.event_id = ? AND ?TableAlias.organization_id = ?", eventID, organizationID)
	})
}

func (r registrations) CountByEvents(ctx context.Context, organizationID string, eventIDs []string) (map[string]storage.TierCounts, error) {
	if len(eventIDs) == 0 {
		return map[string]storage.TierCounts{}, nil
	}
	return r.count(ctx, "event_id", "events", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("?TableAlias.event_id IN (?) AND ?TableAlias.organization_id = ?", bun.List(eventIDs), organizationID)
	})
}

// count counts the registrations where selects by state, grouped by the
// column by (tier_id or event_id); of names them in errors.
func (r registrations) count(ctx context.Context, by, of string, where func(*bun.SelectQuery) *bun.SelectQuery) (map[string]storage.TierCounts, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var rows []struct {
		Key            string `bun:"key"`
		PendingPayment int    `bun:"pending_payment"`
		Confirmed      int    `bun:"confirmed"`
		Cancelled      int    `bun:"cancelled"`
		CheckedIn      int    `bun:"checked_in"`
	}
	const count = "sum(CASE WHEN ?TableAlias.status IN (?) THEN 1 ELSE 0 END) AS ?"
	q := r.db.NewSelect().Model((*registrationModel)(nil)).
		ColumnExpr("?TableAlias.? AS key", bun.Ident(by)).
		ColumnExpr(count, bun.List([]ce.RegistrationStatus{ce.RegistrationPendingPayment, ce.RegistrationPaymentProcessing}), bun.Ident("pending_payment")).
		ColumnExpr(count, bun.List([]ce.RegistrationStatus{ce.RegistrationConfirmed}), bun.Ident("confirmed")).
		ColumnExpr(count, bun.List([]ce.RegistrationStatus{ce.RegistrationCancelled}), bun.Ident("cancelled")).
		ColumnExpr("sum(CASE WHEN ?TableAlias.status = ? AND ?TableAlias.checked_in_at IS NOT NULL THEN 1 ELSE 0 END) AS checked_in",
			string(ce.RegistrationConfirmed)).
		GroupExpr("?TableAlias.?", bun.Ident(by))
	if err := where(q).Scan(ctx, &rows); err != nil {
		return nil, r.fail(err, "count the registrations of "+of, "", "")
	}
	counts := make(map[string]storage.TierCounts, len(rows))
	for _, row := range rows {
		counts[row.Key] = storage.TierCounts{
			PendingPayment: row.PendingPayment,
			Confirmed:      row.Confirmed,
			Cancelled:      row.Cancelled,
			CheckedIn:      row.CheckedIn,
		}
	}
	return counts, nil
}
