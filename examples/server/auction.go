package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
)

// maxFormBytes bounds the body of an attendee page's form: a bid is a few
// bytes.
const maxFormBytes = 4 << 10

// maxAmountDigits bounds the digits of an amount typed in a form, in minor
// units: 15 digits, a trillion euros, far below what int64 holds.
const maxAmountDigits = 15

// auctionItemBody is the body of POST /v1/events/{id}/auction-items.
type auctionItemBody struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	StartingBid ce.Money `json:"startingBid"`
	// MinIncrement is in minor units of the starting bid's currency.
	MinIncrement int64     `json:"minIncrement"`
	ClosesAt     timestamp `json:"closesAt"`
}

// auctionItemResponse is an auction item as its organizer sees it, with
// the least next bid while it is open.
type auctionItemResponse struct {
	*ce.AuctionItem
	MinimumBid *ce.Money `json:"minimumBid,omitempty"`
}

func newAuctionItemResponse(item *ce.AuctionItem) auctionItemResponse {
	resp := auctionItemResponse{AuctionItem: item}
	if item.Status == ce.AuctionItemOpen {
		resp.MinimumBid = &ce.Money{Amount: item.MinimumBid(), Currency: item.StartingBid.Currency}
	}
	return resp
}

// auctionItemList is the body of GET /v1/events/{id}/auction-items: the
// event's items, by closing time.
type auctionItemList struct {
	AuctionItems []auctionItemResponse `json:"auctionItems"`
}

