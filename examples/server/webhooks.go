package main

import (
	"net/http"
	"strconv"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/webhook/outbox"
)

// endpointBody is the body of POST /v1/webhook-endpoints and PATCH
// /v1/webhook-endpoints/{id}. POST takes absent fields as empty; PATCH
// leaves absent or null fields unchanged.
type endpointBody struct {
	URL         *string   `json:"url"`
	EventTypes  *[]string `json:"eventTypes"`
	Description *string   `json:"description"`
	// Enabled, only in a PATCH: a new endpoint starts enabled.
	Enabled *bool `json:"enabled"`
	// TimeoutMs bounds each attempt, in milliseconds; 0 means the
	// sender's default (10 s).
	TimeoutMs *int64 `json:"timeoutMs"`
	// Version, only in a PATCH, makes the change conditional on the
	// endpoint being at that version (409 otherwise).
	Version *int64 `json:"version"`
}

// timeout returns the timeout b holds, or nil. A count of milliseconds
// outside 0..outbox.MaxEndpointTimeout is clamped to just outside that
// range before it is converted, since a duration of an arbitrary count
// overflows; the service then refuses it.
func (b *endpointBody) timeout() *time.Duration {
	if b.TimeoutMs == nil {
		return nil
	}
	ms := min(max(*b.TimeoutMs, -1), outbox.MaxEndpointTimeout.Milliseconds()+1)
	d := time.Duration(ms) * time.Millisecond
	return &d
}

// endpointResponse is an endpoint as the API shows it: never its secret,
// except in the responses that make one (Secret is then set).
type endpointResponse struct {
	*ce.WebhookEndpoint
	TimeoutMs int64  `json:"timeoutMs,omitempty"`
	Secret    string `json:"secret,omitempty"`
}

func newEndpointResponse(e *ce.WebhookEndpoint) endpointResponse {
	return endpointResponse{WebhookEndpoint: e, TimeoutMs: e.Timeout.Milliseconds()}
}

// withSecret is newEndpointResponse with the secret: for create and
// rotate-secret only.
func withSecret(e *ce.WebhookEndpoint) endpointResponse {
	r := newEndpointResponse(e)
	r.Secret = e.Secret
	return r
}

// endpointList is the body of GET /v1/webhook-endpoints.
type endpointList struct {
	Endpoints []endpointResponse `json:"endpoints"`
}

// deliveryList is the body of GET /v1/webhook-endpoints/{id}/deliveries.
// Next, if set, is the after parameter of the following page.
type deliveryList struct {
	Deliveries []*ce.WebhookDelivery `json:"deliveries"`
	Next       string                `json:"next,omitempty"`
}

func (s *server) createEndpoint(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body endpointBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	if err := refuseVersion(body.Version); err != nil {
		return err
	}
	if body.Enabled != nil {
		return &requestError{code: codeUnknownField, field: "enabled", message: `unknown field "enabled": a new endpoint starts enabled`}
	}
	e, err := s.hooks.CreateEndpoint(r.Context(), key.OrganizationID, outbox.EndpointInput{
		URL:         value(body.URL),
		EventTypes:  value(body.EventTypes),
		Description: value(body.Description),
		Timeout:     value(body.timeout()),
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/webhook-endpoints/"+e.ID)
	s.writeJSON(w, r, http.StatusCreated, withSecret(e))
	return nil
}

func (s *server) listEndpoints(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	endpoints, err := s.hooks.ListEndpoints(r.Context(), key.OrganizationID)
	if err != nil {
		return err
	}
	list := endpointList{Endpoints: make([]endpointResponse, 0, len(endpoints))}
	for _, e := range endpoints {
		list.Endpoints = append(list.Endpoints, newEndpointResponse(e))
	}
	s.writeJSON(w, r, http.StatusOK, list)
	return nil
}

func (s *server) getEndpoint(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	e, err := s.hooks.GetEndpoint(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newEndpointResponse(e))
	return nil
}

func (s *server) updateEndpoint(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body endpointBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	u := outbox.EndpointUpdate{
		URL:         body.URL,
		Description: body.Description,
		Enabled:     body.Enabled,
		Timeout:     body.timeout(),
		Version:     value(body.Version),
	}
	if body.EventTypes != nil {
		// [] is a change (refused: an endpoint needs a type), not "unchanged".
		u.EventTypes = append([]string{}, *body.EventTypes...)
	}
	e, err := s.hooks.UpdateEndpoint(r.Context(), key.OrganizationID, r.PathValue("id"), u)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newEndpointResponse(e))
	return nil
}

func (s *server) deleteEndpoint(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	if err := s.hooks.DeleteEndpoint(r.Context(), key.OrganizationID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) rotateSecret(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	e, err := s.hooks.RotateSecret(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, withSecret(e))
	return nil
}

// testEndpoint sends a ping at once and answers with the attempt: its
// status code, timings and error. A failed attempt is a 200 too: the
// test ran.
func (s *server) testEndpoint(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	a, err := s.hooks.SendTest(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, a)
	return nil
}

func (s *server) listDeliveries(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	limit, err := pageLimit(r)
	if err != nil {
		return err
	}
	f := storage.DeliveryFilter{After: r.URL.Query().Get("after"), Limit: limit}
	list, err := s.hooks.ListDeliveries(r.Context(), key.OrganizationID, r.PathValue("id"), f)
	if err != nil {
		return err
	}
	body := deliveryList{Deliveries: list.Deliveries, Next: list.Next}
	if body.Deliveries == nil {
		body.Deliveries = []*ce.WebhookDelivery{} // "deliveries": [], not null
	}
	s.writeJSON(w, r, http.StatusOK, body)
	return nil
}

func (s *server) getDelivery(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	d, err := s.hooks.GetDelivery(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, d)
	return nil
}

// resendDelivery queues the delivery again and answers 202: the worker
// sends it at once, with the same message id.
func (s *server) resendDelivery(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	d, err := s.hooks.Resend(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusAccepted, d)
	return nil
}

// pageLimit returns the limit query parameter of a listing, or 0 (the
// default) if absent; anything but a whole number from 1 up is
// ErrInvalid naming "limit".
func pageLimit(r *http.Request) (int, error) {
	l := r.URL.Query().Get("limit")
	if l == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 {
		return 0, ce.Invalid("limit", "must be a whole number from 1 to %d", storage.MaxPageLimit)
	}
	return n, nil
}
