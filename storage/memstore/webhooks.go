package memstore

import (
	"cmp"
	"container/heap"
	"context"
	"slices"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// webhookData is the webhook records. The due queue indexes the pending
// deliveries by when they are due, so that a claim costs what it takes,
// not a scan of every delivery ever made.
type webhookData struct {
	endpoints map[string]ce.WebhookEndpoint
	messages  map[string]ce.WebhookMessage
	// deliveries point to rows that writes change in place, so that the
	// busiest records of the store are not copied anew at each write.
	deliveries map[string]*deliveryRow
	// attempts holds each delivery's attempts, oldest first.
	attempts map[string][]ce.WebhookAttempt
	due      *dueQueue
}

func newWebhookData() webhookData {
	return webhookData{
		endpoints:  map[string]ce.WebhookEndpoint{},
		messages:   map[string]ce.WebhookMessage{},
		deliveries: map[string]*deliveryRow{},
		attempts:   map[string][]ce.WebhookAttempt{},
		due:        &dueQueue{},
	}
}

// deliveryRow is a stored delivery (without attempts) and the sequence
// number of its latest lease. Every write that ends a lease (Finish,
// Release, Resend) increments it too, so that an ended lease never
// matches again.
type deliveryRow struct {
	ce.WebhookDelivery
	lease int64
}

// dueEntry says that a delivery was due at a time. Entries are hints: an
// entry is valid only while its delivery is pending with that
// NextAttemptAt, and claims skip the others. Every claimable delivery has
// a valid entry: each write that makes a delivery due pushes one.
type dueEntry struct {
	at int64 // Unix microseconds, cheaper to compare than a time.Time
	id string
}

// dueQueue is a min-heap of dueEntry by time, then id.
type dueQueue []dueEntry

func (q dueQueue) Len() int { return len(q) }
func (q dueQueue) Less(i, j int) bool {
	return cmp.Or(cmp.Compare(q[i].at, q[j].at), cmp.Compare(q[i].id, q[j].id)) < 0
}
func (q dueQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *dueQueue) Push(x any)   { *q = append(*q, x.(dueEntry)) }
func (q *dueQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// schedule pushes the entry that makes the delivery due at at. A rollback
// needs no undo: the entry turns stale with the delivery.
func (w *webhookData) schedule(id string, at time.Time) {
	heap.Push(w.due, dueEntry{at: at.UnixMicro(), id: id})
}

// putDelivery stores row, in place of the stored row of its id if any,
// recording the undo. Only a new row allocates.
func (w *webhookData) putDelivery(row deliveryRow, undo func(func())) {
	p, ok := w.deliveries[row.ID]
	if !ok {
		p = new(deliveryRow)
		*p = row
		put(w.deliveries, row.ID, p, undo)
		return
	}
	if undo != nil {
		old := *p
		undo(func() { *p = old })
	}
	*p = row
}

// row returns a copy of the stored row of the id.
func (w *webhookData) row(id string) (deliveryRow, bool) {
	p, ok := w.deliveries[id]
	if !ok {
		return deliveryRow{}, false
	}
	return *p, true
}

// cloneEndpoint returns e with its own copy of the event types.
func cloneEndpoint(e ce.WebhookEndpoint) ce.WebhookEndpoint {
	e.EventTypes = slices.Clone(e.EventTypes)
	return e
}

func normalizeEndpoint(e *ce.WebhookEndpoint) {
	for _, t := range []*time.Time{&e.PreviousSecretExpiresAt, &e.CreatedAt, &e.UpdatedAt} {
		*t = storage.NormalizeTime(*t)
	}
}

type webhookEndpoints struct{ s session }

func (d *data) webhookEndpoint(organizationID, id string) (ce.WebhookEndpoint, error) {
	e, ok := d.webhooks.endpoints[id]
	if !ok || e.OrganizationID != organizationID {
		return ce.WebhookEndpoint{}, ce.NotFound("webhook endpoint %s not found", id)
	}
	return e, nil
}

func (r webhookEndpoints) Create(ctx context.Context, e *ce.WebhookEndpoint) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		if _, ok := d.organizations[e.OrganizationID]; !ok {
			return ce.NotFound("organization %s not found", e.OrganizationID)
		}
		if _, ok := d.webhooks.endpoints[e.ID]; ok {
			return ce.Conflict("webhook endpoint %s already exists", e.ID)
		}
		normalizeEndpoint(e)
		e.Version = 1
		put(d.webhooks.endpoints, e.ID, cloneEndpoint(*e), undo)
		return nil
	})
}

