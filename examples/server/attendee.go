package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/qrcode"
	"github.com/completeevent/completeevent-go/ticketing"
)

// ticketPNGSize is the width and height of the ticket's QR code, in
// pixels: sharp on a phone held up to a scanner.
const ticketPNGSize = 300

// attendeeCSP returns the Content-Security-Policy of the attendee pages:
// no script, no frames, nothing from elsewhere; images from this server
// (the QR code) and the pages' inline style only; forms (the auction's
// bids and "Pay" buttons) posted to this server alone, which may redirect
// them to the payment pages at checkoutOrigins (browsers check a form's
// redirects against form-action too).
func attendeeCSP(checkoutOrigins ...string) string {
	formAction := "'self'"
	for _, o := range checkoutOrigins {
		formAction += " " + o
	}
	return "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; " +
		"base-uri 'none'; form-action " + formAction + "; frame-ancestors 'none'"
}

//go:embed templates/*.html
var templateFiles embed.FS

// parseTemplates parses the attendee pages.
func parseTemplates() *template.Template {
	return template.Must(template.ParseFS(templateFiles, "templates/*.html"))
}

// setAttendeeHeaders sets the headers of every attendee response: the
// pages, the ticket image and the redirects. Their URLs hold tokens that
// are keys, so nothing may leak them: no Referer to other sites, no
// caching, no indexing, no framing.
func (s *server) setAttendeeHeaders(h http.Header) {
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Robots-Tag", "noindex, nofollow")
}

// guidePage is what the guide template shows.
type guidePage struct {
	*ticketing.Guide
	StatusLabel, StatusClass string
	Cancelled, Pending       bool
	// Processing is set while a payment that confirms later (a bank
	// debit) is on its way.
	Processing     bool
	EventCancelled bool
	// CancelledAt and CheckedIn are local times, or empty.
	CancelledAt, CheckedIn string
	// JoinPath is the personal join link, for a confirmed virtual
	// registration; TicketPath the QR code's image and TicketCode its
	// payload, for a confirmed in-person one.
	JoinPath, TicketPath, TicketCode string
	// Notice says what the attendee's last action did, e.g. that a bid is
	// placed; Problem why it was refused, if not beside an item.
	Notice, Problem string
	// ShowAuction is set for a confirmed registration of an event that
	// takes place: Auction lists the event's auction items, if any.
	ShowAuction bool
	Auction     []auctionRow
}

// auctionRow is one auction item on the guide page.
type auctionRow struct {
	ID, Title, Description string
	// BidLabel says what Bid is: the highest bid so far, or the starting
	// bid.
	BidLabel, Bid string
	// MinimumBid is the least next bid, e.g. "EUR 13.00", and
	// MinimumInput the same as the form takes it, "13.00", while bidding
	// is open.
	MinimumBid, MinimumInput string
	// Pattern is the form field's pattern: digits, and the currency's
	// decimals.
	Pattern string
	// ClosesLabel is "Closes", or "Closed" once it did, and ClosesAt the
	// closing time in the event's time zone.
	ClosesLabel, ClosesAt    string
	StatusLabel, StatusClass string
	// Open shows the bid form, to BidPath.
	Open    bool
	BidPath string
	// Won says the attendee won the item; PayPath, until it is paid, is
	// the "Pay" button's.
	Won, Paid bool
	PayPath   string
	// Error is why the attendee's last action on the item was refused,
	// and Amount what they typed.
	Error, Amount string
}

// messagePage is what the message template shows.
type messagePage struct {
	Title, Text string
}

// notice returns the message of the guide's query after an action: the
// bid form's redirect (?bid=placed) or the return from the payment page
// (?payment=done or cancelled). Other values show nothing: the page never
// echoes its query.
func notice(query url.Values) string {
	switch {
	case query.Get("bid") == "placed":
		return "Your bid is placed. You will be e-mailed if you win."
	case query.Get("payment") == "done":
		return "Thank you! Your payment is being confirmed: this page shows it once the payment provider tells us."
	case query.Get("payment") == "cancelled":
		return "The payment was cancelled: nothing was charged."
	}
	return ""
}

