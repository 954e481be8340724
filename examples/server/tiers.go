package main

import (
	"net/http"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
)

// tierBody is the body of POST /v1/events/{id}/tiers and PATCH
// /v1/tiers/{id}. POST takes absent fields as empty; PATCH leaves absent
// or null fields unchanged, and takes "joinUrl": "" as making the tier
// in-person and a sales bound of "" as removing it.
type tierBody struct {
	Name         *string    `json:"name"`
	Description  *string    `json:"description"`
	Price        *ce.Money  `json:"price"`
	Capacity     *int       `json:"capacity"`
	SalesStartAt *timestamp `json:"salesStartAt"`
	SalesEndAt   *timestamp `json:"salesEndAt"`
	Position     *int       `json:"position"`
	JoinURL      *string    `json:"joinUrl"`
	ShareJoinURL *bool      `json:"shareJoinUrl"`
	// Version, only in a PATCH, makes the change conditional on the tier
	// being at that version (409 otherwise).
	Version *int64 `json:"version"`
}

// tierResponse is a tier as the API shows it: with whether it is virtual.
type tierResponse struct {
	*ce.Tier
	Virtual bool `json:"virtual"`
}

func newTierResponse(t *ce.Tier) tierResponse { return tierResponse{Tier: t, Virtual: t.Virtual()} }

// tierList is the body of GET /v1/events/{id}/tiers: all the event's
// tiers, by position.
type tierList struct {
	Tiers []tierResponse `json:"tiers"`
}

func (s *server) createTier(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body tierBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	if err := refuseVersion(body.Version); err != nil {
		return err
	}
	t, err := s.svc.CreateTier(r.Context(), key.OrganizationID, r.PathValue("id"), ticketing.TierInput{
		Name:         value(body.Name),
		Description:  value(body.Description),
		Price:        value(body.Price),
		Capacity:     value(body.Capacity),
		SalesStartAt: value(body.SalesStartAt).Time,
		SalesEndAt:   value(body.SalesEndAt).Time,
		Position:     value(body.Position),
		JoinURL:      value(body.JoinURL),
		ShareJoinURL: value(body.ShareJoinURL),
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/tiers/"+t.ID)
	s.writeJSON(w, r, http.StatusCreated, newTierResponse(t))
	return nil
}

func (s *server) listTiers(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	tiers, err := s.svc.ListTiers(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	list := tierList{Tiers: make([]tierResponse, 0, len(tiers))}
	for _, t := range tiers {
		list.Tiers = append(list.Tiers, newTierResponse(t))
	}
	s.writeJSON(w, r, http.StatusOK, list)
	return nil
}

func (s *server) getTier(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	t, err := s.svc.GetTier(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newTierResponse(t))
	return nil
}

func (s *server) updateTier(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body tierBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	t, err := s.svc.UpdateTier(r.Context(), key.OrganizationID, r.PathValue("id"), ticketing.TierUpdate{
		Name:         body.Name,
		Description:  body.Description,
		Price:        body.Price,
		Capacity:     body.Capacity,
		SalesStartAt: body.SalesStartAt.timePtr(),
		SalesEndAt:   body.SalesEndAt.timePtr(),
		Position:     body.Position,
		JoinURL:      body.JoinURL,
		ShareJoinURL: body.ShareJoinURL,
		Version:      value(body.Version),
	})
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newTierResponse(t))
	return nil
}

func (s *server) deleteTier(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	if err := s.svc.DeleteTier(r.Context(), key.OrganizationID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
