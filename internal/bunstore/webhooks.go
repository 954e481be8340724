package bunstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

type webhookEndpoints struct{ repos }

func (r webhookEndpoints) Create(ctx context.Context, e *ce.WebhookEndpoint) error {
	m := newWebhookEndpointModel(e)
	m.Version = 1
	if err := r.insert(ctx, m, "create webhook endpoint "+e.ID,
		"webhook endpoint "+e.ID+" already exists",
		"organization "+e.OrganizationID+" not found"); err != nil {
		return err
	}
	*e = *m.domain()
	return nil
}

func (r webhookEndpoints) Get(ctx context.Context, organizationID, id string) (*ce.WebhookEndpoint, error) {
	var m webhookEndpointModel
	if err := r.get(ctx, &m, organizationID, id, "webhook endpoint"); err != nil {
		return nil, err
	}
	return m.domain(), nil
}

func (r webhookEndpoints) List(ctx context.Context, organizationID string) ([]*ce.WebhookEndpoint, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var ms []webhookEndpointModel
	err := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.organization_id = ?", organizationID).
		OrderExpr("?TableAlias.created_at, ?TableAlias.id").
		Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "list webhook endpoints of organization "+organizationID, "", "")
	}
	return domains(ms, (*webhookEndpointModel).domain), nil
}

func (r webhookEndpoints) Update(ctx context.Context, e *ce.WebhookEndpoint) error {
	m := newWebhookEndpointModel(e)
	m.Version = e.Version + 1
	err := r.update(ctx, m, versioned{"webhook endpoint", e.ID, e.OrganizationID, e.Version}, "",
		"id", "organization_id", "created_at")
	if err != nil {
		return err
	}
	*e = *m.domain()
	return nil
}

func (r webhookEndpoints) Disable(ctx context.Context, organizationID, id, reason string, at time.Time) error {
	release, err := r.begin(ctx)
	if err != nil {
		return err
	}
	defer release()
	res, err := r.db.NewUpdate().Model((*webhookEndpointModel)(nil)).
		Set("enabled = ?", false).
		Set("disabled_reason = ?", reason).
		Set("updated_at = ?", storage.NormalizeTime(at)).
		Set("version = version + 1").
		Where("id = ? AND organization_id = ?", id, organizationID).
		Exec(ctx)
	return r.oneRow(res, err, "disable webhook endpoint "+id, "webhook endpoint "+id+" not found")
}

// oneRow translates the result of a statement that changes the one row
// named in op: no row is ErrNotFound with the message notFound.
func (r repos) oneRow(res interface{ RowsAffected() (int64, error) }, err error, op, notFound string) error {
	var n int64
	if err == nil {
		n, err = res.RowsAffected()
	}
	switch {
	case err != nil:
		return r.fail(err, op, "", "")
	case n == 0:
		return ce.NotFound("%s", notFound)
	}
	return nil
}

// Delete removes the attempts of the endpoint's deliveries, then the
// endpoint, whose deliveries go with it (ON DELETE CASCADE).
func (r webhookEndpoints) Delete(ctx context.Context, organizationID, id string) error {
	op := "delete webhook endpoint " + id
	return r.atomically(ctx, op, func(ctx context.Context, tx repos) error {
		_, err := tx.db.NewDelete().Model((*webhookAttemptModel)(nil)).
			Where("?TableAlias.delivery_id IN (SELECT d.id FROM ce_webhook_deliveries AS d WHERE d.endpoint_id = ? AND d.organization_id = ?)", id, organizationID).
			Exec(ctx)
		if err != nil {
			return tx.fail(err, op, "", "")
		}
		return tx.delete(ctx, (*webhookEndpointModel)(nil), organizationID, id, "webhook endpoint")
	})
}

type webhookDeliveries struct{ repos }

// lockEndpoints returns the locking clause that keeps the endpoints a
// transaction read from being deleted before it inserts their
// deliveries: FOR KEY SHARE on PostgreSQL; SQLite's write transactions
// need none.
func (r repos) lockEndpoints(q *bun.SelectQuery) *bun.SelectQuery {
	if r.pg {
		return q.For("KEY SHARE OF ?TableAlias")
	}
	return q
}

