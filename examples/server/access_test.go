package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// apiRoute is one route of the API, with a body that would succeed for
// the records' own organization. "{event}" and "{tier}" in its path stand
// for ids.
type apiRoute struct {
	method string
	path   string
	body   string
}

// apiRoutes are all the routes of the API that name an event or a tier.
var apiRoutes = []apiRoute{
	{"GET", "/v1/events/{event}", ""},
	{"PATCH", "/v1/events/{event}", `{"title":"Taken over"}`},
	{"POST", "/v1/events/{event}/publish", ""},
	{"POST", "/v1/events/{event}/tiers", `{"name":"Intruder","price":{"amount":0,"currency":"EUR"}}`},
	{"GET", "/v1/events/{event}/tiers", ""},
	{"GET", "/v1/tiers/{tier}", ""},
	{"PATCH", "/v1/tiers/{tier}", `{"name":"Taken over"}`},
	{"DELETE", "/v1/tiers/{tier}", ""},
}

func (r apiRoute) url(eventID, tierID string) string {
	return strings.NewReplacer("{event}", eventID, "{tier}", tierID).Replace(r.path)
}

// TestOtherOrganizationGetsNotFound sends organization B's key with
// organization A's ids over every route: each answers 404, exactly as for
// an id that does not exist, and A's records stay as they were.
func TestOtherOrganizationGetsNotFound(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	event := api.createEvent(t, api.keyA)
	tier := api.createTier(t, api.keyA, event.ID)
	api.createEvent(t, api.keyB) // B has records of its own.

	for _, r := range apiRoutes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			got := wantError(t, api.do(t, r.method, r.url(event.ID, tier.ID), api.keyB, r.body), http.StatusNotFound, codeNotFound, "")
			missingEvent, missingTier := ce.NewID(ce.PrefixEvent, event.CreatedAt), ce.NewID(ce.PrefixTier, tier.CreatedAt)
			missing := wantError(t, api.do(t, r.method, r.url(missingEvent, missingTier), api.keyB, r.body), http.StatusNotFound, codeNotFound, "")
			unify := strings.NewReplacer(event.ID, "ID", tier.ID, "ID", missingEvent, "ID", missingTier, "ID")
			if unify.Replace(got.Message) != unify.Replace(missing.Message) {
				t.Errorf("got message %q for another organization's id and %q for a missing one, want the same", got.Message, missing.Message)
			}
		})
	}

	list := mustDo[eventList](t, api, http.StatusOK, "GET", "/v1/events", api.keyB, "")
	for _, e := range list.Events {
		if e.ID == event.ID {
			t.Errorf("organization B's listing holds A's event %s", event.ID)
		}
	}
	gotEvent := mustDo[*ce.Event](t, api, http.StatusOK, "GET", "/v1/events/"+event.ID, api.keyA, "")
	if diff := cmp.Diff(event, gotEvent); diff != "" {
		t.Errorf("A's event changed (-want +got):\n%s", diff)
	}
	gotTier := mustDo[*ce.Tier](t, api, http.StatusOK, "GET", "/v1/tiers/"+tier.ID, api.keyA, "")
	if diff := cmp.Diff(tier, gotTier); diff != "" {
		t.Errorf("A's tier changed (-want +got):\n%s", diff)
	}
	tiers := mustDo[tierList](t, api, http.StatusOK, "GET", "/v1/events/"+event.ID+"/tiers", api.keyA, "")
	if len(tiers.Tiers) != 1 {
		t.Errorf("got %d tiers on A's event, want 1", len(tiers.Tiers))
	}
}

// TestUnauthorized sends no key or a wrong one over every /v1 route.
func TestUnauthorized(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	event := api.createEvent(t, api.keyA)
	tier := api.createTier(t, api.keyA, event.ID)
	routes := append([]apiRoute{
		{"POST", "/v1/events", validEvent},
		{"GET", "/v1/events", ""},
	}, apiRoutes...)
	headers := []struct {
		name  string
		value string
	}{
		{"no header", ""},
		{"wrong key", "Bearer ce_0000000000000000000000000000000000000000000000000000"},
		{"empty bearer", "Bearer "},
		{"basic scheme", "Basic " + api.keyA},
		{"key without scheme", api.keyA},
	}
	for _, r := range routes {
		for _, h := range headers {
			t.Run(r.method+" "+r.path+"/"+h.name, func(t *testing.T) {
				t.Parallel()
				req := newRequest(r.method, r.url(event.ID, tier.ID), r.body)
				if h.value != "" {
					req.Header.Set("Authorization", h.value)
				}
				rec := serve(api, req)
				wantError(t, rec, http.StatusUnauthorized, codeUnauthorized, "")
				if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer ") {
					t.Errorf("got WWW-Authenticate %q, want a Bearer challenge", got)
				}
			})
		}
	}
	// The bearer scheme is case-insensitive.
	req := newRequest("GET", "/v1/events", "")
	req.Header.Set("Authorization", "bearer "+api.keyA)
	if rec := serve(api, req); rec.Code != http.StatusOK {
		t.Errorf("lowercase bearer: got status %d, want 200", rec.Code)
	}
}
