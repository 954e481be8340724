package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// Tiers of the events registration tests use: free, so that a
// registration is confirmed at once.
const (
	freeVirtualTier  = `{"name":"Online","price":{"amount":0,"currency":"EUR"},"joinUrl":"https://meet.example.com/autumn"}`
	freeInPersonTier = `{"name":"Door","price":{"amount":0,"currency":"EUR"},"position":1}`
)

// registrationJSON is a registration as the organizer API shows it.
type registrationJSON struct {
	ce.Registration
	GuideURL string `json:"guideUrl"`
}

// registrationListJSON is the body of GET /v1/events/{id}/registrations.
type registrationListJSON struct {
	Registrations []registrationJSON `json:"registrations"`
	Next          string             `json:"next"`
}

// futureEvent is a valid body of POST /v1/events: an event in Amsterdam
// starting in 30 days, for three hours, so that registration is open.
func futureEvent(title string) string {
	start := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Hour)
	return fmt.Sprintf(`{"title":%q,"timeZone":"Europe/Amsterdam","venue":"De Kleine Komedie","description":"Talks\nand drinks","startsAt":%q,"endsAt":%q}`,
		title, start.Format(time.RFC3339), start.Add(3*time.Hour).Format(time.RFC3339))
}

// publishedEvent creates, with the key, an event of futureEvent with a
// tier of each body, and publishes it.
func (a *testAPI) publishedEvent(t *testing.T, key string, tiers ...string) (*ce.Event, []*ce.Tier) {
	t.Helper()
	e := mustDo[*ce.Event](t, a, http.StatusCreated, "POST", "/v1/events", key, futureEvent("Autumn meetup"))
	var out []*ce.Tier
	for _, body := range tiers {
		out = append(out, mustDo[*ce.Tier](t, a, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/tiers", key, body))
	}
	e = mustDo[*ce.Event](t, a, http.StatusOK, "POST", "/v1/events/"+e.ID+"/publish", key, "")
	return e, out
}

// registrationBodyFor is a valid body of the public registration route.
func registrationBodyFor(tierID, email string) string {
	return fmt.Sprintf(`{"tierId":%q,"email":%q,"firstName":"Ada","lastName":"Lovelace"}`, tierID, email)
}

// register registers for the tier through the public route, without a
// key.
func (a *testAPI) register(t *testing.T, eventID, tierID, email string) publicRegistrationResponse {
	t.Helper()
	return mustDo[publicRegistrationResponse](t, a, http.StatusCreated, "POST",
		"/v1/public/events/"+eventID+"/registrations", "", registrationBodyFor(tierID, email))
}

// guideToken returns the token of a guide URL the API returned.
func guideToken(t *testing.T, guideURL string) string {
	t.Helper()
	token, ok := strings.CutPrefix(guideURL, testBaseURL+"/guide/")
	if !ok || token == "" {
		t.Fatalf("got guide URL %q, want %s/guide/<token>", guideURL, testBaseURL)
	}
	return token
}

// stored returns the stored registration of the guide URL, with its
// tokens, which no API answer holds.
func (a *testAPI) stored(t *testing.T, guideURL string) *ce.Registration {
	t.Helper()
	r, err := a.store.Registrations().GetByToken(context.Background(), storage.GuideToken, guideToken(t, guideURL))
	if err != nil {
		t.Fatalf("GetByToken: %v", err)
	}
	return r
}

// cancelEvent sets the event's status to cancelled in the store: the API
// has no route for it yet.
func (a *testAPI) cancelEvent(t *testing.T, e *ce.Event) {
	t.Helper()
	ctx := context.Background()
	got, err := a.store.Events().Get(ctx, e.OrganizationID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	got.Status = ce.EventCancelled
	if err := a.store.Events().Update(ctx, got); err != nil {
		t.Fatal(err)
	}
}

func TestPublicEvent(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeVirtualTier,
		`{"name":"Door","price":{"amount":0,"currency":"EUR"},"capacity":2,"position":1}`)
	api.register(t, e.ID, tiers[1].ID, "ada@example.org")

	rec := api.do(t, "GET", "/v1/public/events/"+e.ID, "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200; body %s", rec.Code, rec.Body)
	}
	raw := rec.Body.String()
	for _, secret := range []string{"joinUrl", "meet.example.com", "organizationId", "settings", "version"} {
		if strings.Contains(raw, secret) {
			t.Errorf("the public event holds %q: %s", secret, raw)
		}
	}
	var got publicEventResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	one := 1
	want := publicEventResponse{
		ID: e.ID, Title: e.Title, Description: e.Description, Venue: e.Venue, TimeZone: e.TimeZone,
		StartsAt: e.StartsAt, EndsAt: e.EndsAt, Status: ce.EventPublished,
		Tiers: []publicTierView{
			{ID: tiers[0].ID, Name: "Online", Price: tiers[0].Price, Virtual: true},
			{ID: tiers[1].ID, Name: "Door", Price: tiers[1].Price, Remaining: &one},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("public event (-want +got):\n%s", diff)
	}

	// A draft is not public: 404, exactly as for an unknown event.
	draft := api.createEvent(t, api.keyA)
	gotDraft := wantError(t, api.do(t, "GET", "/v1/public/events/"+draft.ID, "", ""), http.StatusNotFound, codeNotFound, "")
	missing := ce.NewID(ce.PrefixEvent, time.Now())
	gotMissing := wantError(t, api.do(t, "GET", "/v1/public/events/"+missing, "", ""), http.StatusNotFound, codeNotFound, "")
	if strings.ReplaceAll(gotDraft.Message, draft.ID, "ID") != strings.ReplaceAll(gotMissing.Message, missing, "ID") {
		t.Errorf("got %q for a draft and %q for an unknown event, want the same", gotDraft.Message, gotMissing.Message)
	}
	// A cancelled event stays visible, saying so.
	api.cancelEvent(t, e)
	if got := mustDo[publicEventResponse](t, api, http.StatusOK, "GET", "/v1/public/events/"+e.ID, "", ""); got.Status != ce.EventCancelled {
		t.Errorf("got status %q, want cancelled", got.Status)
	}
}

func TestRegistrationLifecycle(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeVirtualTier,
		`{"name":"Door","price":{"amount":0,"currency":"EUR"},"capacity":10,"position":1}`)
	online, door := tiers[0], tiers[1]

	rec := api.do(t, "POST", "/v1/public/events/"+e.ID+"/registrations", "",
		`{"tierId":"`+online.ID+`","email":" grace@example.org ","firstName":"Grace","lastName":"Hopper"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("register: got status %d, want 201; body %s", rec.Code, rec.Body)
	}
	var grace publicRegistrationResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &grace); err != nil {
		t.Fatal(err)
	}
	stored := api.stored(t, grace.GuideURL)
	for _, secret := range []string{stored.TicketCode, stored.JoinToken, `"ticketCode"`, `"joinToken"`, "meet.example.com", "organizationId"} {
		if strings.Contains(rec.Body.String(), secret) {
			t.Errorf("the registration answer holds %q: %s", secret, rec.Body)
		}
	}
	if grace.Status != ce.RegistrationConfirmed || grace.Email != "grace@example.org" || grace.EventID != e.ID ||
		grace.TierID != online.ID || grace.FirstName != "Grace" || rec.Header().Get("Location") != grace.GuideURL {
		t.Errorf("register: got %+v, Location %q", grace, rec.Header().Get("Location"))
	}
	ada := api.register(t, e.ID, door.ID, "ada@example.org")
	alan := api.register(t, e.ID, door.ID, "alan@example.org")
	// One e-mail address may hold several registrations.
	ada2 := api.register(t, e.ID, door.ID, "ada@example.org")

	// Organizer reads.
	got := mustDo[registrationJSON](t, api, http.StatusOK, "GET", "/v1/registrations/"+ada.ID, api.keyA, "")
	if got.ID != ada.ID || got.GuideURL != ada.GuideURL || got.Status != ce.RegistrationConfirmed || got.TierID != door.ID {
		t.Errorf("get: got %+v", got)
	}
	// Listings are ordered by id: by creation time to the millisecond.
	wantAll := sorted(grace.ID, ada.ID, alan.ID, ada2.ID)
	all := mustDo[registrationListJSON](t, api, http.StatusOK, "GET", "/v1/events/"+e.ID+"/registrations", api.keyA, "")
	if diff := cmp.Diff(wantAll, registrationIDs(all)); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	byTier := mustDo[registrationListJSON](t, api, http.StatusOK, "GET", "/v1/events/"+e.ID+"/registrations?tierId="+online.ID, api.keyA, "")
	if diff := cmp.Diff([]string{grace.ID}, registrationIDs(byTier)); diff != "" {
		t.Errorf("list by tier (-want +got):\n%s", diff)
	}
	var paged []string
	for next, pages := "", 0; ; pages++ {
		if pages > 4 {
			t.Fatal("more than 4 pages of one registration each")
		}
		page := mustDo[registrationListJSON](t, api, http.StatusOK, "GET", "/v1/events/"+e.ID+"/registrations?limit=1&after="+next, api.keyA, "")
		paged = append(paged, registrationIDs(page)...)
		if next = page.Next; next == "" {
			break
		}
	}
	if diff := cmp.Diff(wantAll, paged); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}

	// Check-in: by ticket code (qr), by registration id (manual).
	checked := mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/events/"+e.ID+"/checkins", api.keyA,
		`{"ticketCode":"`+api.stored(t, ada.GuideURL).TicketCode+`"}`)
	if checked.ID != ada.ID || checked.CheckInMethod != ce.CheckInQR || checked.CheckedInAt.IsZero() {
		t.Errorf("check-in by code: got %+v", checked)
	}
	manual := mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/events/"+e.ID+"/checkins", api.keyA,
		`{"registrationId":"`+alan.ID+`"}`)
	if manual.ID != alan.ID || manual.CheckInMethod != ce.CheckInManual {
		t.Errorf("manual check-in: got %+v", manual)
	}

	// Cancellation, with a reason or without a body.
	cancelled := mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/registrations/"+grace.ID+"/cancel", api.keyA, `{"reason":"Asked by e-mail"}`)
	if cancelled.Status != ce.RegistrationCancelled || cancelled.CancelReason != "Asked by e-mail" || cancelled.CancelledAt.IsZero() {
		t.Errorf("cancel: got %+v", cancelled)
	}
	if got := mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/registrations/"+ada2.ID+"/cancel", api.keyA, ""); got.Status != ce.RegistrationCancelled {
		t.Errorf("cancel without a body: got status %q", got.Status)
	}
	confirmed := mustDo[registrationListJSON](t, api, http.StatusOK, "GET", "/v1/events/"+e.ID+"/registrations?status=confirmed", api.keyA, "")
	if diff := cmp.Diff(sorted(ada.ID, alan.ID), registrationIDs(confirmed)); diff != "" {
		t.Errorf("confirmed (-want +got):\n%s", diff)
	}

	sum := mustDo[summaryResponse](t, api, http.StatusOK, "GET", "/v1/events/"+e.ID+"/summary", api.keyA, "")
	eight := 8
	wantSum := summaryResponse{
		EventID: e.ID,
		Tiers: []tierSummaryCount{
			{TierID: online.ID, Name: "Online", Virtual: true, Cancelled: 1},
			{TierID: door.ID, Name: "Door", Capacity: 10, Confirmed: 2, Cancelled: 1, CheckedIn: 2, Remaining: &eight},
		},
	}
	if diff := cmp.Diff(wantSum, sum); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if !strings.Contains(api.do(t, "GET", "/v1/events/"+e.ID+"/summary", api.keyA, "").Body.String(), `"remaining":null`) {
		t.Error("summary: want the uncapped remaining as null")
	}
}

// sorted returns the ids in order.
func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

// registrationIDs returns the ids of the listing's registrations.
func registrationIDs(l registrationListJSON) []string {
	var ids []string
	for _, r := range l.Registrations {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestRegisterBadInput covers every way the public registration route
// refuses a registrant.
func TestRegisterBadInput(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeVirtualTier,
		`{"name":"Tiny","price":{"amount":0,"currency":"EUR"},"capacity":1,"position":1}`,
		fmt.Sprintf(`{"name":"Later","price":{"amount":0,"currency":"EUR"},"salesStartAt":%q,"position":2}`, time.Now().Add(10*24*time.Hour).Format(time.RFC3339)),
		fmt.Sprintf(`{"name":"Early bird","price":{"amount":0,"currency":"EUR"},"salesStartAt":%q,"salesEndAt":%q,"position":3}`,
			time.Now().Add(-48*time.Hour).Format(time.RFC3339), time.Now().Add(-24*time.Hour).Format(time.RFC3339)),
	)
	online, tiny, later, early := tiers[0], tiers[1], tiers[2], tiers[3]
	api.register(t, e.ID, tiny.ID, "first@example.org") // the only seat
	_, otherTiers := api.publishedEvent(t, api.keyA, freeVirtualTier)
	draft := api.createEvent(t, api.keyA)
	draftTier := mustDo[*ce.Tier](t, api, http.StatusCreated, "POST", "/v1/events/"+draft.ID+"/tiers", api.keyA, freeVirtualTier)
	cancelled, cancelledTiers := api.publishedEvent(t, api.keyA, freeVirtualTier)
	api.cancelEvent(t, cancelled)

	body := func(tierID, email, first, last string) string {
		b, _ := json.Marshal(registrationBody{TierID: tierID, Email: email, FirstName: first, LastName: last})
		return string(b)
	}
	ok := func(tierID string) string { return body(tierID, "ada@example.org", "Ada", "Lovelace") }
	tenKB := strings.Repeat("x", 10<<10)
	tests := []struct {
		name    string
		eventID string
		body    string
		status  int
		code    string
		field   string
		message string // a part of it, if set
	}{
		{"draft event", draft.ID, ok(draftTier.ID), 404, codeNotFound, "", "not found"},
		{"cancelled event", cancelled.ID, ok(cancelledTiers[0].ID), 409, codeConflict, "", "cancelled"},
		{"unknown event", ce.NewID(ce.PrefixEvent, time.Now()), ok(online.ID), 404, codeNotFound, "", ""},
		{"malformed event id", "evt_nope", ok(online.ID), 404, codeNotFound, "", ""},
		{"sold out", e.ID, ok(tiny.ID), 409, codeSoldOut, "", ""},
		{"sales not started", e.ID, ok(later.ID), 409, codeConflict, "", "start at"},
		{"sales ended", e.ID, ok(early.ID), 409, codeConflict, "", "ended at"},
		{"tier of another event", e.ID, ok(otherTiers[0].ID), 400, codeInvalid, "tierId", ""},
		{"unknown tier", e.ID, ok(ce.NewID(ce.PrefixTier, time.Now())), 400, codeInvalid, "tierId", ""},
		{"no tier", e.ID, body("", "ada@example.org", "Ada", "Lovelace"), 400, codeInvalid, "tierId", ""},
		{"invalid email", e.ID, body(online.ID, "ada@", "Ada", "Lovelace"), 400, codeInvalid, "email", ""},
		{"email with a display name", e.ID, body(online.ID, "Ada <ada@example.org>", "Ada", "Lovelace"), 400, codeInvalid, "email", ""},
		{"two emails", e.ID, body(online.ID, "ada@example.org, bob@example.org", "Ada", "Lovelace"), 400, codeInvalid, "email", ""},
		{"email header injection", e.ID, body(online.ID, "ada@example.org\r\nBcc: all@example.org", "Ada", "Lovelace"), 400, codeInvalid, "email", ""},
		{"no email", e.ID, body(online.ID, "", "Ada", "Lovelace"), 400, codeInvalid, "email", ""},
		{"empty first name", e.ID, body(online.ID, "ada@example.org", "", "Lovelace"), 400, codeInvalid, "firstName", ""},
		{"blank last name", e.ID, body(online.ID, "ada@example.org", "Ada", "   "), 400, codeInvalid, "lastName", ""},
		{"10 KB first name", e.ID, body(online.ID, "ada@example.org", tenKB, "Lovelace"), 400, codeInvalid, "firstName", "at most"},
		{"10 KB last name", e.ID, body(online.ID, "ada@example.org", "Ada", tenKB), 400, codeInvalid, "lastName", "at most"},
		{"control character in a name", e.ID, body(online.ID, "ada@example.org", "Ada\x00", "Lovelace"), 400, codeInvalid, "firstName", ""},
		{"unknown field", e.ID, `{"tierId":"` + online.ID + `","email":"ada@example.org","firstName":"Ada","lastName":"Lovelace","status":"confirmed"}`, 400, codeUnknownField, "status", ""},
		{"ticket code in the body", e.ID, `{"tierId":"` + online.ID + `","ticketCode":"x"}`, 400, codeUnknownField, "ticketCode", ""},
		{"wrong type", e.ID, `{"tierId":7}`, 400, codeInvalid, "tierId", "string"},
		{"malformed JSON", e.ID, `{"tierId":`, 400, codeMalformedJSON, "", ""},
		{"empty body", e.ID, ``, 400, codeMalformedJSON, "", "empty"},
		{"body over 32 KiB", e.ID, body(online.ID, "ada@example.org", strings.Repeat("x", maxPublicBodyBytes), "Lovelace"), 413, codePayloadTooLarge, "", "32768"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := wantError(t, api.do(t, "POST", "/v1/public/events/"+tt.eventID+"/registrations", "", tt.body), tt.status, tt.code, tt.field)
			if !strings.Contains(got.Message, tt.message) {
				t.Errorf("got message %q, want it to contain %q", got.Message, tt.message)
			}
		})
	}
}

// TestSoldOut fills a one-seat tier: the second registrant is told it is
// sold out; a cancellation frees the seat.
func TestSoldOut(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, `{"name":"Tiny","price":{"amount":0,"currency":"EUR"},"capacity":1}`)
	first := api.register(t, e.ID, tiers[0].ID, "first@example.org")
	path := "/v1/public/events/" + e.ID + "/registrations"
	wantError(t, api.do(t, "POST", path, "", registrationBodyFor(tiers[0].ID, "second@example.org")), http.StatusConflict, codeSoldOut, "")
	pub := mustDo[publicEventResponse](t, api, http.StatusOK, "GET", "/v1/public/events/"+e.ID, "", "")
	if pub.Tiers[0].Remaining == nil || *pub.Tiers[0].Remaining != 0 {
		t.Errorf("got remaining %v, want 0", pub.Tiers[0].Remaining)
	}
	mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/registrations/"+first.ID+"/cancel", api.keyA, "")
	api.register(t, e.ID, tiers[0].ID, "second@example.org")
}

// TestCheckInBadInput covers every check-in the issue says to refuse.
func TestCheckInBadInput(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeInPersonTier)
	other, otherTiers := api.publishedEvent(t, api.keyA, freeInPersonTier)
	bEvent, bTiers := api.publishedEvent(t, api.keyB, freeInPersonTier)

	twice := api.register(t, e.ID, tiers[0].ID, "twice@example.org")
	twiceCode := api.stored(t, twice.GuideURL).TicketCode
	mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/events/"+e.ID+"/checkins", api.keyA, `{"ticketCode":"`+twiceCode+`"}`)
	gone := api.register(t, e.ID, tiers[0].ID, "gone@example.org")
	mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/registrations/"+gone.ID+"/cancel", api.keyA, "")
	elsewhere := api.register(t, other.ID, otherTiers[0].ID, "elsewhere@example.org")
	ofB := api.register(t, bEvent.ID, bTiers[0].ID, "b@example.org")

	code := func(reg publicRegistrationResponse) string {
		return `{"ticketCode":"` + api.stored(t, reg.GuideURL).TicketCode + `"}`
	}
	tests := []struct {
		name    string
		body    string
		status  int
		code    string
		field   string
		message string
	}{
		{"unknown ticket code", `{"ticketCode":"` + ce.NewToken(20) + `"}`, 404, codeNotFound, "", "no ticket"},
		{"malformed ticket code", `{"ticketCode":"not-a-code"}`, 400, codeInvalid, "ticketCode", ""},
		{"guide token as ticket code", `{"ticketCode":"` + guideToken(t, twice.GuideURL) + `"}`, 404, codeNotFound, "", ""},
		{"ticket of another event", code(elsewhere), 409, codeConflict, "", "another event"},
		{"ticket of another organization", code(ofB), 404, codeNotFound, "", "no ticket"},
		{"cancelled registration", code(gone), 409, codeConflict, "", "cancelled"},
		{"cancelled registration by id", `{"registrationId":"` + gone.ID + `"}`, 409, codeConflict, "", "cancelled"},
		{"twice", code(twice), 409, codeConflict, "", "already checked in at"},
		{"twice by id", `{"registrationId":"` + twice.ID + `"}`, 409, codeConflict, "", "already checked in at"},
		{"registration of another event", `{"registrationId":"` + elsewhere.ID + `"}`, 409, codeConflict, "", "another event"},
		{"unknown registration", `{"registrationId":"` + ce.NewID(ce.PrefixRegistration, time.Now()) + `"}`, 404, codeNotFound, "", ""},
		{"malformed registration id", `{"registrationId":"reg_nope"}`, 400, codeInvalid, "registrationId", ""},
		{"neither", `{}`, 400, codeInvalid, "ticketCode", ""},
		{"both", `{"ticketCode":"` + twiceCode + `","registrationId":"` + twice.ID + `"}`, 400, codeInvalid, "ticketCode", ""},
		{"unknown field", `{"code":"x"}`, 400, codeUnknownField, "code", ""},
		{"empty body", ``, 400, codeMalformedJSON, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := wantError(t, api.do(t, "POST", "/v1/events/"+e.ID+"/checkins", api.keyA, tt.body), tt.status, tt.code, tt.field)
			if !strings.Contains(got.Message, tt.message) {
				t.Errorf("got message %q, want it to contain %q", got.Message, tt.message)
			}
		})
	}
	// The local time of the first check-in, in the event's zone.
	got := wantError(t, api.do(t, "POST", "/v1/events/"+e.ID+"/checkins", api.keyA, code(twice)), http.StatusConflict, codeConflict, "")
	if !strings.Contains(got.Message, "CE") { // CET or CEST: Europe/Amsterdam
		t.Errorf("got message %q, want the time in the event's time zone", got.Message)
	}
}

// TestCancelTwice cancels a registration twice: the second is a conflict
// and publishes no second registration.cancelled.
func TestCancelTwice(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	endpoint := mustDo[endpointResponse](t, api, http.StatusCreated, "POST", "/v1/webhook-endpoints", api.keyA, validEndpoint)
	e, tiers := api.publishedEvent(t, api.keyA, freeVirtualTier)
	reg := api.register(t, e.ID, tiers[0].ID, "ada@example.org")

	mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/registrations/"+reg.ID+"/cancel", api.keyA, `{"reason":"duplicate"}`)
	got := wantError(t, api.do(t, "POST", "/v1/registrations/"+reg.ID+"/cancel", api.keyA, ""), http.StatusConflict, codeConflict, "")
	if !strings.Contains(got.Message, "already cancelled") {
		t.Errorf("got message %q, want it to say already cancelled", got.Message)
	}
	wantError(t, api.do(t, "POST", "/v1/registrations/"+reg.ID+"/cancel", api.keyA, `{"reason":"`+strings.Repeat("x", 501)+`"}`), http.StatusBadRequest, codeInvalid, "reason")
	wantError(t, api.do(t, "POST", "/v1/registrations/"+reg.ID+"/cancel", api.keyA, `{"why":"x"}`), http.StatusBadRequest, codeUnknownField, "why")

	log := mustDo[deliveryList](t, api, http.StatusOK, "GET", "/v1/webhook-endpoints/"+endpoint.ID+"/deliveries", api.keyA, "")
	types := map[string]int{}
	for _, d := range log.Deliveries {
		types[d.EventType]++
	}
	if diff := cmp.Diff(map[string]int{ce.EventTypeRegistrationConfirmed: 1, ce.EventTypeRegistrationCancelled: 1}, types); diff != "" {
		t.Errorf("webhook deliveries by type (-want +got):\n%s", diff)
	}
}

func TestRegistrationListBadInput(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, _ := api.publishedEvent(t, api.keyA, freeVirtualTier)
	_, otherTiers := api.publishedEvent(t, api.keyA, freeVirtualTier)
	for _, tt := range []struct{ query, field string }{
		{"status=archived", "status"},
		{"tierId=" + otherTiers[0].ID, "tierId"},
		{"after=reg_nope", "after"},
		{"limit=0", "limit"},
		{"limit=many", "limit"},
	} {
		wantError(t, api.do(t, "GET", "/v1/events/"+e.ID+"/registrations?"+tt.query, api.keyA, ""), http.StatusBadRequest, codeInvalid, tt.field)
	}
}
