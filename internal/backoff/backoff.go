// Package backoff computes the waits between the retries of the delivery
// workers (webhooks and e-mails), so that both back off alike.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Jittered returns the wait after the attempts-th failed attempt (1 for
// the first): initial × 2^(attempts-1), at most maxWait, drawn evenly from
// the upper half of that wait, so that the retries of many failures at
// once spread out. It is safe for concurrent use.
func Jittered(attempts int, initial, maxWait time.Duration) time.Duration {
	wait := initial
	for i := 1; i < attempts && wait < maxWait; i++ {
		wait *= 2
	}
	wait = min(wait, maxWait)
	return wait/2 + rand.N(wait/2+1)
}

// Or returns d, or def if d is zero or negative: an option's value or its
// default.
func Or(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
