package webhook

import (
	"context"
	"sync"
	"time"
)

// Deduplicator remembers the ids of messages an application has processed,
// for Middleware's duplicate suppression. Implementations backed by a shared
// store (a database, Redis) let several receiver instances share it;
// [MemoryDeduplicator] serves one process. Implementations must be safe for
// concurrent use.
type Deduplicator interface {
	// Seen reports whether id is remembered.
	Seen(ctx context.Context, id string) (bool, error)
	// Remember records id as processed.
	Remember(ctx context.Context, id string) error
}

var _ Deduplicator = (*MemoryDeduplicator)(nil)

// The defaults of the MemoryDeduplicator fields.
const (
	// DefaultDedupTTL is how long a MemoryDeduplicator remembers an id when
	// TTL is zero.
	DefaultDedupTTL = 24 * time.Hour
	// DefaultDedupMaxEntries is how many ids a MemoryDeduplicator holds at
	// most when MaxEntries is zero.
	DefaultDedupMaxEntries = 100_000
)

// MemoryDeduplicator is an in-memory Deduplicator whose ids expire after a
// TTL. It is bounded, forgetting the oldest id when full, and starts no
// goroutine: expired ids are dropped as later calls pass them. Its zero
// value is ready to use; set the fields, if at all, before its first use.
// It never returns an error and is safe for concurrent use.
type MemoryDeduplicator struct {
	// TTL is how long an id is remembered. Zero or negative means
	// DefaultDedupTTL (24 hours).
	TTL time.Duration

	// MaxEntries is how many ids are held at most, about 150 bytes each;
	// when full, the oldest is forgotten first. Zero or negative means
	// DefaultDedupMaxEntries (100 000).
	MaxEntries int

	// Now is the clock. Nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	expires map[string]time.Time
	// queue holds the ids in the order they were remembered, hence of
	// expiry, from queue[head] on.
	queue []string
	head  int
}

// Seen reports whether id was remembered less than TTL ago. The error is
// always nil.
func (d *MemoryDeduplicator) Seen(_ context.Context, id string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	d.expire(now)
	exp, ok := d.expires[id]
	return ok && now.Before(exp), nil
}

// Remember records id for TTL. Remembering an id already held does not
// extend it. The error is always nil.
func (d *MemoryDeduplicator) Remember(_ context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	d.expire(now)
	if _, ok := d.expires[id]; ok {
		return nil
	}
	if d.expires == nil {
		d.expires = make(map[string]time.Time)
	}
	limit := d.MaxEntries
	if limit <= 0 {
		limit = DefaultDedupMaxEntries
	}
	for len(d.expires) >= limit {
		d.pop()
	}
	ttl := d.TTL
	if ttl <= 0 {
		ttl = DefaultDedupTTL
	}
	d.expires[id] = now.Add(ttl)
	if d.head > 0 && len(d.queue) == cap(d.queue) && d.head >= len(d.queue)/2 {
		// Reuse the consumed front instead of growing.
		n := copy(d.queue, d.queue[d.head:])
		clear(d.queue[n:])
		d.queue, d.head = d.queue[:n], 0
	}
	d.queue = append(d.queue, id)
	return nil
}

// Len returns how many ids are held, expired ones included until a call
// drops them. It is meant for tests and metrics.
func (d *MemoryDeduplicator) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.expires)
}

// now returns the current time of d's clock.
func (d *MemoryDeduplicator) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// expire drops the ids at the front of the queue that expired by now.
func (d *MemoryDeduplicator) expire(now time.Time) {
	for d.head < len(d.queue) {
		if exp := d.expires[d.queue[d.head]]; now.Before(exp) {
			return
		}
		d.pop()
	}
}

// pop forgets the oldest id.
func (d *MemoryDeduplicator) pop() {
	delete(d.expires, d.queue[d.head])
	d.queue[d.head] = ""
	d.head++
	if d.head == len(d.queue) {
		d.queue, d.head = d.queue[:0], 0
	}
}
