package memstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// registrationData is the registrations, indexed by their tokens, and the
// seats they hold.
type registrationData struct {
	records map[string]ce.Registration
	// byToken holds the id of the registration of each guide token,
	// ticket code and non-empty join token.
	byToken map[tokenKey]string
	// held is the number of seats held in each tier and each event, by
	// the tier's or the event's id (their prefixes tell them apart).
	held map[string]int
}

func newRegistrationData() registrationData {
	return registrationData{
		records: map[string]ce.Registration{},
		byToken: map[tokenKey]string{},
		held:    map[string]int{},
	}
}

// tokenKey is one token of a registration.
type tokenKey struct {
	kind  storage.TokenKind
	token string
}

// tokenKeys returns the tokens of r that must be unique: the guide token,
// the ticket code and, if not empty, the join token.
func tokenKeys(r *ce.Registration) []tokenKey {
	keys := []tokenKey{{storage.GuideToken, r.GuideToken}, {storage.TicketCode, r.TicketCode}}
	if r.JoinToken != "" {
		keys = append(keys, tokenKey{storage.JoinToken, r.JoinToken})
	}
	return keys
}

func normalizeRegistration(r *ce.Registration) {
	for _, t := range []*time.Time{&r.JoinedAt, &r.CheckedInAt, &r.CancelledAt, &r.CreatedAt, &r.UpdatedAt} {
		*t = storage.NormalizeTime(*t)
	}
}

func (d *data) registration(organizationID, id string) (ce.Registration, error) {
	r, ok := d.registrations.records[id]
	if !ok || r.OrganizationID != organizationID {
		return ce.Registration{}, ce.NotFound("registration %s not found", id)
	}
	return r, nil
}

// takeSeat counts one more seat held in the tier and its event, or returns
// storage.SoldOut if either is full.
func (d *data) takeSeat(tier ce.Tier, undo func(func())) error {
	held := d.registrations.held
	e := d.events[tier.EventID]
	switch {
	case tier.Capacity > 0 && held[tier.ID] >= tier.Capacity:
		return storage.SoldOut("tier", tier.ID)
	case e.Settings.Capacity > 0 && held[e.ID] >= e.Settings.Capacity:
		return storage.SoldOut("event", e.ID)
	}
	put(held, tier.ID, held[tier.ID]+1, undo)
	put(held, e.ID, held[e.ID]+1, undo)
	return nil
}

// giveSeat counts one seat less held in the tier and the event.
func (d *data) giveSeat(tierID, eventID string, undo func(func())) {
	held := d.registrations.held
	put(held, tierID, held[tierID]-1, undo)
	put(held, eventID, held[eventID]-1, undo)
}

// hasRegistrations reports whether the tier has registrations.
func (d *data) hasRegistrations(tierID string) bool {
	for _, r := range d.registrations.records {
		if r.TierID == tierID {
			return true
		}
	}
	return false
}

type registrations struct{ s session }

// Create checks everything before it writes, so that a refused
// registration leaves nothing behind even outside a transaction.
func (r registrations) Create(ctx context.Context, reg *ce.Registration) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		tier, ok := d.tiers[reg.TierID]
		if !ok || tier.OrganizationID != reg.OrganizationID || tier.EventID != reg.EventID {
			return ce.NotFound("tier %s of event %s not found", reg.TierID, reg.EventID)
		}
		rd := &d.registrations
		if _, ok := rd.records[reg.ID]; ok {
			return ce.Conflict("registration %s already exists", reg.ID)
		}
		keys := tokenKeys(reg)
		for _, k := range keys {
			if _, ok := rd.byToken[k]; ok {
				return ce.Conflict("another registration has a token of registration %s", reg.ID)
			}
		}
		if reg.Status.HoldsSeat() {
			if err := d.takeSeat(tier, undo); err != nil {
				return err
			}
		}
		normalizeRegistration(reg)
		reg.Version = 1
		put(rd.records, reg.ID, *reg, undo)
		for _, k := range keys {
			put(rd.byToken, k, reg.ID, undo)
		}
		return nil
	})
}

