package ticketing

import (
	"log/slog"
	"strings"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/webhook"
)

// Options configure a Service. The zero value, like a nil *Options, is a
// valid configuration.
type Options struct {
	// Now returns the current time, used for new ids and for the
	// CreatedAt and UpdatedAt of records. Defaults to time.Now.
	Now func() time.Time
	// Logger receives a record of each organization created, each event
	// published and each registration confirmed or cancelled. Defaults to
	// discarding them.
	Logger *slog.Logger
	// Dispatcher publishes the webhooks of registrations, cancellations
	// and check-ins inside their storage transactions, such as an
	// outbox.Dispatcher. Nil publishes none.
	Dispatcher webhook.Dispatcher
	// EmailQueued, if set, is called after each transaction that queued
	// an e-mail to an attendee commits, on the committing goroutine; it
	// must not block. Pass the mail worker's Notify so that it sends at
	// once rather than at its next poll.
	EmailQueued func()
	// Payments takes the payments of priced tiers and auction items. Nil
	// refuses priced tiers; free events work all the same.
	Payments Payments
	// PublicURL is the absolute URL the attendee pages are served under,
	// e.g. "https://events.example.org": payment pages send the payer back
	// to PublicURL + "/guide/" + the guide token. Set it with Payments:
	// without it those addresses are paths, which providers refuse.
	PublicURL string
	// CheckoutTTL is how long a checkout, and so a pending registration's
	// hold on its seat, lasts: from 31 minutes (Stripe refuses less than
	// 30; the minute is margin) to 24 hours, Stripe's most; values out of
	// that range are brought into it. Defaults to 31 minutes.
	CheckoutTTL time.Duration
}

// The bounds of Options.CheckoutTTL, and its default, the least.
const (
	minCheckoutTTL = 31 * time.Minute
	maxCheckoutTTL = 24 * time.Hour
)

// Service applies the rules of organizations, events, tiers and
// registrations to a store.
// It is safe for concurrent use.
type Service struct {
	store       storage.Store
	now         func() time.Time
	logger      *slog.Logger
	dispatcher  webhook.Dispatcher
	emailQueued func()
	payments    Payments
	publicURL   string
	checkoutTTL time.Duration
}

// New returns a Service that keeps its records in store. opts may be nil.
func New(store storage.Store, opts *Options) *Service {
	s := &Service{store: store, now: time.Now, logger: slog.New(slog.DiscardHandler), checkoutTTL: minCheckoutTTL}
	if opts != nil {
		if opts.Now != nil {
			s.now = opts.Now
		}
		if opts.Logger != nil {
			s.logger = opts.Logger
		}
		s.dispatcher = opts.Dispatcher
		s.emailQueued = opts.EmailQueued
		s.payments = opts.Payments
		s.publicURL = strings.TrimSuffix(opts.PublicURL, "/")
		if opts.CheckoutTTL != 0 {
			s.checkoutTTL = min(max(opts.CheckoutTTL, minCheckoutTTL), maxCheckoutTTL)
		}
	}
	return s
}

// checkVersion reports ErrConflict if the caller pinned a version (want is
// not zero) and the record is at another one.
func checkVersion(kind, id string, want, have int64) error {
	if want != 0 && want != have {
		return ce.Conflict("%s %s is at version %d, not %d: read it again", kind, id, have, want)
	}
	return nil
}