func (s *server) createAuctionItem(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	var body auctionItemBody
	if err := decodeJSON(w, r, &body); err != nil {
		return err
	}
	item, err := s.svc.CreateAuctionItem(r.Context(), key.OrganizationID, r.PathValue("id"), ticketing.AuctionItemInput{
		Title:        body.Title,
		Description:  body.Description,
		StartingBid:  body.StartingBid,
		MinIncrement: body.MinIncrement,
		ClosesAt:     body.ClosesAt.Time,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/auction-items/"+item.ID)
	s.writeJSON(w, r, http.StatusCreated, newAuctionItemResponse(item))
	return nil
}

func (s *server) listAuctionItems(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	items, err := s.svc.ListAuctionItems(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	list := auctionItemList{AuctionItems: make([]auctionItemResponse, 0, len(items))}
	for _, item := range items {
		list.AuctionItems = append(list.AuctionItems, newAuctionItemResponse(item))
	}
	s.writeJSON(w, r, http.StatusOK, list)
	return nil
}

func (s *server) getAuctionItem(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	item, err := s.svc.GetAuctionItem(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newAuctionItemResponse(item))
	return nil
}

// closeAuctionItem answers POST /v1/auction-items/{id}/close: the item
// closes now, its highest bidder wins and is sent the e-mail with the
// link to pay. Closing a closed item changes nothing.
func (s *server) closeAuctionItem(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error {
	item, err := s.svc.CloseAuctionItem(r.Context(), key.OrganizationID, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, newAuctionItemResponse(item))
	return nil
}

// guideAuctionItem is an auction item as an attendee sees it: never who
// bid or won, except whether it is the attendee.
type guideAuctionItem struct {
	ID          string               `json:"id"`
	Title       string               `json:"title"`
	Description string               `json:"description,omitempty"`
	Status      ce.AuctionItemStatus `json:"status"`
	StartingBid ce.Money             `json:"startingBid"`
	// HighestBid is the highest bid so far; absent without bids.
	HighestBid *ce.Money `json:"highestBid,omitempty"`
	// MinimumBid is the least next bid, while bidding is open.
	MinimumBid *ce.Money `json:"minimumBid,omitempty"`
	ClosesAt   time.Time `json:"closesAt"`
	// Won says that the attendee won the item: they pay for it once it
	// is closed.
	Won bool `json:"won"`
}

// guideAuctionList is the body of GET
// /v1/public/guide/{token}/auction-items.
type guideAuctionList struct {
	AuctionItems []guideAuctionItem `json:"auctionItems"`
}

// bidBody is the body of POST
// /v1/public/guide/{token}/auction-items/{itemId}/bids.
type bidBody struct {
	// Amount is in minor units of the item's currency, e.g. 1250 for EUR
	// 12.50.
	Amount *int64 `json:"amount"`
}

// bidResponse is a bid as its bidder sees it.
type bidResponse struct {
	ID        string    `json:"id"`
	ItemID    string    `json:"itemId"`
	Amount    ce.Money  `json:"amount"`
	CreatedAt time.Time `json:"createdAt"`
}

// checkoutResponse is the body of POST
// /v1/public/guide/{token}/auction-items/{itemId}/pay: the page to pay on.
type checkoutResponse struct {
	CheckoutURL string    `json:"checkoutUrl"`
	ExpiresAt   time.Time `json:"expiresAt,omitzero"`
}

// guideAuctionItems returns the items of the event of guide g, or the
// error of Guide.AuctionAccess.
func (s *server) guideAuctionItems(ctx context.Context, g *ticketing.Guide) ([]*ce.AuctionItem, error) {
	if err := g.AuctionAccess(); err != nil {
		return nil, err
	}
	return s.eventAuctionItems(ctx, g)
}

// eventAuctionItems returns the items of the event of guide g, which holds
// the event already read.
func (s *server) eventAuctionItems(ctx context.Context, g *ticketing.Guide) ([]*ce.AuctionItem, error) {
	return s.store.AuctionItems().ListByEvent(ctx, g.Event.OrganizationID, g.Event.ID)
}

// listGuideAuctionItems answers GET /v1/public/guide/{token}/auction-items:
// the auction of the attendee's event.
func (s *server) listGuideAuctionItems(w http.ResponseWriter, r *http.Request) error {
	g, err := s.svc.GuideByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	items, err := s.guideAuctionItems(r.Context(), g)
	if err != nil {
		return err
	}
	now := time.Now()
	list := guideAuctionList{AuctionItems: make([]guideAuctionItem, 0, len(items))}
	for _, item := range items {
		v := guideAuctionItem{
			ID: item.ID, Title: item.Title, Description: item.Description, Status: item.Status,
			StartingBid: item.StartingBid, ClosesAt: item.ClosesAt,
			Won: item.WinnerRegistrationID != "" && item.WinnerRegistrationID == g.Registration.ID,
		}
		if item.HighestBidID != "" {
			v.HighestBid = &ce.Money{Amount: item.HighestAmount, Currency: item.StartingBid.Currency}
		}
		if item.TakesBids(now) {
			v.MinimumBid = &ce.Money{Amount: item.MinimumBid(), Currency: item.StartingBid.Currency}
		}
		list.AuctionItems = append(list.AuctionItems, v)
	}
	s.writeJSON(w, r, http.StatusOK, list)
	return nil
}

// placeBidJSON answers POST
// /v1/public/guide/{token}/auction-items/{itemId}/bids: {"amount"} in
// minor units → 201 with the bid; 403 for a registration that is not
// confirmed, 404 for an item of another event, 409 for a bid too low, an
// item closed or an event cancelled.
func (s *server) placeBidJSON(w http.ResponseWriter, r *http.Request) error {
	var body bidBody
	if err := decodeBody(w, r, &body, bodyRules{limit: maxPublicBodyBytes}); err != nil {
		return err
	}
	switch {
	case body.Amount == nil:
		return ce.Invalid("amount", "is required: the bid in minor units of the item's currency, e.g. 1250 for EUR 12.50")
	case *body.Amount < 1:
		return ce.Invalid("amount", "must be a positive number of minor units, got %d", *body.Amount)
	}
	bid, err := s.svc.PlaceBid(r.Context(), r.PathValue("token"), r.PathValue("itemId"), *body.Amount)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusCreated, bidResponse{ID: bid.ID, ItemID: bid.ItemID, Amount: bid.Amount, CreatedAt: bid.CreatedAt})
	return nil
}

// payItemJSON answers POST
// /v1/public/guide/{token}/auction-items/{itemId}/pay, with an empty body
// or {}: 200 with the checkout page where the winner pays for the item.
func (s *server) payItemJSON(w http.ResponseWriter, r *http.Request) error {
	var body struct{}
	if err := decodeBody(w, r, &body, bodyRules{limit: maxPublicBodyBytes, optional: true}); err != nil {
		return err
	}
	checkout, err := s.svc.PayAuctionItem(r.Context(), r.PathValue("token"), r.PathValue("itemId"))
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, checkoutResponse{CheckoutURL: checkout.URL, ExpiresAt: checkout.ExpiresAt})
	return nil
}

// placeBidForm answers POST /guide/{token}/auction/{itemId}/bids, the bid
// form of the guide page, whose "amount" is in major units, e.g. "12.50":
// a 303 back to the guide, which says the bid is placed; or the guide
// again, with the status and the reason the bid was refused beside the
// item.
func (s *server) placeBidForm(w http.ResponseWriter, r *http.Request) {
	token, itemID := r.PathValue("token"), r.PathValue("itemId")
	g, err := s.svc.GuideByToken(r.Context(), token)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	typed, err := formValue(w, r, "amount")
	if err == nil {
		err = s.placeBid(r.Context(), g, token, itemID, typed)
	}
	if err != nil {
		s.guideFailure(w, r, g, token, &actionFailure{itemID: itemID, action: "Your bid was not placed", amount: typed, err: err})
		return
	}
	s.setAttendeeHeaders(w.Header())
	http.Redirect(w, r, "/guide/"+url.PathEscape(token)+"?bid=placed", http.StatusSeeOther)
}

// placeBid bids typed, an amount in major units, on the item for the
// attendee of guide g.
func (s *server) placeBid(ctx context.Context, g *ticketing.Guide, token, itemID, typed string) error {
	item, err := s.svc.GuideAuctionItem(ctx, g, itemID)
	if err != nil {
		return err
	}
	amount, err := parseAmount(typed, item.StartingBid.Currency)
	if err != nil {
		return err
	}
	_, err = s.svc.PlaceBid(ctx, token, itemID, amount)
	return err
}

// payItemForm answers POST /guide/{token}/auction/{itemId}/pay, the "Pay"
// button of an item the attendee won: a 303 to the checkout page, or the
// guide again with the reason.
func (s *server) payItemForm(w http.ResponseWriter, r *http.Request) {
	token, itemID := r.PathValue("token"), r.PathValue("itemId")
	// The guide is read only to show a failure: PayAuctionItem reads what
	// it needs, and refuses an unknown token as GuideByToken does.
	fail := func(err error) {
		g, gerr := s.svc.GuideByToken(r.Context(), token)
		if gerr != nil {
			s.pageError(w, r, gerr)
			return
		}
		s.guideFailure(w, r, g, token, &actionFailure{itemID: itemID, action: "The payment was not started", err: err})
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		fail(formError(err))
		return
	}
	checkout, err := s.svc.PayAuctionItem(r.Context(), token, itemID)
	if err != nil {
		fail(err)
		return
	}
	s.setAttendeeHeaders(w.Header())
	http.Redirect(w, r, checkout.URL, http.StatusSeeOther)
}

// formValue returns the one value of the field of the request's
// url-encoded form body, at most maxFormBytes.
func formValue(w http.ResponseWriter, r *http.Request, field string) (string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return "", formError(err)
	}
	switch vs := r.PostForm[field]; len(vs) {
	case 0:
		return "", ce.Invalid(field, "is required")
	case 1:
		return vs[0], nil
	default:
		return "", ce.Invalid(field, "is given %d times; give it once", len(vs))
	}
}

// formError describes a form body that cannot be read.
func formError(err error) error {
	if tooLarge(err) {
		return &requestError{code: codePayloadTooLarge, message: "the form is too large"}
	}
	return &requestError{code: codeInvalid, message: "the form cannot be read"}
}

// majorUnits formats an amount of minor units of the currency in major
// units, without the currency: 1250 EUR is "12.50", 1200 JPY "1200".
func majorUnits(amount int64, currency string) string {
	return strings.TrimPrefix(ce.Money{Amount: amount, Currency: currency}.String(), currency+" ")
}

// parseAmount parses s, an amount in major units of the currency as a
// person types it, e.g. "12.50" or "12" for EUR, into minor units. It
// takes digits and at most one decimal point followed by at most as many
// digits as the currency has decimals, and nothing else: no sign, no
// exponent, no thousands separator, no decimals for a currency without. It
// returns an ErrInvalid error naming "amount" for anything else and for an
// amount below one minor unit.
func parseAmount(s, currency string) (int64, error) {
	s = strings.TrimSpace(s)
	decimals, _ := ce.CurrencyDecimals(currency)
	example := "12"
	if decimals > 0 {
		example = "12." + strings.Repeat("5", decimals)
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	switch {
	case s == "":
		return 0, ce.Invalid("amount", "is required: type your bid, e.g. %s", example)
	case !digits(whole) || (hasPoint && !digits(frac)):
		return 0, ce.Invalid("amount", "must be a number such as %s, without sign, exponent or thousands separator", example)
	case hasPoint && decimals == 0:
		return 0, ce.Invalid("amount", "%s has no decimals: type a whole number such as %s", currency, example)
	case len(frac) > decimals:
		return 0, ce.Invalid("amount", "%s has at most %d decimals, e.g. %s", currency, decimals, example)
	}
	n := strings.TrimLeft(whole+frac+strings.Repeat("0", decimals-len(frac)), "0")
	if len(n) > maxAmountDigits {
		return 0, ce.Invalid("amount", "is too large")
	}
	if n == "" {
		return 0, ce.Invalid("amount", "must be more than zero")
	}
	amount, err := strconv.ParseInt(n, 10, 64)
	if err != nil { // cannot happen: at most 15 ASCII digits
		return 0, ce.Invalid("amount", "is not a number")
	}
	return amount, nil
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// actionFailure is an attendee's action on an auction item that the guide
// page shows as refused.
type actionFailure struct {
	itemID string
	// action says what did not happen, e.g. "Your bid was not placed".
	action string
	// amount is what the attendee typed, kept in the form.
	amount string
	err    error
}

// guideFailure answers a refused action of the attendee of guide g with
// the guide page, with the status of f.err and its reason beside the
// item, or at the top if the item is not shown. An internal error is the
// error page.
func (s *server) guideFailure(w http.ResponseWriter, r *http.Request, g *ticketing.Guide, token string, f *actionFailure) {
	status, detail := describe(f.err)
	if status == http.StatusInternalServerError {
		s.pageError(w, r, f.err)
		return
	}
	p, err := s.newGuidePage(r.Context(), g, token, url.Values{})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	msg := f.action + ": " + strings.TrimSuffix(detail.Message, ".") + "."
	if detail.Message == "" {
		msg = f.action + "."
	}
	shown := false
	for i := range p.Auction {
		if p.Auction[i].ID == f.itemID {
			p.Auction[i].Error, p.Auction[i].Amount, shown = msg, f.amount, true
		}
	}
	if !shown {
		p.Problem = msg
	}
	s.renderPage(w, r, status, "guide", p)
}
