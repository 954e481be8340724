package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
	"github.com/completeevent/completeevent-go/webhook/webhooktest"
)

// validEndpoint is a valid body of POST /v1/webhook-endpoints: every
// event type, to a URL the production rules accept.
const validEndpoint = `{"url":"https://crm.example.com/hooks","eventTypes":["registration.confirmed","registration.cancelled","checkin.completed","auction.item.paid"],"description":"CRM"}`

// createEndpointWithDelivery creates an endpoint of validEndpoint with the
// key, publishes a check-in to it and returns the endpoint, with its
// secret, and the delivery.
func (a *testAPI) createEndpointWithDelivery(t *testing.T, key string) (endpointResponse, *ce.WebhookDelivery) {
	t.Helper()
	e := mustDo[endpointResponse](t, a, http.StatusCreated, "POST", "/v1/webhook-endpoints", key, validEndpoint)
	err := a.store.RunInTx(context.Background(), func(ctx context.Context, tx storage.Tx) error {
		return outbox.NewDispatcher(nil).Dispatch(ctx, e.OrganizationID, webhook.CheckinCompleted{Attendee: webhook.Attendee{RegistrationID: "reg_1", EventID: "evt_1"}})
	})
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	log := mustDo[deliveryList](t, a, http.StatusOK, "GET", "/v1/webhook-endpoints/"+e.ID+"/deliveries", key, "")
	if len(log.Deliveries) != 1 {
		t.Fatalf("got %d deliveries, want 1", len(log.Deliveries))
	}
	return e, log.Deliveries[0]
}

func TestWebhookEndpointBadInput(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e := mustDo[endpointResponse](t, api, http.StatusCreated, "POST", "/v1/webhook-endpoints", api.keyA, validEndpoint)
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		code   string
		field  string
	}{
		{"http URL", "POST", "", `{"url":"http://crm.example.com/hooks","eventTypes":["checkin.completed"]}`, codeInvalid, "url"},
		{"loopback", "POST", "", `{"url":"https://127.0.0.1/hooks","eventTypes":["checkin.completed"]}`, codeInvalid, "url"},
		{"private address", "POST", "", `{"url":"https://10.0.0.1/hooks","eventTypes":["checkin.completed"]}`, codeInvalid, "url"},
		{"cloud metadata", "POST", "", `{"url":"https://169.254.169.254/latest","eventTypes":["checkin.completed"]}`, codeInvalid, "url"},
		{"IPv6 loopback", "POST", "", `{"url":"https://[::1]/hooks","eventTypes":["checkin.completed"]}`, codeInvalid, "url"},
		{"missing URL", "POST", "", `{"eventTypes":["checkin.completed"]}`, codeInvalid, "url"},
		{"unknown event type", "POST", "", `{"url":"https://crm.example.com/","eventTypes":["checkin.exploded"]}`, codeInvalid, "eventTypes"},
		{"empty event list", "POST", "", `{"url":"https://crm.example.com/","eventTypes":[]}`, codeInvalid, "eventTypes"},
		{"no event list", "POST", "", `{"url":"https://crm.example.com/"}`, codeInvalid, "eventTypes"},
		{"event types not a list", "POST", "", `{"url":"https://crm.example.com/","eventTypes":"checkin.completed"}`, codeInvalid, "eventTypes"},
		{"timeout too long", "POST", "", `{"url":"https://crm.example.com/","eventTypes":["checkin.completed"],"timeoutMs":9223372036854775807}`, codeInvalid, "timeoutMs"},
		{"enabled on create", "POST", "", `{"url":"https://crm.example.com/","eventTypes":["checkin.completed"],"enabled":false}`, codeUnknownField, "enabled"},
		{"secret in the body", "POST", "", `{"url":"https://crm.example.com/","eventTypes":["checkin.completed"],"secret":"whsec_mine"}`, codeUnknownField, "secret"},
		{"http URL in a patch", "PATCH", "/{id}", `{"url":"http://crm.example.com/hooks"}`, codeInvalid, "url"},
		{"metadata URL in a patch", "PATCH", "/{id}", `{"url":"https://169.254.169.254/"}`, codeInvalid, "url"},
		{"empty event list in a patch", "PATCH", "/{id}", `{"eventTypes":[]}`, codeInvalid, "eventTypes"},
		{"bad cursor", "GET", "/{id}/deliveries?after=dlv_nope", "", codeInvalid, "after"},
		{"bad limit", "GET", "/{id}/deliveries?limit=0", "", codeInvalid, "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := "/v1/webhook-endpoints" + strings.ReplaceAll(tt.path, "{id}", e.ID)
			wantError(t, api.do(t, tt.method, path, api.keyA, tt.body), http.StatusBadRequest, tt.code, tt.field)
		})
	}
}