// insertMessage stores m, or returns ErrConflict if its id exists. It
// never violates a constraint, so it needs no savepoint.
func (r repos) insertMessage(ctx context.Context, m *webhookMessageModel, op string) error {
	res, err := r.db.NewInsert().Model(m).On("CONFLICT (id) DO NOTHING").Exec(ctx)
	if err != nil {
		return r.fail(err, op, "", "")
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return r.fail(err, op, "", "")
		}
		return ce.Conflict("webhook message %s already exists", m.ID)
	}
	return nil
}

// Publish reads the subscribed endpoints, then inserts the message and
// all its deliveries in one statement each. The delivery ids are made in
// Go (time-ordered, from crypto/rand), which SQL cannot do on both
// databases, so the fan-out is not one INSERT … SELECT.
func (r webhookDeliveries) Publish(ctx context.Context, m *ce.WebhookMessage) ([]*ce.WebhookDelivery, error) {
	op := "publish webhook message " + m.ID
	var out []*ce.WebhookDelivery
	err := r.atomically(ctx, op, func(ctx context.Context, tx repos) error {
		var endpointIDs []string
		q := tx.db.NewSelect().Model((*webhookEndpointModel)(nil)).Column("id").
			Where(`?TableAlias.organization_id = ? AND ?TableAlias.enabled AND ?TableAlias.event_types LIKE ? ESCAPE '\'`,
				m.OrganizationID, subscribedPattern(m.EventType)).
			OrderExpr("?TableAlias.id")
		if err := tx.lockEndpoints(q).Scan(ctx, &endpointIDs); err != nil {
			return tx.fail(err, op, "", "")
		}
		if len(endpointIDs) == 0 {
			return nil
		}
		mm := newWebhookMessageModel(m)
		if err := tx.insertMessage(ctx, mm, op); err != nil {
			return err
		}
		ds := make([]webhookDeliveryModel, len(endpointIDs))
		for i, id := range endpointIDs {
			ds[i] = newPendingDelivery(mm, id)
		}
		if _, err := tx.db.NewInsert().Model(&ds).Exec(ctx); err != nil {
			return tx.fail(err, op, "", "")
		}
		*m = *mm.domain()
		out = domains(ds, (*webhookDeliveryModel).domain)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r webhookDeliveries) PublishClaimed(ctx context.Context, m *ce.WebhookMessage, endpointID string, lease time.Duration, worker string) (storage.ClaimedDelivery, error) {
	op := "publish webhook message " + m.ID + " to endpoint " + endpointID
	var c storage.ClaimedDelivery
	err := r.atomically(ctx, op, func(ctx context.Context, tx repos) error {
		var e webhookEndpointModel
		q := tx.db.NewSelect().Model(&e).
			Where("?TableAlias.id = ? AND ?TableAlias.organization_id = ?", endpointID, m.OrganizationID)
		if err := tx.lockEndpoints(q).Scan(ctx); err != nil {
			return tx.fail(err, op, "", "webhook endpoint "+endpointID+" not found")
		}
		mm := newWebhookMessageModel(m)
		if err := tx.insertMessage(ctx, mm, op); err != nil {
			return err
		}
		d := newPendingDelivery(mm, endpointID)
		d.Lease, d.LeasedBy = 1, worker
		d.NextAttemptAt = storage.NormalizeTime(mm.CreatedAt.Add(lease))
		if _, err := tx.db.NewInsert().Model(&d).Exec(ctx); err != nil {
			return tx.fail(err, op, "", "")
		}
		*m = *mm.domain()
		cm := newClaimedModel(d, mm, &e)
		c = cm.claimed()
		return nil
	})
	return c, err
}

// claimSQL leases the due deliveries in one statement: the subquery picks
// them in due order, the UPDATE leases them. The first %s excludes
// endpoints; the second locks the chosen rows on PostgreSQL (FOR UPDATE …
// SKIP LOCKED), so that concurrent claimers skip each other's rows instead
// of waiting for them or taking them twice. SQLite runs one writer at a
// time and needs no lock.
const claimSQL = `UPDATE ce_webhook_deliveries
SET lease = lease + 1, leased_by = ?, next_attempt_at = ?, updated_at = ?
WHERE id IN (
	SELECT c.id FROM ce_webhook_deliveries AS c
	JOIN ce_webhook_endpoints AS e ON e.id = c.endpoint_id
	WHERE c.status = 'pending' AND c.next_attempt_at <= ? AND e.enabled%s
	ORDER BY c.next_attempt_at, c.id
	LIMIT ?%s
)
RETURNING *`

// claimJoinedSQL wraps claimSQL, on PostgreSQL, to return each delivery
// with its message and endpoint in the same round trip.
const claimJoinedSQL = `WITH claimed AS (%s)
SELECT claimed.*, m.data AS message_data, m.created_at AS message_created_at,
	e.organization_id AS endpoint_organization_id, e.url AS endpoint_url, e.enabled AS endpoint_enabled,
	e.secret AS endpoint_secret, e.previous_secret AS endpoint_previous_secret,
	e.previous_secret_expires_at AS endpoint_previous_secret_expires_at, e.timeout_ns AS endpoint_timeout_ns
FROM claimed
JOIN ce_webhook_messages AS m ON m.id = claimed.message_id
JOIN ce_webhook_endpoints AS e ON e.id = claimed.endpoint_id`

// Claim leases the deliveries and returns them with their messages and
// endpoints: on PostgreSQL in one round trip (claimJoinedSQL); on SQLite
// by reading the messages and endpoints after the claim, each once, by
// primary key, which costs SQLite less than joining every delivery to its
// endpoint again.
func (r webhookDeliveries) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int, worker string, exclude ...string) ([]storage.ClaimedDelivery, error) {
	if limit <= 0 {
		return nil, r.check()
	}
	release, err := r.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	now = storage.NormalizeTime(now)
	args := []any{worker, storage.NormalizeTime(now.Add(lease)), now, now}
	excluding, locking := "", ""
	if len(exclude) > 0 {
		excluding = " AND c.endpoint_id NOT IN (?)"
		args = append(args, bun.List(exclude))
	}
	args = append(args, limit)
	if r.pg {
		locking = " FOR UPDATE OF c SKIP LOCKED"
	}
	const op = "claim webhook deliveries"
	query := fmt.Sprintf(claimSQL, excluding, locking)
	var rows []claimedModel
	if r.pg {
		err = r.db.NewRaw(fmt.Sprintf(claimJoinedSQL, query), args...).Scan(ctx, &rows)
	} else {
		rows, err = r.claimThenRead(ctx, query, args)
	}
	if err != nil {
		return nil, r.fail(err, op, "", "")
	}
	out := make([]storage.ClaimedDelivery, len(rows))
	for i := range rows {
		out[i] = rows[i].claimed()
	}
	return out, nil
}

// claimThenRead runs the claim query, then reads the messages and
// endpoints of the deliveries it leased. A delivery whose endpoint was
// deleted meanwhile is left out.
func (r webhookDeliveries) claimThenRead(ctx context.Context, query string, args []any) ([]claimedModel, error) {
	var ds []webhookDeliveryModel
	if err := r.db.NewRaw(query, args...).Scan(ctx, &ds); err != nil || len(ds) == 0 {
		return nil, err
	}
	var messageIDs, endpointIDs []string
	for _, d := range ds {
		messageIDs = append(messageIDs, d.MessageID)
		if !slices.Contains(endpointIDs, d.EndpointID) {
			endpointIDs = append(endpointIDs, d.EndpointID)
		}
	}
	var ms []webhookMessageModel
	if err := r.db.NewSelect().Model(&ms).Where("?TableAlias.id IN (?)", bun.List(messageIDs)).Scan(ctx); err != nil {
		return nil, err
	}
	var es []webhookEndpointModel
	if err := r.db.NewSelect().Model(&es).Where("?TableAlias.id IN (?)", bun.List(endpointIDs)).Scan(ctx); err != nil {
		return nil, err
	}
	messages := make(map[string]*webhookMessageModel, len(ms))
	for i := range ms {
		messages[ms[i].ID] = &ms[i]
	}
	endpoints := make(map[string]*webhookEndpointModel, len(es))
	for i := range es {
		endpoints[es[i].ID] = &es[i]
	}
	rows := make([]claimedModel, 0, len(ds))
	for _, d := range ds {
		m, e := messages[d.MessageID], endpoints[d.EndpointID]
		if m != nil && e != nil {
			rows = append(rows, newClaimedModel(d, m, e))
		}
	}
	return rows, nil
}

// nullTime returns t, normalized, or nil (NULL) for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return storage.NormalizeTime(t)
}