// newGuidePage returns the page of guide g, reached by the guide token,
// with the notice query asks for, if any.
func (s *server) newGuidePage(ctx context.Context, g *ticketing.Guide, token string, query url.Values) (guidePage, error) {
	r, e := g.Registration, g.Event
	p := guidePage{Guide: g, Notice: notice(query)}
	switch r.Status {
	case ce.RegistrationCancelled:
		p.StatusLabel, p.StatusClass, p.Cancelled = "Cancelled", "cancelled", true
		if !r.CancelledAt.IsZero() {
			p.CancelledAt = localTime(e, r.CancelledAt)
		}
	case ce.RegistrationPendingPayment:
		p.StatusLabel, p.StatusClass, p.Pending = "Payment pending", "pending", true
	case ce.RegistrationPaymentProcessing:
		p.StatusLabel, p.StatusClass, p.Processing = "Payment processing", "pending", true
	default:
		p.StatusLabel, p.StatusClass = "Confirmed", "confirmed"
	}
	if e.Status == ce.EventCancelled && !p.Cancelled {
		p.StatusLabel, p.StatusClass, p.EventCancelled = "Event cancelled", "cancelled", true
	}
	if !r.CheckedInAt.IsZero() {
		p.CheckedIn = localTime(e, r.CheckedInAt)
	}
	if p.EventCancelled {
		return p, nil // neither a way in, nor a ticket, nor an auction for an event that will not happen
	}
	if g.HasJoinLink() {
		p.JoinPath = "/join/" + r.JoinToken
	}
	if g.HasTicket() {
		p.TicketPath = "/guide/" + token + "/ticket.png"
		p.TicketCode = r.TicketCode
	}
	// The auction of an event that takes place, for a confirmed attendee.
	if g.AuctionAccess() == nil {
		items, err := s.eventAuctionItems(ctx, g)
		if err != nil {
			return guidePage{}, err
		}
		p.ShowAuction = true
		now := time.Now()
		for _, item := range items {
			p.Auction = append(p.Auction, newAuctionRow(e, r, item, token, now))
		}
	}
	return p, nil
}

// newAuctionRow returns the row of item on the guide of registration r of
// event e at now.
func newAuctionRow(e *ce.Event, r *ce.Registration, item *ce.AuctionItem, token string, now time.Time) auctionRow {
	cur := item.StartingBid.Currency
	base := "/guide/" + url.PathEscape(token) + "/auction/" + url.PathEscape(item.ID)
	row := auctionRow{
		ID: item.ID, Title: item.Title, Description: item.Description,
		BidLabel: "Starting bid", Bid: item.StartingBid.String(),
		ClosesLabel: "Closes", ClosesAt: localTime(e, item.ClosesAt),
		Won: item.WinnerRegistrationID != "" && item.WinnerRegistrationID == r.ID,
	}
	if !item.ClosedAt.IsZero() {
		row.ClosesLabel, row.ClosesAt = "Closed", localTime(e, item.ClosedAt)
	}
	if item.HighestBidID != "" {
		row.BidLabel, row.Bid = "Highest bid", ce.Money{Amount: item.HighestAmount, Currency: cur}.String()
	}
	switch {
	case item.TakesBids(now):
		row.StatusLabel, row.StatusClass, row.Open, row.BidPath = "Open", "confirmed", true, base+"/bids"
		row.MinimumBid = ce.Money{Amount: item.MinimumBid(), Currency: cur}.String()
		row.MinimumInput = majorUnits(item.MinimumBid(), cur)
		row.Pattern = "[0-9]+"
		if d, _ := ce.CurrencyDecimals(cur); d > 0 {
			row.Pattern += "([.][0-9]{1," + strconv.Itoa(d) + "})?"
		}
	case item.Status == ce.AuctionItemOpen:
		row.StatusLabel, row.StatusClass = "Closing", "pending"
	case item.Status == ce.AuctionItemPaid && row.Won:
		row.StatusLabel, row.StatusClass, row.Paid = "Won and paid", "confirmed", true
	case row.Won:
		row.StatusLabel, row.StatusClass, row.PayPath = "You won", "confirmed", base+"/pay"
	default:
		row.StatusLabel, row.StatusClass = "Closed", "cancelled"
	}
	return row
}

