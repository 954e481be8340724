package webhooktest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/completeevent/completeevent-go/webhook"
)

// ReceiverOptions tunes NewReceiver. The zero value is valid.
type ReceiverOptions struct {
	// Previous are more secrets the receiver accepts, as while a rotation
	// overlaps.
	Previous []string

	// Tolerance is the verifier's tolerance for the signed timestamp; see
	// webhook.HMACVerifier. Zero means 5 minutes; negative disables it.
	Tolerance time.Duration

	// Now is the verifier's clock. Nil means time.Now.
	Now func() time.Time

	// Handler answers each verified delivery, behind webhook.Middleware, so
	// webhook.EventFromContext works in it; use it to answer with an error
	// status, slowly, or with a body. Nil means an empty 200.
	Handler http.Handler

	// TLS serves HTTPS with httptest's certificate, which Client trusts.
	TLS bool
}

// Delivery is one request a Receiver got.
type Delivery struct {
	// Header and Body are the request's, the body read up to one byte
	// over webhook.DefaultMaxBodyBytes.
	Header http.Header
	Body   []byte
	// Event is the decoded envelope if the delivery verified, else zero.
	Event webhook.Event
	// Err is nil if the delivery verified and followed the wire format;
	// otherwise it matches a sentinel of package webhook or ErrWireFormat.
	Err error
	// Status is the status the Receiver answered with.
	Status int
}

// ErrWireFormat is matched, with errors.Is, by a Delivery's Err when the
// delivery verified but broke another rule of the wire format: a missing or
// contradictory header, or a webhook-signature without a valid entry.
var ErrWireFormat = errors.New("webhooktest: delivery breaks the wire format")

// Receiver is an httptest server that verifies every delivery like a real
// receiver, checks the rest of the wire format, answers, and records what
// it got. Make it with NewReceiver and Close it when done. It is safe for
// concurrent use.
type Receiver struct {
	server   *httptest.Server
	verifier *webhook.HMACVerifier
	signers  []*webhook.HMACSigner
	app      http.Handler

	mu         sync.Mutex
	deliveries []Delivery
	changed    chan struct{} // closed and replaced on each delivery
}

// NewReceiver starts a Receiver that accepts deliveries signed with secret
// or one of opts.Previous; opts may be nil. It panics if secret is empty.
func NewReceiver(secret string, opts *ReceiverOptions) *Receiver {
	var o ReceiverOptions
	if opts != nil {
		o = *opts
	}
	v := webhook.NewVerifier(secret, o.Previous...)
	v.Tolerance = o.Tolerance
	v.Now = o.Now
	handler := o.Handler
	if handler == nil {
		handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	}
	rc := &Receiver{
		verifier: v,
		app:      webhook.Middleware(v, nil)(handler),
		changed:  make(chan struct{}),
	}
	for _, s := range append([]string{secret}, o.Previous...) {
		if s != "" {
			rc.signers = append(rc.signers, webhook.NewSigner(s))
		}
	}
	if o.TLS {
		rc.server = httptest.NewTLSServer(http.HandlerFunc(rc.serveHTTP))
	} else {
		rc.server = httptest.NewServer(http.HandlerFunc(rc.serveHTTP))
	}
	return rc
}

// URL returns the receiver's base URL, e.g. "http://127.0.0.1:41235";
// deliveries may go to any path under it.
func (rc *Receiver) URL() string { return rc.server.URL }

// Client returns an HTTP client configured for the receiver, trusting its
// certificate when it serves TLS.
func (rc *Receiver) Client() *http.Client { return rc.server.Client() }

// Close shuts the receiver down, waiting for requests in flight.
func (rc *Receiver) Close() { rc.server.Close() }

// Deliveries returns what the receiver got so far, in arrival order.
func (rc *Receiver) Deliveries() []Delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.deliveries)
}

// Wait blocks until the receiver got at least n deliveries and returns them
// all, or returns what it got with ctx's error when ctx ends first.
func (rc *Receiver) Wait(ctx context.Context, n int) ([]Delivery, error) {
	for {
		rc.mu.Lock()
		got, changed := slices.Clone(rc.deliveries), rc.changed
		rc.mu.Unlock()
		if len(got) >= n {
			return got, nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
}

// serveHTTP verifies, answers and records one delivery.
func (rc *Receiver) serveHTTP(w http.ResponseWriter, r *http.Request) {
	d := Delivery{Header: r.Header.Clone()}
	body, err := io.ReadAll(io.LimitReader(r.Body, webhook.DefaultMaxBodyBytes+1))
	d.Body = body
	if err == nil {
		vr := r.Clone(r.Context())
		vr.Body = io.NopCloser(bytes.NewReader(body))
		vr.ContentLength = int64(len(body))
		d.Event, err = rc.verifier.VerifyRequest(vr)
		if err == nil {
			err = checkWire(r.Header, d.Event, body, rc.signers)
		}
	}
	if err != nil {
		d.Event, d.Err = webhook.Event{}, err
		d.Status = webhook.StatusCode(err)
		http.Error(w, err.Error(), d.Status)
	} else {
		ar := r.Clone(r.Context())
		ar.Body = io.NopCloser(bytes.NewReader(body))
		ar.ContentLength = int64(len(body))
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		rc.app.ServeHTTP(sw, ar)
		d.Status = sw.status
	}
	rc.mu.Lock()
	rc.deliveries = append(rc.deliveries, d)
	close(rc.changed)
	rc.changed = make(chan struct{})
	rc.mu.Unlock()
}

// statusWriter records the first status written.
type statusWriter struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
}

// WriteHeader records code and passes it on.
func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.status, w.wroteHeader = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write passes p on; a status written after it no longer counts.
func (w *statusWriter) Write(p []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(p)
}

// Unwrap returns the underlying ResponseWriter, for http.ResponseController.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// checkWire checks the headers of a verified delivery against the wire
// format: every header present and agreeing with the signed body, and one
// webhook-signature entry valid for one of signers (skipped if no secret
// has the "whsec_" form).
func checkWire(h http.Header, ev webhook.Event, body []byte, signers []*webhook.HMACSigner) error {
	want := map[string]string{
		"Content-Type":                 webhook.ContentType,
		"User-Agent":                   webhook.UserAgent,
		webhook.HeaderEvent:            ev.Type,
		webhook.HeaderID:               ev.ID,
		webhook.HeaderWebhookID:        ev.ID,
		webhook.HeaderWebhookTimestamp: strconv.FormatInt(ev.Timestamp.Unix(), 10),
	}
	for _, name := range []string{"Content-Type", "User-Agent", webhook.HeaderEvent, webhook.HeaderID, webhook.HeaderWebhookID, webhook.HeaderWebhookTimestamp} {
		if got := h.Get(name); got != want[name] {
			return fmt.Errorf("%w: header %s is %q, want %q", ErrWireFormat, name, got, want[name])
		}
	}
	entries := strings.Fields(h.Get(webhook.HeaderWebhookSignature))
	checked := false
	for _, s := range signers {
		sig, err := s.SignStandard(ev.ID, ev.Timestamp, body)
		if err != nil {
			continue
		}
		checked = true
		if slices.Contains(entries, sig) {
			return nil
		}
	}
	if !checked {
		return nil
	}
	return fmt.Errorf("%w: header %s %q has no valid v1 entry", ErrWireFormat, webhook.HeaderWebhookSignature, h.Get(webhook.HeaderWebhookSignature))
}
