package main

import (
	"net/http"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
)

// eventBody is the body of POST /v1/events and PATCH /v1/events/{id}.
// POST takes absent fields as empty; PATCH leaves absent or null fields
// unchanged, and replaces all the settings if settings are present.
type eventBody struct {
	Title       *string       `json:"title"`
	Description *string       `json:"description"`
	Venue       *string       `json:"venue"`
	TimeZone    *string       `json:"timeZone"`
	StartsAt    *timestamp    `json:"startsAt"`
	EndsAt      *timestamp    `json:"endsAt"`
	Settings    *settingsBody `json:"settings"`
	// Version, only in a PATCH, makes the change conditional on the
	// event being at that version (409 otherwise).
	Version *int64 `json:"version"`
}

// settingsBody is ce.Settings in a request.
type settingsBody struct {
	Capacity             int           `json:"capacity"`
	RegistrationOpensAt  timestamp     `json:"registrationOpensAt"`
	RegistrationClosesAt timestamp     `json:"registrationClosesAt"`
	ConfirmationMessage  string        `json:"confirmationMessage"`
	Visibility           ce.Visibility `json:"visibility"`
}

// settings returns the settings b holds, or nil if b is nil.
func (b *settingsBody) settings() *ce.Settings {
	if b == nil {
		return nil
	}
	return &ce.Settings{
		Capacity:             b.Capacity,
		RegistrationOpensAt:  b.RegistrationOpensAt.Time,
		RegistrationClosesAt: b.RegistrationClosesAt.Time,
		ConfirmationMessage:  b.ConfirmationMessage,
		Visibility:           b.Visibility,
	}
}

// eventList is the body of GET /v1/events. Next, if set, is the after
// parameter of the following page.
type eventList struct {
	Events []*ce.Event `json:"events"`
	Next   string      `json:"next,omitempty"`
}

func (s *server) createEvent(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body eventBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	if err := refuseVersion(body.Version); err != nil {
		return err
	}
	e, err := s.svc.CreateEvent(r.Context(), key.OrganizationID, ticketing.EventInput{
		Title:       value(body.Title),
		Description: value(body.Description),
		Venue:       value(body.Venue),
		TimeZone:    value(body.TimeZone),
		StartsAt:    value(body.StartsAt).Time,
		EndsAt:      value(body.EndsAt).Time,
		Settings:    value(body.Settings.settings()),
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/events/"+e.ID)
	s.writeJSON(w, r, http.StatusCreated, e)
	return nil
}

func (s *server) listEvents(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	limit, err := pageLimit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := storage.EventFilter{Status: ce.EventStatus(q.Get("status")), After: q.Get("after"), Limit: limit}
	list, err := s.svc.ListEvents(r.Context(), key.OrganizationID, f)
	if err != nil {
		return err
	}
	body := eventList{Events: list.Events, Next: list.Next}
	if body.Events == nil {
		body.Events = []*ce.Event{} // "events": [], not null
	}
	s.writeJSON(w, r, http.StatusOK, body)
	return nil
}

func (s *server) getEvent(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	e, err := s.svc.GetEvent(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, e)
	return nil
}

func (s *server) updateEvent(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body eventBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	e, err := s.svc.UpdateEvent(r.Context(), key.OrganizationID, r.PathValue("id"), ticketing.EventUpdate{
		Title:       body.Title,
		Description: body.Description,
		Venue:       body.Venue,
		TimeZone:    body.TimeZone,
		StartsAt:    body.StartsAt.timePtr(),
		EndsAt:      body.EndsAt.timePtr(),
		Settings:    body.Settings.settings(),
		Version:     value(body.Version),
	})
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, e)
	return nil
}

func (s *server) publishEvent(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	e, err := s.svc.PublishEvent(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, e)
	return nil
}

// value returns *p, or the zero value if p is nil.
func value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// refuseVersion refuses a version in a POST body: the server sets it.
func refuseVersion(v *int64) error {
	if v != nil {
		return &requestError{code: codeUnknownField, field: "version", message: `unknown field "version": a new record starts at version 1`}
	}
	return nil
}
