package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage/memstore"
)

// seriesJSON is a series as the API shows it.
type seriesJSON struct {
	SeriesID string `json:"seriesId"`
	Events   []struct {
		ce.Event
		Counts struct {
			Tiers int `json:"tiers"`
		} `json:"counts"`
	} `json:"events"`
}

// autumnEvent is a body of POST /v1/events: 19:00–22:00 in Amsterdam on
// Thursday 22 October 2026, before the clocks go back.
const autumnEvent = `{"title":"Monthly meetup","timeZone":"Europe/Amsterdam",` +
	`"startsAt":"2026-10-22T19:00:00+02:00","endsAt":"2026-10-22T22:00:00+02:00",` +
	`"settings":{"registrationClosesAt":"2026-10-22T18:00:00+02:00"}}`

// TestDuplicateAcrossDaylightSaving is the newcomer walk-through:
// duplicate an event across the October change as a recurring instance,
// and see the draft copy with all its tiers at the right local times, and
// both events in the series view.
func TestDuplicateAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	event := mustDo[*ce.Event](t, api, http.StatusCreated, "POST", "/v1/events", api.keyA, autumnEvent)
	path := "/v1/events/" + event.ID
	mustDo[tierJSON](t, api, http.StatusCreated, "POST", path+"/tiers", api.keyA,
		`{"name":"Early bird","price":{"amount":1000,"currency":"EUR"},"salesStartAt":"2026-10-19T09:00:00+02:00","salesEndAt":"2026-10-22T19:00:00+02:00"}`)
	mustDo[tierJSON](t, api, http.StatusCreated, "POST", path+"/tiers", api.keyA, `{"name":"Online","price":{"amount":500,"currency":"EUR"},"position":1,"joinUrl":"https://meet.example.com/m"}`)
	mustDo[*ce.Event](t, api, http.StatusOK, "POST", path+"/publish", api.keyA, "")

	rec := api.do(t, "POST", path+"/duplicate", api.keyA, `{"startsAt":"2026-10-29T19:00:00+01:00","recurringInstance":true}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("duplicate: got status %d, want 201; body %s", rec.Code, rec.Body)
	}
	var got struct {
		Event ce.Event `json:"event"`
		Tiers []tierJSON
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	if loc := rec.Header().Get("Location"); loc != "/v1/events/"+got.Event.ID {
		t.Errorf("got Location %q, want /v1/events/%s", loc, got.Event.ID)
	}
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	local := func(t time.Time) string { return t.In(ams).Format("Mon 2 Jan 15:04 MST") }
	wantTimes := []string{"Thu 29 Oct 19:00 CET", "Thu 29 Oct 22:00 CET", "Thu 29 Oct 18:00 CET", "Mon 26 Oct 09:00 CET"}
	if len(got.Tiers) != 2 {
		t.Fatalf("got %d tiers, want 2", len(got.Tiers))
	}
	gotTimes := []string{local(got.Event.StartsAt), local(got.Event.EndsAt), local(got.Event.Settings.RegistrationClosesAt), local(got.Tiers[0].SalesStartAt)}
	if diff := cmp.Diff(wantTimes, gotTimes); diff != "" {
		t.Errorf("start, end, registration close, sales start mismatch (-want +got):\n%s", diff)
	}
	if got.Event.Status != ce.EventDraft || got.Event.SeriesID != event.ID || got.Event.DuplicatedFrom != event.ID {
		t.Errorf("got status %q series %q from %q, want a draft in the series of %s, copied from it", got.Event.Status, got.Event.SeriesID, got.Event.DuplicatedFrom, event.ID)
	}
	if got.Tiers[0].Virtual || !got.Tiers[1].Virtual || got.Tiers[1].JoinURL != "https://meet.example.com/m" {
		t.Errorf("got tiers %+v, want the in-person and the virtual tier", got.Tiers)
	}

	for _, member := range []string{event.ID, got.Event.ID} {
		series := mustDo[seriesJSON](t, api, http.StatusOK, "GET", "/v1/events/"+member+"/series", api.keyA, "")
		if series.SeriesID != event.ID || len(series.Events) != 2 {
			t.Fatalf("series of %s: got %+v, want both events in series %s", member, series, event.ID)
		}
		for i, want := range []struct {
			id     string
			status ce.EventStatus
		}{{event.ID, ce.EventPublished}, {got.Event.ID, ce.EventDraft}} {
			e := series.Events[i]
			if e.ID != want.id || e.Status != want.status || e.Counts.Tiers != 2 {
				t.Errorf("series event %d: got %s %q with %d tiers, want %s %q with 2", i, e.ID, e.Status, e.Counts.Tiers, want.id, want.status)
			}
		}
	}
	// A standalone copy is in no series.
	alone := mustDo[struct{ Event ce.Event }](t, api, http.StatusCreated, "POST", path+"/duplicate", api.keyA, `{"startsAt":"2027-01-14T19:00:00+01:00"}`)
	lone := mustDo[seriesJSON](t, api, http.StatusOK, "GET", "/v1/events/"+alone.Event.ID+"/series", api.keyA, "")
	if lone.SeriesID != "" || len(lone.Events) != 1 || lone.Events[0].ID != alone.Event.ID {
		t.Errorf("series of a standalone copy: got %+v, want it alone", lone)
	}
}

func TestSeriesPreviewAndCreate(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	event := mustDo[*ce.Event](t, api, http.StatusCreated, "POST", "/v1/events", api.keyA,
		`{"title":"Quarterly","timeZone":"Europe/Amsterdam","startsAt":"2026-01-15T19:00:00+01:00","endsAt":"2026-01-15T22:00:00+01:00"}`)
	api.createTier(t, api.keyA, event.ID)
	path := "/v1/events/" + event.ID + "/series"
	const quarterly = `{"rule":"FREQ=MONTHLY;INTERVAL=3;COUNT=4","excludedDates":["2026-12-24"]}`

	preview := mustDo[previewResponse](t, api, http.StatusOK, "POST", path+"/preview", api.keyA, quarterly)
	var starts []string
	for _, o := range preview.Occurrences {
		starts = append(starts, o.StartsAt.Format(time.RFC3339)+" "+o.EndsAt.Format("15:04"))
	}
	want := []string{"2026-04-15T19:00:00+02:00 22:00", "2026-07-15T19:00:00+02:00 22:00", "2026-10-15T19:00:00+02:00 22:00"}
	if diff := cmp.Diff(want, starts); diff != "" {
		t.Errorf("quarterly preview mismatch (-want +got):\n%s", diff)
	}
	if preview.TimeZone != "Europe/Amsterdam" {
		t.Errorf("got time zone %q, want Europe/Amsterdam", preview.TimeZone)
	}
	rec := api.do(t, "POST", path+"/preview", api.keyA, quarterly)
	if !strings.Contains(rec.Body.String(), `"startsAt":"2026-04-15T19:00:00+02:00"`) {
		t.Errorf("got preview %s, want local times with their offset", rec.Body)
	}
	if list := mustDo[eventList](t, api, http.StatusOK, "GET", "/v1/events", api.keyA, ""); len(list.Events) != 1 {
		t.Errorf("got %d events after a preview, want 1", len(list.Events))
	}

	created := mustDo[seriesJSON](t, api, http.StatusCreated, "POST", path, api.keyA, quarterly)
	if created.SeriesID != event.ID || len(created.Events) != 3 {
		t.Fatalf("created: got %+v, want 3 events of series %s", created, event.ID)
	}
	for i, e := range created.Events {
		if e.Status != ce.EventDraft || e.Counts.Tiers != 1 || !e.StartsAt.Equal(preview.Occurrences[i].StartsAt) {
			t.Errorf("created event %d: got %q at %v with %d tiers, want a draft at %v with 1", i, e.Status, e.StartsAt, e.Counts.Tiers, preview.Occurrences[i].StartsAt)
		}
	}
	series := mustDo[seriesJSON](t, api, http.StatusOK, "GET", path, api.keyA, "")
	if len(series.Events) != 4 || series.Events[0].ID != event.ID {
		t.Errorf("series after creation: got %d events starting with %s, want 4 starting with %s", len(series.Events), series.Events[0].ID, event.ID)
	}
}

// TestSeriesBadInput covers the bad input of the issue on the duplicate
// and series routes: each is refused with its status, code and field, and
// a message naming the part at fault.
func TestSeriesBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		path        string // after /v1/events/{event}
		body        string
		field       string
		wantMessage string
	}{
		{"duplicate without a start", "/duplicate", `{"recurringInstance":true}`, "startsAt", "required"},
		{"duplicate with a start that is not a time", "/duplicate", `{"startsAt":"next Tuesday"}`, "startsAt", "RFC 3339"},
		{"duplicate with a start that is a number", "/duplicate", `{"startsAt":1793286000}`, "startsAt", "RFC 3339"},
		{"duplicate with recurringInstance not a boolean", "/duplicate", `{"startsAt":"2026-06-01T19:00:00Z","recurringInstance":"yes"}`, "recurringInstance", "true or false"},
		{"malformed rule", "/series/preview", `{"rule":"FREQ=MONTHLY;COUNT"}`, "rule", "NAME=VALUE"},
		{"malformed BYDAY", "/series", `{"rule":"FREQ=MONTHLY;BYDAY=2XX;COUNT=3"}`, "rule", "BYDAY"},
		{"unsupported part", "/series/preview", `{"rule":"FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1;COUNT=3"}`, "rule", "BYSETPOS is not supported"},
		{"unsupported frequency", "/series", `{"rule":"FREQ=HOURLY;COUNT=3"}`, "rule", "FREQ=HOURLY"},
		{"COUNT and UNTIL together", "/series/preview", `{"rule":"FREQ=DAILY;COUNT=3;UNTIL=20270101"}`, "rule", "COUNT and UNTIL"},
		{"a rule that never ends", "/series", `{"rule":"FREQ=DAILY"}`, "rule", "COUNT or UNTIL"},
		{"a rule that yields nothing", "/series/preview", `{"rule":"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;UNTIL=20400101"}`, "rule", "no occurrence"},
		{"over the cap", "/series", `{"rule":"FREQ=DAILY;COUNT=501"}`, "rule", "cap of 500"},
		{"no rule", "/series/preview", `{}`, "rule", "required"},
		{"rule not a string", "/series", `{"rule":42}`, "rule", "string"},
		{"extra date not a date", "/series/preview", `{"rule":"FREQ=DAILY;COUNT=2","extraDates":["2026-06-02","tomorrow"]}`, "extraDates[1]", "tomorrow"},
		{"extra date before the event", "/series", `{"extraDates":["2020-01-01"]}`, "extraDates[0]", "not after"},
		{"excluded date 30 February", "/series/preview", `{"rule":"FREQ=DAILY;COUNT=2","excludedDates":["2027-02-30"]}`, "excludedDates[0]", "2027-02-30"},
		{"unknown gap policy", "/series", `{"rule":"FREQ=DAILY;COUNT=2","gap":"ignore"}`, "gap", "skip or shift"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := newTestAPI(t)
			event := api.createEvent(t, api.keyA)
			got := wantError(t, api.do(t, "POST", "/v1/events/"+event.ID+tt.path, api.keyA, tt.body), http.StatusBadRequest, codeInvalid, tt.field)
			if !strings.Contains(got.Message, tt.wantMessage) {
				t.Errorf("got message %q, want it to contain %q", got.Message, tt.wantMessage)
			}
			if list := mustDo[eventList](t, api, http.StatusOK, "GET", "/v1/events", api.keyA, ""); len(list.Events) != 1 {
				t.Errorf("got %d events after a refused request, want 1", len(list.Events))
			}
		})
	}
	t.Run("unknown field", func(t *testing.T) {
		t.Parallel()
		api := newTestAPI(t)
		event := api.createEvent(t, api.keyA)
		for _, path := range []string{"/duplicate", "/series", "/series/preview"} {
			wantError(t, api.do(t, "POST", "/v1/events/"+event.ID+path, api.keyA, `{"startDate":"2026-06-01"}`), http.StatusBadRequest, codeUnknownField, "startDate")
		}
	})
}

// TestSeriesUnknownTimeZone serves an event whose time zone this server
// does not know (stored by one with newer time zone data): copying it or
// repeating it is refused as invalid, naming the time zone.
func TestSeriesUnknownTimeZone(t *testing.T) {
	t.Parallel()
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	api := newTestAPIOn(t, store)
	event := api.createEvent(t, api.keyA)
	stored, err := store.Events().Get(context.Background(), event.OrganizationID, event.ID)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	stored.TimeZone = "Mars/Olympus_Mons"
	if err := store.Events().Update(context.Background(), stored); err != nil {
		t.Fatalf("Update: %v", err)
	}
	for _, r := range []struct{ path, body string }{
		{"/duplicate", `{"startsAt":"2026-06-01T19:00:00Z"}`},
		{"/series/preview", `{"rule":"FREQ=WEEKLY;COUNT=2"}`},
		{"/series", `{"rule":"FREQ=WEEKLY;COUNT=2"}`},
	} {
		got := wantError(t, api.do(t, "POST", "/v1/events/"+event.ID+r.path, api.keyA, r.body), http.StatusBadRequest, codeInvalid, "timeZone")
		if !strings.Contains(got.Message, "Mars/Olympus_Mons") {
			t.Errorf("%s: got message %q, want it to name the time zone", r.path, got.Message)
		}
	}
}