func (r webhookEndpoints) Get(ctx context.Context, organizationID, id string) (*ce.WebhookEndpoint, error) {
	var e ce.WebhookEndpoint
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		var err error
		e, err = d.webhookEndpoint(organizationID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	e = cloneEndpoint(e)
	return &e, nil
}

func (r webhookEndpoints) List(ctx context.Context, organizationID string) ([]*ce.WebhookEndpoint, error) {
	var out []*ce.WebhookEndpoint
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		out = collect(d.webhooks.endpoints, func(e ce.WebhookEndpoint) bool { return e.OrganizationID == organizationID },
			func(a, b *ce.WebhookEndpoint) int {
				return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
			})
		return nil
	})
	for _, e := range out {
		*e = cloneEndpoint(*e)
	}
	return out, err
}

func (r webhookEndpoints) Update(ctx context.Context, e *ce.WebhookEndpoint) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		old, err := d.webhookEndpoint(e.OrganizationID, e.ID)
		if err != nil {
			return err
		}
		if old.Version != e.Version {
			return ce.Conflict("webhook endpoint %s was changed by someone else (version %d, not %d)", e.ID, old.Version, e.Version)
		}
		e.CreatedAt = old.CreatedAt
		normalizeEndpoint(e)
		e.Version++
		put(d.webhooks.endpoints, e.ID, cloneEndpoint(*e), undo)
		if e.Enabled && !old.Enabled {
			d.webhooks.scheduleEndpoint(e.ID)
		}
		return nil
	})
}

// scheduleEndpoint pushes a due entry for every pending delivery to the
// endpoint, whose entries claims dropped while it was disabled.
func (w *webhookData) scheduleEndpoint(endpointID string) {
	for _, row := range w.deliveries {
		if row.EndpointID == endpointID && row.Status == ce.DeliveryPending {
			w.schedule(row.ID, row.NextAttemptAt)
		}
	}
}

func (r webhookEndpoints) Disable(ctx context.Context, organizationID, id, reason string, at time.Time) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		e, err := d.webhookEndpoint(organizationID, id)
		if err != nil {
			return err
		}
		e.Enabled, e.DisabledReason, e.UpdatedAt = false, reason, storage.NormalizeTime(at)
		e.Version++
		put(d.webhooks.endpoints, id, e, undo)
		return nil
	})
}

func (r webhookEndpoints) Delete(ctx context.Context, organizationID, id string) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		if _, err := d.webhookEndpoint(organizationID, id); err != nil {
			return err
		}
		remove(d.webhooks.endpoints, id, undo)
		for _, row := range d.webhooks.deliveries {
			if row.EndpointID == id {
				remove(d.webhooks.deliveries, row.ID, undo)
				remove(d.webhooks.attempts, row.ID, undo)
			}
		}
		return nil
	})
}

type webhookDeliveries struct{ s session }

// storeMessage checks and stores a copy of m, normalized.
func (w *webhookData) storeMessage(m *ce.WebhookMessage, undo func(func())) error {
	if _, ok := w.messages[m.ID]; ok {
		return ce.Conflict("webhook message %s already exists", m.ID)
	}
	m.CreatedAt = storage.NormalizeTime(m.CreatedAt)
	stored := *m
	stored.Data = slices.Clone(m.Data)
	put(w.messages, m.ID, stored, undo)
	return nil
}

// newDelivery stores and schedules a pending delivery of m to the endpoint.
func (w *webhookData) newDelivery(m *ce.WebhookMessage, endpointID string, undo func(func())) deliveryRow {
	row := deliveryRow{WebhookDelivery: ce.WebhookDelivery{
		ID:             ce.NewID(ce.PrefixWebhookDelivery, m.CreatedAt),
		OrganizationID: m.OrganizationID,
		MessageID:      m.ID,
		EndpointID:     endpointID,
		EventType:      m.EventType,
		Status:         ce.DeliveryPending,
		NextAttemptAt:  m.CreatedAt,
		CreatedAt:      m.CreatedAt,
		UpdatedAt:      m.CreatedAt,
	}}
	w.putDelivery(row, undo)
	w.schedule(row.ID, row.NextAttemptAt)
	return row
}

