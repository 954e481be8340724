package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing"
)

func TestListEventsPaging(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	var want []string
	for day := 1; day <= 5; day++ {
		body := fmt.Sprintf(`{"title":"Day %d","timeZone":"UTC","startsAt":"2026-06-%02dT10:00:00Z","endsAt":"2026-06-%02dT11:00:00Z"}`, day, day, day)
		want = append(want, mustDo[*ce.Event](t, api, http.StatusCreated, "POST", "/v1/events", api.keyA, body).ID)
	}
	mustDo[*ce.Event](t, api, http.StatusOK, "POST", "/v1/events/"+want[2]+"/publish", api.keyA, "")

	var got []string
	pages := 0
	for next := ""; ; {
		page := mustDo[eventList](t, api, http.StatusOK, "GET", "/v1/events?limit=2&after="+url.QueryEscape(next), api.keyA, "")
		pages++
		for _, e := range page.Events {
			got = append(got, e.ID)
		}
		if page.Next == "" {
			break
		}
		next = page.Next
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ids over all pages mismatch (-want +got):\n%s", diff)
	}
	if pages != 3 {
		t.Errorf("got %d pages, want 3", pages)
	}

	published := mustDo[eventList](t, api, http.StatusOK, "GET", "/v1/events?status=published", api.keyA, "")
	if len(published.Events) != 1 || published.Events[0].ID != want[2] {
		t.Errorf("got published events %+v, want only %s", published.Events, want[2])
	}
	last := mustDo[eventList](t, api, http.StatusOK, "GET", "/v1/events?limit=5", api.keyA, "")
	if len(last.Events) != 5 || last.Next != "" {
		t.Errorf("got %d events and next %q, want 5 and no next page", len(last.Events), last.Next)
	}
}

func TestConflicts(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	event := api.createEvent(t, api.keyA)
	tier := api.createTier(t, api.keyA, event.ID)
	mustDo[*ce.Event](t, api, http.StatusOK, "PATCH", "/v1/events/"+event.ID, api.keyA, `{"title":"New","version":1}`)

	wantError(t, api.do(t, "PATCH", "/v1/events/"+event.ID, api.keyA, `{"title":"Newer","version":1}`), http.StatusConflict, codeConflict, "")
	wantError(t, api.do(t, "POST", "/v1/events/"+event.ID+"/tiers", api.keyA, validTier), http.StatusConflict, codeConflict, "")
	wantError(t, api.do(t, "PATCH", "/v1/tiers/"+tier.ID, api.keyA, `{"capacity":3,"version":5}`), http.StatusConflict, codeConflict, "")
	// The tier's sales may not outlast the event.
	mustDo[*ce.Tier](t, api, http.StatusOK, "PATCH", "/v1/tiers/"+tier.ID, api.keyA, `{"salesEndAt":"2026-05-20T22:00:00+02:00"}`)
	wantError(t, api.do(t, "PATCH", "/v1/events/"+event.ID, api.keyA, `{"endsAt":"2026-05-20T21:00:00+02:00"}`), http.StatusConflict, codeConflict, "")
}

func TestNoRoute(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	tests := []struct {
		method, path string
		status       int
		code         string
		allow        string
	}{
		{"GET", "/", http.StatusNotFound, codeNotFound, ""},
		{"GET", "/v1/nothing", http.StatusNotFound, codeNotFound, ""},
		{"DELETE", "/v1/events", http.StatusMethodNotAllowed, codeMethodNotAllowed, "GET, HEAD, POST"},
		{"PUT", "/v1/tiers/tier_x", http.StatusMethodNotAllowed, codeMethodNotAllowed, "DELETE, GET, HEAD, PATCH"},
		{"POST", "/healthz", http.StatusMethodNotAllowed, codeMethodNotAllowed, "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			t.Parallel()
			rec := api.do(t, tt.method, tt.path, api.keyA, "")
			wantError(t, rec, tt.status, tt.code, "")
			if got := rec.Header().Get("Allow"); got != tt.allow {
				t.Errorf("got Allow %q, want %q", got, tt.allow)
			}
		})
	}
}

func TestHealthz(t *testing.T) {
	t.Parallel()
	store := memstore.New()
	api := newTestAPIOn(t, store)
	if got := mustDo[health](t, api, http.StatusOK, "GET", "/healthz", "", ""); got.Status != "ok" {
		t.Errorf("got status %q, want ok", got.Status)
	}
	store.Close()
	if got := mustDo[health](t, api, http.StatusServiceUnavailable, "GET", "/healthz", "", ""); got.Status != "unavailable" {
		t.Errorf("got status %q, want unavailable", got.Status)
	}
	if !strings.Contains(api.logs.String(), "health check failed") {
		t.Errorf("got log %q, want the failed health check", api.logs)
	}
}

// TestInternalErrorHidden checks that a failure of no known kind answers
// 500 without its details, and logs them.
func TestInternalErrorHidden(t *testing.T) {
	t.Parallel()
	store := memstore.New()
	api := newTestAPIOn(t, store)
	store.Close()

	rec := api.do(t, "GET", "/v1/events", api.keyA, "")
	got := wantError(t, rec, http.StatusInternalServerError, codeInternal, "")
	if got.Message != "internal error" || strings.Contains(rec.Body.String(), "memstore") {
		t.Errorf("got body %s, want no details", rec.Body)
	}
	if !strings.Contains(api.logs.String(), "store is closed") {
		t.Errorf("got log %q, want the error's details", api.logs)
	}
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	api.do(t, "GET", "/v1/events?limit=1", api.keyA, "")
	api.do(t, "GET", "/v1/events", "", "")

	logs := api.logs.String()
	for _, want := range []string{
		"msg=request method=GET path=/v1/events status=200 duration=",
		"msg=request method=GET path=/v1/events status=401 duration=",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("got log %q, want a record containing %q", logs, want)
		}
	}
	if strings.Contains(logs, api.keyA) {
		t.Error("the log holds an API key")
	}
}

func TestEnsureDemoOrganization(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memstore.New()
	svc := ticketing.New(store, nil)

	var out strings.Builder
	for range 2 {
		if err := ensureDemoOrganization(ctx, store, svc, &out); err != nil {
			t.Fatalf("ensureDemoOrganization: got error %v, want nil", err)
		}
	}
	tokens := apiKeyPattern.FindAllString(out.String(), -1)
	if len(tokens) == 0 {
		t.Fatalf("got output %q, want an API key", out.String())
	}
	if strings.Count(out.String(), "Created the demo organization") != 1 {
		t.Errorf("got output %q, want the demo organization created once", out.String())
	}
	key, err := svc.Authenticate(ctx, tokens[0])
	if err != nil {
		t.Fatalf("Authenticate with the printed key: got error %v, want nil", err)
	}
	if key.Hash == tokens[0] {
		t.Error("got the token stored as is, want its hash")
	}
	if n, err := store.Organizations().Count(ctx); err != nil || n != 1 {
		t.Errorf("got %d organizations (error %v), want 1", n, err)
	}
}
