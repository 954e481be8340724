package memstore

import (
	"cmp"
	"context"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

type events struct{ s session }

func normalizeEvent(e *ce.Event) {
	for _, t := range []*time.Time{
		&e.StartsAt, &e.EndsAt, &e.CreatedAt, &e.UpdatedAt,
		&e.Settings.RegistrationOpensAt, &e.Settings.RegistrationClosesAt,
	} {
		*t = storage.NormalizeTime(*t)
	}
}

func (r events) Create(ctx context.Context, e *ce.Event) error {
	return r.CreateMany(ctx, []*ce.Event{e})
}

// CreateMany checks every event before it stores any, so that it stores
// all or none even outside a transaction.
func (r events) CreateMany(ctx context.Context, events []*ce.Event) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		ids := make(map[string]bool, len(events))
		for _, e := range events {
			if _, ok := d.organizations[e.OrganizationID]; !ok {
				return ce.NotFound("organization %s not found", e.OrganizationID)
			}
			if _, ok := d.events[e.ID]; ok || ids[e.ID] {
				return ce.Conflict("event %s already exists", e.ID)
			}
			ids[e.ID] = true
		}
		for _, e := range events {
			normalizeEvent(e)
			e.Version = 1
			put(d.events, e.ID, *e, undo)
		}
		return nil
	})
}

func (r events) Get(ctx context.Context, organizationID, id string) (*ce.Event, error) {
	e, err := r.Lookup(ctx, id)
	if err == nil && e.OrganizationID != organizationID {
		return nil, ce.NotFound("event %s not found", id)
	}
	return e, err
}

func (r events) Lookup(ctx context.Context, id string) (*ce.Event, error) {
	var e ce.Event
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		var ok bool
		if e, ok = d.events[id]; !ok {
			return ce.NotFound("event %s not found", id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

func (d *data) event(organizationID, id string) (ce.Event, error) {
	e, ok := d.events[id]
	if !ok || e.OrganizationID != organizationID {
		return ce.Event{}, ce.NotFound("event %s not found", id)
	}
	return e, nil
}

func compareEvents(a, b *ce.Event) int {
	return cmp.Or(a.StartsAt.Compare(b.StartsAt), cmp.Compare(a.ID, b.ID))
}

func (r events) List(ctx context.Context, organizationID string, f storage.EventFilter) ([]*ce.Event, error) {
	var out []*ce.Event
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		var after *ce.Event
		if f.After != "" {
			e, err := d.event(organizationID, f.After)
			if err != nil {
				return err
			}
			after = &e
		}
		out = collect(d.events, func(e ce.Event) bool {
			return e.OrganizationID == organizationID &&
				(f.Status == "" || e.Status == f.Status) &&
				(f.SeriesID == "" || e.SeriesID == f.SeriesID) &&
				(after == nil || compareEvents(&e, after) > 0)
		}, compareEvents)
		return nil
	})
	if limit := storage.PageLimit(f.Limit); len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

func (r events) Update(ctx context.Context, e *ce.Event) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		old, err := d.event(e.OrganizationID, e.ID)
		if err != nil {
			return err
		}
		if old.Version != e.Version {
			return ce.Conflict("event %s was changed by someone else (version %d, not %d)", e.ID, old.Version, e.Version)
		}
		e.CreatedAt = old.CreatedAt
		normalizeEvent(e)
		e.Version++
		put(d.events, e.ID, *e, undo)
		return nil
	})
}