// finishSQL applies a batch of outcomes to the deliveries still under
// their leases, in one statement: the VALUES list, one row per outcome,
// joins each to its delivery by primary key, so the database plans one
// small join whatever the batch holds. %s is the new next_attempt_at:
// on PostgreSQL, o.next_attempt_at cast to timestamptz, since a VALUES
// column of quoted times is text; on SQLite, which stores times as text,
// the column itself.
const finishSQL = `WITH o (id, lease, status, next_attempt_at) AS (VALUES ?)
UPDATE ce_webhook_deliveries AS d
SET lease = d.lease + 1, leased_by = '', attempt_count = d.attempt_count + 1,
	status = o.status, next_attempt_at = %s, updated_at = ?
FROM o
WHERE d.id = o.id AND d.lease = o.lease`

// Finish writes a batch as one INSERT of the attempts and one UPDATE of
// the deliveries (finishSQL), which applies only the outcomes under their
// delivery's latest lease, both in one round trip (execBatch).
func (r webhookDeliveries) Finish(ctx context.Context, now time.Time, outcomes []storage.Outcome) error {
	if len(outcomes) == 0 {
		return r.check()
	}
	op := fmt.Sprintf("finish %d webhook deliveries", len(outcomes))
	attempts := make([]webhookAttemptModel, len(outcomes))
	rows := make([]bun.TupleValues, len(outcomes))
	for i, o := range outcomes {
		attempts[i] = newWebhookAttemptModel(&o.Attempt)
		var next *time.Time // NULL unless pending
		if o.Status == ce.DeliveryPending {
			t := storage.NormalizeTime(o.NextAttemptAt)
			next = &t
		}
		rows[i] = bun.Tuple([]any{o.Lease.DeliveryID, o.Lease.Seq, string(o.Status), next})
	}
	next := "o.next_attempt_at"
	if r.pg {
		next = "CAST(o.next_attempt_at AS timestamptz)"
	}
	return r.execBatch(ctx, op, []string{
		r.db.NewInsert().Model(&attempts).String(),
		r.db.NewRaw(fmt.Sprintf(finishSQL, next), bun.List(rows), storage.NormalizeTime(now)).String(),
	})
}

