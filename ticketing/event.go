package ticketing

import (
	"context"
	"errors"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/txretry"
	"github.com/completeevent/completeevent-go/storage"
)

// EventInput is what a new event is made of. Every new event starts as a
// draft; PublishEvent publishes it.
type EventInput struct {
	// Title is required.
	Title       string
	Description string
	// Venue is empty for a fully virtual event.
	Venue string
	// TimeZone is the IANA name of the event's zone, e.g.
	// "Europe/Amsterdam"; required.
	TimeZone string
	// StartsAt and EndsAt are required; EndsAt must be after StartsAt.
	StartsAt time.Time
	EndsAt   time.Time
	Settings ce.Settings
}

// EventUpdate is a partial change of an event: nil fields stay as they
// are. Status changes go through PublishEvent.
type EventUpdate struct {
	Title       *string
	Description *string
	Venue       *string
	TimeZone    *string
	StartsAt    *time.Time
	EndsAt      *time.Time
	// Settings, if set, replaces all the settings.
	Settings *ce.Settings
	// Version, if not zero, is the version the caller read: the update
	// fails with ErrConflict unless the event is still at it. Zero
	// applies the update to the newest version.
	Version int64
}

// apply sets the fields of u that are not nil on e.
func (u *EventUpdate) apply(e *ce.Event) {
	set(&e.Title, u.Title)
	set(&e.Description, u.Description)
	set(&e.Venue, u.Venue)
	set(&e.TimeZone, u.TimeZone)
	set(&e.StartsAt, u.StartsAt)
	set(&e.EndsAt, u.EndsAt)
	set(&e.Settings, u.Settings)
}

// set sets *dst to *v if v is not nil.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// EventList is one page of events.
type EventList struct {
	Events []*ce.Event
	// Next is the cursor of the following page, to pass as
	// storage.EventFilter.After, or empty if this is the last page.
	Next string
}

// CreateEvent creates a draft event in the organization. It returns
// ErrInvalid naming the first wrong field of in, and ErrNotFound if the
// organization does not exist.
func (s *Service) CreateEvent(ctx context.Context, orgID string, in EventInput) (*ce.Event, error) {
	now := s.now()
	e := &ce.Event{
		ID:             ce.NewID(ce.PrefixEvent, now),
		OrganizationID: orgID,
		Title:          in.Title,
		Description:    in.Description,
		Venue:          in.Venue,
		TimeZone:       in.TimeZone,
		StartsAt:       in.StartsAt,
		EndsAt:         in.EndsAt,
		Status:         ce.EventDraft,
		Settings:       in.Settings,
		CreatedAt:      now,
		UpdatedAt:      now,
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if err := s.store.Events().Create(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// GetEvent returns the organization's event with the id, or ErrNotFound.
func (s *Service) GetEvent(ctx context.Context, orgID, id string) (*ce.Event, error) {
	return s.store.Events().Get(ctx, orgID, id)
}

// ListEvents returns one page of the organization's events, ordered by
// start, then by id. f.Limit is capped as storage.PageLimit says. It
// returns ErrInvalid naming "status" for an unknown status and naming
// "after" for a cursor that is not one of the organization's events.
func (s *Service) ListEvents(ctx context.Context, orgID string, f storage.EventFilter) (*EventList, error) {
	if f.Status != "" && !f.Status.Valid() {
		return nil, ce.Invalid("status", "must be draft, published or cancelled")
	}
	events, err := s.store.Events().List(ctx, orgID, f)
	if errors.Is(err, ce.ErrNotFound) && f.After != "" {
		return nil, ce.Invalid("after", "is not a cursor of this listing")
	}
	if err != nil {
		return nil, err
	}
	list := &EventList{Events: events}
	if len(events) == storage.PageLimit(f.Limit) {
		last := events[len(events)-1].ID
		more, err := s.store.Events().List(ctx, orgID, storage.EventFilter{Status: f.Status, After: last, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(more) > 0 {
			list.Next = last
		}
	}
	return list, nil
}

// UpdateEvent applies u to the organization's event with the id and
// returns the result. It returns ErrNotFound if there is no such event,
// ErrInvalid naming the first wrong field of the result, and ErrConflict if
// u.Version is stale, if a concurrent change won twice (see the package
// documentation), or if new times would leave a tier's sales window
// outside the event.
func (s *Service) UpdateEvent(ctx context.Context, orgID, id string, u EventUpdate) (*ce.Event, error) {
	var out *ce.Event
	err := txretry.Run(ctx, s.store, u.Version != 0, func(ctx context.Context, tx storage.Tx) error {
		e, err := tx.Events().Get(ctx, orgID, id)
		if err != nil {
			return err
		}
		if err := checkVersion("event", id, u.Version, e.Version); err != nil {
			return err
		}
		oldStart, oldEnd := e.StartsAt, e.EndsAt
		u.apply(e)
		e.UpdatedAt = s.now()
		if err := e.Validate(); err != nil {
			return err
		}
		if !e.StartsAt.Equal(oldStart) || !e.EndsAt.Equal(oldEnd) {
			if err := checkTiersFit(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := tx.Events().Update(ctx, e); err != nil {
			return txretry.Stale(err)
		}
		out = e
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// checkTiersFit reports ErrConflict if a tier of e is no longer valid for
// e's new times.
func checkTiersFit(ctx context.Context, tx storage.Tx, e *ce.Event) error {
	tiers, err := tx.Tiers().ListByEvent(ctx, e.OrganizationID, e.ID)
	if err != nil {
		return err
	}
	for _, t := range tiers {
		if err := t.Validate(e); err != nil {
			return ce.Conflict("the new times do not fit tier %s: its %s %s", t.ID, ce.ErrorField(err), ce.ErrorMessage(err))
		}
	}
	return nil
}

// PublishEvent publishes the organization's draft event with the id and
// returns it. Publishing a published event changes nothing and succeeds,
// so a retried request is harmless. It returns ErrNotFound if there is no
// such event and ErrConflict if the event is cancelled.
func (s *Service) PublishEvent(ctx context.Context, orgID, id string) (*ce.Event, error) {
	var out *ce.Event
	var published bool
	err := txretry.Run(ctx, s.store, false, func(ctx context.Context, tx storage.Tx) error {
		e, err := tx.Events().Get(ctx, orgID, id)
		if err != nil {
			return err
		}
		switch e.Status {
		case ce.EventPublished:
			out = e
			return nil
		case ce.EventCancelled:
			return ce.Conflict("event %s is cancelled and cannot be published", id)
		}
		e.Status = ce.EventPublished
		e.UpdatedAt = s.now()
		if err := tx.Events().Update(ctx, e); err != nil {
			return txretry.Stale(err)
		}
		out, published = e, true
		return nil
	})
	if err != nil {
		return nil, err
	}
	if published {
		s.logger.InfoContext(ctx, "event published", "organization", orgID, "event", id)
	}
	return out, nil
}
