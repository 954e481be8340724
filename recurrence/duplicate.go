package recurrence

import (
	"context"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/txretry"
	"github.com/completeevent/completeevent-go/storage"
)

// DuplicateInput is what a duplicate of an event is made of.
type DuplicateInput struct {
	// StartsAt is the start of the copy; required. Its other dates move
	// with it; see the package documentation.
	StartsAt time.Time
	// RecurringInstance puts the copy in the original's recurring series,
	// which starts with the original if it is in none yet. Without it,
	// the copy is in no series.
	RecurringInstance bool
}

// Copy is a new event made from another, with its tiers.
type Copy struct {
	Event *ce.Event
	// Tiers are the copies of the original's tiers, in the same order.
	Tiers []*ce.Tier
}

// Duplicate copies the organization's event with the id, in one
// transaction, into a new draft that starts at in.StartsAt: every setting
// and every tier (price, capacity, position, description, join URL) is
// copied, with new ids, and every date moves with the start as the package
// documentation says. The copy's DuplicatedFrom is the original's id; its
// SeriesID is the original's series with in.RecurringInstance, else
// empty. Making the original the first event of its series sets its
// SeriesID, a change like any other: its Version and UpdatedAt change.
// Drafts, published, cancelled and past events can all be copied.
//
// It returns ErrNotFound if there is no such event; ErrInvalid naming
// "startsAt" for a zero start or one more than 100 years from the
// original's, and naming "timeZone" for an event whose time zone is
// unknown; and ErrConflict if a tier's moved sales window no longer fits
// the copy (possible only when a daylight-saving change moves one of its
// bounds by an hour across a limit of Tier.Validate) or if the original
// changed twice while being made the first event of its series.
func (s *Service) Duplicate(ctx context.Context, orgID, eventID string, in DuplicateInput) (*Copy, error) {
	if in.StartsAt.IsZero() {
		return nil, ce.Invalid("startsAt", "is required")
	}
	var out *Copy
	err := txretry.Run(ctx, s.store, false, func(ctx context.Context, tx storage.Tx) error {
		src, tiers, loc, err := readSource(ctx, tx, orgID, eventID)
		if err != nil {
			return err
		}
		if err := checkDistance(src, in.StartsAt); err != nil {
			return err
		}
		now := s.now()
		seriesID := ""
		if in.RecurringInstance {
			if seriesID, err = startSeries(ctx, tx, src, now); err != nil {
				return err
			}
		}
		c, err := copyEvent(src, tiers, newMover(src, loc, in.StartsAt), seriesID, now)
		if err != nil {
			return err
		}
		if err := tx.Events().Create(ctx, c.Event); err != nil {
			return err
		}
		if err := tx.Tiers().CreateMany(ctx, c.Tiers); err != nil {
			return err
		}
		out = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.logger.InfoContext(ctx, "event duplicated", "organization", orgID, "event", eventID,
		"copy", out.Event.ID, "series", out.Event.SeriesID, "tiers", len(out.Tiers))
	return out, nil
}

// readSource reads the event to copy, its tiers and its time zone.
func readSource(ctx context.Context, tx storage.Tx, orgID, eventID string) (*ce.Event, []*ce.Tier, *time.Location, error) {
	src, err := tx.Events().Get(ctx, orgID, eventID)
	if err != nil {
		return nil, nil, nil, err
	}
	loc, err := location(src)
	if err != nil {
		return nil, nil, nil, err
	}
	tiers, err := tx.Tiers().ListByEvent(ctx, orgID, eventID)
	if err != nil {
		return nil, nil, nil, err
	}
	return src, tiers, loc, nil
}

// checkDistance refuses a new start more than horizonYears away from
// src's, where the dates of a copy stop being meaningful.
func checkDistance(src *ce.Event, newStart time.Time) error {
	if newStart.Before(src.StartsAt.AddDate(-horizonYears, 0, 0)) || newStart.After(src.StartsAt.AddDate(horizonYears, 0, 0)) {
		return ce.Invalid("startsAt", "must be within %d years of the original's start", horizonYears)
	}
	return nil
}

// startSeries makes src the first event of a series, if it is in none,
// and returns the id of its series.
func startSeries(ctx context.Context, tx storage.Tx, src *ce.Event, now time.Time) (string, error) {
	if src.SeriesID != "" {
		return src.SeriesID, nil
	}
	src.SeriesID = src.ID
	src.UpdatedAt = now
	if err := tx.Events().Update(ctx, src); err != nil {
		return "", txretry.Stale(err)
	}
	return src.ID, nil
}

// copyEvent returns a new draft copy of src and its tiers, moved by m, in
// the series, made at now. It does not store them.
func copyEvent(src *ce.Event, tiers []*ce.Tier, m mover, seriesID string, now time.Time) (*Copy, error) {
	e := *src
	e.ID = ce.NewID(ce.PrefixEvent, now)
	e.StartsAt = m.newStart
	e.EndsAt = m.move(src.EndsAt)
	e.Status = ce.EventDraft
	e.Settings.RegistrationOpensAt = m.move(src.Settings.RegistrationOpensAt)
	e.Settings.RegistrationClosesAt = m.move(src.Settings.RegistrationClosesAt)
	e.SeriesID = seriesID
	e.DuplicatedFrom = src.ID
	e.Version = 0
	e.CreatedAt, e.UpdatedAt = now, now
	if err := e.Validate(); err != nil {
		return nil, err
	}
	copies := make([]*ce.Tier, len(tiers))
	for i, t := range tiers {
		c := *t
		// Ids a millisecond apart keep tiers of equal position in the
		// original's order, which their ids decide.
		c.ID = ce.NewID(ce.PrefixTier, now.Add(time.Duration(i)*time.Millisecond))
		c.EventID = e.ID
		c.SalesStartAt = m.move(t.SalesStartAt)
		c.SalesEndAt = m.move(t.SalesEndAt)
		c.Version = 0
		c.CreatedAt, c.UpdatedAt = now, now
		if err := c.Validate(&e); err != nil {
			return nil, ce.Conflict("tier %s does not fit the copy starting %s: its %s %s",
				t.ID, e.StartsAt.Format(time.RFC3339), ce.ErrorField(err), ce.ErrorMessage(err))
		}
		copies[i] = &c
	}
	return &Copy{Event: &e, Tiers: copies}, nil
}

// mover moves the dates of an event to a new start, by the rule the
// package documentation states.
type mover struct {
	loc                        *time.Location
	oldStart, oldEnd, newStart time.Time
	// shift is the change of local wall-clock time from the old start to
	// the new one.
	shift time.Duration
}

func newMover(e *ce.Event, loc *time.Location, newStart time.Time) mover {
	return mover{
		loc:      loc,
		oldStart: e.StartsAt,
		oldEnd:   e.EndsAt,
		newStart: newStart,
		shift:    wallClock(newStart, loc).Sub(wallClock(e.StartsAt, loc)),
	}
}

// move returns where the date t of the event goes: the zero time stays
// zero; a time from the start to the end keeps its exact distance to the
// start; any other keeps its local wall-clock distance to the start.
func (m mover) move(t time.Time) time.Time {
	switch {
	case t.IsZero():
		return t
	case !t.Before(m.oldStart) && !t.After(m.oldEnd):
		return m.newStart.Add(t.Sub(m.oldStart))
	}
	moved, _ := localTime(wallClock(t, m.loc).Add(m.shift), m.loc)
	return moved
}
