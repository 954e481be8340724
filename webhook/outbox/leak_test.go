package outbox_test

import (
	"testing"
	"time"

	"github.com/completeevent/completeevent-go/webhook/outbox"
)

// TestNoGoroutineLeak runs a worker on each adapter and stops it: once the
// stores, receivers and idle connections are closed, no goroutine of the
// test is left. It does not run in parallel, so that it counts only its
// own goroutines.
func TestNoGoroutineLeak(t *testing.T) {
	checkGoroutines(t)
	for _, a := range adapters() {
		t.Run(a.name, func(t *testing.T) {
			s := a.open(t, a.newDB(t))
			org := newOrg(t, s)
			_, rc := newEndpoint(t, s, org, nil)
			w := outbox.NewWorker(s, newSender(t, time.Second), &outbox.WorkerOptions{PollInterval: 10 * time.Millisecond})
			stop := startWorker(t, w)
			publish(t, s, outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify}), org, 10)
			waitFor(t, rc, 10, 5*time.Second)
			if err := stop(); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
}
