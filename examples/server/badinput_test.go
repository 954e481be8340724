package main

import (
	"strings"
	"testing"
)

// TestBadInput covers every kind of bad request the issue lists, and
// more: each is refused with its status, code and field.
func TestBadInput(t *testing.T) {
	t.Parallel()
	big := `{"title":"` + strings.Repeat("x", maxBodyBytes) + `"}`
	// Just under the limit: read whole, then refused by validation.
	justUnder := `{"title":"x","description":"` + strings.Repeat("x", maxBodyBytes-100) + `"}`

	tests := []struct {
		name        string
		method      string
		path        string // "{event}" and "{tier}" stand for ids of the caller's organization
		body        string
		status      int
		code        string
		field       string
		wantMessage string // a part of the message, if set
	}{
		{"malformed JSON", "POST", "/v1/events", `{"title": "Meetup",}`, 400, codeMalformedJSON, "", "at byte 20"},
		{"malformed JSON in a patch", "PATCH", "/v1/events/{event}", `{"title" "x"}`, 400, codeMalformedJSON, "", "at byte 10"},
		{"truncated JSON", "POST", "/v1/events", `{"title":`, 400, codeMalformedJSON, "", "at byte 9"},
		{"empty body", "POST", "/v1/events", ``, 400, codeMalformedJSON, "", "empty"},
		{"not an object", "POST", "/v1/events", `["Meetup"]`, 400, codeMalformedJSON, "", "JSON object"},
		{"data after the object", "POST", "/v1/events", validEvent + ` {"title":"again"}`, 400, codeMalformedJSON, "", "after the object"},
		{"unknown field", "POST", "/v1/events", `{"title":"Meetup","colour":"red"}`, 400, codeUnknownField, "colour", "colour"},
		{"unknown nested field", "POST", "/v1/events", `{"settings":{"seats":10}}`, 400, codeUnknownField, "seats", ""},
		{"unknown tier field", "POST", "/v1/events/{event}/tiers", `{"name":"x","virtual":true}`, 400, codeUnknownField, "virtual", ""},
		{"version on create", "POST", "/v1/events", `{"version":3}`, 400, codeUnknownField, "version", ""},
		{"version on tier create", "POST", "/v1/events/{event}/tiers", `{"version":1}`, 400, codeUnknownField, "version", ""},
		{"wrong type", "POST", "/v1/events", `{"title":42}`, 400, codeInvalid, "title", "string"},
		{"wrong nested type", "POST", "/v1/events", `{"settings":{"capacity":"ten"}}`, 400, codeInvalid, "settings.capacity", "integer"},
		{"wrong price type", "POST", "/v1/events/{event}/tiers", `{"price":{"amount":"5.00"}}`, 400, codeInvalid, "price.amount", "integer"},
		{"time not RFC 3339", "POST", "/v1/events", `{"startsAt":"next Tuesday"}`, 400, codeInvalid, "startsAt", "RFC 3339"},
		{"time as a number", "PATCH", "/v1/events/{event}", `{"endsAt":1747760400}`, 400, codeInvalid, "endsAt", "RFC 3339"},
		{"nested time not RFC 3339", "POST", "/v1/events", `{"settings":{"registrationOpensAt":"2026-05-01"}}`, 400, codeInvalid, "settings.registrationOpensAt", ""},
		{"tier time not RFC 3339", "PATCH", "/v1/tiers/{tier}", `{"salesEndAt":"soon"}`, 400, codeInvalid, "salesEndAt", ""},
		{"http join URL", "POST", "/v1/events/{event}/tiers", `{"name":"Online","price":{"currency":"EUR"},"joinUrl":"http://meet.example.com/x"}`, 400, codeInvalid, "joinUrl", "https"},
		{"http join URL in a patch", "PATCH", "/v1/tiers/{tier}", `{"joinUrl":"http://meet.example.com/x"}`, 400, codeInvalid, "joinUrl", "https"},
		{"end before start", "POST", "/v1/events", `{"title":"x","timeZone":"UTC","startsAt":"2026-05-20T19:00:00Z","endsAt":"2026-05-20T18:00:00Z"}`, 400, codeInvalid, "endsAt", "after startsAt"},
		{"end before start in a patch", "PATCH", "/v1/events/{event}", `{"endsAt":"2026-05-20T18:00:00+02:00"}`, 400, codeInvalid, "endsAt", ""},
		{"unknown time zone", "POST", "/v1/events", `{"title":"x","timeZone":"Europe/Atlantis","startsAt":"2026-05-20T19:00:00Z","endsAt":"2026-05-20T20:00:00Z"}`, 400, codeInvalid, "timeZone", "Europe/Atlantis"},
		{"unknown time zone in a patch", "PATCH", "/v1/events/{event}", `{"timeZone":"Mars/Base"}`, 400, codeInvalid, "timeZone", ""},
		{"missing title", "POST", "/v1/events", `{"timeZone":"UTC","startsAt":"2026-05-20T19:00:00Z","endsAt":"2026-05-20T20:00:00Z"}`, 400, codeInvalid, "title", ""},
		{"missing currency", "POST", "/v1/events/{event}/tiers", `{"name":"Free"}`, 400, codeInvalid, "price.currency", ""},
		{"body over 1 MiB", "POST", "/v1/events", big, 413, codePayloadTooLarge, "", ""},
		{"body over 1 MiB in a patch", "PATCH", "/v1/tiers/{tier}", big, 413, codePayloadTooLarge, "", ""},
		{"body just under 1 MiB", "POST", "/v1/events", justUnder, 400, codeInvalid, "description", ""},
		{"limit not a number", "GET", "/v1/events?limit=ten", "", 400, codeInvalid, "limit", ""},
		{"limit zero", "GET", "/v1/events?limit=0", "", 400, codeInvalid, "limit", ""},
		{"unknown cursor", "GET", "/v1/events?after=evt_nope", "", 400, codeInvalid, "after", ""},
		{"unknown status", "GET", "/v1/events?status=archived", "", 400, codeInvalid, "status", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			api := newTestAPI(t)
			event := api.createEvent(t, api.keyA)
			tier := api.createTier(t, api.keyA, event.ID)
			path := strings.NewReplacer("{event}", event.ID, "{tier}", tier.ID).Replace(tt.path)

			got := wantError(t, api.do(t, tt.method, path, api.keyA, tt.body), tt.status, tt.code, tt.field)
			if !strings.Contains(got.Message, tt.wantMessage) {
				t.Errorf("got message %q, want it to contain %q", got.Message, tt.wantMessage)
			}
		})
	}
}
