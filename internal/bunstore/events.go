package bunstore

import (
	"context"
	"fmt"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

type events struct{ repos }

func (r events) Create(ctx context.Context, e *ce.Event) error {
	m := newEventModel(e)
	m.Version = 1
	if err := r.insert(ctx, m, "create event "+e.ID,
		"event "+e.ID+" already exists",
		"organization "+e.OrganizationID+" not found"); err != nil {
		return err
	}
	*e = *m.domain()
	return nil
}

func (r events) CreateMany(ctx context.Context, events []*ce.Event) error {
	ms := make([]eventModel, len(events))
	for i, e := range events {
		ms[i] = *newEventModel(e)
		ms[i].Version = 1
	}
	if err := insertMany(ctx, r.repos, ms, fmt.Sprintf("create %d events", len(events)),
		"one of the events already exists",
		"the organization of one of the events was not found"); err != nil {
		return err
	}
	for i := range ms {
		*events[i] = *ms[i].domain()
	}
	return nil
}

func (r events) Get(ctx context.Context, organizationID, id string) (*ce.Event, error) {
	var m eventModel
	if err := r.get(ctx, &m, organizationID, id, "event"); err != nil {
		return nil, err
	}
	return m.domain(), nil
}

func (r events) Lookup(ctx context.Context, id string) (*ce.Event, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var m eventModel
	err := r.db.NewSelect().Model(&m).Where("?TableAlias.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "look up event "+id, "", "event "+id+" not found")
	}
	return m.domain(), nil
}

// List pages by keyset: the events after the cursor event in (starts_at,
// id) order, compared in the database, so that times never leave it.
func (r events) List(ctx context.Context, organizationID string, f storage.EventFilter) ([]*ce.Event, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var ms []eventModel
	q := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.organization_id = ?", organizationID).
		OrderExpr("?TableAlias.starts_at, ?TableAlias.id").
		Limit(storage.PageLimit(f.Limit))
	if f.Status != "" {
		q = q.Where("?TableAlias.status = ?", string(f.Status))
	}
	if f.SeriesID != "" {
		q = q.Where("?TableAlias.series_id = ?", f.SeriesID)
	}
	if f.After != "" {
		q = q.Where("(?TableAlias.starts_at, ?TableAlias.id) > "+
			"(SELECT c.starts_at, c.id FROM ce_events AS c WHERE c.id = ? AND c.organization_id = ?)",
			f.After, organizationID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, r.fail(err, "list events of organization "+organizationID, "", "")
	}
	if len(ms) == 0 && f.After != "" {
		// An empty page: the cursor was the last event, or is not one.
		if _, err := r.Get(ctx, organizationID, f.After); err != nil {
			return nil, err
		}
	}
	return domains(ms, (*eventModel).domain), nil
}

func (r events) Update(ctx context.Context, e *ce.Event) error {
	m := newEventModel(e)
	m.Version = e.Version + 1
	err := r.update(ctx, m, versioned{"event", e.ID, e.OrganizationID, e.Version}, "",
		"id", "organization_id", "created_at")
	if err != nil {
		return err
	}
	*e = *m.domain()
	return nil
}
