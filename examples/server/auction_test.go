package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

// auctionItemJSON is an auction item as the organizer API shows it.
type auctionItemJSON struct {
	ce.AuctionItem
	MinimumBid *ce.Money `json:"minimumBid"`
}

// auctionListJSON is the body of GET /v1/events/{id}/auction-items.
type auctionListJSON struct {
	AuctionItems []auctionItemJSON `json:"auctionItems"`
}

// itemBody is a body of POST /v1/events/{id}/auction-items: a starting
// bid of EUR 50.00, an increment of EUR 1.00, closing when the event
// starts.
func itemBody(e *ce.Event, title string) string {
	return fmt.Sprintf(`{"title":%q,"description":"Framed, 50×70 cm","startingBid":{"amount":5000,"currency":"EUR"},"minIncrement":100,"closesAt":%q}`,
		title, e.StartsAt.Format(time.RFC3339))
}

// createItem creates, with the key, an auction item of itemBody on the
// event.
func (a *testAPI) createItem(t *testing.T, key string, e *ce.Event, title string) auctionItemJSON {
	t.Helper()
	return mustDo[auctionItemJSON](t, a, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/auction-items", key, itemBody(e, title))
}

// bidForm posts the guide's bid form with the amount as typed and returns
// the answer.
func (a *testAPI) bidForm(t *testing.T, token, itemID, amount string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("POST", "/guide/"+token+"/auction/"+itemID+"/bids", strings.NewReader(url.Values{"amount": {amount}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return serve(a, req)
}

// bidJSON bids the body through the JSON route.
func (a *testAPI) bidJSON(t *testing.T, token, itemID, body string) *httptest.ResponseRecorder {
	t.Helper()
	return a.do(t, "POST", "/v1/public/guide/"+token+"/auction-items/"+itemID+"/bids", "", body)
}

// auctionFixture is a published event with a free in-person tier, two
// confirmed attendees and an open auction item.
type auctionFixture struct {
	api          *testAPI
	event        *ce.Event
	ada, grace   string // guide tokens
	adaID        string
	item         auctionItemJSON
	adaGuidePath string
}

func newAuctionFixture(t *testing.T) *auctionFixture {
	t.Helper()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeInPersonTier)
	ada := api.register(t, e.ID, tiers[0].ID, "ada@example.org")
	grace := api.register(t, e.ID, tiers[0].ID, "grace@example.org")
	f := &auctionFixture{
		api: api, event: e,
		ada: guideToken(t, ada.GuideURL), grace: guideToken(t, grace.GuideURL), adaID: ada.ID,
		item: api.createItem(t, api.keyA, e, "Signed poster"),
	}
	f.adaGuidePath = "/guide/" + f.ada
	return f
}

func TestAuctionOrganizerAPI(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, _ := api.publishedEvent(t, api.keyA, freeInPersonTier)

	rec := api.do(t, "POST", "/v1/events/"+e.ID+"/auction-items", api.keyA, itemBody(e, "Signed poster"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: got %d, want 201; body %s", rec.Code, rec.Body)
	}
	var item auctionItemJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &item); err != nil {
		t.Fatal(err)
	}
	if got, want := rec.Header().Get("Location"), "/v1/auction-items/"+item.ID; got != want {
		t.Errorf("Location: got %q, want %q", got, want)
	}
	if item.Status != ce.AuctionItemOpen || item.EventID != e.ID || item.Title != "Signed poster" ||
		item.MinimumBid == nil || *item.MinimumBid != (ce.Money{Amount: 5000, Currency: "EUR"}) || !item.ClosesAt.Equal(e.StartsAt) {
		t.Errorf("created: got %+v, want an open item of event %s with a minimum bid of EUR 50.00", item, e.ID)
	}
	got := mustDo[auctionItemJSON](t, api, http.StatusOK, "GET", "/v1/auction-items/"+item.ID, api.keyA, "")
	if got.ID != item.ID || got.Version != item.Version {
		t.Errorf("get: got %+v, want %+v", got, item)
	}
	second := api.createItem(t, api.keyA, e, "Dinner for two")
	list := mustDo[auctionListJSON](t, api, http.StatusOK, "GET", "/v1/events/"+e.ID+"/auction-items", api.keyA, "")
	if len(list.AuctionItems) != 2 {
		t.Fatalf("list: got %d items, want 2", len(list.AuctionItems))
	}
	ids := []string{list.AuctionItems[0].ID, list.AuctionItems[1].ID}
	if want := sorted(item.ID, second.ID); strings.Join(sorted(ids...), ",") != strings.Join(want, ",") {
		t.Errorf("list: got %v, want %v", ids, want)
	}

	closed := mustDo[auctionItemJSON](t, api, http.StatusOK, "POST", "/v1/auction-items/"+item.ID+"/close", api.keyA, "")
	if closed.Status != ce.AuctionItemClosed || closed.WinnerRegistrationID != "" || closed.MinimumBid != nil || closed.ClosedAt.IsZero() {
		t.Errorf("closed without bids: got %+v, want closed, no winner, no minimum bid", closed)
	}
	again := mustDo[auctionItemJSON](t, api, http.StatusOK, "POST", "/v1/auction-items/"+item.ID+"/close", api.keyA, "")
	if again.Version != closed.Version || !again.ClosedAt.Equal(closed.ClosedAt) {
		t.Errorf("closed twice: got %+v, want it unchanged from %+v", again, closed)
	}
}

func TestAuctionItemBadInput(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, _ := api.publishedEvent(t, api.keyA, freeInPersonTier)
	at := func(d time.Duration) string { return e.StartsAt.Add(d).Format(time.RFC3339) }
	path := "/v1/events/" + e.ID + "/auction-items"
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		field  string
	}{
		{"unknown field", `{"title":"x","reservePrice":10}`, 400, codeUnknownField, "reservePrice"},
		{"unknown money field", `{"title":"x","startingBid":{"amount":1,"currency":"EUR","cents":true}}`, 400, codeUnknownField, "cents"},
		{"float starting bid", `{"title":"x","startingBid":{"amount":12.5,"currency":"EUR"}}`, 400, codeInvalid, "startingBid.amount"},
		{"float increment", `{"title":"x","minIncrement":0.5}`, 400, codeInvalid, "minIncrement"},
		{"closing time not RFC 3339", `{"title":"x","closesAt":"tomorrow"}`, 400, codeInvalid, "closesAt"},
		{"missing title", `{"startingBid":{"amount":5000,"currency":"EUR"},"minIncrement":100,"closesAt":"` + at(0) + `"}`, 400, codeInvalid, "title"},
		{"negative starting bid", `{"title":"x","startingBid":{"amount":-5,"currency":"EUR"},"minIncrement":100,"closesAt":"` + at(0) + `"}`, 400, codeInvalid, "startingBid.amount"},
		{"zero starting bid", `{"title":"x","startingBid":{"amount":0,"currency":"EUR"},"minIncrement":100,"closesAt":"` + at(0) + `"}`, 400, codeInvalid, "startingBid.amount"},
		{"unknown currency", `{"title":"x","startingBid":{"amount":5,"currency":"EUX"},"minIncrement":100,"closesAt":"` + at(0) + `"}`, 400, codeInvalid, "startingBid.currency"},
		{"zero increment", `{"title":"x","startingBid":{"amount":5,"currency":"EUR"},"minIncrement":0,"closesAt":"` + at(0) + `"}`, 400, codeInvalid, "minIncrement"},
		{"closing after the event", `{"title":"x","startingBid":{"amount":5,"currency":"EUR"},"minIncrement":1,"closesAt":"` + at(4*time.Hour) + `"}`, 400, codeInvalid, "closesAt"},
		{"closing in the past", `{"title":"x","startingBid":{"amount":5,"currency":"EUR"},"minIncrement":1,"closesAt":"2020-01-01T00:00:00Z"}`, 400, codeInvalid, "closesAt"},
		{"missing closing time", `{"title":"x","startingBid":{"amount":5,"currency":"EUR"},"minIncrement":1}`, 400, codeInvalid, "closesAt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			wantError(t, api.do(t, "POST", path, api.keyA, tt.body), tt.status, tt.code, tt.field)
		})
	}
	wantError(t, api.do(t, "GET", "/v1/auction-items/itm_nope", api.keyA, ""), 404, codeNotFound, "")
	wantError(t, api.do(t, "POST", "/v1/auction-items/itm_nope/close", api.keyA, ""), 404, codeNotFound, "")
	wantError(t, api.do(t, "POST", "/v1/events/evt_nope/auction-items", api.keyA, itemBody(e, "x")), 404, codeNotFound, "")
}

// TestGuideAuction bids through the guide page's form and the JSON route:
// the page lists the item with its bids and closing time, a bid too low is
// refused beside the item, and the winner sees the "Pay" button once the
// organizer closes the item.
func TestGuideAuction(t *testing.T) {
	t.Parallel()
	f := newAuctionFixture(t)
	api, item := f.api, f.item

	page := api.page(t, f.adaGuidePath, http.StatusOK)
	closes := localTime(f.event, item.ClosesAt)
	bidAction := `action="/guide/` + f.ada + `/auction/` + item.ID + `/bids"`
	for _, want := range []string{"<h2>Auction</h2>", "Signed poster", "Framed, 50×70 cm", "Starting bid", "EUR 50.00", "Minimum next bid", closes, bidAction,
		`name="amount"`, `placeholder="50.00"`, `pattern="[0-9]&#43;([.][0-9]{1,2})?"`} {
		if !strings.Contains(page, want) {
			t.Errorf("guide: want %q in it, got:\n%s", want, page)
		}
	}
	if !strings.Contains(closes, "CET") && !strings.Contains(closes, "CEST") {
		t.Errorf("closing time %q: want it in the event's zone", closes)
	}

	// Ada bids EUR 50 through the form: 303 back to the guide, which says so.
	rec := api.bidForm(t, f.ada, item.ID, "50")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != f.adaGuidePath+"?bid=placed" {
		t.Fatalf("bid form: got %d to %q, want 303 to %s?bid=placed; body %s", rec.Code, rec.Header().Get("Location"), f.adaGuidePath, rec.Body)
	}
	wantAttendeeHeaders(t, rec)
	if page := api.page(t, f.adaGuidePath+"?bid=placed", http.StatusOK); !strings.Contains(page, "Your bid is placed") ||
		!strings.Contains(page, "Highest bid") || !strings.Contains(page, "EUR 51.00") {
		t.Errorf("guide after the bid: want the notice, the highest bid and the minimum EUR 51.00, got:\n%s", page)
	}

	// Grace's bid below the increment is refused beside the item, her
	// amount kept in the field.
	rec = api.bidForm(t, f.grace, item.ID, "50.50")
	if rec.Code != http.StatusConflict {
		t.Fatalf("low bid form: got %d, want 409; body %s", rec.Code, rec.Body)
	}
	wantAttendeeHeaders(t, rec)
	if body := rec.Body.String(); !strings.Contains(body, "Your bid was not placed: the bid must be at least EUR 51.00.") || !strings.Contains(body, `value="50.50"`) {
		t.Errorf("low bid page: want the reason and the amount typed, got:\n%s", body)
	}

	// Grace bids through the JSON route, in minor units.
	rec = api.bidJSON(t, f.grace, item.ID, `{"amount":5200}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("JSON bid: got %d, want 201; body %s", rec.Code, rec.Body)
	}
	var bid bidResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &bid); err != nil {
		t.Fatal(err)
	}
	if bid.ItemID != item.ID || bid.Amount != (ce.Money{Amount: 5200, Currency: "EUR"}) || !strings.HasPrefix(bid.ID, "bid_") {
		t.Errorf("JSON bid: got %+v, want EUR 52.00 on %s", bid, item.ID)
	}
	if strings.Contains(rec.Body.String(), "registrationId") || strings.Contains(rec.Body.String(), "organizationId") {
		t.Errorf("JSON bid: got %s, want no registration or organization id", rec.Body)
	}
	wantError(t, api.bidJSON(t, f.ada, item.ID, `{"amount":5250}`), http.StatusConflict, codeConflict, "amount")

	// The attendee's JSON view of the auction: never who bid.
	list := mustDo[guideAuctionList](t, api, http.StatusOK, "GET", "/v1/public/guide/"+f.ada+"/auction-items", "", "")
	if len(list.AuctionItems) != 1 {
		t.Fatalf("JSON list: got %d items, want 1", len(list.AuctionItems))
	}
	if got := list.AuctionItems[0]; got.ID != item.ID || got.HighestBid == nil || got.HighestBid.Amount != 5200 || got.MinimumBid == nil || got.MinimumBid.Amount != 5300 || got.Won {
		t.Errorf("JSON list: got %+v, want the highest bid 5200 and the minimum 5300", got)
	}

	// The organizer closes the item: Grace won. She sees "Pay"; Ada sees
	// it closed and can no longer bid.
	closed := mustDo[auctionItemJSON](t, api, http.StatusOK, "POST", "/v1/auction-items/"+item.ID+"/close", api.keyA, "")
	if closed.Status != ce.AuctionItemClosed || closed.HighestAmount != 5200 || closed.WinnerRegistrationID == "" || closed.WinnerRegistrationID == f.adaID {
		t.Fatalf("closed: got %+v, want Grace the winner at 5200", closed)
	}
	gracePage := api.page(t, "/guide/"+f.grace, http.StatusOK)
	payAction := `action="/guide/` + f.grace + `/auction/` + item.ID + `/pay"`
	for _, want := range []string{"You won", payAction, "Pay EUR 52.00"} {
		if !strings.Contains(gracePage, want) {
			t.Errorf("winner's guide: want %q in it, got:\n%s", want, gracePage)
		}
	}
	adaPage := api.page(t, f.adaGuidePath, http.StatusOK)
	if !strings.Contains(adaPage, "Closed") || strings.Contains(adaPage, "/pay") || strings.Contains(adaPage, "/bids") {
		t.Errorf("loser's guide: want the item closed without forms, got:\n%s", adaPage)
	}
	if rec := api.bidForm(t, f.ada, item.ID, "60"); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "closed") {
		t.Errorf("bid form after close: got %d, want 409 saying it closed; body %s", rec.Code, rec.Body)
	}
	wantError(t, api.bidJSON(t, f.ada, item.ID, `{"amount":9000}`), http.StatusConflict, codeConflict, "")

	// This server takes no payments: paying is refused, clearly.
	wantError(t, api.do(t, "POST", "/v1/public/guide/"+f.grace+"/auction-items/"+item.ID+"/pay", "", ""), http.StatusConflict, codeConflict, "")
	rec = serve(api, httptest.NewRequest("POST", "/guide/"+f.grace+"/auction/"+item.ID+"/pay", nil))
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "The payment was not started: this server takes no payments.") {
		t.Errorf("pay form without payments: got %d, want 409 with the reason; body %s", rec.Code, rec.Body)
	}
}

// TestBidBadInput refuses amounts that are not a plain decimal of the
// currency, from the form and from JSON, and bids that no one may place.
func TestBidBadInput(t *testing.T) {
	t.Parallel()
	f := newAuctionFixture(t)
	api, item := f.api, f.item

	for _, amount := range []string{"-5", "1e3", "12.345", "", " ", "abc", "1,000", "12,50", "0", "0.00", "+60", "60.", ".5", "0x10", "60 EUR", "€60", "NaN", "Infinity", "٦٠", "9999999999999999"} {
		t.Run("form "+amount, func(t *testing.T) {
			t.Parallel()
			rec := api.bidForm(t, f.ada, item.ID, amount)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("got %d, want 400; body %s", rec.Code, rec.Body)
			}
			if body := rec.Body.String(); !strings.Contains(body, "Your bid was not placed") || !strings.Contains(body, `class="problem"`) {
				t.Errorf("want the reason on the page, got:\n%s", body)
			}
		})
	}
	for _, tt := range []struct {
		body  string
		code  string
		field string
	}{
		{`{"amount":-5}`, codeInvalid, "amount"},
		{`{"amount":0}`, codeInvalid, "amount"},
		{`{"amount":12.5}`, codeInvalid, "amount"},
		{`{"amount":1e3}`, codeInvalid, "amount"},
		{`{"amount":"6000"}`, codeInvalid, "amount"},
		{`{}`, codeInvalid, "amount"},
		{`{"amount":6000,"currency":"EUR"}`, codeUnknownField, "currency"},
		{`{"amount":6000`, codeMalformedJSON, ""},
		{``, codeMalformedJSON, ""},
	} {
		t.Run("json "+tt.body, func(t *testing.T) {
			t.Parallel()
			wantError(t, api.bidJSON(t, f.ada, item.ID, tt.body), http.StatusBadRequest, tt.code, tt.field)
		})
	}
	// Two amount fields, or none.
	req := httptest.NewRequest("POST", "/guide/"+f.ada+"/auction/"+item.ID+"/bids", strings.NewReader("amount=60&amount=70"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec := serve(api, req); rec.Code != http.StatusBadRequest {
		t.Errorf("two amounts: got %d, want 400", rec.Code)
	}
	req = httptest.NewRequest("POST", "/guide/"+f.ada+"/auction/"+item.ID+"/bids", strings.NewReader("amount="+strings.Repeat("9", maxFormBytes)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec := serve(api, req); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("form over %d bytes: got %d, want 413", maxFormBytes, rec.Code)
	}
	// None of it was a bid.
	if got := mustDo[auctionItemJSON](t, api, http.StatusOK, "GET", "/v1/auction-items/"+item.ID, api.keyA, ""); got.HighestBidID != "" {
		t.Errorf("item: got highest bid %s, want none", got.HighestBidID)
	}

	// An unknown guide token: the one 404 page, or a JSON 404.
	if rec := api.bidForm(t, "0123456789abcdefghjkmnpqrstvwxyz", item.ID, "60"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown token: got %d, want 404", rec.Code)
	}
	wantError(t, api.bidJSON(t, "0123456789abcdefghjkmnpqrstvwxyz", item.ID, `{"amount":6000}`), http.StatusNotFound, codeNotFound, "")
}

// TestBidOnAnotherEventsItem bids with a guide token on items of another
// event, of the same organization and of another: not found, as an item
// that does not exist.
func TestBidOnAnotherEventsItem(t *testing.T) {
	t.Parallel()
	f := newAuctionFixture(t)
	api := f.api
	other, _ := api.publishedEvent(t, api.keyA, freeInPersonTier)
	sameOrg := api.createItem(t, api.keyA, other, "Other event's poster")
	otherOrgEvent, _ := api.publishedEvent(t, api.keyB, freeInPersonTier)
	otherOrg := api.createItem(t, api.keyB, otherOrgEvent, "Other organization's poster")

	for name, itemID := range map[string]string{"same organization": sameOrg.ID, "other organization": otherOrg.ID, "missing": "itm_nope"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := api.bidForm(t, f.ada, itemID, "60")
			if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Your bid was not placed") {
				t.Errorf("form: got %d, want 404 with the reason; body %s", rec.Code, rec.Body)
			}
			wantError(t, api.bidJSON(t, f.ada, itemID, `{"amount":6000}`), http.StatusNotFound, codeNotFound, "")
			wantError(t, api.do(t, "POST", "/v1/public/guide/"+f.ada+"/auction-items/"+itemID+"/pay", "", ""), http.StatusConflict, codeConflict, "")
		})
	}
	if list := mustDo[guideAuctionList](t, api, http.StatusOK, "GET", "/v1/public/guide/"+f.ada+"/auction-items", "", ""); len(list.AuctionItems) != 1 || list.AuctionItems[0].ID != f.item.ID {
		t.Errorf("Ada's auction: got %+v, want her event's item only", list)
	}
}

// TestBidByCancelledRegistration: a cancelled registration neither sees
// the auction nor bids.
func TestBidByCancelledRegistration(t *testing.T) {
	t.Parallel()
	f := newAuctionFixture(t)
	api := f.api
	mustDo[registrationJSON](t, api, http.StatusOK, "POST", "/v1/registrations/"+f.adaID+"/cancel", api.keyA, "")

	rec := api.bidForm(t, f.ada, f.item.ID, "60")
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "only confirmed attendees take part in the auction") {
		t.Errorf("form: got %d, want 403 with the reason; body %s", rec.Code, rec.Body)
	}
	wantError(t, api.bidJSON(t, f.ada, f.item.ID, `{"amount":6000}`), http.StatusForbidden, codeForbidden, "")
	wantError(t, api.do(t, "GET", "/v1/public/guide/"+f.ada+"/auction-items", "", ""), http.StatusForbidden, codeForbidden, "")
	if page := api.page(t, f.adaGuidePath, http.StatusOK); strings.Contains(page, "Auction") || strings.Contains(page, "Signed poster") {
		t.Errorf("cancelled guide: want no auction, got:\n%s", page)
	}
}

// TestGuideAuctionEscapes shows that item titles and descriptions are
// text on the guide page, and that its query is never echoed.
func TestGuideAuctionEscapes(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e, tiers := api.publishedEvent(t, api.keyA, freeInPersonTier)
	reg := api.register(t, e.ID, tiers[0].ID, "ada@example.org")
	body := fmt.Sprintf(`{"title":"<script>alert(1)</script>","description":"<img src=x onerror=alert(2)>","startingBid":{"amount":5,"currency":"JPY"},"minIncrement":1,"closesAt":%q}`,
		e.StartsAt.Format(time.RFC3339))
	mustDo[auctionItemJSON](t, api, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/auction-items", api.keyA, body)
	page := api.page(t, "/guide/"+guideToken(t, reg.GuideURL)+"?bid=%3Cb%3Eowned%3C/b%3E&payment=%3Ci%3E", http.StatusOK)
	for _, bad := range []string{"<img src=x", "<b>owned", "<i>"} {
		if strings.Contains(page, bad) {
			t.Errorf("guide: got %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(2)&gt;", "JPY 5", `pattern="[0-9]&#43;"`} {
		if !strings.Contains(page, want) {
			t.Errorf("guide: want %q in it, got:\n%s", want, page)
		}
	}
}

func TestAttendeeCSP(t *testing.T) {
	t.Parallel()
	if got, want := attendeeCSP(), "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"; got != want {
		t.Errorf("without payments: got %q, want %q", got, want)
	}
	if got := attendeeCSP(stripeCheckoutOrigin); !strings.Contains(got, "form-action 'self' https://checkout.stripe.com;") || strings.Contains(got, "script-src") {
		t.Errorf("with Stripe: got %q, want form-action to allow Stripe Checkout, and no script", got)
	}
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		currency string
		want     int64 // 0: want an error
	}{
		{"12.50", "EUR", 1250},
		{"12.5", "EUR", 1250},
		{"12", "EUR", 1200},
		{" 12.05 ", "EUR", 1205},
		{"0.01", "EUR", 1},
		{"007", "EUR", 700},
		{"999999999999999", "JPY", 999999999999999},
		{"1200", "JPY", 1200},
		{"1.234", "BHD", 1234},
		{"12.345", "EUR", 0},
		{"12.3", "JPY", 0},
		{"12.", "EUR", 0},
		{".5", "EUR", 0},
		{"-5", "EUR", 0},
		{"+5", "EUR", 0},
		{"1e3", "EUR", 0},
		{"1_000", "EUR", 0},
		{"1 000", "EUR", 0},
		{"0", "EUR", 0},
		{"0.00", "EUR", 0},
		{"", "EUR", 0},
		{"١٢", "EUR", 0},
		{"99999999999999.99", "EUR", 0}, // 16 digits of cents
		{"9223372036854775808", "JPY", 0},
	}
	for _, tt := range tests {
		got, err := parseAmount(tt.in, tt.currency)
		switch {
		case tt.want == 0 && err == nil:
			t.Errorf("parseAmount(%q, %s): got %d, want an error", tt.in, tt.currency, got)
		case tt.want == 0 && (!errors.Is(err, ce.ErrInvalid) || ce.ErrorField(err) != "amount"):
			t.Errorf("parseAmount(%q, %s): got error %v, want ErrInvalid on amount", tt.in, tt.currency, err)
		case tt.want != 0 && (err != nil || got != tt.want):
			t.Errorf("parseAmount(%q, %s): got %d, %v; want %d", tt.in, tt.currency, got, err, tt.want)
		}
	}
}

// TestStripeWebhookWithoutPayments: a server without payments has no
// Stripe webhook.
func TestStripeWebhookWithoutPayments(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	wantError(t, api.do(t, "POST", "/stripe/webhook", "", `{"id":"evt_1"}`), http.StatusNotFound, codeNotFound, "")
}

// TestBidOnCancelledEvent: the auction of a cancelled event is over: no
// section on the guide, and bids are refused.
func TestBidOnCancelledEvent(t *testing.T) {
	t.Parallel()
	f := newAuctionFixture(t)
	f.api.cancelEvent(t, f.event)
	if rec := f.api.bidForm(t, f.ada, f.item.ID, "60"); rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "the event is cancelled") {
		t.Errorf("form: got %d, want 409 saying the event is cancelled; body %s", rec.Code, rec.Body)
	}
	wantError(t, f.api.bidJSON(t, f.ada, f.item.ID, `{"amount":6000}`), http.StatusConflict, codeConflict, "")
	if page := f.api.page(t, f.adaGuidePath, http.StatusOK); strings.Contains(page, "Signed poster") {
		t.Errorf("guide of a cancelled event: want no auction, got:\n%s", page)
	}
}
