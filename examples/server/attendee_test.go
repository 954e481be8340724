package main

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// wantAttendeeHeaders fails the test unless rec carries the headers that
// keep the tokens in attendee URLs from leaking.
func wantAttendeeHeaders(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	for name, want := range map[string]string{
		"Content-Security-Policy": attendeeCSP(),
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	} {
		if got := rec.Header().Get(name); got != want {
			t.Errorf("got %s %q, want %q", name, got, want)
		}
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "img-src 'self'") {
		t.Errorf("got CSP %q, want default-src 'none' and img-src 'self'", csp)
	}
}

// page fetches an attendee page and checks its status, type and headers.
func (a *testAPI) page(t *testing.T, path string, status int) string {
	t.Helper()
	rec := a.do(t, "GET", path, "", "")
	if rec.Code != status {
		t.Fatalf("GET %s: got status %d, want %d; body %s", redactPath(path), rec.Code, status, rec.Body)
	}
	if got := rec.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("GET %s: got Content-Type %q, want HTML", redactPath(path), got)
	}
	wantAttendeeHeaders(t, rec)
	body := rec.Body.String()
	for _, want := range []string{`<meta name="viewport" content="width=device-width, initial-scale=1">`, "<!doctype html>"} {
		if !strings.Contains(body, want) {
			t.Errorf("GET %s: want the page to hold %q", redactPath(path), want)
		}
	}
	if strings.Contains(strings.ToLower(body), "<script") {
		t.Errorf("GET %s: the page holds a script", redactPath(path))
	}
	return body
}

func TestGuideVirtual(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeVirtualTier)
	reg := api.register(t, e.ID, tiers[0].ID, "ada@example.org")
	stored := api.stored(t, reg.GuideURL)
	guide := "/guide/" + guideToken(t, reg.GuideURL)

	body := api.page(t, guide, http.StatusOK)
	ams, _ := time.LoadLocation("Europe/Amsterdam")
	start := e.StartsAt.In(ams)
	for _, want := range []string{
		"Autumn meetup", "Confirmed", "Online", "Ada Lovelace",
		start.Format("Monday 2 January 2006, 15:04"), "(Europe/Amsterdam)", start.Format("MST"),
		`href="/join/` + stored.JoinToken + `"`, "Talks\nand drinks",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("guide: want it to hold %q; got\n%s", want, body)
		}
	}
	if strings.Contains(body, "ticket.png") || strings.Contains(body, stored.TicketCode) || strings.Contains(body, "meet.example.com") {
		t.Errorf("guide of a virtual registration: want no QR code, ticket code or raw join URL; got\n%s", body)
	}
	// A virtual registration has no ticket image.
	api.page(t, guide+"/ticket.png", http.StatusNotFound)

	// The join link redirects to the tier's current URL.
	join := "/join/" + stored.JoinToken
	rec := api.do(t, "GET", join, "", "")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "https://meet.example.com/autumn" {
		t.Fatalf("join: got %d to %q, want 303 to the join URL", rec.Code, rec.Header().Get("Location"))
	}
	wantAttendeeHeaders(t, rec)
	if api.stored(t, reg.GuideURL).JoinedAt.IsZero() {
		t.Error("join: want the first use recorded")
	}
	mustDo[*ce.Tier](t, api, http.StatusOK, "PATCH", "/v1/tiers/"+tiers[0].ID, api.keyA, `{"joinUrl":"https://meet.example.com/moved"}`)
	if rec := api.do(t, "GET", join, "", ""); rec.Header().Get("Location") != "https://meet.example.com/moved" {
		t.Errorf("join after the URL changed: got %d to %q, want the new URL", rec.Code, rec.Header().Get("Location"))
	}

	// Cancelled: no join link, and the old one stops working.
	mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/registrations/"+reg.ID+"/cancel", api.keyA, "")
	body = api.page(t, guide, http.StatusOK)
	if !strings.Contains(body, "Cancelled") || !strings.Contains(body, "was cancelled") {
		t.Errorf("guide after cancel: want it to say cancelled; got\n%s", body)
	}
	if strings.Contains(body, "/join/") || strings.Contains(body, "Join the event") {
		t.Errorf("guide after cancel: want no join link; got\n%s", body)
	}
	gone := api.page(t, join, http.StatusGone)
	if !strings.Contains(gone, "This link no longer works") || strings.Contains(gone, "meet.example.com") {
		t.Errorf("join after cancel: got\n%s", gone)
	}
}