func (r webhookDeliveries) Publish(ctx context.Context, m *ce.WebhookMessage) ([]*ce.WebhookDelivery, error) {
	var out []*ce.WebhookDelivery
	err := r.s.do(ctx, func(d *data, undo func(func())) error {
		var endpoints []string
		for _, e := range d.webhooks.endpoints {
			if e.OrganizationID == m.OrganizationID && e.Enabled && slices.Contains(e.EventTypes, m.EventType) {
				endpoints = append(endpoints, e.ID)
			}
		}
		if len(endpoints) == 0 {
			return nil
		}
		if err := d.webhooks.storeMessage(m, undo); err != nil {
			return err
		}
		slices.Sort(endpoints)
		for _, id := range endpoints {
			row := d.webhooks.newDelivery(m, id, undo)
			out = append(out, &row.WebhookDelivery)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (r webhookDeliveries) PublishClaimed(ctx context.Context, m *ce.WebhookMessage, endpointID string, lease time.Duration, worker string) (storage.ClaimedDelivery, error) {
	var c storage.ClaimedDelivery
	err := r.s.do(ctx, func(d *data, undo func(func())) error {
		e, err := d.webhookEndpoint(m.OrganizationID, endpointID)
		if err != nil {
			return err
		}
		if err := d.webhooks.storeMessage(m, undo); err != nil {
			return err
		}
		row := d.webhooks.newDelivery(m, endpointID, undo)
		c = d.webhooks.claim(row, e, m.CreatedAt, lease, worker, undo)
		return nil
	})
	return c, err
}

// claim leases row to worker from now and returns it as claimed.
func (w *webhookData) claim(row deliveryRow, e ce.WebhookEndpoint, now time.Time, lease time.Duration, worker string, undo func(func())) storage.ClaimedDelivery {
	row.lease++
	row.NextAttemptAt = storage.NormalizeTime(now.Add(lease))
	row.LeasedBy = worker
	row.UpdatedAt = now
	w.putDelivery(row, undo)
	w.schedule(row.ID, row.NextAttemptAt)
	m := w.messages[row.MessageID]
	m.Data = slices.Clone(m.Data)
	return storage.ClaimedDelivery{
		Lease:    storage.Lease{DeliveryID: row.ID, Seq: row.lease},
		Delivery: row.WebhookDelivery,
		Message:  m,
		Endpoint: ce.WebhookEndpoint{
			ID:                      e.ID,
			OrganizationID:          e.OrganizationID,
			URL:                     e.URL,
			Enabled:                 e.Enabled,
			Secret:                  e.Secret,
			PreviousSecret:          e.PreviousSecret,
			PreviousSecretExpiresAt: e.PreviousSecretExpiresAt,
			Timeout:                 e.Timeout,
		},
	}
}

func (r webhookDeliveries) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int, worker string, exclude ...string) ([]storage.ClaimedDelivery, error) {
	var out []storage.ClaimedDelivery
	err := r.s.do(ctx, func(d *data, undo func(func())) error {
		w := &d.webhooks
		now := storage.NormalizeTime(now)
		out = make([]storage.ClaimedDelivery, 0, max(0, min(limit, w.due.Len()))) // claims nothing if limit <= 0
		var skipped []dueEntry
		for len(out) < limit && w.due.Len() > 0 && (*w.due)[0].at <= now.UnixMicro() {
			entry := heap.Pop(w.due).(dueEntry)
			if undo != nil {
				undo(func() { heap.Push(w.due, entry) })
			}
			row, ok := w.row(entry.id)
			if !ok || row.Status != ce.DeliveryPending || row.NextAttemptAt.UnixMicro() != entry.at {
				continue // stale
			}
			e := w.endpoints[row.EndpointID]
			switch {
			case !e.Enabled:
				continue // Update schedules it again when the endpoint is enabled.
			case slices.Contains(exclude, e.ID):
				skipped = append(skipped, entry)
				continue
			}
			out = append(out, w.claim(row, e, now, lease, worker, undo))
		}
		for _, entry := range skipped {
			heap.Push(w.due, entry)
		}
		return nil
	})
	return out, err
}

func (r webhookDeliveries) Finish(ctx context.Context, now time.Time, outcomes []storage.Outcome) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		w := &d.webhooks
		now := storage.NormalizeTime(now)
		for _, o := range outcomes {
			row, ok := w.row(o.Lease.DeliveryID)
			if !ok {
				continue
			}
			a := o.Attempt
			a.At = storage.NormalizeTime(a.At)
			// Readers copy the attempts, so appending in place is safe.
			put(w.attempts, row.ID, append(w.attempts[row.ID], a), undo)
			if row.lease != o.Lease.Seq {
				continue
			}
			row.lease++
			row.AttemptCount++
			row.Status = o.Status
			row.NextAttemptAt = time.Time{}
			if o.Status == ce.DeliveryPending {
				row.NextAttemptAt = storage.NormalizeTime(o.NextAttemptAt)
				w.schedule(row.ID, row.NextAttemptAt)
			}
			row.LeasedBy = ""
			row.UpdatedAt = now
			w.putDelivery(row, undo)
		}
		return nil
	})
}