// localTime formats t in the event's time zone, e.g. "20 May 2026, 19:03
// CEST".
func localTime(e *ce.Event, t time.Time) string {
	if loc, err := e.Location(); err == nil {
		t = t.In(loc)
	}
	return t.Format("2 January 2006, 15:04 MST")
}

// guide answers GET /guide/{token}: the attendee's event guide.
func (s *server) guide(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	g, err := s.svc.GuideByToken(r.Context(), token)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p, err := s.newGuidePage(r.Context(), g, token, r.URL.Query())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderPage(w, r, http.StatusOK, "guide", p)
}

// ticketImage answers GET /guide/{token}/ticket.png: the ticket's QR code,
// for a confirmed in-person registration.
func (s *server) ticketImage(w http.ResponseWriter, r *http.Request) {
	g, err := s.svc.GuideByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if !g.HasTicket() || g.Event.Status == ce.EventCancelled {
		s.notFoundPage(w, r)
		return
	}
	img, err := qrcode.PNG(g.Registration.TicketCode, ticketPNGSize)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.setAttendeeHeaders(w.Header())
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(len(img)))
	if _, err := w.Write(img); err != nil {
		s.logger.WarnContext(r.Context(), "write response", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
	}
}

// join answers GET /join/{token}: a redirect to the current join URL of
// the registration's virtual tier, or a page saying the link no longer
// works once the registration is cancelled.
func (s *server) join(w http.ResponseWriter, r *http.Request) {
	joinURL, err := s.svc.Join(r.Context(), r.PathValue("token"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.setAttendeeHeaders(w.Header())
	http.Redirect(w, r, joinURL, http.StatusSeeOther)
}

// notFoundPage answers 404 with a page that says nothing about why: a
// malformed, unknown or revoked token all look the same.
func (s *server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	s.renderPage(w, r, http.StatusNotFound, "message", messagePage{
		Title: "Page not found",
		Text:  "There is nothing at this address. Check that you opened the whole link from your e-mail.",
	})
}

// pageError answers an attendee page's error: 404 for ErrNotFound, 410
// for ErrForbidden (a link that no longer works), else 500, logged, with
// nothing of the error shown.
func (s *server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, ce.ErrNotFound):
		s.notFoundPage(w, r)
	case errors.Is(err, ce.ErrForbidden):
		s.renderPage(w, r, http.StatusGone, "message", messagePage{
			Title: "This link no longer works",
			Text:  sentence(ce.ErrorMessage(err)) + " Your event guide, linked from your e-mail, has the latest details.",
		})
	default:
		s.logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
		s.renderPage(w, r, http.StatusInternalServerError, "message", messagePage{
			Title: "Something went wrong",
			Text:  "Please try again in a moment.",
		})
	}
}

// renderPage answers with status and the named template executed with
// data, with the attendee headers. A template that fails is logged and
// answered with a plain 500.
func (s *server) renderPage(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	s.setAttendeeHeaders(w.Header())
	var buf bytes.Buffer
	if err := s.pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.logger.ErrorContext(r.Context(), "render page", "template", name, "path", redactPath(r.URL.Path), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.logger.WarnContext(r.Context(), "write response", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
	}
}

// sentence capitalizes s and ends it with a full stop, e.g. "this join
// link no longer works" → "This join link no longer works.".
func sentence(s string) string {
	if s == "" {
		return s
	}
	first, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(first)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// redactPath returns path with the token of an attendee link (the
// segment after /guide/, /join/ or /v1/public/guide/), a key that must
// stay out of logs, replaced by "{token}".
func redactPath(path string) string {
	for _, prefix := range []string{"/guide/", "/join/", "/v1/public/guide/"} {
		rest, ok := strings.CutPrefix(path, prefix)
		if !ok || rest == "" {
			continue
		}
		if _, tail, found := strings.Cut(rest, "/"); found {
			return prefix + "{token}/" + tail
		}
		return prefix + "{token}"
	}
	return path
}
