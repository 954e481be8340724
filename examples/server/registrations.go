package main

import (
	"errors"
	"net/http"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
)

// registrationBody is the body of POST
// /v1/public/events/{id}/registrations.
type registrationBody struct {
	TierID    string `json:"tierId"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// cancelBody is the optional body of POST /v1/registrations/{id}/cancel.
type cancelBody struct {
	Reason string `json:"reason"`
	// Refund refunds a paid registration's payment in full.
	Refund bool `json:"refund"`
}

// checkInBody is the body of POST /v1/events/{id}/checkins: the code
// scanned from a ticket, or a registration id for a manual check-in.
type checkInBody struct {
	TicketCode     string `json:"ticketCode"`
	RegistrationID string `json:"registrationId"`
}

// publicEventResponse is an event as anyone may see it, without an API
// key: what a registration form needs. It never holds the join URLs of
// the tiers, nor the organizer's settings beyond the registration window.
type publicEventResponse struct {
	ID                   string           `json:"id"`
	Title                string           `json:"title"`
	Description          string           `json:"description,omitempty"`
	Venue                string           `json:"venue,omitempty"`
	TimeZone             string           `json:"timeZone"`
	StartsAt             time.Time        `json:"startsAt"`
	EndsAt               time.Time        `json:"endsAt"`
	Status               ce.EventStatus   `json:"status"`
	RegistrationOpensAt  time.Time        `json:"registrationOpensAt,omitzero"`
	RegistrationClosesAt time.Time        `json:"registrationClosesAt,omitzero"`
	Tiers                []publicTierView `json:"tiers"`
	// Remaining is the number of seats left in the whole event; absent
	// if nothing caps it.
	Remaining *int `json:"remaining,omitempty"`
}

// publicTierView is a tier as anyone may see it: whether it is virtual,
// never its join URL.
type publicTierView struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Description  string    `json:"description,omitempty"`
	Price        ce.Money  `json:"price"`
	SalesStartAt time.Time `json:"salesStartAt,omitzero"`
	SalesEndAt   time.Time `json:"salesEndAt,omitzero"`
	Virtual      bool      `json:"virtual"`
	// Remaining is the number of seats left in the tier alone; absent if
	// the tier has no cap. The event's Remaining may be lower.
	Remaining *int `json:"remaining,omitempty"`
}

// publicRegistrationResponse is what a registrant gets back: their
// registration and the link to their event guide, which is their key to
// it (the same link the confirmation e-mail carries). Never the ticket
// code or the join token themselves: the guide shows those.
type publicRegistrationResponse struct {
	ID        string                `json:"id"`
	EventID   string                `json:"eventId"`
	TierID    string                `json:"tierId"`
	Status    ce.RegistrationStatus `json:"status"`
	Email     string                `json:"email"`
	FirstName string                `json:"firstName"`
	LastName  string                `json:"lastName"`
	GuideURL  string                `json:"guideUrl"`
	// CheckoutURL is where to pay, for a registration pending payment.
	CheckoutURL string    `json:"checkoutUrl,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

// registrationResponse is a registration as its organizer sees it: every
// field but the tokens, and the attendee's event guide link, for support
// ("I lost my e-mail").
type registrationResponse struct {
	*ce.Registration
	GuideURL string `json:"guideUrl"`
}

// registrationList is the body of GET /v1/events/{id}/registrations.
// Next, if set, is the after parameter of the following page.
type registrationList struct {
	Registrations []registrationResponse `json:"registrations"`
	Next          string                 `json:"next,omitempty"`
}

// summaryResponse is the body of GET /v1/events/{id}/summary.
type summaryResponse struct {
	EventID string             `json:"eventId"`
	Tiers   []tierSummaryCount `json:"tiers"`
	// Remaining is the number of seats left in the event, counting its
	// capacity and every tier's; null if nothing caps it.
	Remaining *int `json:"remaining"`
}

// tierSummaryCount is one tier's registrations in numbers.
type tierSummaryCount struct {
	TierID         string `json:"tierId"`
	Name           string `json:"name"`
	Virtual        bool   `json:"virtual"`
	Capacity       int    `json:"capacity"`
	PendingPayment int    `json:"pendingPayment"`
	Confirmed      int    `json:"confirmed"`
	Cancelled      int    `json:"cancelled"`
	CheckedIn      int    `json:"checkedIn"`
	// Remaining is the seats left in the tier alone; null if it has no
	// cap.
	Remaining *int `json:"remaining"`
}

// remaining turns the -1 of "no cap" into nil.
func remaining(n int) *int {
	if n < 0 {
		return nil
	}
	return &n
}

// guideURL returns the absolute link to the event guide with the token.
func (s *server) guideURL(token string) string {
	return s.baseURL + "/guide/" + token
}

func (s *server) newRegistrationResponse(r *ce.Registration) registrationResponse {
	return registrationResponse{Registration: r, GuideURL: s.guideURL(r.GuideToken)}
}

// getPublicEvent answers GET /v1/public/events/{id}, without an API key:
// a published or cancelled event with its tiers. A draft is not found,
// exactly like an event that does not exist.
func (s *server) getPublicEvent(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	notFound := ce.NotFound("event %s not found", id)
	e, err := s.store.Events().Lookup(r.Context(), id)
	switch {
	case errors.Is(err, ce.ErrNotFound):
		return notFound
	case err != nil:
		return err
	case e.Status != ce.EventPublished && e.Status != ce.EventCancelled:
		return notFound
	}
	sum, err := s.svc.SummarizeEvent(r.Context(), e.OrganizationID, e.ID)
	if err != nil {
		return err
	}
	body := publicEventResponse{
		ID:                   e.ID,
		Title:                e.Title,
		Description:          e.Description,
		Venue:                e.Venue,
		TimeZone:             e.TimeZone,
		StartsAt:             e.StartsAt,
		EndsAt:               e.EndsAt,
		Status:               e.Status,
		RegistrationOpensAt:  e.Settings.RegistrationOpensAt,
		RegistrationClosesAt: e.Settings.RegistrationClosesAt,
		Tiers:                make([]publicTierView, 0, len(sum.Tiers)),
		Remaining:            remaining(sum.Remaining),
	}
	for _, ts := range sum.Tiers {
		t := ts.Tier
		body.Tiers = append(body.Tiers, publicTierView{
			ID:           t.ID,
			Name:         t.Name,
			Description:  t.Description,
			Price:        t.Price,
			SalesStartAt: t.SalesStartAt,
			SalesEndAt:   t.SalesEndAt,
			Virtual:      t.Virtual(),
			Remaining:    remaining(ts.Remaining),
		})
	}
	s.writeJSON(w, r, http.StatusOK, body)
	return nil
}

// register answers POST /v1/public/events/{id}/registrations, without an
// API key.
func (s *server) register(w http.ResponseWriter, r *http.Request) error {
	var body registrationBody
	if err := decodeBody(w, r, &body, bodyRules{limit: maxPublicBodyBytes}); err != nil {
		return err
	}
	reg, err := s.svc.Register(r.Context(), r.PathValue("id"), ticketing.RegistrationInput{
		TierID:    body.TierID,
		Email:     body.Email,
		FirstName: body.FirstName,
		LastName:  body.LastName,
	})
	if err != nil {
		return err
	}
	g := reg.Registration
	resp := publicRegistrationResponse{
		ID:        g.ID,
		EventID:   g.EventID,
		TierID:    g.TierID,
		Status:    g.Status,
		Email:     g.Email,
		FirstName: g.FirstName,
		LastName:  g.LastName,
		GuideURL:  s.guideURL(g.GuideToken),
		CreatedAt: g.CreatedAt,
	}
	if reg.Checkout != nil {
		resp.CheckoutURL = reg.Checkout.URL
	}
	w.Header().Set("Location", resp.GuideURL)
	s.writeJSON(w, r, http.StatusCreated, resp)
	return nil
}

func (s *server) listRegistrations(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	limit, err := pageLimit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := storage.RegistrationFilter{
		Status: ce.RegistrationStatus(q.Get("status")),
		TierID: q.Get("tierId"),
		After:  q.Get("after"),
		Limit:  limit,
	}
	list, err := s.svc.ListRegistrations(r.Context(), key.OrganizationID, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	body := registrationList{Registrations: make([]registrationResponse, 0, len(list.Registrations)), Next: list.Next}
	for _, reg := range list.Registrations {
		body.Registrations = append(body.Registrations, s.newRegistrationResponse(reg))
	}
	s.writeJSON(w, r, http.StatusOK, body)
	return nil
}

func (s *server) getRegistration(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	reg, err := s.svc.GetRegistration(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, s.newRegistrationResponse(reg))
	return nil
}

func (s *server) cancelRegistration(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body cancelBody
	if err := decodeBody(w, r, &body, bodyRules{limit: maxBodyBytes, optional: true}); err != nil {
		return err
	}
	reg, err := s.svc.CancelRegistration(r.Context(), key.OrganizationID, r.PathValue("id"), ticketing.CancelInput{Reason: body.Reason, Refund: body.Refund})
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, s.newRegistrationResponse(reg))
	return nil
}

func (s *server) checkIn(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body checkInBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	reg, err := s.svc.CheckIn(r.Context(), key.OrganizationID, r.PathValue("id"), ticketing.CheckInInput{
		TicketCode:     body.TicketCode,
		RegistrationID: body.RegistrationID,
	})
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, s.newRegistrationResponse(reg))
	return nil
}

func (s *server) summarizeEvent(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	sum, err := s.svc.SummarizeEvent(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	body := summaryResponse{
		EventID:   r.PathValue("id"),
		Tiers:     make([]tierSummaryCount, 0, len(sum.Tiers)),
		Remaining: remaining(sum.Remaining),
	}
	for _, ts := range sum.Tiers {
		body.Tiers = append(body.Tiers, tierSummaryCount{
			TierID:         ts.Tier.ID,
			Name:           ts.Tier.Name,
			Virtual:        ts.Tier.Virtual(),
			Capacity:       ts.Tier.Capacity,
			PendingPayment: ts.PendingPayment,
			Confirmed:      ts.Confirmed,
			Cancelled:      ts.Cancelled,
			CheckedIn:      ts.CheckedIn,
			Remaining:      remaining(ts.Remaining),
		})
	}
	s.writeJSON(w, r, http.StatusOK, body)
	return nil
}
