package ticketing

import (
	"context"
	"errors"
	"strings"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/txretry"
	"github.com/completeevent/completeevent-go/storage"
)

// Guide is what an attendee's event guide shows, and what the e-mails to
// the attendee say: the registration with its event and tier as they are
// now.
type Guide struct {
	Registration *ce.Registration
	Event        *ce.Event
	Tier         *ce.Tier
}

// HasJoinLink reports whether the attendee is shown a join link: the
// registration is confirmed and its tier virtual.
func (g *Guide) HasJoinLink() bool {
	return g.Registration.Status == ce.RegistrationConfirmed && g.Tier.Virtual() && g.Registration.JoinToken != ""
}

// HasTicket reports whether the attendee is shown a ticket QR code: the
// registration is confirmed and its tier in person.
func (g *Guide) HasTicket() bool {
	return g.Registration.Status == ce.RegistrationConfirmed && !g.Tier.Virtual()
}

// Online reports whether the attendee takes part online: the tier is
// virtual or the event has no venue.
func (g *Guide) Online() bool {
	return g.Tier.Virtual() || g.Event.Venue == ""
}

// Where says where the attendee goes: "Online" (see [Guide.Online]) or
// the venue.
func (g *Guide) Where() string {
	if g.Online() {
		return "Online"
	}
	return g.Event.Venue
}

// When says when the event takes place, in its own time zone, e.g.
// "Friday 1 May 2026, 18:00–21:00 CEST (Europe/Amsterdam)": with both
// dates for an event that ends on another day, and both zone abbreviations
// when the clocks change during it. An event whose zone is unknown here is
// shown in UTC.
func (g *Guide) When() string {
	loc, err := g.Event.Location()
	if err != nil {
		loc = time.UTC
	}
	const day, clock = "Monday 2 January 2006", "15:04"
	start, end := g.Event.StartsAt.In(loc), g.Event.EndsAt.In(loc)
	startZone, endZone := start.Format("MST"), end.Format("MST")
	sameDay := start.Format(day) == end.Format(day)

	var b strings.Builder
	b.WriteString(start.Format(day + ", " + clock))
	switch {
	case sameDay && startZone == endZone:
		b.WriteString("–")
	case startZone == endZone:
		b.WriteString(" – ")
	default: // the clocks change during the event: say so
		b.WriteString(" " + startZone + " – ")
	}
	if !sameDay {
		b.WriteString(end.Format(day) + ", ")
	}
	b.WriteString(end.Format(clock) + " " + endZone)
	if name := loc.String(); name != endZone {
		b.WriteString(" (" + name + ")")
	}
	return b.String()
}

