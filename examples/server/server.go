package main

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/recurrence"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/webhook/outbox"
)

// healthTimeout bounds the store check of /healthz.
const healthTimeout = 2 * time.Second

// server routes the API to the ticketing and recurrence services.
type server struct {
	store  storage.Store
	svc    *ticketing.Service
	series *recurrence.Service
	hooks  *outbox.Service
	logger *slog.Logger
	// baseURL is the server's address as attendees reach it, without a
	// trailing slash: the start of the guide links it returns.
	baseURL string
	pages   *template.Template
	mux     *http.ServeMux
	// payments says whether svc takes payments: without, /stripe/webhook
	// is not found.
	payments bool
	// csp is the Content-Security-Policy of the attendee pages.
	csp string
}

// serverOptions are the server's optional settings; the zero value is a
// server without payments.
type serverOptions struct {
	// payments says that the ticketing service takes payments, so that
	// /stripe/webhook passes the provider's callbacks to it.
	payments bool
	// checkoutOrigins are the origins of the payment pages the guide's
	// "Pay" forms redirect to, e.g. "https://checkout.stripe.com": the
	// attendee pages' form-action allows them beside the server itself.
	checkoutOrigins []string
}

// newServer returns the server's handler: every route, with request logs.
// The store is used only to check its health and to find a public event
// by its id alone; everything else goes through svc, series and hooks
// (the webhook endpoints and their log). baseURL, such as
// "https://events.example.org", starts the event guide links the API
// returns.
func newServer(store storage.Store, svc *ticketing.Service, series *recurrence.Service, hooks *outbox.Service, logger *slog.Logger, baseURL string, opts serverOptions) http.Handler {
	s := &server{
		store: store, svc: svc, series: series, hooks: hooks, logger: logger,
		baseURL: strings.TrimSuffix(baseURL, "/"), pages: parseTemplates(), mux: http.NewServeMux(),
		payments: opts.payments, csp: attendeeCSP(opts.checkoutOrigins...),
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	// Public: anyone, without an API key.
	s.mux.Handle("GET /v1/public/events/{id}", s.public(s.getPublicEvent))
	s.mux.Handle("POST /v1/public/events/{id}/registrations", s.public(s.register))
	// The payment provider's callbacks, verified by their signature.
	s.mux.HandleFunc("POST /stripe/webhook", s.stripeWebhook)
	// The attendee's auction, in JSON, for API clients; the guide token
	// is the key.
	s.mux.Handle("GET /v1/public/guide/{token}/auction-items", s.public(s.listGuideAuctionItems))
	s.mux.Handle("POST /v1/public/guide/{token}/auction-items/{itemId}/bids", s.public(s.placeBidJSON))
	s.mux.Handle("POST /v1/public/guide/{token}/auction-items/{itemId}/pay", s.public(s.payItemJSON))
	// Attendee pages, in HTML; their tokens are their keys.
	s.mux.HandleFunc("GET /guide/{token}", s.guide)
	s.mux.HandleFunc("GET /guide/{token}/ticket.png", s.ticketImage)
	s.mux.HandleFunc("POST /guide/{token}/auction/{itemId}/bids", s.placeBidForm)
	s.mux.HandleFunc("POST /guide/{token}/auction/{itemId}/pay", s.payItemForm)
	s.mux.HandleFunc("GET /join/{token}", s.join)
	// Any other path under /guide/ and /join/.
	s.mux.HandleFunc("GET /guide/", s.notFoundPage)
	s.mux.HandleFunc("GET /join/", s.notFoundPage)
	// The organizer API.
	s.mux.Handle("POST /v1/events", s.api(s.createEvent))
	s.mux.Handle("GET /v1/events", s.api(s.listEvents))
	s.mux.Handle("GET /v1/events/{id}", s.api(s.getEvent))
	s.mux.Handle("PATCH /v1/events/{id}", s.api(s.updateEvent))
	s.mux.Handle("POST /v1/events/{id}/publish", s.api(s.publishEvent))
	s.mux.Handle("POST /v1/events/{id}/duplicate", s.api(s.duplicateEvent))
	s.mux.Handle("GET /v1/events/{id}/series", s.api(s.getSeries))
	s.mux.Handle("POST /v1/events/{id}/series", s.api(s.createSeries))
	s.mux.Handle("POST /v1/events/{id}/series/preview", s.api(s.previewSeries))
	s.mux.Handle("POST /v1/events/{id}/tiers", s.api(s.createTier))
	s.mux.Handle("GET /v1/events/{id}/tiers", s.api(s.listTiers))
	s.mux.Handle("GET /v1/tiers/{id}", s.api(s.getTier))
	s.mux.Handle("PATCH /v1/tiers/{id}", s.api(s.updateTier))
	s.mux.Handle("DELETE /v1/tiers/{id}", s.api(s.deleteTier))
	s.mux.Handle("GET /v1/events/{id}/registrations", s.api(s.listRegistrations))
	s.mux.Handle("POST /v1/events/{id}/checkins", s.api(s.checkIn))
	s.mux.Handle("GET /v1/events/{id}/summary", s.api(s.summarizeEvent))
	s.mux.Handle("GET /v1/registrations/{id}", s.api(s.getRegistration))
	s.mux.Handle("POST /v1/registrations/{id}/cancel", s.api(s.cancelRegistration))
	s.mux.Handle("POST /v1/events/{id}/auction-items", s.api(s.createAuctionItem))
	s.mux.Handle("GET /v1/events/{id}/auction-items", s.api(s.listAuctionItems))
	s.mux.Handle("GET /v1/auction-items/{id}", s.api(s.getAuctionItem))
	s.mux.Handle("POST /v1/auction-items/{id}/close", s.api(s.closeAuctionItem))
	s.mux.Handle("POST /v1/webhook-endpoints", s.api(s.createEndpoint))
	s.mux.Handle("GET /v1/webhook-endpoints", s.api(s.listEndpoints))
	s.mux.Handle("GET /v1/webhook-endpoints/{id}", s.api(s.getEndpoint))
	s.mux.Handle("PATCH /v1/webhook-endpoints/{id}", s.api(s.updateEndpoint))
	s.mux.Handle("DELETE /v1/webhook-endpoints/{id}", s.api(s.deleteEndpoint))
	s.mux.Handle("POST /v1/webhook-endpoints/{id}/rotate-secret", s.api(s.rotateSecret))
	s.mux.Handle("POST /v1/webhook-endpoints/{id}/test", s.api(s.testEndpoint))
	s.mux.Handle("GET /v1/webhook-endpoints/{id}/deliveries", s.api(s.listDeliveries))
	s.mux.Handle("GET /v1/webhook-deliveries/{id}", s.api(s.getDelivery))
	s.mux.Handle("POST /v1/webhook-deliveries/{id}/resend", s.api(s.resendDelivery))
	return logRequests(logger)(s)
}

// ServeHTTP routes r. A request no route matches gets the mux's status,
// 404 or 405 with its Allow header, with a JSON error body.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header()["Allow"] = rec.header["Allow"]
		s.writeError(w, r, &requestError{code: codeMethodNotAllowed, message: r.Method + " is not allowed here"})
		return
	}
	s.writeError(w, r, ce.NotFound("no such route: %s %s", r.Method, r.URL.Path))
}

