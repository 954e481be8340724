package recurrence

import (
	"context"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/txretry"
	"github.com/completeevent/completeevent-go/storage"
)

// Series is a recurring series of events, as the series view shows it.
type Series struct {
	// ID is the id of the series: the id of its first event, the one it
	// was started from. It is empty for an event in no series, which is
	// then shown alone.
	ID string
	// Events are all the events of the series, by start, then by id.
	Events []SeriesEvent
}

// SeriesEvent is an event of a series, with its counts.
type SeriesEvent struct {
	Event  *ce.Event
	Counts Counts
}

// Counts are the numbers of the records of an event.
type Counts struct {
	// Tiers is the number of the event's ticket tiers.
	Tiers int
	// Registrations counts the event's registrations by state.
	Registrations storage.TierCounts
}

// Series returns the recurring series of the organization's event with
// the id, whichever of its events the id names: all its events in start
// order, each with its status (in the event) and counts. An event in no
// series is returned alone. It returns ErrNotFound if there is no such
// event.
func (s *Service) Series(ctx context.Context, orgID, eventID string) (*Series, error) {
	e, err := s.store.Events().Get(ctx, orgID, eventID)
	if err != nil {
		return nil, err
	}
	out := &Series{ID: e.SeriesID}
	events := []*ce.Event{e}
	if e.SeriesID != "" {
		if events, err = s.listSeries(ctx, orgID, e.SeriesID); err != nil {
			return nil, err
		}
	}
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	tiers, err := s.store.Tiers().CountByEvents(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	registrations, err := s.store.Registrations().CountByEvents(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	out.Events = make([]SeriesEvent, len(events))
	for i, e := range events {
		out.Events[i] = SeriesEvent{Event: e, Counts: Counts{Tiers: tiers[e.ID], Registrations: registrations[e.ID]}}
	}
	return out, nil
}

// listSeries returns all the events of the series, reading them a page of
// storage.MaxPageLimit at a time.
func (s *Service) listSeries(ctx context.Context, orgID, seriesID string) ([]*ce.Event, error) {
	var all []*ce.Event
	f := storage.EventFilter{SeriesID: seriesID, Limit: storage.MaxPageLimit}
	for {
		page, err := s.store.Events().List(ctx, orgID, f)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < f.Limit {
			return all, nil
		}
		f.After = page[len(page)-1].ID
	}
}

// Occurrence is when an instance of a series would take place.
type Occurrence struct {
	StartsAt time.Time
	EndsAt   time.Time
}

// Preview returns the occurrences that CreateSeries would create for the
// organization's event with the id and rec, in order and in the event's
// time zone, and creates nothing. The event itself is the first
// occurrence of rec (and counts towards its COUNT) but is not listed. It
// returns ErrNotFound if there is no such event and, as Expand, an
// ErrInvalid error naming the field of rec at fault, or "timeZone" if the
// event's time zone is unknown.
func (s *Service) Preview(ctx context.Context, orgID, eventID string, rec Recurrence) ([]Occurrence, error) {
	e, err := s.store.Events().Get(ctx, orgID, eventID)
	if err != nil {
		return nil, err
	}
	loc, err := location(e)
	if err != nil {
		return nil, err
	}
	starts, err := Expand(e.StartsAt, loc, rec, &s.expand)
	if err != nil {
		return nil, err
	}
	out := make([]Occurrence, len(starts)-1)
	for i, start := range starts[1:] {
		out[i] = Occurrence{StartsAt: start, EndsAt: start.Add(e.EndsAt.Sub(e.StartsAt))}
	}
	return out, nil
}

// CreateSeries creates, in one transaction, a draft copy of the
// organization's event with the id, as Duplicate makes one, for each
// occurrence of rec after the event itself (see Preview), all in the
// event's series, which starts with the event if it is in none yet. It
// returns the series with only the new events, in start order. It returns
// the errors of Preview, and ErrConflict as Duplicate does.
func (s *Service) CreateSeries(ctx context.Context, orgID, eventID string, rec Recurrence) (*Series, error) {
	var out *Series
	err := txretry.Run(ctx, s.store, false, func(ctx context.Context, tx storage.Tx) error {
		src, err := readSource(ctx, tx, orgID, eventID)
		if err != nil {
			return err
		}
		starts, err := Expand(src.event.StartsAt, src.loc, rec, &s.expand)
		if err != nil {
			return err
		}
		now := s.now()
		seriesID, err := startSeries(ctx, tx, src.event, now)
		if err != nil {
			return err
		}
		copies := make([]*Copy, 0, len(starts)-1)
		out = &Series{ID: seriesID, Events: make([]SeriesEvent, 0, len(starts)-1)}
		for _, start := range starts[1:] {
			c, err := src.copy(start, seriesID, now)
			if err != nil {
				return err
			}
			copies = append(copies, c)
			out.Events = append(out.Events, SeriesEvent{Event: c.Event, Counts: Counts{Tiers: len(c.Tiers)}})
		}
		return storeCopies(ctx, tx, copies)
	})
	if err != nil {
		return nil, err
	}
	s.logger.InfoContext(ctx, "series created", "organization", orgID, "event", eventID,
		"series", out.ID, "events", len(out.Events))
	return out, nil
}
