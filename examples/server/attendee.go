package main

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"net/http"
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

// attendeeCSP is the Content-Security-Policy of the attendee pages: no
// script, no frames, no forms, nothing from elsewhere; images from this
// server (the QR code) and the pages' inline style only.
const attendeeCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

//go:embed templates/*.html
var templateFiles embed.FS

// parseTemplates parses the attendee pages.
func parseTemplates() *template.Template {
	return template.Must(template.ParseFS(templateFiles, "templates/*.html"))
}

// setAttendeeHeaders sets the headers of every attendee response: the
// pages, the ticket image and the join redirect. Their URLs hold tokens
// that are keys, so nothing may leak them: no Referer to other sites, no
// caching, no indexing, no framing.
func setAttendeeHeaders(h http.Header) {
	h.Set("Content-Security-Policy", attendeeCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Robots-Tag", "noindex, nofollow")
}

// guidePage is what the guide template shows.
type guidePage struct {
	*ticketing.Guide
	When, Where              string
	StatusLabel, StatusClass string
	Cancelled, Pending       bool
	EventCancelled           bool
	// CancelledAt and CheckedIn are local times, or empty.
	CancelledAt, CheckedIn string
	// JoinPath is the personal join link, for a confirmed virtual
	// registration; TicketPath the QR code's image and TicketCode its
	// payload, for a confirmed in-person one.
	JoinPath, TicketPath, TicketCode string
}

// messagePage is what the message template shows.
type messagePage struct {
	Title, Text string
}

// newGuidePage returns the page of guide g, reached by the guide token.
func newGuidePage(g *ticketing.Guide, token string) guidePage {
	r, e := g.Registration, g.Event
	p := guidePage{Guide: g, When: eventWhen(e), Where: eventWhere(e, g.Tier)}
	switch r.Status {
	case ce.RegistrationCancelled:
		p.StatusLabel, p.StatusClass, p.Cancelled = "Cancelled", "cancelled", true
		if !r.CancelledAt.IsZero() {
			p.CancelledAt = localTime(e, r.CancelledAt)
		}
	case ce.RegistrationPendingPayment:
		p.StatusLabel, p.StatusClass, p.Pending = "Payment pending", "pending", true
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
		return p // neither a way in nor a ticket for an event that will not happen
	}
	if g.HasJoinLink() {
		p.JoinPath = "/join/" + r.JoinToken
	}
	if g.HasTicket() {
		p.TicketPath = "/guide/" + token + "/ticket.png"
		p.TicketCode = r.TicketCode
	}
	return p
}

// eventWhen says when event e takes place, in its time zone, e.g.
// "Wednesday 20 May 2026, 19:00–23:00 CEST (Europe/Amsterdam)".
func eventWhen(e *ce.Event) string {
	loc, err := e.Location()
	if err != nil {
		loc = time.UTC
	}
	start, end := e.StartsAt.In(loc), e.EndsAt.In(loc)
	const day, clock = "Monday 2 January 2006", "15:04 MST"
	var s string
	switch {
	case start.Format(time.DateOnly) != end.Format(time.DateOnly):
		s = start.Format(day+", "+clock) + " – " + end.Format(day+", "+clock)
	case start.Format("MST") != end.Format("MST"): // summer time starts or ends
		s = start.Format(day+", "+clock) + "–" + end.Format(clock)
	default:
		s = start.Format(day+", 15:04") + "–" + end.Format(clock)
	}
	return s + " (" + loc.String() + ")"
}

// eventWhere says where an attendee of tier t goes: online for a virtual
// tier or an event without a venue, else the venue.
func eventWhere(e *ce.Event, t *ce.Tier) string {
	if t.Virtual() || e.Venue == "" {
		return "Online"
	}
	return e.Venue
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
	s.renderPage(w, r, http.StatusOK, "guide", newGuidePage(g, token))
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
	setAttendeeHeaders(w.Header())
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
	setAttendeeHeaders(w.Header())
	http.Redirect(w, r, joinURL, http.StatusSeeOther)
}

// notFound answers any other path under /guide/ and /join/.
func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.notFoundPage(w, r)
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
	setAttendeeHeaders(w.Header())
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
// segment after /guide/ or /join/), a key that must stay out of logs,
// replaced by "{token}".
func redactPath(path string) string {
	for _, prefix := range []string{"/guide/", "/join/"} {
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
