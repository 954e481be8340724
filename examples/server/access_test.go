package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// apiRoute is one route of the API, with a body that would succeed for
// the records' own organization. "{event}", "{tier}", "{endpoint}",
// "{delivery}", "{registration}" and "{item}" in its path and body stand
// for ids.
type apiRoute struct {
	method string
	path   string
	body   string
}

// apiRoutes are all the routes of the API that name a record.
var apiRoutes = []apiRoute{
	{"GET", "/v1/events/{event}", ""},
	{"PATCH", "/v1/events/{event}", `{"title":"Taken over"}`},
	{"POST", "/v1/events/{event}/publish", ""},
	{"POST", "/v1/events/{event}/duplicate", `{"startsAt":"2026-06-01T19:00:00+02:00","recurringInstance":true}`},
	{"GET", "/v1/events/{event}/series", ""},
	{"POST", "/v1/events/{event}/series", `{"rule":"FREQ=WEEKLY;COUNT=2"}`},
	{"POST", "/v1/events/{event}/series/preview", `{"rule":"FREQ=WEEKLY;COUNT=2"}`},
	{"POST", "/v1/events/{event}/tiers", `{"name":"Intruder","price":{"amount":0,"currency":"EUR"}}`},
	{"GET", "/v1/events/{event}/tiers", ""},
	{"GET", "/v1/tiers/{tier}", ""},
	{"PATCH", "/v1/tiers/{tier}", `{"name":"Taken over"}`},
	{"DELETE", "/v1/tiers/{tier}", ""},
	{"GET", "/v1/webhook-endpoints/{endpoint}", ""},
	{"PATCH", "/v1/webhook-endpoints/{endpoint}", `{"url":"https://intruder.example.com/"}`},
	{"DELETE", "/v1/webhook-endpoints/{endpoint}", ""},
	{"POST", "/v1/webhook-endpoints/{endpoint}/rotate-secret", ""},
	{"POST", "/v1/webhook-endpoints/{endpoint}/test", ""},
	{"GET", "/v1/webhook-endpoints/{endpoint}/deliveries", ""},
	{"GET", "/v1/webhook-deliveries/{delivery}", ""},
	{"POST", "/v1/webhook-deliveries/{delivery}/resend", ""},
	{"GET", "/v1/events/{event}/registrations", ""},
	{"GET", "/v1/events/{event}/summary", ""},
	{"POST", "/v1/events/{event}/checkins", `{"registrationId":"{registration}"}`},
	{"GET", "/v1/registrations/{registration}", ""},
	{"POST", "/v1/registrations/{registration}/cancel", `{"reason":"Taken over"}`},
	{"POST", "/v1/registrations/{registration}/cancel", ""},
	{"POST", "/v1/events/{event}/auction-items", `{"title":"Intruder","startingBid":{"amount":100,"currency":"EUR"},"minIncrement":10,"closesAt":"2026-05-20T20:00:00+02:00"}`},
	{"GET", "/v1/events/{event}/auction-items", ""},
	{"GET", "/v1/auction-items/{item}", ""},
	{"POST", "/v1/auction-items/{item}/close", ""},
}

// recordIDs are the ids that the placeholders of apiRoute paths stand for.
type recordIDs struct {
	event, tier, endpoint, delivery, registration, item string
}

// replacer replaces the placeholders of apiRoute paths and bodies.
func (ids recordIDs) replacer() *strings.Replacer {
	return strings.NewReplacer("{event}", ids.event, "{tier}", ids.tier,
		"{endpoint}", ids.endpoint, "{delivery}", ids.delivery, "{registration}", ids.registration, "{item}", ids.item)
}

func (r apiRoute) url(ids recordIDs) string { return ids.replacer().Replace(r.path) }

func (r apiRoute) bodyFor(ids recordIDs) string { return ids.replacer().Replace(r.body) }

// createRecords creates, with the key, an event, a tier of it, a webhook
// endpoint subscribed to every type and a delivery to it, and a
// registration and an auction item (for a published event of its own),
// and returns their ids.
func (a *testAPI) createRecords(t *testing.T, key string) recordIDs {
	t.Helper()
	event := a.createEvent(t, key)
	tier := a.createTier(t, key, event.ID)
	endpoint, delivery := a.createEndpointWithDelivery(t, key)
	open, tiers := a.publishedEvent(t, key, freeInPersonTier)
	reg := a.register(t, open.ID, tiers[0].ID, "ada@example.org")
	item := a.createItem(t, key, open, "Signed poster")
	return recordIDs{event: event.ID, tier: tier.ID, endpoint: endpoint.ID, delivery: delivery.ID, registration: reg.ID, item: item.ID}
}

// missingIDs returns ids of the kinds of ids that no record has.
func missingIDs() recordIDs {
	now := time.Now()
	return recordIDs{
		event:        ce.NewID(ce.PrefixEvent, now),
		tier:         ce.NewID(ce.PrefixTier, now),
		endpoint:     ce.NewID(ce.PrefixWebhookEndpoint, now),
		delivery:     ce.NewID(ce.PrefixWebhookDelivery, now),
		registration: ce.NewID(ce.PrefixRegistration, now),
		item:         ce.NewID(ce.PrefixAuctionItem, now),
	}
}

// unifier replaces the ids of records with "ID", to compare messages.
func unifier(records ...recordIDs) *strings.Replacer {
	var pairs []string
	for _, r := range records {
		pairs = append(pairs, r.event, "ID", r.tier, "ID", r.endpoint, "ID", r.delivery, "ID", r.registration, "ID", r.item, "ID")
	}
	return strings.NewReplacer(pairs...)
}