// GuideByToken returns the guide of the registration whose guide token is
// token, or ErrNotFound, which says nothing more for a token that is
// malformed, unknown or of another registration.
func (s *Service) GuideByToken(ctx context.Context, token string) (*Guide, error) {
	r, err := s.guideRegistration(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.guide(ctx, r)
}

// guideRegistration returns the registration whose guide token is token,
// or ErrNotFound.
func (s *Service) guideRegistration(ctx context.Context, token string) (*ce.Registration, error) {
	if !ce.ValidToken(token, tokenBytes) {
		return nil, ce.NotFound("no event guide here")
	}
	r, err := s.store.Registrations().GetByToken(ctx, storage.GuideToken, token)
	if errors.Is(err, ce.ErrNotFound) {
		return nil, ce.NotFound("no event guide here")
	}
	return r, err
}

// GuideByRegistration returns the guide of the organization's registration
// with the id, or ErrNotFound: for the mail worker, which renders e-mails
// from it.
func (s *Service) GuideByRegistration(ctx context.Context, orgID, id string) (*Guide, error) {
	r, err := s.store.Registrations().Get(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	return s.guide(ctx, r)
}

// guide loads r's event and tier.
func (s *Service) guide(ctx context.Context, r *ce.Registration) (*Guide, error) {
	e, err := s.store.Events().Get(ctx, r.OrganizationID, r.EventID)
	if err != nil {
		return nil, err
	}
	t, err := s.store.Tiers().Get(ctx, r.OrganizationID, r.TierID)
	if err != nil {
		return nil, err
	}
	return &Guide{Registration: r, Event: e, Tier: t}, nil
}

// Join returns the current join URL of the virtual tier of the
// registration whose join token is token, and records the first use as
// the attendee's attendance (Registration.JoinedAt). It returns ErrNotFound
// for a token that is malformed or unknown, and ErrForbidden once the
// registration is cancelled, its tier no longer virtual, or its event
// cancelled.
func (s *Service) Join(ctx context.Context, token string) (string, error) {
	if !ce.ValidToken(token, tokenBytes) {
		return "", ce.NotFound("no join link here")
	}
	// Read first: only the first use writes, so the many clicks at the
	// start of an event take no write transaction.
	r, t, err := s.joinable(ctx, s.store, token)
	if err != nil {
		return "", err
	}
	if !r.JoinedAt.IsZero() {
		return t.JoinURL, nil
	}
	err = txretry.Run(ctx, s.store, false, func(ctx context.Context, tx storage.Tx) error {
		if r, t, err = s.joinable(ctx, tx, token); err != nil || !r.JoinedAt.IsZero() {
			return err
		}
		r.JoinedAt = s.now()
		r.UpdatedAt = r.JoinedAt
		return txretry.Stale(tx.Registrations().Update(ctx, r))
	})
	if err != nil {
		return "", err
	}
	return t.JoinURL, nil
}

// joinable returns the registration whose join token is token and its
// tier, through repos: ErrNotFound for an unknown token, ErrForbidden
// once the registration is not confirmed, the tier not virtual or the
// event cancelled.
func (s *Service) joinable(ctx context.Context, repos storage.Repositories, token string) (*ce.Registration, *ce.Tier, error) {
	r, err := repos.Registrations().GetByToken(ctx, storage.JoinToken, token)
	if errors.Is(err, ce.ErrNotFound) {
		return nil, nil, ce.NotFound("no join link here")
	}
	if err != nil {
		return nil, nil, err
	}
	if r.Status != ce.RegistrationConfirmed {
		return nil, nil, &ce.Error{Kind: ce.ErrForbidden, Message: "this join link no longer works: the registration is " + string(r.Status)}
	}
	t, err := repos.Tiers().Get(ctx, r.OrganizationID, r.TierID)
	if err != nil {
		return nil, nil, err
	}
	if !t.Virtual() {
		return nil, nil, &ce.Error{Kind: ce.ErrForbidden, Message: "this join link no longer works: the ticket is no longer online"}
	}
	e, err := repos.Events().Get(ctx, r.OrganizationID, r.EventID)
	if err != nil {
		return nil, nil, err
	}
	if e.Status == ce.EventCancelled {
		return nil, nil, &ce.Error{Kind: ce.ErrForbidden, Message: "this join link no longer works: the event is cancelled"}
	}
	return r, t, nil
}

// eventTier returns the organization's tier with the id tierID of the
// event with the id eventID, or ErrInvalid naming "tierId" if there is no
// such tier of that event.
func (s *Service) eventTier(ctx context.Context, orgID, eventID, tierID string) (*ce.Tier, error) {
	t, err := s.store.Tiers().Get(ctx, orgID, tierID)
	if errors.Is(err, ce.ErrNotFound) || err == nil && t.EventID != eventID {
		return nil, ce.Invalid("tierId", "is not a tier of event %s", eventID)
	}
	return t, err
}

// GetRegistration returns the organization's registration with the id, or
// ErrNotFound.
func (s *Service) GetRegistration(ctx context.Context, orgID, id string) (*ce.Registration, error) {
	return s.store.Registrations().Get(ctx, orgID, id)
}

// RegistrationList is one page of registrations.
type RegistrationList struct {
	Registrations []*ce.Registration
	// Next is the cursor of the following page, to pass as
	// storage.RegistrationFilter.After, or empty if this is the last page.
	Next string
}

// ListRegistrations returns one page of the registrations of the
// organization's event, oldest first. It returns ErrNotFound if there is
// no such event, and ErrInvalid naming "status", "tierId" or "after" for
// a filter that is not one of this listing's.
func (s *Service) ListRegistrations(ctx context.Context, orgID, eventID string, f storage.RegistrationFilter) (*RegistrationList, error) {
	if f.Status != "" && !f.Status.Valid() {
		return nil, ce.Invalid("status", "must be pending_payment, payment_processing, confirmed or cancelled")
	}
	if _, err := s.store.Events().Get(ctx, orgID, eventID); err != nil {
		return nil, err
	}
	if f.TierID != "" {
		if _, err := s.eventTier(ctx, orgID, eventID, f.TierID); err != nil {
			return nil, err
		}
	}
	list, err := s.store.Registrations().List(ctx, orgID, eventID, f)
	if errors.Is(err, ce.ErrNotFound) && f.After != "" {
		return nil, ce.Invalid("after", "is not a cursor of this listing")
	}
	if err != nil {
		return nil, err
	}
	page := &RegistrationList{Registrations: list}
	if len(list) == storage.PageLimit(f.Limit) {
		next := f
		next.After, next.Limit = list[len(list)-1].ID, 1
		more, err := s.store.Registrations().List(ctx, orgID, eventID, next)
		if err != nil {
			return nil, err
		}
		if len(more) > 0 {
			page.Next = next.After
		}
	}
	return page, nil
}

// TierSummary is one tier of an event with the numbers of its
// registrations.
type TierSummary struct {
	Tier *ce.Tier
	storage.TierCounts
	// Remaining is the number of seats left in the tier alone, ignoring
	// the event's capacity, or -1 if the tier has no cap.
	Remaining int
}

// EventSummary is an event's registrations in numbers.
type EventSummary struct {
	// Tiers are in the event's tier order.
	Tiers []TierSummary
	// Remaining is the number of seats left in the event, counting the
	// event's capacity and every tier's, or -1 if nothing caps it.
	Remaining int
}

// SummarizeEvent counts the registrations of the organization's event per
// tier: pending, confirmed, cancelled, checked in and the seats that
// remain. It returns ErrNotFound if there is no such event.
func (s *Service) SummarizeEvent(ctx context.Context, orgID, eventID string) (*EventSummary, error) {
	e, err := s.store.Events().Get(ctx, orgID, eventID)
	if err != nil {
		return nil, err
	}
	tiers, err := s.store.Tiers().ListByEvent(ctx, orgID, eventID)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.Registrations().Counts(ctx, orgID, eventID)
	if err != nil {
		return nil, err
	}
	sum := &EventSummary{Tiers: make([]TierSummary, len(tiers))}
	held, tierRemaining, capped := 0, 0, true
	for i, t := range tiers {
		c := counts[t.ID]
		ts := TierSummary{Tier: t, TierCounts: c, Remaining: -1}
		if t.Capacity > 0 {
			ts.Remaining = max(0, t.Capacity-c.Held())
			tierRemaining += ts.Remaining
		} else {
			capped = false
		}
		held += c.Held()
		sum.Tiers[i] = ts
	}
	sum.Remaining = -1
	if capped {
		sum.Remaining = tierRemaining
	}
	if e.Settings.Capacity > 0 {
		left := max(0, e.Settings.Capacity-held)
		if sum.Remaining < 0 || left < sum.Remaining {
			sum.Remaining = left
		}
	}
	return sum, nil
}
