package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/recurrence"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
)

// testBaseURL is the base URL of the test servers.
const testBaseURL = "https://events.example.test"

// testAPI is a server on a memstore with two organizations, A and B.
type testAPI struct {
	handler http.Handler
	store   storage.Store
	logs    *syncBuffer
	keyA    string
	keyB    string
}

// newTestAPI returns a server on a fresh memstore with two organizations.
func newTestAPI(t testing.TB) *testAPI {
	t.Helper()
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	return newTestAPIOn(t, store)
}

// newTestAPIOn returns a server on store with two new organizations.
func newTestAPIOn(t testing.TB, store storage.Store) *testAPI {
	t.Helper()
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	// Webhooks are published to the outbox, where the delivery log shows
	// them; no worker sends them.
	svc := ticketing.New(store, &ticketing.Options{Logger: logger, Dispatcher: outbox.NewDispatcher(nil)})
	series := recurrence.New(store, &recurrence.Options{Logger: logger})
	// Production rules for endpoint URLs: no private addresses.
	sender := webhook.NewSender(nil)
	t.Cleanup(sender.CloseIdleConnections)
	hooks := outbox.NewService(store, sender, &outbox.Options{Logger: logger})
	api := &testAPI{handler: newServer(store, svc, series, hooks, logger, testBaseURL, serverOptions{}), logs: logs, store: store}
	for _, key := range []*string{&api.keyA, &api.keyB} {
		_, token, err := svc.CreateOrganization(context.Background(), "Org")
		if err != nil {
			t.Fatalf("CreateOrganization: got error %v, want nil", err)
		}
		*key = token
	}
	return api
}

// do sends a request with the API key token, if any, and a body, if not
// empty.
func (a *testAPI) do(t *testing.T, method, path, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := newRequest(method, path, body)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return serve(a, req)
}

// mustDo sends a request like do and decodes its JSON response into a T,
// failing the test unless the status is want.
func mustDo[T any](t *testing.T, a *testAPI, want int, method, path, token, body string) T {
	t.Helper()
	rec := a.do(t, method, path, token, body)
	if rec.Code != want {
		t.Fatalf("%s %s: got status %d, want %d; body %s", method, path, rec.Code, want, rec.Body)
	}
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("%s %s: decode %s: %v", method, path, rec.Body, err)
	}
	return v
}

// wantError fails the test unless rec is a JSON error response with the
// status, code and field.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code, field string) errorDetail {
	t.Helper()
	if rec.Code != status {
		t.Errorf("got status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("got Content-Type %q, want application/json", got)
	}
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("decode error body %s: %v", rec.Body, err)
	}
	if body.Error.Code != code || body.Error.Field != field {
		t.Errorf("got code %q field %q, want code %q field %q; message %q",
			body.Error.Code, body.Error.Field, code, field, body.Error.Message)
	}
	if body.Error.Message == "" {
		t.Error("got an empty error message, want one")
	}
	return body.Error
}

// validEvent is a valid body of POST /v1/events.
const validEvent = `{"title":"Spring meetup","timeZone":"Europe/Amsterdam",` +
	`"startsAt":"2026-05-20T19:00:00+02:00","endsAt":"2026-05-20T23:00:00+02:00"}`

// validTier is a valid body of POST /v1/events/{id}/tiers: a virtual tier.
const validTier = `{"name":"Online","price":{"amount":500,"currency":"EUR"},"joinUrl":"https://meet.example.com/spring"}`

// createEvent creates an event of validEvent with the key.
func (a *testAPI) createEvent(t *testing.T, key string) *ce.Event {
	t.Helper()
	return mustDo[*ce.Event](t, a, http.StatusCreated, "POST", "/v1/events", key, validEvent)
}

// createTier creates a tier of validTier on the event with the key.
func (a *testAPI) createTier(t *testing.T, key, eventID string) *ce.Tier {
	t.Helper()
	return mustDo[*ce.Tier](t, a, http.StatusCreated, "POST", "/v1/events/"+eventID+"/tiers", key, validTier)
}

// apiKeyPattern matches an API key token.
var apiKeyPattern = regexp.MustCompile(`ce_[0-9a-z]+`)

// syncBuffer is a bytes.Buffer safe for concurrent use.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newRequest returns a request with the body, if not empty.
func newRequest(method, path, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return httptest.NewRequest(method, path, r)
}

// serve runs req through the API's handler.
func serve(a *testAPI, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	return rec
}