// execBatch runs the formatted statements stmts all or none, in as few
// round trips as the database allows: on PostgreSQL in one simple-query
// message, which runs them in one transaction (or in the caller's); on
// SQLite, which has no round trips to save, in a transaction.
func (r repos) execBatch(ctx context.Context, op string, stmts []string) error {
	query := strings.Join(stmts, ";\n")
	if !r.pg {
		return r.atomically(ctx, op, func(ctx context.Context, tx repos) error {
			if _, err := tx.db.ExecContext(ctx, query); err != nil {
				return tx.fail(err, op, "", "")
			}
			return nil
		})
	}
	if err := r.check(); err != nil {
		return err
	}
	if _, err := r.db.ExecContext(ctx, query); err != nil {
		return r.fail(err, op, "", "")
	}
	return nil
}

// releaseSQL ends leases without an attempt: like finishSQL, it joins a
// VALUES list of the leases to the deliveries by primary key.
const releaseSQL = `WITH l (id, lease) AS (VALUES ?)
UPDATE ce_webhook_deliveries AS d
SET lease = d.lease + 1, leased_by = '', next_attempt_at = ?
FROM l
WHERE d.id = l.id AND d.lease = l.lease`

func (r webhookDeliveries) Release(ctx context.Context, now time.Time, leases []storage.Lease) error {
	if len(leases) == 0 {
		return r.check()
	}
	release, err := r.begin(ctx)
	if err != nil {
		return err
	}
	defer release()
	rows := make([]bun.TupleValues, len(leases))
	for i, l := range leases {
		rows[i] = bun.Tuple([]any{l.DeliveryID, l.Seq})
	}
	if _, err := r.db.NewRaw(releaseSQL, bun.List(rows), storage.NormalizeTime(now)).Exec(ctx); err != nil {
		return r.fail(err, fmt.Sprintf("release %d webhook deliveries", len(leases)), "", "")
	}
	return nil
}

