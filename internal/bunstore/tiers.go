package bunstore

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

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

func (r tiers) CreateMany(ctx context.Context, tiers []*ce.Tier) error {
	ms := make([]tierModel, len(tiers))
	for i, t := range tiers {
		ms[i] = *newTierModel(t)
		ms[i].Version = 1
	}
	if err := insertMany(ctx, r.repos, ms, fmt.Sprintf("create %d tiers", len(tiers)),
		"one of the tiers, or a tier of the same name in its event, already exists",
		"the event of one of the tiers was not found"); err != nil {
		return err
	}
	for i := range ms {
		*tiers[i] = *ms[i].domain()
	}
	return nil
}

func (r tiers) Get(ctx context.Context, organizationID, id string) (*ce.Tier, error) {
	var m tierModel
	if err := r.get(ctx, &m, organizationID, id, "tier"); err != nil {
		return nil, err
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

func (r tiers) CountByEvents(ctx context.Context, organizationID string, eventIDs []string) (map[string]int, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	counts := make(map[string]int, len(eventIDs))
	if len(eventIDs) == 0 {
		return counts, nil
	}
	var rows []struct {
		EventID string `bun:"event_id"`
		Tiers   int    `bun:"tiers"`
	}
	err := r.db.NewSelect().Model((*tierModel)(nil)).
		ColumnExpr("?TableAlias.event_id, count(*) AS tiers").
		Where("?TableAlias.organization_id = ? AND ?TableAlias.event_id IN (?)", organizationID, bun.List(eventIDs)).
		GroupExpr("?TableAlias.event_id").
		Scan(ctx, &rows)
	if err != nil {
		return nil, r.fail(err, "count the tiers of events", "", "")
	}
	for _, row := range rows {
		counts[row.EventID] = row.Tiers
	}
	return counts, nil
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
