package outbox

import (
	"net/http"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/backoff"
	"github.com/completeevent/completeevent-go/webhook"
)

// The defaults of RetryPolicy, once it allows more than one attempt.
const (
	DefaultInitialBackoff = 30 * time.Second
	DefaultMaxBackoff     = time.Hour
	DefaultMaxAge         = 24 * time.Hour
)

// RetryPolicy says whether and when a failed delivery is attempted again.
// The zero value makes one attempt: the help page's "delivered once".
//
// A failed attempt is retried unless the endpoint answered 410 Gone (which
// disables it), a redirect (never followed, and not going to change), or
// the delivery could not be sent at all (a blocked address, an invalid
// delivery). The n-th retry waits InitialBackoff × 2^(n-1), at most
// MaxBackoff, with jitter: a time drawn evenly from the upper half of that
// wait, so that the retries of many deliveries failed together spread
// out. A Retry-After of a 429 or 503 response lengthens the wait to it.
// A retry that would come later than MaxAge after the delivery was
// published is not made.
type RetryPolicy struct {
	// MaxAttempts is how many attempts a delivery gets in all, the first
	// included. Zero or less means 1: no retry.
	MaxAttempts int
	// InitialBackoff is the wait before the first retry. Defaults to 30 s.
	InitialBackoff time.Duration
	// MaxBackoff caps the wait between attempts. Defaults to 1 h.
	MaxBackoff time.Duration
	// MaxAge bounds how long after its publication a delivery is
	// retried. Defaults to 24 h.
	MaxAge time.Duration
}

// retryable reports whether a failed attempt with res may succeed later.
func retryable(res webhook.Result) bool {
	switch res.ErrorClass {
	case webhook.ErrorRedirect, webhook.ErrorBlockedAddress, webhook.ErrorInvalid:
		return false
	}
	return res.StatusCode != http.StatusGone
}

// next returns the status of a delivery after an attempt at now that
// ended with res, its attempts (this one included) and when it was made,
// and, if pending, when it is due again.
func (p RetryPolicy) next(res webhook.Result, attempts int, createdAt, now time.Time) (ce.DeliveryStatus, time.Time) {
	switch {
	case res.OK():
		return ce.DeliverySucceeded, time.Time{}
	case !retryable(res) || attempts >= p.MaxAttempts:
		return ce.DeliveryFailed, time.Time{}
	}
	wait := backoff.Jittered(attempts, backoff.Or(p.InitialBackoff, DefaultInitialBackoff), backoff.Or(p.MaxBackoff, DefaultMaxBackoff))
	if (res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable) && res.RetryAfter > wait {
		wait = res.RetryAfter
	}
	at := now.Add(wait)
	if at.Sub(createdAt) > backoff.Or(p.MaxAge, DefaultMaxAge) {
		return ce.DeliveryFailed, time.Time{}
	}
	return ce.DeliveryPending, at
}