// withAttempts returns the deliveries of ms, each with its attempts
// oldest first, read in one query.
func (r repos) withAttempts(ctx context.Context, ms []webhookDeliveryModel, op string) ([]*ce.WebhookDelivery, error) {
	out := domains(ms, (*webhookDeliveryModel).domain)
	if len(ms) == 0 {
		return out, nil
	}
	byID := make(map[string]*ce.WebhookDelivery, len(out))
	ids := make([]string, len(out))
	for i, d := range out {
		d.Attempts = []ce.WebhookAttempt{}
		byID[d.ID], ids[i] = d, d.ID
	}
	var as []webhookAttemptModel
	err := r.db.NewSelect().Model(&as).
		Where("?TableAlias.delivery_id IN (?)", bun.List(ids)).
		OrderExpr("?TableAlias.delivery_id, ?TableAlias.at, ?TableAlias.id").
		Scan(ctx)
	if err != nil {
		return nil, r.fail(err, op, "", "")
	}
	for i := range as {
		d := byID[as[i].DeliveryID]
		d.Attempts = append(d.Attempts, as[i].domain())
	}
	return out, nil
}

func (r webhookDeliveries) Get(ctx context.Context, organizationID, id string) (*ce.WebhookDelivery, error) {
	var m webhookDeliveryModel
	if err := r.get(ctx, &m, organizationID, id, "webhook delivery"); err != nil {
		return nil, err
	}
	out, err := r.withAttempts(ctx, []webhookDeliveryModel{m}, "get webhook delivery "+id)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// List pages by keyset, newest first: the deliveries before the cursor in
// (created_at, id) order, compared in the database.
func (r webhookDeliveries) List(ctx context.Context, organizationID, endpointID string, f storage.DeliveryFilter) ([]*ce.WebhookDelivery, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	op := "list webhook deliveries of endpoint " + endpointID
	var ms []webhookDeliveryModel
	q := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.endpoint_id = ? AND ?TableAlias.organization_id = ?", endpointID, organizationID).
		OrderExpr("?TableAlias.created_at DESC, ?TableAlias.id DESC").
		Limit(storage.PageLimit(f.Limit))
	if f.After != "" {
		q = q.Where("(?TableAlias.created_at, ?TableAlias.id) < "+
			"(SELECT c.created_at, c.id FROM ce_webhook_deliveries AS c WHERE c.id = ? AND c.endpoint_id = ?)",
			f.After, endpointID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, r.fail(err, op, "", "")
	}
	if len(ms) == 0 {
		// An empty page: no deliveries, the cursor was the last one, or
		// the endpoint or the cursor does not exist.
		if _, err := (webhookEndpoints{r.repos}).Get(ctx, organizationID, endpointID); err != nil {
			return nil, err
		}
		if f.After != "" {
			n, err := r.db.NewSelect().Model((*webhookDeliveryModel)(nil)).
				Where("?TableAlias.id = ? AND ?TableAlias.endpoint_id = ?", f.After, endpointID).
				Count(ctx)
			switch {
			case err != nil:
				return nil, r.fail(err, op, "", "")
			case n == 0:
				return nil, ce.NotFound("webhook delivery %s not found", f.After)
			}
		}
	}
	return r.withAttempts(ctx, ms, op)
}

func (r webhookDeliveries) Resend(ctx context.Context, organizationID, id string, now time.Time) (*ce.WebhookDelivery, error) {
	release, err := r.begin(ctx)
	if err != nil {
		return nil, err
	}
	now = storage.NormalizeTime(now)
	res, err := r.db.NewUpdate().Model((*webhookDeliveryModel)(nil)).
		Set("lease = lease + 1").
		Set("leased_by = ''").
		Set("status = ?", string(ce.DeliveryPending)).
		Set("next_attempt_at = ?", now).
		Set("updated_at = ?", now).
		Where("id = ? AND organization_id = ?", id, organizationID).
		Exec(ctx)
	release()
	if err := r.oneRow(res, err, "resend webhook delivery "+id, "webhook delivery "+id+" not found"); err != nil {
		return nil, err
	}
	return r.Get(ctx, organizationID, id)
}