func (r registrations) Get(ctx context.Context, organizationID, id string) (*ce.Registration, error) {
	var reg ce.Registration
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		var err error
		reg, err = d.registration(organizationID, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &reg, nil
}

func (r registrations) GetByToken(ctx context.Context, kind storage.TokenKind, token string) (*ce.Registration, error) {
	var reg ce.Registration
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		id, ok := d.registrations.byToken[tokenKey{kind, token}]
		if !ok || token == "" {
			return ce.NotFound("registration not found")
		}
		reg = d.registrations.records[id]
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &reg, nil
}

func (r registrations) List(ctx context.Context, organizationID, eventID string, f storage.RegistrationFilter) ([]*ce.Registration, error) {
	var out []*ce.Registration
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		if f.After != "" {
			if after, err := d.registration(organizationID, f.After); err != nil || after.EventID != eventID {
				return ce.NotFound("registration %s not found in event %s", f.After, eventID)
			}
		}
		out = collect(d.registrations.records, func(reg ce.Registration) bool {
			return reg.OrganizationID == organizationID && reg.EventID == eventID &&
				(f.Status == "" || reg.Status == f.Status) &&
				(f.TierID == "" || reg.TierID == f.TierID) &&
				reg.ID > f.After
		}, func(a, b *ce.Registration) int { return cmp.Compare(a.ID, b.ID) })
		return nil
	})
	if limit := storage.PageLimit(f.Limit); len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// ListPendingPayment looks at every registration: the store is for tests
// and small installations.
func (r registrations) ListPendingPayment(ctx context.Context, createdBefore time.Time, limit int) ([]*ce.Registration, error) {
	var out []*ce.Registration
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		before := storage.NormalizeTime(createdBefore)
		out = collect(d.registrations.records, func(reg ce.Registration) bool {
			return reg.Status == ce.RegistrationPendingPayment && reg.CreatedAt.Before(before)
		}, func(a, b *ce.Registration) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
		return nil
	})
	if limit = max(limit, 0); len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

func (r registrations) Update(ctx context.Context, reg *ce.Registration) error {
	return r.s.do(ctx, func(d *data, undo func(func())) error {
		old, err := d.registration(reg.OrganizationID, reg.ID)
		if err != nil {
			return err
		}
		if old.Version != reg.Version {
			return ce.Conflict("registration %s was changed by someone else (version %d, not %d)", reg.ID, old.Version, reg.Version)
		}
		switch {
		case !old.Status.HoldsSeat() && reg.Status.HoldsSeat():
			if err := d.takeSeat(d.tiers[old.TierID], undo); err != nil {
				return err
			}
		case old.Status.HoldsSeat() && !reg.Status.HoldsSeat():
			d.giveSeat(old.TierID, old.EventID, undo)
		}
		reg.EventID, reg.TierID, reg.CreatedAt = old.EventID, old.TierID, old.CreatedAt
		reg.GuideToken, reg.TicketCode, reg.JoinToken = old.GuideToken, old.TicketCode, old.JoinToken
		normalizeRegistration(reg)
		reg.Version++
		put(d.registrations.records, reg.ID, *reg, undo)
		return nil
	})
}

func (r registrations) Counts(ctx context.Context, organizationID, eventID string) (map[string]storage.TierCounts, error) {
	return r.count(ctx, organizationID, func(reg *ce.Registration) (string, bool) {
		return reg.TierID, reg.EventID == eventID
	})
}

func (r registrations) CountByEvents(ctx context.Context, organizationID string, eventIDs []string) (map[string]storage.TierCounts, error) {
	return r.count(ctx, organizationID, func(reg *ce.Registration) (string, bool) {
		return reg.EventID, slices.Contains(eventIDs, reg.EventID)
	})
}

// count counts the organization's registrations by state, grouped by the
// key group returns for those it keeps.
func (r registrations) count(ctx context.Context, organizationID string, group func(*ce.Registration) (string, bool)) (map[string]storage.TierCounts, error) {
	counts := map[string]storage.TierCounts{}
	err := r.s.do(ctx, func(d *data, _ func(func())) error {
		for _, reg := range d.registrations.records {
			key, ok := group(&reg)
			if reg.OrganizationID != organizationID || !ok {
				continue
			}
			c := counts[key]
			switch {
			case reg.Status.AwaitsPayment():
				c.PendingPayment++
			case reg.Status == ce.RegistrationConfirmed:
				c.Confirmed++
				if !reg.CheckedInAt.IsZero() {
					c.CheckedIn++
				}
			case reg.Status == ce.RegistrationCancelled:
				c.Cancelled++
			}
			counts[key] = c
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}
