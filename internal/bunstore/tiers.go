package bunstore

import (
	"context"
	"fmt"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

type tiers struct{ repos }

func (r tiers) Create(ctx context.Context, t *ce.Tier) error {
	m := newTierModel(t)
	m.Version = 1
	if err := r.insert(ctx, m, "create tier "+t.ID,
		fmt.Sprintf("tier %s, or a tier named %q in event %s, already exists", t.ID, t.Name, t.EventID),
		"event "+t.EventID+" not found"); err != nil {
		return err
	}
	*t = *m.domain()
	return nil
}

func (r tiers) Get(ctx context.Context, organizationID, id string) (*ce.Tier, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var m tierModel
	err := r.db.NewSelect().Model(&m).
		Where("?TableAlias.id = ? AND ?TableAlias.organization_id = ?", id, organizationID).
		Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "get tier "+id, "", "tier "+id+" not found")
	}
	return m.domain(), nil
}

func (r tiers) ListByEvent(ctx context.Context, organizationID, eventID string) ([]*ce.Tier, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	var ms []tierModel
	err := r.db.NewSelect().Model(&ms).
		Where("?TableAlias.event_id = ? AND ?TableAlias.organization_id = ?", eventID, organizationID).
		OrderExpr("?TableAlias.position, ?TableAlias.id").
		Scan(ctx)
	if err != nil {
		return nil, r.fail(err, "list tiers of event "+eventID, "", "")
	}
	return domains(ms, (*tierModel).domain), nil
}

func (r tiers) Update(ctx context.Context, t *ce.Tier) error {
	m := newTierModel(t)
	m.Version = t.Version + 1
	err := r.update(ctx, m, versioned{"tier", t.ID, t.OrganizationID, t.Version},
		fmt.Sprintf("another tier of the event of tier %s is named %q", t.ID, t.Name),
		"id", "organization_id", "event_id", "created_at")
	if err != nil {
		return err
	}
	*t = *m.domain()
	return nil
}

func (r tiers) Delete(ctx context.Context, organizationID, id string) error {
	return r.delete(ctx, (*tierModel)(nil), organizationID, id, "tier")
}
