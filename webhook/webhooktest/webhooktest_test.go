package webhooktest_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/webhooktest"
)

const (
	secret      = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	otherSecret = "whsec_c2Vjb25kIHNlY3JldCBmb3IgdGVzdGluZyE="
)

func TestMessageBody(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC)
	tests := []struct {
		name string
		msg  webhooktest.Message
		want string
	}{
		{
			"all set",
			webhooktest.Message{ID: "msg_1", Timestamp: at, Data: webhook.CheckinCompleted{Attendee: webhook.Attendee{RegistrationID: "reg_1"}, Method: completeevent.CheckInQR, CheckedInAt: at}},
			`{"id":"msg_1","event":"checkin.completed","timestamp":"2026-04-15T14:32:00Z","data":{"registrationId":"reg_1","eventId":"","email":"","firstName":"","lastName":"","tierId":"","tierName":"","virtual":false,"method":"qr","checkedInAt":"2026-04-15T14:32:00Z"}}`,
		},
		{
			"default data",
			webhooktest.Message{ID: "msg_1", Timestamp: at},
			`{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{"endpointId":"whe_test"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := string(tt.msg.Body()); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestMessageBodyDefaults(t *testing.T) {
	t.Parallel()
	before := time.Now().Truncate(time.Second)
	ev, err := webhook.Decode(webhooktest.Message{}.Body())
	if err != nil {
		t.Fatalf("Decode: got error %v, want nil", err)
	}
	if !completeevent.ValidID(completeevent.PrefixWebhookMessage, ev.ID) {
		t.Errorf("got id %q, want a new msg_ id", ev.ID)
	}
	if ev.Timestamp.Before(before) || ev.Timestamp.After(time.Now()) {
		t.Errorf("got timestamp %v, want about now", ev.Timestamp)
	}
	if ev.Type != webhook.EventTypePing {
		t.Errorf("got type %q, want ping", ev.Type)
	}
}

func TestNewRequestVerifies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		secret       string
		wantStandard bool
	}{
		{"whsec secret", secret, true},
		{"plain secret", "a plain shared secret", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			body := webhooktest.Message{ID: "msg_1"}.Body()
			r := webhooktest.NewRequest("/webhook", tt.secret, body)
			ev, err := webhook.NewVerifier(tt.secret).VerifyRequest(r)
			if err != nil {
				t.Fatalf("VerifyRequest: got error %v, want nil", err)
			}
			if ev.ID != "msg_1" {
				t.Errorf("got id %q, want msg_1", ev.ID)
			}
			if got := r.Header.Get(webhook.HeaderWebhookSignature) != ""; got != tt.wantStandard {
				t.Errorf("got webhook-signature present %v, want %v", got, tt.wantStandard)
			}
			for _, name := range []string{"Content-Type", "User-Agent", webhook.HeaderEvent, webhook.HeaderID} {
				if r.Header.Get(name) == "" {
					t.Errorf("got no %s header, want one", name)
				}
			}
		})
	}
}

func TestHeaderRotation(t *testing.T) {
	t.Parallel()
	body := webhooktest.Message{}.Body()
	h := webhooktest.Header(secret, body, otherSecret)
	if got := len(strings.Fields(h.Get(webhook.HeaderWebhookSignature))); got != 2 {
		t.Errorf("got %d webhook-signature entries, want 2", got)
	}
	if got, want := h.Get(webhook.HeaderSignature), webhook.NewSigner(secret).Sign(body); got != want {
		t.Errorf("got signature %s, want the current secret's %s", got, want)
	}
}

// post sends body with header h to url and returns the status.
func post(t *testing.T, c *http.Client, url string, h http.Header, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestReceiver(t *testing.T) {
	t.Parallel()
	body := webhooktest.Message{ID: "msg_r1"}.Body()
	good := webhooktest.Header(secret, body)
	tests := []struct {
		name       string
		opts       *webhooktest.ReceiverOptions
		header     func() http.Header
		body       []byte
		wantStatus int
		wantErr    error
	}{
		{"verified", nil, func() http.Header { return good.Clone() }, body, 200, nil},
		{"verified over TLS", &webhooktest.ReceiverOptions{TLS: true}, func() http.Header { return good.Clone() }, body, 200, nil},
		{"previous secret", &webhooktest.ReceiverOptions{Previous: []string{otherSecret}}, func() http.Header { return webhooktest.Header(otherSecret, body) }, body, 200, nil},
		{"application status", &webhooktest.ReceiverOptions{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := webhook.EventFromContext(r.Context()); !ok {
				t.Error("EventFromContext: got no event, want one")
			}
			w.WriteHeader(http.StatusGone)
		})}, func() http.Header { return good.Clone() }, body, 410, nil},
		{"tampered body", nil, func() http.Header { return good.Clone() }, bytes.Replace(body, []byte("whe_test"), []byte("whe_evil"), 1), 401, webhook.ErrSignatureMismatch},
		{"stale", &webhooktest.ReceiverOptions{Now: func() time.Time { return time.Now().Add(time.Hour) }}, func() http.Header { return good.Clone() }, body, 401, webhook.ErrTimestampOutsideTolerance},
		{"no signature", nil, func() http.Header {
			h := good.Clone()
			h.Del(webhook.HeaderSignature)
			return h
		}, body, 401, webhook.ErrMissingSignature},
		{"no User-Agent", nil, func() http.Header {
			h := good.Clone()
			h.Set("User-Agent", "Go-http-client/1.1")
			return h
		}, body, 400, webhooktest.ErrWireFormat},
		{"no webhook-signature", nil, func() http.Header {
			h := good.Clone()
			h.Del(webhook.HeaderWebhookSignature)
			return h
		}, body, 400, webhooktest.ErrWireFormat},
		{"wrong webhook-timestamp", nil, func() http.Header {
			h := good.Clone()
			h.Set(webhook.HeaderWebhookTimestamp, "1")
			return h
		}, body, 400, webhooktest.ErrWireFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rc := webhooktest.NewReceiver(secret, tt.opts)
			defer rc.Close()
			if got := post(t, rc.Client(), rc.URL()+"/hook", tt.header(), tt.body); got != tt.wantStatus {
				t.Errorf("got status %d, want %d", got, tt.wantStatus)
			}
			ds := rc.Deliveries()
			if len(ds) != 1 {
				t.Fatalf("got %d deliveries, want 1", len(ds))
			}
			d := ds[0]
			if d.Status != tt.wantStatus {
				t.Errorf("Delivery.Status: got %d, want %d", d.Status, tt.wantStatus)
			}
			if !bytes.Equal(d.Body, tt.body) {
				t.Errorf("Delivery.Body: got %q, want %q", d.Body, tt.body)
			}
			if tt.wantErr == nil {
				if d.Err != nil {
					t.Fatalf("Delivery.Err: got %v, want nil", d.Err)
				}
				if diff := cmp.Diff("msg_r1", d.Event.ID); diff != "" {
					t.Errorf("Delivery.Event.ID mismatch (-want +got):\n%s", diff)
				}
				return
			}
			if !errors.Is(d.Err, tt.wantErr) {
				t.Errorf("Delivery.Err: got %v, want one matching %v", d.Err, tt.wantErr)
			}
		})
	}
}

func TestReceiverWait(t *testing.T) {
	t.Parallel()
	rc := webhooktest.NewReceiver(secret, nil)
	defer rc.Close()
	const n = 10
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			body := webhooktest.Message{}.Body()
			if got := post(t, rc.Client(), rc.URL(), webhooktest.Header(secret, body), body); got != 200 {
				t.Errorf("got status %d, want 200", got)
			}
		})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ds, err := rc.Wait(ctx, n)
	if err != nil {
		t.Fatalf("Wait: got error %v, want nil", err)
	}
	if len(ds) != n {
		t.Errorf("got %d deliveries, want %d", len(ds), n)
	}
	wg.Wait()

	short, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	ds, err = rc.Wait(short, n+1)
	if !errors.Is(err, context.DeadlineExceeded) || len(ds) != n {
		t.Errorf("Wait for more: got %d deliveries and error %v, want %d and DeadlineExceeded", len(ds), err, n)
	}
}
