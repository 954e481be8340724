package ticketing

import (
	"context"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/txretry"
	"github.com/completeevent/completeevent-go/storage"
)

// TierInput is what a new ticket tier is made of.
type TierInput struct {
	// Name is required and unique within the event.
	Name        string
	Description string
	// Price needs a valid currency even when its amount is zero (a free
	// tier): there is no default currency.
	Price ce.Money
	// Capacity caps the tier's seats; zero means no cap.
	Capacity int
	// SalesStartAt and SalesEndAt bound the sales; zero means no bound.
	SalesStartAt time.Time
	SalesEndAt   time.Time
	// Position orders the event's tiers, lowest first; tiers of equal
	// position are ordered by id, which follows creation time to the
	// millisecond.
	Position int
	// JoinURL, an absolute https URL, makes the tier virtual.
	JoinURL string
	// ShareJoinURL sends attendees JoinURL itself instead of their
	// personal join links.
	ShareJoinURL bool
}

// TierUpdate is a partial change of a tier: nil fields stay as they are.
// Set JoinURL to "" to make a virtual tier in-person, and a sales bound to
// the zero time to remove it.
type TierUpdate struct {
	Name         *string
	Description  *string
	Price        *ce.Money
	Capacity     *int
	SalesStartAt *time.Time
	SalesEndAt   *time.Time
	Position     *int
	JoinURL      *string
	ShareJoinURL *bool
	// Version, if not zero, is the version the caller read: the update
	// fails with ErrConflict unless the tier is still at it. Zero applies
	// the update to the newest version.
	Version int64
}

// apply sets the fields of u that are not nil on t.
func (u *TierUpdate) apply(t *ce.Tier) {
	set(&t.Name, u.Name)
	set(&t.Description, u.Description)
	set(&t.Price, u.Price)
	set(&t.Capacity, u.Capacity)
	set(&t.SalesStartAt, u.SalesStartAt)
	set(&t.SalesEndAt, u.SalesEndAt)
	set(&t.Position, u.Position)
	set(&t.JoinURL, u.JoinURL)
	set(&t.ShareJoinURL, u.ShareJoinURL)
}

// CreateTier adds a tier to the organization's event. It returns
// ErrNotFound if there is no such event, ErrInvalid naming the first wrong
// field of in (joinUrl for a join URL that is not absolute https) or, once
// the rest is valid, price.amount for a price the Payments cannot charge
// (see AmountChecker), and ErrConflict if the event already has a tier of
// that name.
func (s *Service) CreateTier(ctx context.Context, orgID, eventID string, in TierInput) (*ce.Tier, error) {
	now := s.now()
	t := &ce.Tier{
		ID:             ce.NewID(ce.PrefixTier, now),
		EventID:        eventID,
		OrganizationID: orgID,
		Name:           in.Name,
		Description:    in.Description,
		Price:          in.Price,
		Capacity:       in.Capacity,
		SalesStartAt:   in.SalesStartAt,
		SalesEndAt:     in.SalesEndAt,
		Position:       in.Position,
		JoinURL:        in.JoinURL,
		ShareJoinURL:   in.ShareJoinURL,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	err := s.store.RunInTx(ctx, func(ctx context.Context, tx storage.Tx) error {
		e, err := tx.Events().Get(ctx, orgID, eventID)
		if err != nil {
			return err
		}
		if err := s.validateTier(t, e); err != nil {
			return err
		}
		return tx.Tiers().Create(ctx, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// validateTier reports an ErrInvalid error naming the first wrong field of
// t, a tier of event e, or, once the rest is valid, its price if it is not
// zero and the Payments cannot charge it (see AmountChecker).
func (s *Service) validateTier(t *ce.Tier, e *ce.Event) error {
	if err := t.Validate(e); err != nil {
		return err
	}
	if t.Price.IsZero() {
		return nil
	}
	return s.checkAmount("price.amount", t.Price)
}

// GetTier returns the organization's tier with the id, or ErrNotFound.
func (s *Service) GetTier(ctx context.Context, orgID, id string) (*ce.Tier, error) {
	return s.store.Tiers().Get(ctx, orgID, id)
}

// ListTiers returns the tiers of the organization's event, ordered by
// position, then by id. It returns ErrNotFound if there is no such
// event.
func (s *Service) ListTiers(ctx context.Context, orgID, eventID string) ([]*ce.Tier, error) {
	if _, err := s.store.Events().Get(ctx, orgID, eventID); err != nil {
		return nil, err
	}
	return s.store.Tiers().ListByEvent(ctx, orgID, eventID)
}

// UpdateTier applies u to the organization's tier with the id and returns
// the result. It returns ErrNotFound if there is no such tier, ErrInvalid
// naming the first wrong field of the result as CreateTier does (a price
// the Payments cannot charge too, even if u leaves it as it is), and
// ErrConflict if u.Version is stale, if a concurrent change won twice (see
// the package documentation), or if another tier of the event has the new
// name.
func (s *Service) UpdateTier(ctx context.Context, orgID, id string, u TierUpdate) (*ce.Tier, error) {
	var out *ce.Tier
	err := txretry.Run(ctx, s.store, u.Version != 0, func(ctx context.Context, tx storage.Tx) error {
		t, err := tx.Tiers().Get(ctx, orgID, id)
		if err != nil {
			return err
		}
		if err := checkVersion("tier", id, u.Version, t.Version); err != nil {
			return err
		}
		e, err := tx.Events().Get(ctx, orgID, t.EventID)
		if err != nil {
			return err
		}
		u.apply(t)
		t.UpdatedAt = s.now()
		if err := s.validateTier(t, e); err != nil {
			return err
		}
		if err := tx.Tiers().Update(ctx, t); err != nil {
			return txretry.Stale(err)
		}
		out = t
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteTier removes the organization's tier with the id. It returns
// ErrNotFound if there is no such tier.
func (s *Service) DeleteTier(ctx context.Context, orgID, id string) error {
	return s.store.Tiers().Delete(ctx, orgID, id)
}
