package webhook

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
)

// MiddlewareOptions tunes Middleware. The zero value is valid: no
// de-duplication, no logging.
type MiddlewareOptions struct {
	// Deduplicator, if set, suppresses repeated deliveries of one message
	// (a retry or a resend) by the signed message id, which equals the
	// X-CompleteEvent-Id header: a delivery whose id it has seen gets 200
	// and does not reach the application. An id is remembered only after
	// the application answered it with a 2xx status (or wrote nothing), so
	// a failed delivery is processed again when it is resent. Concurrent
	// deliveries of one id may both reach the application. If the
	// Deduplicator fails, the delivery reaches the application. Nil means
	// every verified delivery reaches it.
	Deduplicator Deduplicator

	// Logger receives a Warn record for each refused request and an Error
	// record for each failure of the Deduplicator. Nil means no logging.
	Logger *slog.Logger
}

// Middleware returns middleware that verifies each request with v before
// the application sees anything, as VerifyRequest does. A refused request
// is answered with StatusCode(err), 400, 401 or 413, and a text body naming
// the reason; the application is not called. A verified request reaches the
// application with its event and raw body in the context (EventFromContext,
// BodyFromContext) and r.Body replaced by a fresh reader over the same
// verified bytes. See MiddlewareOptions for duplicate suppression.
//
// Middleware panics if v is nil. The handlers it returns are safe for
// concurrent use if next and the Deduplicator are.
func Middleware(v *HMACVerifier, opts *MiddlewareOptions) func(http.Handler) http.Handler {
	if v == nil {
		panic("webhook: Middleware: nil verifier")
	}
	var o MiddlewareOptions
	if opts != nil {
		o = *opts
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			ev, body, err := v.verifyRequest(r)
			if err != nil {
				status := StatusCode(err)
				logger.LogAttrs(ctx, slog.LevelWarn, "webhook: refused request",
					slog.Int("status", status), slog.String("error", err.Error()),
					slog.String("remote", r.RemoteAddr))
				http.Error(w, err.Error(), status)
				return
			}
			dedup := o.Deduplicator
			if dedup != nil {
				seen, err := dedup.Seen(ctx, ev.ID)
				switch {
				case err != nil:
					logger.LogAttrs(ctx, slog.LevelError, "webhook: deduplicator failed",
						slog.String("id", ev.ID), slog.String("error", err.Error()))
				case seen:
					w.Header().Set("Content-Type", "text/plain; charset=utf-8")
					w.WriteHeader(http.StatusOK)
					io.WriteString(w, "duplicate delivery, already processed\n")
					return
				}
			}
			r = r.WithContext(context.WithValue(ctx, verifiedKey{}, &verified{event: ev, body: body}))
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			if dedup == nil {
				next.ServeHTTP(w, r)
				return
			}
			sw := &statusWriter{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			if sw.status == 0 || sw.status >= 200 && sw.status < 300 {
				if err := dedup.Remember(ctx, ev.ID); err != nil {
					logger.LogAttrs(ctx, slog.LevelError, "webhook: deduplicator failed",
						slog.String("id", ev.ID), slog.String("error", err.Error()))
				}
			}
		})
	}
}

// verifiedKey is the context key of a verified request's event and body.
type verifiedKey struct{}

// verified is what Middleware puts in the context.
type verified struct {
	event Event
	body  []byte
}

// EventFromContext returns the verified event that Middleware put in ctx,
// and whether there was one. It is safe for concurrent use.
func EventFromContext(ctx context.Context) (Event, bool) {
	v, ok := ctx.Value(verifiedKey{}).(*verified)
	if !ok {
		return Event{}, false
	}
	return v.event, true
}

// BodyFromContext returns the raw, verified body that Middleware put in
// ctx, and whether there was one. The bytes are shared: do not modify them.
// It is safe for concurrent use.
func BodyFromContext(ctx context.Context) ([]byte, bool) {
	v, ok := ctx.Value(verifiedKey{}).(*verified)
	if !ok {
		return nil, false
	}
	return v.body, true
}

// statusWriter records the status the application answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records code and passes it on.
func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records the implicit 200 and passes p on.
func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