func TestGuideInPerson(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeInPersonTier)
	reg := api.register(t, e.ID, tiers[0].ID, "ada@example.org")
	stored := api.stored(t, reg.GuideURL)
	guide := "/guide/" + guideToken(t, reg.GuideURL)

	body := api.page(t, guide, http.StatusOK)
	for _, want := range []string{"De Kleine Komedie", "Door", "Confirmed", `src="` + guide + `/ticket.png"`, stored.TicketCode} {
		if !strings.Contains(body, want) {
			t.Errorf("guide: want it to hold %q; got\n%s", want, body)
		}
	}
	if strings.Contains(body, "/join/") {
		t.Errorf("guide of an in-person registration: want no join link; got\n%s", body)
	}

	rec := api.do(t, "GET", guide+"/ticket.png", "", "")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("ticket: got %d %q, want 200 image/png", rec.Code, rec.Header().Get("Content-Type"))
	}
	wantAttendeeHeaders(t, rec)
	img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("ticket: decode PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != ticketPNGSize || b.Dy() != ticketPNGSize {
		t.Errorf("ticket: got %v, want %d pixels square", b, ticketPNGSize)
	}

	mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/events/"+e.ID+"/checkins", api.keyA, `{"ticketCode":"`+stored.TicketCode+`"}`)
	if body := api.page(t, guide, http.StatusOK); !strings.Contains(body, "Checked in") {
		t.Errorf("guide after check-in: want the check-in time; got\n%s", body)
	}

	mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/registrations/"+reg.ID+"/cancel", api.keyA, "")
	body = api.page(t, guide, http.StatusOK)
	if !strings.Contains(body, "Cancelled") || strings.Contains(body, "ticket.png") || strings.Contains(body, stored.TicketCode) {
		t.Errorf("guide after cancel: want cancelled without a ticket; got\n%s", body)
	}
	api.page(t, guide+"/ticket.png", http.StatusNotFound)
}

// TestGuideEscapes checks that what organizers and registrants type is
// shown as text, never as markup.
func TestGuideEscapes(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeInPersonTier)
	mustDo[*ce.Event](t, api, http.StatusOK, "PATCH", "/v1/events/"+e.ID, api.keyA,
		`{"title":"<script>alert(1)</script>","venue":"<img src=x onerror=alert(1)>"}`)
	reg := mustDo[publicRegistrationResponse](t, api, http.StatusCreated, "POST", "/v1/public/events/"+e.ID+"/registrations", "",
		`{"tierId":"`+tiers[0].ID+`","email":"ada@example.org","firstName":"<b>Ada</b>","lastName":"\"><i>"}`)
	body := api.page(t, "/guide/"+guideToken(t, reg.GuideURL), http.StatusOK)
	for _, raw := range []string{"<script>alert", "<img src=x", "<b>Ada", `"><i>`} {
		if strings.Contains(body, raw) {
			t.Errorf("the guide holds %q unescaped", raw)
		}
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("want the title escaped; got\n%s", body)
	}
}

// TestAttendeeLinksNotFound sends tokens that open nothing: each answers
// the same 404 page, which tells nothing about the token.
func TestAttendeeLinksNotFound(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeVirtualTier)
	reg := api.register(t, e.ID, tiers[0].ID, "ada@example.org")
	stored := api.stored(t, reg.GuideURL)

	random := ce.NewToken(20)
	paths := []string{
		"/guide/" + random,
		"/guide/" + random + "/ticket.png",
		"/join/" + random,
		"/guide/x",
		"/guide/" + strings.Repeat("a", 1000),
		"/guide/" + strings.ToUpper(guideToken(t, reg.GuideURL)),
		"/guide/" + stored.JoinToken,  // a token of another kind
		"/join/" + stored.GuideToken,  // likewise
		"/join/" + stored.TicketCode,  // likewise
		"/guide/" + random + "/other", // no such page
		"/guide/",
		"/join/",
	}
	var first string
	for _, path := range paths {
		body := api.page(t, path, http.StatusNotFound)
		if first == "" {
			first = body
		}
		if body != first {
			t.Errorf("GET %s: got a 404 page unlike the others:\n%s", path, body)
		}
	}
	_, text, _ := strings.Cut(first, "<main>") // after the style sheet
	for _, hint := range []string{random, "token", "cancel", "registration", "expired", "invalid"} {
		if strings.Contains(strings.ToLower(text), hint) {
			t.Errorf("the 404 page holds %q:\n%s", hint, first)
		}
	}
}

