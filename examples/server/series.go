package main

import (
	"fmt"
	"net/http"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/recurrence"
)

// duplicateBody is the body of POST /v1/events/{id}/duplicate.
type duplicateBody struct {
	StartsAt timestamp `json:"startsAt"`
	// RecurringInstance puts the copy in the original's series.
	RecurringInstance bool `json:"recurringInstance"`
}

// copyResponse is a duplicated event and its tiers.
type copyResponse struct {
	Event *ce.Event      `json:"event"`
	Tiers []tierResponse `json:"tiers"`
}

// recurrenceBody is the body of POST /v1/events/{id}/series and of its
// preview: an RRULE, and local dates ("2026-12-24") to add and remove.
type recurrenceBody struct {
	Rule          string   `json:"rule"`
	ExtraDates    []string `json:"extraDates"`
	ExcludedDates []string `json:"excludedDates"`
	// Gap is "skip" (the default) or "shift": what becomes of an
	// occurrence whose local time a daylight-saving change skips.
	Gap string `json:"gap"`
}

// recurrence returns the recurrence b describes, or an ErrInvalid error
// naming the field at fault.
func (b *recurrenceBody) recurrence() (recurrence.Recurrence, error) {
	rec := recurrence.Recurrence{Rule: b.Rule}
	switch b.Gap {
	case "", "skip":
	case "shift":
		rec.Gap = recurrence.GapShift
	default:
		return rec, ce.Invalid("gap", "must be skip or shift, got %q", b.Gap)
	}
	var err error
	if rec.ExtraDates, err = parseDates("extraDates", b.ExtraDates); err != nil {
		return rec, err
	}
	rec.ExcludedDates, err = parseDates("excludedDates", b.ExcludedDates)
	return rec, err
}

// parseDates parses the dates of the body's field.
func parseDates(field string, values []string) ([]recurrence.Date, error) {
	dates := make([]recurrence.Date, len(values))
	for i, v := range values {
		d, err := recurrence.ParseDate(v)
		if err != nil {
			return nil, ce.Invalid(fmt.Sprintf("%s[%d]", field, i), "%s", ce.ErrorMessage(err))
		}
		dates[i] = d
	}
	return dates, nil
}

// seriesResponse is the body of GET /v1/events/{id}/series, all the events
// of the series, and of POST /v1/events/{id}/series, the events it
// created; each with its counts. SeriesID is empty for an event in no
// series.
type seriesResponse struct {
	SeriesID string                `json:"seriesId,omitempty"`
	Events   []seriesEventResponse `json:"events"`
}

// seriesEventResponse is an event of a series, with the counts of its
// records.
type seriesEventResponse struct {
	*ce.Event
	Counts countsResponse `json:"counts"`
}

type countsResponse struct {
	Tiers          int `json:"tiers"`
	PendingPayment int `json:"pendingPayment"`
	Confirmed      int `json:"confirmed"`
	Cancelled      int `json:"cancelled"`
	CheckedIn      int `json:"checkedIn"`
}

func newSeriesResponse(series *recurrence.Series) seriesResponse {
	resp := seriesResponse{SeriesID: series.ID, Events: make([]seriesEventResponse, len(series.Events))}
	for i, se := range series.Events {
		r := se.Counts.Registrations
		resp.Events[i] = seriesEventResponse{Event: se.Event, Counts: countsResponse{
			Tiers:          se.Counts.Tiers,
			PendingPayment: r.PendingPayment,
			Confirmed:      r.Confirmed,
			Cancelled:      r.Cancelled,
			CheckedIn:      r.CheckedIn,
		}}
	}
	return resp
}

// previewResponse is the body of POST /v1/events/{id}/series/preview:
// the instances the series would create, in the event's time zone.
type previewResponse struct {
	TimeZone    string               `json:"timeZone"`
	Occurrences []occurrenceResponse `json:"occurrences"`
}

type occurrenceResponse struct {
	StartsAt time.Time `json:"startsAt"`
	EndsAt   time.Time `json:"endsAt"`
}

func (s *server) duplicateEvent(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body duplicateBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	c, err := s.series.Duplicate(r.Context(), key.OrganizationID, r.PathValue("id"), recurrence.DuplicateInput{
		StartsAt:          body.StartsAt.Time,
		RecurringInstance: body.RecurringInstance,
	})
	if err != nil {
		return err
	}
	resp := copyResponse{Event: c.Event, Tiers: make([]tierResponse, len(c.Tiers))}
	for i, t := range c.Tiers {
		resp.Tiers[i] = newTierResponse(t)
	}
	w.Header().Set("Location", "/v1/events/"+c.Event.ID)
	s.writeJSON(w, r, http.StatusCreated, resp)
	return nil
}

func (s *server) getSeries(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	series, err := s.series.Series(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newSeriesResponse(series))
	return nil
}

func (s *server) previewSeries(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body recurrenceBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	rec, err := body.recurrence()
	if err != nil {
		return err
	}
	occurrences, err := s.series.Preview(r.Context(), key.OrganizationID, r.PathValue("id"), rec)
	if err != nil {
		return err
	}
	// Preview returns at least one occurrence, in the event's time zone.
	resp := previewResponse{TimeZone: occurrences[0].StartsAt.Location().String(), Occurrences: make([]occurrenceResponse, len(occurrences))}
	for i, o := range occurrences {
		resp.Occurrences[i] = occurrenceResponse{StartsAt: o.StartsAt, EndsAt: o.EndsAt}
	}
	s.writeJSON(w, r, http.StatusOK, resp)
	return nil
}

func (s *server) createSeries(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body recurrenceBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	rec, err := body.recurrence()
	if err != nil {
		return err
	}
	series, err := s.series.CreateSeries(r.Context(), key.OrganizationID, r.PathValue("id"), rec)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusCreated, newSeriesResponse(series))
	return nil
}