// TestOtherOrganizationGetsNotFound sends organization B's key with
// organization A's ids over every route: each answers 404, exactly as for
// an id that does not exist, and A's records stay as they were.
func TestOtherOrganizationGetsNotFound(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	ids := api.createRecords(t, api.keyA)
	api.createRecords(t, api.keyB) // B has records of its own.
	eventBefore := mustDo[*ce.Event](t, api, http.StatusOK, "GET", "/v1/events/"+ids.event, api.keyA, "")
	tierBefore := mustDo[*ce.Tier](t, api, http.StatusOK, "GET", "/v1/tiers/"+ids.tier, api.keyA, "")
	endpointBefore := mustDo[endpointResponse](t, api, http.StatusOK, "GET", "/v1/webhook-endpoints/"+ids.endpoint, api.keyA, "")
	registrationBefore := mustDo[registrationJSON](t, api, http.StatusOK, "GET", "/v1/registrations/"+ids.registration, api.keyA, "")
	itemBefore := mustDo[auctionItemJSON](t, api, http.StatusOK, "GET", "/v1/auction-items/"+ids.item, api.keyA, "")

	for _, r := range apiRoutes {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			got := wantError(t, api.do(t, r.method, r.url(ids), api.keyB, r.bodyFor(ids)), http.StatusNotFound, codeNotFound, "")
			missingIDs := missingIDs()
			missing := wantError(t, api.do(t, r.method, r.url(missingIDs), api.keyB, r.bodyFor(missingIDs)), http.StatusNotFound, codeNotFound, "")
			unify := unifier(ids, missingIDs)
			if unify.Replace(got.Message) != unify.Replace(missing.Message) {
				t.Errorf("got message %q for another organization's id and %q for a missing one, want the same", got.Message, missing.Message)
			}
		})
	}

	list := mustDo[eventList](t, api, http.StatusOK, "GET", "/v1/events", api.keyB, "")
	for _, e := range list.Events {
		if e.ID == ids.event {
			t.Errorf("organization B's listing holds A's event %s", ids.event)
		}
	}
	gotEvent := mustDo[*ce.Event](t, api, http.StatusOK, "GET", "/v1/events/"+ids.event, api.keyA, "")
	if diff := cmp.Diff(eventBefore, gotEvent); diff != "" {
		t.Errorf("A's event changed (-want +got):\n%s", diff)
	}
	gotTier := mustDo[*ce.Tier](t, api, http.StatusOK, "GET", "/v1/tiers/"+ids.tier, api.keyA, "")
	if diff := cmp.Diff(tierBefore, gotTier); diff != "" {
		t.Errorf("A's tier changed (-want +got):\n%s", diff)
	}
	tiers := mustDo[tierList](t, api, http.StatusOK, "GET", "/v1/events/"+ids.event+"/tiers", api.keyA, "")
	if len(tiers.Tiers) != 1 {
		t.Errorf("got %d tiers on A's event, want 1", len(tiers.Tiers))
	}
	endpoint := mustDo[endpointResponse](t, api, http.StatusOK, "GET", "/v1/webhook-endpoints/"+ids.endpoint, api.keyA, "")
	if diff := cmp.Diff(endpointBefore, endpoint); diff != "" {
		t.Errorf("A's webhook endpoint changed (-want +got):\n%s", diff)
	}
	endpoints := mustDo[endpointList](t, api, http.StatusOK, "GET", "/v1/webhook-endpoints", api.keyB, "")
	for _, e := range endpoints.Endpoints {
		if e.ID == ids.endpoint {
			t.Errorf("organization B's listing holds A's webhook endpoint %s", ids.endpoint)
		}
	}
	log := mustDo[deliveryList](t, api, http.StatusOK, "GET", "/v1/webhook-endpoints/"+ids.endpoint+"/deliveries", api.keyA, "")
	// The check-in createEndpointWithDelivery published and the
	// registration's confirmation, both untouched: B's check-in and
	// cancellations published nothing.
	types := map[string]int{}
	for _, d := range log.Deliveries {
		types[d.EventType]++
		if d.Status != ce.DeliveryPending || d.AttemptCount != 0 {
			t.Errorf("A's delivery changed: %+v", d)
		}
	}
	if diff := cmp.Diff(map[string]int{ce.EventTypeCheckinCompleted: 1, ce.EventTypeRegistrationConfirmed: 1}, types); diff != "" {
		t.Errorf("A's delivery log by event type (-want +got):\n%s", diff)
	}
	gotRegistration := mustDo[registrationJSON](t, api, http.StatusOK, "GET", "/v1/registrations/"+ids.registration, api.keyA, "")
	if diff := cmp.Diff(registrationBefore, gotRegistration); diff != "" {
		t.Errorf("A's registration changed (-want +got):\n%s", diff)
	}
	gotItem := mustDo[auctionItemJSON](t, api, http.StatusOK, "GET", "/v1/auction-items/"+ids.item, api.keyA, "")
	if diff := cmp.Diff(itemBefore, gotItem); diff != "" {
		t.Errorf("A's auction item changed (-want +got):\n%s", diff)
	}
	items := mustDo[auctionListJSON](t, api, http.StatusOK, "GET", "/v1/events/"+ids.event+"/auction-items", api.keyA, "")
	if len(items.AuctionItems) != 0 {
		t.Errorf("got %d auction items on A's event, want none: B's creation must not land there", len(items.AuctionItems))
	}
}

// TestUnauthorized sends no key or a wrong one over every /v1 route.
func TestUnauthorized(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	ids := api.createRecords(t, api.keyA)
	routes := append([]apiRoute{
		{"POST", "/v1/events", validEvent},
		{"GET", "/v1/events", ""},
		{"POST", "/v1/webhook-endpoints", validEndpoint},
		{"GET", "/v1/webhook-endpoints", ""},
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
				req := newRequest(r.method, r.url(ids), r.bodyFor(ids))
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
