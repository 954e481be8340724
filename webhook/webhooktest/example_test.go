package webhooktest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/webhooktest"
)

// A receiver tests its own handler with correctly signed deliveries.
func ExampleNewRequest() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	handler := webhook.Middleware(webhook.NewVerifier(secret), nil)(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ev, _ := webhook.EventFromContext(r.Context())
			var d webhook.RegistrationConfirmed
			if err := ev.DecodeData(&d); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			fmt.Println("welcome", d.FirstName)
		}))

	body := webhooktest.Message{Data: webhook.RegistrationConfirmed{Attendee: webhook.Attendee{FirstName: "Alex"}}}.Body()
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, webhooktest.NewRequest("/webhooks", secret, body))
	fmt.Println(rec.Code)

	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, webhooktest.NewRequest("/webhooks", "whsec_c2Vjb25kIHNlY3JldCBmb3IgdGVzdGluZyE=", body))
	fmt.Println(rec.Code)
	// Output:
	// welcome Alex
	// 200
	// 401
}

// The sending side delivers to a Receiver, which verifies and records.
func ExampleReceiver() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	rc := webhooktest.NewReceiver(secret, nil)
	defer rc.Close()

	// What a sender does:
	body := webhooktest.Message{ID: "msg_1", Timestamp: time.Now()}.Body()
	req, err := http.NewRequest(http.MethodPost, rc.URL()+"/webhooks", bytes.NewReader(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := webhook.SetHeaders(req.Header, body, webhook.NewSigner(secret)); err != nil {
		fmt.Println(err)
		return
	}
	resp, err := rc.Client().Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ds, err := rc.Wait(ctx, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ds[0].Status, ds[0].Err, ds[0].Event.ID, ds[0].Event.Type)
	// Output: 200 <nil> msg_1 ping
}

func ExampleMessage_Body() {
	body := webhooktest.Message{
		ID:        "msg_1",
		Timestamp: time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC),
		Data:      webhook.Ping{EndpointID: "whe_1"},
	}.Body()
	fmt.Println(string(body))
	// Output:
	// {"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{"endpointId":"whe_1"}}
}

func ExampleHeader() {
	body := webhooktest.Message{ID: "msg_1", Timestamp: time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC)}.Body()
	h := webhooktest.Header("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", body)
	fmt.Println(h.Get(webhook.HeaderEvent), h.Get(webhook.HeaderID), len(h.Get(webhook.HeaderSignature)), h.Get(webhook.HeaderWebhookTimestamp))
	// Output: ping msg_1 64 1776263520
}
