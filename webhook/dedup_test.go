package webhook_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/completeevent/completeevent-go/webhook"
)

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// seen calls d.Seen and fails t on an error.
func seen(t *testing.T, d webhook.Deduplicator, id string) bool {
	t.Helper()
	ok, err := d.Seen(context.Background(), id)
	if err != nil {
		t.Fatalf("Seen(%q): got error %v, want nil", id, err)
	}
	return ok
}

// remember calls d.Remember and fails t on an error.
func remember(t *testing.T, d webhook.Deduplicator, id string) {
	t.Helper()
	if err := d.Remember(context.Background(), id); err != nil {
		t.Fatalf("Remember(%q): got error %v, want nil", id, err)
	}
}

func TestMemoryDeduplicatorTTL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ttl     time.Duration
		after   time.Duration
		wantHit bool
	}{
		{"default TTL, an hour later", 0, time.Hour, true},
		{"default TTL, a day later", 0, 24 * time.Hour, false},
		{"one minute, 59 seconds later", time.Minute, 59 * time.Second, true},
		{"one minute, a minute later", time.Minute, time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := &fakeClock{t: testNow()}
			d := &webhook.MemoryDeduplicator{TTL: tt.ttl, Now: clock.Now}
			if seen(t, d, "msg_1") {
				t.Fatal("got msg_1 seen before Remember, want not")
			}
			remember(t, d, "msg_1")
			clock.Advance(tt.after)
			if got := seen(t, d, "msg_1"); got != tt.wantHit {
				t.Errorf("got seen %v, want %v", got, tt.wantHit)
			}
			if !tt.wantHit && d.Len() != 0 {
				t.Errorf("got %d ids held after expiry, want 0", d.Len())
			}
		})
	}
}

func TestMemoryDeduplicatorBounded(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: testNow()}
	d := &webhook.MemoryDeduplicator{MaxEntries: 3, Now: clock.Now}
	for i := range 10 {
		remember(t, d, fmt.Sprintf("msg_%d", i))
		clock.Advance(time.Second)
		if d.Len() > 3 {
			t.Fatalf("got %d ids held, want at most 3", d.Len())
		}
	}
	for i := range 10 {
		want := i >= 7
		if got := seen(t, d, fmt.Sprintf("msg_%d", i)); got != want {
			t.Errorf("msg_%d: got seen %v, want %v", i, got, want)
		}
	}
	// Remembering a held id changes nothing.
	remember(t, d, "msg_9")
	if got := d.Len(); got != 3 {
		t.Errorf("got %d ids held, want 3", got)
	}
}

func TestMemoryDeduplicatorLongRun(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: testNow()}
	d := &webhook.MemoryDeduplicator{TTL: time.Minute, MaxEntries: 1000, Now: clock.Now}
	for i := range 100_000 {
		remember(t, d, fmt.Sprintf("msg_%d", i))
		clock.Advance(100 * time.Millisecond) // 600 ids live per TTL
	}
	if got := d.Len(); got != 600 {
		t.Errorf("got %d ids held, want 600", got)
	}
}

func TestMemoryDeduplicatorConcurrent(t *testing.T) {
	t.Parallel()
	d := &webhook.MemoryDeduplicator{MaxEntries: 50}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				id := fmt.Sprintf("msg_%d_%d", g, i%60)
				if _, err := d.Seen(context.Background(), id); err != nil {
					t.Error(err)
				}
				if err := d.Remember(context.Background(), id); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if got := d.Len(); got > 50 {
		t.Errorf("got %d ids held, want at most 50", got)
	}
}
