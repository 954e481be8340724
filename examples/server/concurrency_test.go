package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/pgtest"
)

// TestConcurrentRegistrations sends 50 registrations at once for a tier of
// 10 seats to the running server, over loopback HTTP, on each store:
// exactly 10 are created and 40 refused as sold out, never a 500 (a busy
// SQLite database would give one).
func TestConcurrentRegistrations(t *testing.T) {
	t.Parallel()
	const seats, registrants = 10, 50
	tests := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"memory", func(*testing.T) string { return "memory" }},
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "completeevent.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := startRun(t, "-db", tt.db(t))
			token := apiKeyPattern.FindString(r.stdout.String())
			var e ce.Event
			if status := r.call(t, "POST", "/v1/events", token, futureEvent("Popular"), &e); status != http.StatusCreated {
				t.Fatalf("create event: got %d", status)
			}
			var tier ce.Tier
			if status := r.call(t, "POST", "/v1/events/"+e.ID+"/tiers", token,
				fmt.Sprintf(`{"name":"Ten seats","price":{"amount":0,"currency":"EUR"},"capacity":%d}`, seats), &tier); status != http.StatusCreated {
				t.Fatalf("create tier: got %d", status)
			}
			if status := r.call(t, "POST", "/v1/events/"+e.ID+"/publish", token, "", nil); status != http.StatusOK {
				t.Fatalf("publish: got %d", status)
			}

			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: registrants}}
			defer client.CloseIdleConnections()
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				statuses = map[string]int{}
			)
			start := make(chan struct{})
			for i := range registrants {
				wg.Go(func() {
					<-start
					body := registrationBodyFor(tier.ID, fmt.Sprintf("guest%d@example.org", i))
					resp, err := client.Post(r.base+"/v1/public/events/"+e.ID+"/registrations", "application/json", strings.NewReader(body))
					if err != nil {
						t.Errorf("register: %v", err)
						return
					}
					defer resp.Body.Close()
					outcome := fmt.Sprint(resp.StatusCode)
					if resp.StatusCode != http.StatusCreated {
						var eb errorBody
						if err := json.NewDecoder(resp.Body).Decode(&eb); err != nil {
							t.Errorf("decode error body: %v", err)
						}
						outcome += " " + eb.Error.Code
					}
					mu.Lock()
					statuses[outcome]++
					mu.Unlock()
				})
			}
			close(start)
			wg.Wait()
			// A connection dialed but never used would hold up the
			// server's shutdown for 5 s.
			client.CloseIdleConnections()
			want := map[string]int{"201": seats, "409 " + codeSoldOut: registrants - seats}
			if fmt.Sprint(statuses) != fmt.Sprint(want) {
				t.Errorf("got outcomes %v, want %v; log %s", statuses, want, r.logs)
			}

			var sum summaryResponse
			if status := r.call(t, "GET", "/v1/events/"+e.ID+"/summary", token, "", &sum); status != http.StatusOK {
				t.Fatalf("summary: got %d", status)
			}
			if len(sum.Tiers) != 1 || sum.Tiers[0].Confirmed != seats || sum.Remaining == nil || *sum.Remaining != 0 {
				t.Errorf("summary: got %+v, want %d confirmed and none remaining", sum, seats)
			}
			r.stop(t)
		})
	}
}
