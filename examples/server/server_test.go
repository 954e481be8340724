package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// tierJSON is a tier as the API shows it.
type tierJSON struct {
	ce.Tier
	Virtual bool `json:"virtual"`
}

func TestHappyPath(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)

	rec := api.do(t, "POST", "/v1/events", api.keyA, validEvent)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create event: got status %d, want 201; body %s", rec.Code, rec.Body)
	}
	event := mustDo[*ce.Event](t, api, http.StatusOK, "GET", rec.Header().Get("Location"), api.keyA, "")
	if event.Status != ce.EventDraft || event.Title != "Spring meetup" {
		t.Errorf("got event %q in status %q, want \"Spring meetup\" in draft", event.Title, event.Status)
	}
	if want := time.Date(2026, 5, 20, 17, 0, 0, 0, time.UTC); !event.StartsAt.Equal(want) {
		t.Errorf("got startsAt %v, want %v", event.StartsAt, want)
	}
	if !strings.Contains(rec.Body.String(), `"startsAt":"2026-05-20T17:00:00Z"`) {
		t.Errorf("got body %s, want startsAt in RFC 3339 UTC", rec.Body)
	}

	tier := mustDo[tierJSON](t, api, http.StatusCreated, "POST", "/v1/events/"+event.ID+"/tiers", api.keyA, validTier)
	if !tier.Virtual || tier.JoinURL != "https://meet.example.com/spring" || tier.EventID != event.ID {
		t.Errorf("got tier %+v, want a virtual tier of event %s", tier, event.ID)
	}
	inPerson := mustDo[tierJSON](t, api, http.StatusCreated, "POST", "/v1/events/"+event.ID+"/tiers", api.keyA,
		`{"name":"Door","price":{"amount":1500,"currency":"EUR"},"position":1}`)
	if inPerson.Virtual {
		t.Error("got a virtual tier without a join URL, want in-person")
	}

	events := mustDo[eventList](t, api, http.StatusOK, "GET", "/v1/events", api.keyA, "")
	if len(events.Events) != 1 || events.Events[0].ID != event.ID || events.Next != "" {
		t.Errorf("got events %+v, want only %s and no next page", events, event.ID)
	}
	tiers := mustDo[struct{ Tiers []tierJSON }](t, api, http.StatusOK, "GET", "/v1/events/"+event.ID+"/tiers", api.keyA, "")
	var names []string
	for _, tr := range tiers.Tiers {
		names = append(names, tr.Name)
	}
	if diff := cmp.Diff([]string{"Online", "Door"}, names); diff != "" {
		t.Errorf("tier names mismatch (-want +got):\n%s", diff)
	}

	published := mustDo[*ce.Event](t, api, http.StatusOK, "POST", "/v1/events/"+event.ID+"/publish", api.keyA, "")
	if published.Status != ce.EventPublished {
		t.Errorf("got status %q, want published", published.Status)
	}
	again := mustDo[*ce.Event](t, api, http.StatusOK, "POST", "/v1/events/"+event.ID+"/publish", api.keyA, "")
	if again.Version != published.Version {
		t.Errorf("publishing again: got version %d, want %d unchanged", again.Version, published.Version)
	}

	patched := mustDo[*ce.Event](t, api, http.StatusOK, "PATCH", "/v1/events/"+event.ID, api.keyA,
		`{"venue":"De Kleine Komedie","settings":{"capacity":120},"version":`+strconv.FormatInt(published.Version, 10)+`}`)
	if patched.Venue != "De Kleine Komedie" || patched.Settings.Capacity != 120 || patched.Title != event.Title {
		t.Errorf("got patched event %+v, want the new venue and capacity and the old title", patched)
	}

	inPersonNow := mustDo[tierJSON](t, api, http.StatusOK, "PATCH", "/v1/tiers/"+tier.ID, api.keyA, `{"joinUrl":""}`)
	if inPersonNow.Virtual {
		t.Error("got a virtual tier after clearing its join URL, want in-person")
	}
	got := mustDo[tierJSON](t, api, http.StatusOK, "GET", "/v1/tiers/"+tier.ID, api.keyA, "")
	if got.Version != 2 {
		t.Errorf("got tier version %d, want 2", got.Version)
	}
	if rec := api.do(t, "DELETE", "/v1/tiers/"+tier.ID, api.keyA, ""); rec.Code != http.StatusNoContent {
		t.Errorf("delete tier: got status %d, want 204", rec.Code)
	}
	wantError(t, api.do(t, "GET", "/v1/tiers/"+tier.ID, api.keyA, ""), http.StatusNotFound, codeNotFound, "")
}