// TestWebhookEndpointTimeoutOutOfRange checks that a timeoutMs outside
// 0..outbox.MaxEndpointTimeout is refused, including values whose
// conversion to a duration would overflow.
func TestWebhookEndpointTimeoutOutOfRange(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	e := mustDo[endpointResponse](t, api, http.StatusCreated, "POST", "/v1/webhook-endpoints", api.keyA, validEndpoint)
	tests := []struct {
		name string
		ms   int64
	}{
		{"minus one", -1},
		{"negative, overflowing to 10 s", -288230376151701744},
		{"MinInt64", math.MinInt64},
		{"MaxInt64", math.MaxInt64},
		{"just above the maximum", outbox.MaxEndpointTimeout.Milliseconds() + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			create := fmt.Sprintf(`{"url":"https://crm.example.com/","eventTypes":["checkin.completed"],"timeoutMs":%d}`, tt.ms)
			wantError(t, api.do(t, "POST", "/v1/webhook-endpoints", api.keyA, create), http.StatusBadRequest, codeInvalid, "timeoutMs")
			patch := fmt.Sprintf(`{"timeoutMs":%d}`, tt.ms)
			wantError(t, api.do(t, "PATCH", "/v1/webhook-endpoints/"+e.ID, api.keyA, patch), http.StatusBadRequest, codeInvalid, "timeoutMs")
		})
	}
}

func TestWebhookEndpointAPI(t *testing.T) {
	t.Parallel()
	api := newTestAPI(t)
	rec := api.do(t, "POST", "/v1/webhook-endpoints", api.keyA, validEndpoint)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: got %d %s", rec.Code, rec.Body)
	}
	var created endpointResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(created.Secret, webhook.SecretPrefix) || rec.Header().Get("Location") != "/v1/webhook-endpoints/"+created.ID {
		t.Errorf("create: got secret %q and Location %q, want a whsec_ secret and the endpoint's path", created.Secret, rec.Header().Get("Location"))
	}
	// The secret is never shown again.
	for _, path := range []string{"/v1/webhook-endpoints/" + created.ID, "/v1/webhook-endpoints"} {
		rec := api.do(t, "GET", path, api.keyA, "")
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), created.Secret) || strings.Contains(rec.Body.String(), `"secret"`) {
			t.Errorf("GET %s: got %d %s, want no secret", path, rec.Code, rec.Body)
		}
	}
	patched := mustDo[endpointResponse](t, api, http.StatusOK, "PATCH", "/v1/webhook-endpoints/"+created.ID, api.keyA,
		`{"eventTypes":["checkin.completed"],"enabled":false,"timeoutMs":2500,"version":1}`)
	if patched.Enabled || patched.TimeoutMs != 2500 || patched.Version != 2 || len(patched.EventTypes) != 1 || patched.Description != "CRM" || patched.Secret != "" {
		t.Errorf("patch: got %+v", patched)
	}
	wantError(t, api.do(t, "PATCH", "/v1/webhook-endpoints/"+created.ID, api.keyA, `{"enabled":true,"version":1}`), http.StatusConflict, codeConflict, "")
	rotated := mustDo[endpointResponse](t, api, http.StatusOK, "POST", "/v1/webhook-endpoints/"+created.ID+"/rotate-secret", api.keyA, "")
	if rotated.Secret == "" || rotated.Secret == created.Secret || rotated.PreviousSecretExpiresAt.IsZero() {
		t.Errorf("rotate: got %+v, want a new secret and the end of the overlap", rotated)
	}
	list := mustDo[endpointList](t, api, http.StatusOK, "GET", "/v1/webhook-endpoints", api.keyA, "")
	if len(list.Endpoints) != 1 || list.Endpoints[0].ID != created.ID {
		t.Errorf("list: got %+v", list)
	}
	if rec := api.do(t, "DELETE", "/v1/webhook-endpoints/"+created.ID, api.keyA, ""); rec.Code != http.StatusNoContent {
		t.Errorf("delete: got %d, want 204", rec.Code)
	}
	wantError(t, api.do(t, "GET", "/v1/webhook-endpoints/"+created.ID, api.keyA, ""), http.StatusNotFound, codeNotFound, "")

	// The log and resend.
	e, d := api.createEndpointWithDelivery(t, api.keyA)
	got := mustDo[*ce.WebhookDelivery](t, api, http.StatusOK, "GET", "/v1/webhook-deliveries/"+d.ID, api.keyA, "")
	if got.ID != d.ID || got.EndpointID != e.ID || got.EventType != ce.EventTypeCheckinCompleted {
		t.Errorf("get delivery: got %+v", got)
	}
	resent := mustDo[*ce.WebhookDelivery](t, api, http.StatusAccepted, "POST", "/v1/webhook-deliveries/"+d.ID+"/resend", api.keyA, "")
	if resent.MessageID != d.MessageID || resent.Status != ce.DeliveryPending {
		t.Errorf("resend: got %+v, want pending with message %s", resent, d.MessageID)
	}
	page := mustDo[deliveryList](t, api, http.StatusOK, "GET", "/v1/webhook-endpoints/"+e.ID+"/deliveries?limit=1", api.keyA, "")
	if len(page.Deliveries) != 1 || page.Next != "" {
		t.Errorf("log: got %+v, want one delivery and no next page", page)
	}
}

