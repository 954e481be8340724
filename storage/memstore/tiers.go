package memstore

import (
	"cmp"
	"context"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

type tiers struct{ s session }

func normalizeTier(t *ce.Tier) {
	for _, p := range []*time.Time{&t.SalesStartAt, &t.SalesEndAt, &t.CreatedAt, &t.UpdatedAt} {
		*p = storage.NormalizeTime(*p)
	}
}

func (d *data) tier(organizationID, id string) (ce.Tier, error) {
	t, ok := d.tiers[id]
	if !ok || t.OrganizationID != organizationID {
		return ce.Tier{}, ce.NotFound("tier %s not found", id)
	}
	return t, nil
}

// checkTierName reports a conflict if another tier of t's event has its name.
func (d *data) checkTierName(t *ce.Tier) error {
	for _, other := range d.tiers {
		if other.EventID == t.EventID && other.ID != t.ID && other.Name == t.Name {
			return ce.Conflict("event %s already has a tier named %q", t.EventID, t.Name)
		}
	}
	return nil
}

func (r tiers) Create(ctx context.Context, t *ce.Tier) error {
	return r.CreateMany(ctx, []*ce.Tier{t})
}

// CreateMany checks every tier before it stores any, so that it stores
// all or none even outside a transaction.
func (r tiers) CreateMany(ctx context.Context, tiers []*ce.Tier) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		type eventName struct{ eventID, name string }
		ids := make(map[string]bool, len(tiers))
		names := make(map[eventName]bool, len(tiers))
		for _, t := range tiers {
			if _, err := d.event(t.OrganizationID, t.EventID); err != nil {
				return err
			}
			if _, ok := d.tiers[t.ID]; ok || ids[t.ID] {
				return ce.Conflict("tier %s already exists", t.ID)
			}
			ids[t.ID] = true
			if names[eventName{t.EventID, t.Name}] {
				return ce.Conflict("event %s already has a tier named %q", t.EventID, t.Name)
			}
			names[eventName{t.EventID, t.Name}] = true
		}
		// One pass over the stored tiers for all the names.
		for _, other := range d.tiers {
			if names[eventName{other.EventID, other.Name}] {
				return ce.Conflict("event %s already has a tier named %q", other.EventID, other.Name)
			}
		}
		for _, t := range tiers {
			normalizeTier(t)
			t.Version = 1
			put(d.tiers, t.ID, *t, undo)
		}
		return nil
	})
}

func (r tiers) Get(ctx context.Context, organizationID, id string) (*ce.Tier, error) {
	var t ce.Tier
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		var err error
		t, err = d.tier(organizationID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func (r tiers) ListByEvent(ctx context.Context, organizationID, eventID string) ([]*ce.Tier, error) {
	var out []*ce.Tier
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		out = collect(d.tiers, func(t ce.Tier) bool {
			return t.OrganizationID == organizationID && t.EventID == eventID
		}, func(a, b *ce.Tier) int {
			return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(a.ID, b.ID))
		})
		return nil
	})
	return out, err
}

func (r tiers) CountByEvents(ctx context.Context, organizationID string, eventIDs []string) (map[string]int, error) {
	counts := map[string]int{}
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		wanted := make(map[string]bool, len(eventIDs))
		for _, id := range eventIDs {
			wanted[id] = true
		}
		for _, t := range d.tiers {
			if t.OrganizationID == organizationID && wanted[t.EventID] {
				counts[t.EventID]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

func (r tiers) Update(ctx context.Context, t *ce.Tier) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		old, err := d.tier(t.OrganizationID, t.ID)
		if err != nil {
			return err
		}
		if old.Version != t.Version {
			return ce.Conflict("tier %s was changed by someone else (version %d, not %d)", t.ID, old.Version, t.Version)
		}
		t.EventID, t.CreatedAt = old.EventID, old.CreatedAt
		if err := d.checkTierName(t); err != nil {
			return err
		}
		normalizeTier(t)
		t.Version++
		put(d.tiers, t.ID, *t, undo)
		return nil
	})
}

func (r tiers) Delete(ctx context.Context, organizationID, id string) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		if _, err := d.tier(organizationID, id); err != nil {
			return err
		}
		if d.hasRegistrations(id) {
			return ce.Conflict("tier %s has registrations", id)
		}
		remove(d.tiers, id, undo)
		return nil
	})
}