// headerRecorder keeps the status and headers of a response and drops its
// body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(status int)      { h.status = status }

// apiHandler handles an authenticated request for key's organization. The
// error it returns is written by writeError.
type apiHandler func(w http.ResponseWriter, r *http.Request, key *ce.APIKey) error

// api authenticates each request by its bearer API key, then runs h.
func (s *server) api(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, err := s.authenticate(r)
		if err == nil {
			err = h(w, r, key)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

// public runs h, a route anyone may call without an API key, and writes
// the error it returns.
func (s *server) public(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authenticate returns the API key of the request's
// "Authorization: Bearer <token>" header, or ErrUnauthorized.
func (s *server) authenticate(r *http.Request) (*ce.APIKey, error) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, ce.Unauthorized(`send an API key as "Authorization: Bearer <key>"`)
	}
	return s.svc.Authenticate(r.Context(), token)
}

// healthz answers 200 if the store answers within healthTimeout, else 503.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), healthTimeout)
	defer cancel()
	if _, err := s.store.Organizations().Count(ctx); err != nil {
		s.logger.ErrorContext(ctx, "health check failed", "err", err)
		s.writeJSON(w, r, http.StatusServiceUnavailable, health{Status: "unavailable"})
		return
	}
	s.writeJSON(w, r, http.StatusOK, health{Status: "ok"})
}

// health is the body of /healthz.
type health struct {
	Status string `json:"status"`
}

// logRequests returns a middleware that logs each request's method, path,
// status and duration.
func logRequests(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method),
				slog.String("path", redactPath(r.URL.Path)),
				slog.Int("status", sw.statusCode()),
				slog.Duration("duration", time.Since(start)),
			)
		})
	}
}

// statusWriter remembers the status of the response it passes on.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// statusCode returns the status sent, 200 if the handler sent nothing.
func (w *statusWriter) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