func TestParseDevWebhooks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  string
		want bool
	}{
		{"off by default", nil, "", false},
		{"flag", []string{"-dev-webhooks"}, "", true},
		{"environment", nil, "1", true},
		{"flag over environment", []string{"-dev-webhooks=false"}, "1", false},
	}
	for _, tt := range tests {
		cfg, err := parseConfig(tt.args, io.Discard, func(k string) string {
			if k == "DEV_WEBHOOKS" {
				return tt.env
			}
			return ""
		})
		if err != nil || cfg.devWebhooks != tt.want {
			t.Errorf("%s: got %v, %v; want devWebhooks %v", tt.name, cfg.devWebhooks, err, tt.want)
		}
	}
	if _, err := parseConfig(nil, io.Discard, func(k string) string { return map[string]string{"DEV_WEBHOOKS": "yes please"}[k] }); err == nil {
		t.Error("DEV_WEBHOOKS=yes please: got no error")
	}
}

// TestDevWebhooksEndToEnd does what the "done when" asks, through
// the running server: with -dev-webhooks, add an endpoint pointing at a
// local receiver, send a test and see it verified and logged, then resend
// it through the worker.
func TestDevWebhooksEndToEnd(t *testing.T) {
	t.Parallel()
	r := startRun(t, "-db", "memory", "-dev-webhooks")
	out := r.stdout.String()
	if !strings.Contains(out, "WARNING: -dev-webhooks is on.") || !strings.Contains(r.logs.String(), "development webhooks") {
		t.Errorf("got output %q and logs %q, want the loud warning in both", out, r.logs)
	}
	token := apiKeyPattern.FindString(out)

	var e endpointResponse
	if status := r.call(t, "POST", "/v1/webhook-endpoints", token, `{"url":"http://127.0.0.1:9/","eventTypes":["checkin.completed"]}`, &e); status != http.StatusCreated {
		t.Fatalf("create endpoint with a loopback http URL: got %d, want 201", status)
	}
	rc := webhooktest.NewReceiver(e.Secret, nil)
	t.Cleanup(rc.Close)
	if status := r.call(t, "PATCH", "/v1/webhook-endpoints/"+e.ID, token, `{"url":"`+rc.URL()+`/hooks"}`, nil); status != http.StatusOK {
		t.Fatalf("patch the URL: got %d", status)
	}
	var a ce.WebhookAttempt
	if status := r.call(t, "POST", "/v1/webhook-endpoints/"+e.ID+"/test", token, "", &a); status != http.StatusOK || a.StatusCode != http.StatusOK || a.ErrorClass != "" {
		t.Fatalf("send test: got %d %+v, want a 200 attempt", status, a)
	}
	got := rc.Deliveries()
	if len(got) != 1 || got[0].Err != nil || got[0].Event.Type != webhook.EventTypePing {
		t.Fatalf("receiver: got %+v, want one verified ping", got)
	}
	var log deliveryList
	r.call(t, "GET", "/v1/webhook-endpoints/"+e.ID+"/deliveries", token, "", &log)
	if len(log.Deliveries) != 1 || len(log.Deliveries[0].Attempts) != 1 || log.Deliveries[0].Status != ce.DeliverySucceeded {
		t.Fatalf("log: got %+v, want the ping with its attempt", log)
	}
	if status := r.call(t, "POST", "/v1/webhook-deliveries/"+log.Deliveries[0].ID+"/resend", token, "", nil); status != http.StatusAccepted {
		t.Fatalf("resend: got %d, want 202", status)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	again, err := rc.Wait(ctx, 2)
	if err != nil {
		t.Fatalf("the worker did not resend: %v", err)
	}
	if again[1].Err != nil || again[1].Event.ID != got[0].Event.ID {
		t.Errorf("resent: got %+v, want the ping again with message id %s", again[1], got[0].Event.ID)
	}
	r.stop(t)
}
