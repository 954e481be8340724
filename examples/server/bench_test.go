package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/storage"
)

// benchClients is the number of clients that register at once in
// BenchmarkPublicRegistration: at least this many, a multiple of
// GOMAXPROCS (see testing.B.SetParallelism).
const benchClients = 8

// BenchmarkPublicRegistration registers over loopback HTTP through the
// public route, end to end: the server's handler, the ticketing service,
// the store, and the outbox, which fans the registration.confirmed webhook
// out to one subscribed endpoint (no worker sends it). It runs on each
// store, and beside them a baseline: the same round trip to a handler that
// only decodes the body and answers 201, so that the ratio shows what the
// service, the store and the outbox cost. It reports registrations/s; see
// TestRegistrationStatements for the SQL statements of one registration.
//
// Every registration is for one tier of one event, the worst case: SQLite
// runs one write transaction at a time, and on PostgreSQL each
// registration keeps the tier's and the event's seat counters locked until
// it commits, so that more clients add no throughput on either.
//
// PostgreSQL runs only if COMPLETEEVENT_TEST_POSTGRES_URL is set (see
// internal/pgtest).
func BenchmarkPublicRegistration(b *testing.B) {
	b.Run("adapter=baseline", func(b *testing.B) {
		// The servers of the stores log each request to a buffer too.
		logger := slog.New(slog.NewTextHandler(&syncBuffer{}, nil))
		benchRegistrations(b, logRequests(logger)(http.HandlerFunc(echoRegistration)), "/v1/public/events/evt_1/registrations", "tier_1")
	})
	for _, a := range testadapters.All() {
		b.Run("adapter="+a.Name, func(b *testing.B) {
			f := newRegistrationFixture(b, a.Open(b))
			benchRegistrations(b, f.api.handler, f.path, f.tierID)
		})
	}
}

// benchRegistrations posts b.N registrations for the tier to the path of
// the handler, served on loopback, from benchClients clients at once, each
// with an address of its own.
func benchRegistrations(b *testing.B, handler http.Handler, path, tierID string) {
	srv := httptest.NewServer(handler)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * benchClients}}
	defer client.CloseIdleConnections()
	url := srv.URL + path
	var n atomic.Int64
	b.SetParallelism((benchClients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			body := registrationBodyFor(tierID, fmt.Sprintf("guest%d@example.org", n.Add(1)))
			resp, err := client.Post(url, "application/json", strings.NewReader(body))
			if err != nil {
				b.Errorf("register: %v", err)
				return
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Errorf("register: got status %d, want %d; body %s", resp.StatusCode, http.StatusCreated, got)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
}

// echoRegistration is the baseline's handler: it decodes a registration
// body as the public route does and answers 201 with a registration of it,
// touching no store.
func echoRegistration(w http.ResponseWriter, r *http.Request) {
	var body registrationBody
	if err := decodeBody(w, r, &body, bodyRules{limit: maxPublicBodyBytes}); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	now := time.Now()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(publicRegistrationResponse{
		ID:        ce.NewID(ce.PrefixRegistration, now),
		EventID:   "evt_1",
		TierID:    body.TierID,
		Status:    ce.RegistrationConfirmed,
		Email:     body.Email,
		FirstName: body.FirstName,
		LastName:  body.LastName,
		GuideURL:  testBaseURL + "/guide/" + ce.NewToken(20),
		CreatedAt: now,
	})
}

// registrationFixture is a server with a published event open for
// registration in a free, uncapped tier, and a webhook endpoint of the
// organizer subscribed to registration.confirmed.
type registrationFixture struct {
	api    *testAPI
	path   string // of the event's public registration route
	tierID string
}

// newRegistrationFixture returns a registrationFixture on store.
func newRegistrationFixture(tb testing.TB, store storage.Store) *registrationFixture {
	tb.Helper()
	a := newTestAPIOn(tb, store)
	var e ce.Event
	setUp(tb, a, http.StatusCreated, "POST", "/v1/events", futureEvent("Benchmark"), &e)
	var tier ce.Tier
	setUp(tb, a, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/tiers", `{"name":"Free","price":{"amount":0,"currency":"EUR"}}`, &tier)
	setUp(tb, a, http.StatusOK, "POST", "/v1/events/"+e.ID+"/publish", "", nil)
	setUp(tb, a, http.StatusCreated, "POST", "/v1/webhook-endpoints", `{"url":"https://crm.example.com/hooks","eventTypes":["registration.confirmed"]}`, nil)
	return &registrationFixture{api: a, path: "/v1/public/events/" + e.ID + "/registrations", tierID: tier.ID}
}

// setUp sends a request with organization A's key and decodes the JSON
// response into out, if not nil, failing unless the status is want. Unlike
// mustDo, it serves benchmarks too.
func setUp(tb testing.TB, a *testAPI, want int, method, path, body string, out any) {
	tb.Helper()
	req := newRequest(method, path, body)
	req.Header.Set("Authorization", "Bearer "+a.keyA)
	rec := serve(a, req)
	if rec.Code != want {
		tb.Fatalf("%s %s: got status %d, want %d; body %s", method, path, rec.Code, want, rec.Body)
	}
	if out == nil {
		return
	}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		tb.Fatalf("%s %s: decode %s: %v", method, path, rec.Body, err)
	}
}