func (r webhookDeliveries) Release(ctx context.Context, now time.Time, leases []storage.Lease) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		w := &d.webhooks
		now := storage.NormalizeTime(now)
		for _, l := range leases {
			row, ok := w.row(l.DeliveryID)
			if !ok || row.lease != l.Seq {
				continue
			}
			row.lease++
			row.NextAttemptAt, row.LeasedBy = now, ""
			w.putDelivery(row, undo)
			w.schedule(row.ID, now)
		}
		return nil
	})
}

// delivery returns the organization's delivery with the id and its
// attempts, copied.
func (w *webhookData) delivery(organizationID, id string) (*ce.WebhookDelivery, error) {
	row, ok := w.row(id)
	if !ok || row.OrganizationID != organizationID {
		return nil, ce.NotFound("webhook delivery %s not found", id)
	}
	return w.withAttempts(row), nil
}

// withAttempts returns a copy of the delivery of row with its attempts.
func (w *webhookData) withAttempts(row deliveryRow) *ce.WebhookDelivery {
	dl := row.WebhookDelivery
	dl.Attempts = slices.Clone(w.attempts[row.ID])
	if dl.Attempts == nil {
		dl.Attempts = []ce.WebhookAttempt{}
	}
	return &dl
}

func (r webhookDeliveries) Get(ctx context.Context, organizationID, id string) (*ce.WebhookDelivery, error) {
	var dl *ce.WebhookDelivery
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		var err error
		dl, err = d.webhooks.delivery(organizationID, id)
		return err
	})
	return dl, err
}

// compareNewestFirst orders deliveries by CreatedAt, then id, descending.
func compareNewestFirst(a, b *deliveryRow) int {
	return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
}

func (r webhookDeliveries) List(ctx context.Context, organizationID, endpointID string, f storage.DeliveryFilter) ([]*ce.WebhookDelivery, error) {
	var out []*ce.WebhookDelivery
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		w := &d.webhooks
		if _, err := d.webhookEndpoint(organizationID, endpointID); err != nil {
			return err
		}
		var after *deliveryRow
		if f.After != "" {
			row, ok := w.row(f.After)
			if !ok || row.EndpointID != endpointID {
				return ce.NotFound("webhook delivery %s not found", f.After)
			}
			after = &row
		}
		var rows []*deliveryRow
		for _, row := range w.deliveries {
			if row.EndpointID == endpointID && (after == nil || compareNewestFirst(row, after) > 0) {
				rows = append(rows, row)
			}
		}
		slices.SortFunc(rows, compareNewestFirst)
		rows = rows[:min(len(rows), storage.PageLimit(f.Limit))]
		out = make([]*ce.WebhookDelivery, len(rows))
		for i, row := range rows {
			out[i] = w.withAttempts(*row)
		}
		return nil
	})
	return out, err
}

func (r webhookDeliveries) Resend(ctx context.Context, organizationID, id string, now time.Time) (*ce.WebhookDelivery, error) {
	var dl *ce.WebhookDelivery
	err := r.s.do(ctx, func(d *data, undo func(func())) error {
		w := &d.webhooks
		row, ok := w.row(id)
		if !ok || row.OrganizationID != organizationID {
			return ce.NotFound("webhook delivery %s not found", id)
		}
		row.lease++
		row.Status = ce.DeliveryPending
		row.NextAttemptAt = storage.NormalizeTime(now)
		row.LeasedBy = ""
		row.UpdatedAt = row.NextAttemptAt
		w.putDelivery(row, undo)
		w.schedule(row.ID, row.NextAttemptAt)
		dl = w.withAttempts(row)
		return nil
	})
	return dl, err
}
