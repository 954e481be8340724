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

// Copy is a new event made from another, with its tiers and its auction
// items.
type Copy struct {
	Event *ce.Event
	// Tiers are the copies of the original's tiers, in the same order.
	Tiers []*ce.Tier
	// AuctionItems are the copies of the original's silent-auction items,
	// open and without bids, in the same order.
	AuctionItems []*ce.AuctionItem
}

// Duplicate copies the organization's event with the id, in one
// transaction, into a new draft that starts at in.StartsAt: every setting
// and every tier (price, capacity, position, description, join URL) is
// copied, and so is every silent-auction item, open and without its bids,
// all with new ids, and every date moves with the start as the package
// documentation says. Registrations, check-ins, bids and webhooks are never
// copied. The copy's DuplicatedFrom is the original's id; its
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
		src, err := readSource(ctx, tx, orgID, eventID)
		if err != nil {
			return err
		}
		if err := checkDistance(src.event, in.StartsAt); err != nil {
			return err
		}
		now := s.now()
		seriesID := ""
		if in.RecurringInstance {
			if seriesID, err = startSeries(ctx, tx, src.event, now); err != nil {
				return err
			}
		}
		c, err := src.copy(in.StartsAt, seriesID, now)
		if err != nil {
			return err
		}
		out = c
		return storeCopies(ctx, tx, []*Copy{c})
	})
	if err != nil {
		return nil, err
	}
	s.logger.InfoContext(ctx, "event duplicated", "organization", orgID, "event", eventID,
		"copy", out.Event.ID, "series", out.Event.SeriesID, "tiers", len(out.Tiers))
	return out, nil
}

// source is an event to copy, with what a copy takes of it.
type source struct {
	event *ce.Event
	tiers []*ce.Tier
	items []*ce.AuctionItem
	loc   *time.Location
}

// readSource reads the event to copy, its tiers, its auction items and
// its time zone.
func readSource(ctx context.Context, tx storage.Tx, orgID, eventID string) (*source, error) {
	e, err := tx.Events().Get(ctx, orgID, eventID)
	if err != nil {
		return nil, err
	}
	src := &source{event: e}
	if src.loc, err = location(e); err != nil {
		return nil, err
	}
	if src.tiers, err = tx.Tiers().ListByEvent(ctx, orgID, eventID); err != nil {
		return nil, err
	}
	if src.items, err = tx.AuctionItems().ListByEvent(ctx, orgID, eventID); err != nil {
		return nil, err
	}
	return src, nil
}

// storeCopies stores the copies' events, tiers and auction items, each
// kind in as few statements as the store allows.
func storeCopies(ctx context.Context, tx storage.Tx, copies []*Copy) error {
	var (
		events []*ce.Event
		tiers  []*ce.Tier
		items  []*ce.AuctionItem
	)
	for _, c := range copies {
		events = append(events, c.Event)
		tiers = append(tiers, c.Tiers...)
		items = append(items, c.AuctionItems...)
	}
	if err := tx.Events().CreateMany(ctx, events); err != nil {
		return err
	}
	if err := tx.Tiers().CreateMany(ctx, tiers); err != nil {
		return err
	}
	return tx.AuctionItems().CreateMany(ctx, items)
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

// copy returns a new draft copy of the source starting at start, with its
// tiers and auction items, in the series, made at now. It does not store
// them.
func (src *source) copy(start time.Time, seriesID string, now time.Time) (*Copy, error) {
	m := newMover(src.event, src.loc, start)
	e := *src.event
	e.ID = ce.NewID(ce.PrefixEvent, now)
	e.StartsAt = m.newStart
	e.EndsAt = m.move(src.event.EndsAt)
	e.Status = ce.EventDraft
	e.Settings.RegistrationOpensAt = m.move(src.event.Settings.RegistrationOpensAt)
	e.Settings.RegistrationClosesAt = m.move(src.event.Settings.RegistrationClosesAt)
	e.SeriesID = seriesID
	e.DuplicatedFrom = src.event.ID
	e.Version = 0
	e.CreatedAt, e.UpdatedAt = now, now
	if err := e.Validate(); err != nil {
		return nil, err
	}
	c := &Copy{Event: &e, Tiers: make([]*ce.Tier, len(src.tiers)), AuctionItems: make([]*ce.AuctionItem, len(src.items))}
	for i, t := range src.tiers {
		tc := *t
		// Ids a millisecond apart keep tiers of equal position in the
		// original's order, which their ids decide.
		tc.ID = ce.NewID(ce.PrefixTier, now.Add(time.Duration(i)*time.Millisecond))
		tc.EventID = e.ID
		tc.SalesStartAt = m.move(t.SalesStartAt)
		tc.SalesEndAt = m.move(t.SalesEndAt)
		tc.Version = 0
		tc.CreatedAt, tc.UpdatedAt = now, now
		if err := tc.Validate(&e); err != nil {
			return nil, ce.Conflict("tier %s does not fit the copy starting %s: its %s %s",
				t.ID, e.StartsAt.Format(time.RFC3339), ce.ErrorField(err), ce.ErrorMessage(err))
		}
		c.Tiers[i] = &tc
	}
	for i, item := range src.items {
		c.AuctionItems[i] = &ce.AuctionItem{
			ID:             ce.NewID(ce.PrefixAuctionItem, now.Add(time.Duration(i)*time.Millisecond)),
			OrganizationID: item.OrganizationID,
			EventID:        e.ID,
			Title:          item.Title,
			Description:    item.Description,
			StartingBid:    item.StartingBid,
			MinIncrement:   item.MinIncrement,
			ClosesAt:       m.move(item.ClosesAt),
			Status:         ce.AuctionItemOpen,
			CreatedAt:      now,
			UpdatedAt:      now,
		}
		if err := c.AuctionItems[i].Validate(&e); err != nil {
			return nil, ce.Conflict("auction item %s does not fit the copy starting %s: its %s %s",
				item.ID, e.StartsAt.Format(time.RFC3339), ce.ErrorField(err), ce.ErrorMessage(err))
		}
	}
	return c, nil
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