// TestTokensStayOutOfLogs checks that the request log shows attendee
// routes without their tokens.
func TestTokensStayOutOfLogs(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeVirtualTier)
	reg := api.register(t, e.ID, tiers[0].ID, "ada@example.org")
	stored := api.stored(t, reg.GuideURL)
	api.page(t, "/guide/"+stored.GuideToken, http.StatusOK)
	api.page(t, "/guide/"+stored.GuideToken+"/ticket.png", http.StatusNotFound)
	api.do(t, "GET", "/join/"+stored.JoinToken, "", "")
	api.do(t, "GET", "/v1/public/guide/"+stored.GuideToken+"/auction-items", "", "")
	api.do(t, "POST", "/v1/public/guide/"+stored.GuideToken+"/auction-items/itm_1/bids", "", `{"amount":100}`)
	bid := httptest.NewRequest("POST", "/guide/"+stored.GuideToken+"/auction/itm_1/bids", strings.NewReader("amount=1"))
	bid.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	serve(api, bid)

	logs := api.logs.String()
	for _, token := range []string{stored.GuideToken, stored.JoinToken, stored.TicketCode} {
		if strings.Contains(logs, token) {
			t.Errorf("the log holds a token: %s", logs)
		}
	}
	for _, want := range []string{"path=/guide/{token} status=200", "path=/guide/{token}/ticket.png status=404", "path=/join/{token} status=303",
		"path=/v1/public/guide/{token}/auction-items status=200", "path=/v1/public/guide/{token}/auction-items/itm_1/bids status=404",
		"path=/guide/{token}/auction/itm_1/bids status=404"} {
		if !strings.Contains(logs, want) {
			t.Errorf("got log %q, want it to hold %q", logs, want)
		}
	}
}

func TestRedactPath(t *testing.T) {
	t.Parallel()
	for path, want := range map[string]string{
		"/guide/abc":                    "/guide/{token}",
		"/guide/abc/ticket.png":         "/guide/{token}/ticket.png",
		"/join/abc":                     "/join/{token}",
		"/guide/":                       "/guide/",
		"/v1/events/evt_1":              "/v1/events/evt_1",
		"/guidebook/abc":                "/guidebook/abc",
		"/guide/abc/auction/itm_1/bids": "/guide/{token}/auction/itm_1/bids",
		"/v1/public/guide/abc/auction-items/itm_1/pay": "/v1/public/guide/{token}/auction-items/itm_1/pay",
		"/v1/public/guide/abc/auction-items":           "/v1/public/guide/{token}/auction-items",
		"/v1/public/events/evt_1/registrations":        "/v1/public/events/evt_1/registrations",
	} {
		if got := redactPath(path); got != want {
			t.Errorf("redactPath(%q): got %q, want %q", path, got, want)
		}
	}
}

// TestGuideOfCancelledEvent shows a confirmed registration of an event the
// organizer cancelled: neither a join link nor a ticket.
func TestGuideOfCancelledEvent(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeInPersonTier)
	reg := api.register(t, e.ID, tiers[0].ID, "ada@example.org")
	api.cancelEvent(t, e)
	guide := "/guide/" + guideToken(t, reg.GuideURL)
	body := api.page(t, guide, http.StatusOK)
	if !strings.Contains(body, "Event cancelled") || strings.Contains(body, "ticket.png") {
		t.Errorf("guide of a cancelled event: got\n%s", body)
	}
	api.page(t, guide+"/ticket.png", http.StatusNotFound)
}
