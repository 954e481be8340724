package webhook_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/completeevent/completeevent-go/webhook"
)

// kaBody is the body of the known-answer vectors.
const kaBody = `{"id":"msg_01jrv6m3c0a8yq7e9t4w2k5n1p","event":"registration.confirmed","timestamp":"2026-04-15T14:32:00Z","data":{"registrationId":"reg_01jrv6m3c0a8yq7e9t4w2k5n1p","eventId":"evt_01jrv6m3c0a8yq7e9t4w2k5n1p","email":"attendee@example.com","firstName":"Alex","lastName":"Smith"}}`

func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	// Computed once with OpenSSL 3.0:
	//
	//	printf '%s' "$kaBody" | openssl dgst -sha256 -hmac 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
	//	SHA2-256(stdin)= fc877a83c6ccd67203b8cbb588414cc75f10f7f8cb24f3ccc23b6725182a31bd
	const want = "fc877a83c6ccd67203b8cbb588414cc75f10f7f8cb24f3ccc23b6725182a31bd"
	s := webhook.NewSigner(testSecret)
	for range 3 { // again with pooled state
		if got := s.Sign([]byte(kaBody)); got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	}
	v := webhook.NewVerifier(testSecret)
	v.Now = testNow
	if err := v.Verify([]byte(kaBody), want); err != nil {
		t.Errorf("Verify: got error %v, want nil", err)
	}
}

func TestSignStandardKnownAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, id string
		ts       time.Time
		body     string
		want     string
	}{
		{
			// The example of the Standard Webhooks specification
			// (spec/standard-webhooks.md) and of its libraries' tests.
			"specification example", "msg_p5jXN8AQM9LWM0D4loKWxJek", time.Unix(1614265330, 0),
			`{"test": 2432232314}`, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
		},
		{
			// Computed once with OpenSSL 3.0:
			//
			//	key=$(printf '%s' MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw | base64 -d | xxd -p -c 100)
			//	printf '%s' "msg_01jrv6m3c0a8yq7e9t4w2k5n1p.1776263520.$kaBody" |
			//		openssl dgst -sha256 -mac HMAC -macopt hexkey:$key -binary | base64
			"our envelope", "msg_01jrv6m3c0a8yq7e9t4w2k5n1p", testNow(),
			kaBody, "v1,ZvIJ8LPdg3qrO7SC756pJNerXSC4oSk11UctQ8w2cFQ=",
		},
	}
	s := webhook.NewSigner(testSecret)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := s.SignStandard(tt.id, tt.ts, []byte(tt.body))
			if err != nil {
				t.Fatalf("got error %v, want nil", err)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestStandardWebhooksLibraryVerifies checks the Standard Webhooks headers
// that SetHeaders writes with the Go library of the Standard Webhooks
// project, for one secret and during a rotation.
func TestStandardWebhooksLibraryVerifies(t *testing.T) {
	t.Parallel()
	body, err := webhook.Encode(webhook.Event{ID: "msg_std1", Type: webhook.EventTypePing, Timestamp: time.Now(), Data: []byte(`{"endpointId":"whe_1"}`)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		signers []string
		check   []string
	}{
		{"one secret", []string{testSecret}, []string{testSecret}},
		{"rotation, new secret", []string{testSecret, otherSecret}, []string{testSecret}},
		{"rotation, old secret", []string{testSecret, otherSecret}, []string{otherSecret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var previous []*webhook.HMACSigner
			for _, s := range tt.signers[1:] {
				previous = append(previous, webhook.NewSigner(s))
			}
			h := http.Header{}
			if err := webhook.SetHeaders(h, body, webhook.NewSigner(tt.signers[0]), previous...); err != nil {
				t.Fatalf("SetHeaders: got error %v, want nil", err)
			}
			if got, want := len(strings.Fields(h.Get(webhook.HeaderWebhookSignature))), len(tt.signers); got != want {
				t.Errorf("got %d signature entries, want %d", got, want)
			}
			for _, secret := range tt.check {
				wh, err := standardwebhooks.NewWebhook(secret)
				if err != nil {
					t.Fatalf("NewWebhook: %v", err)
				}
				if err := wh.Verify(body, h); err != nil {
					t.Errorf("standardwebhooks Verify: got error %v, want nil", err)
				}
				if err := wh.Verify(append(body, ' '), h); err == nil {
					t.Error("standardwebhooks Verify of another body: got nil error, want one")
				}
			}
			wh, err := standardwebhooks.NewWebhook("whsec_" + base64.StdEncoding.EncodeToString([]byte("not the secret of this endpoint")))
			if err != nil {
				t.Fatal(err)
			}
			if err := wh.Verify(body, h); err == nil {
				t.Error("standardwebhooks Verify with another secret: got nil error, want one")
			}
		})
	}
}

func TestSetHeaders(t *testing.T) {
	t.Parallel()
	body := []byte(kaBody)
	h := http.Header{}
	if err := webhook.SetHeaders(h, body, webhook.NewSigner(testSecret)); err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	want := map[string]string{
		"Content-Type":              "application/json",
		"User-Agent":                "CompleteEvent-Webhooks/1.0",
		"X-CompleteEvent-Event":     "registration.confirmed",
		"X-CompleteEvent-Id":        "msg_01jrv6m3c0a8yq7e9t4w2k5n1p",
		"X-CompleteEvent-Signature": "fc877a83c6ccd67203b8cbb588414cc75f10f7f8cb24f3ccc23b6725182a31bd",
		"webhook-id":                "msg_01jrv6m3c0a8yq7e9t4w2k5n1p",
		"webhook-timestamp":         "1776263520",
		"webhook-signature":         "v1,ZvIJ8LPdg3qrO7SC756pJNerXSC4oSk11UctQ8w2cFQ=",
	}
	for name, value := range want {
		if got := h.Get(name); got != value {
			t.Errorf("%s: got %q, want %q", name, got, value)
		}
	}
	if got, want := len(h), len(want); got != want {
		t.Errorf("got %d headers, want %d: %v", got, want, h)
	}
	for name := range h {
		if want := http.CanonicalHeaderKey(name); name != want {
			t.Errorf("header name %q: got it stored as is, want %q, as Header.Set stores it", name, want)
		}
	}
	// The values share one array: adding to one header must not change
	// another.
	h.Add("Content-Type", "text/plain")
	if got, want := h.Get("User-Agent"), "CompleteEvent-Webhooks/1.0"; got != want {
		t.Errorf("User-Agent after adding a Content-Type: got %q, want %q", got, want)
	}
}

func TestSetHeadersErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		body     string
		previous string
		want     error
	}{
		{"not an envelope", `{"hello":"world"}`, "", webhook.ErrMalformedPayload},
		{"previous secret not base64", kaBody, "whsec_not base64!", webhook.ErrInvalidSecret},
		{"previous secret empty key", kaBody, "whsec_", webhook.ErrInvalidSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var previous []*webhook.HMACSigner
			if tt.previous != "" {
				previous = append(previous, webhook.NewSigner(tt.previous))
			}
			h := http.Header{}
			err := webhook.SetHeaders(h, []byte(tt.body), webhook.NewSigner(testSecret), previous...)
			checkErr(t, err, tt.want)
			if len(h) != 0 {
				t.Errorf("got headers %v after an error, want none", h)
			}
		})
	}
}

func TestSignStandardInvalidSecret(t *testing.T) {
	t.Parallel()
	s := webhook.NewSigner("plain-secret")
	if got, want := s.Sign([]byte("x")), sign("plain-secret", []byte("x")); got != want || len(got) != 64 {
		t.Errorf("Sign: got %q, want 64 hexadecimal digits", got)
	}
	_, err := s.SignStandard("msg_1", testNow(), []byte("x"))
	checkErr(t, err, webhook.ErrInvalidSecret)
}

func TestNewSignerPanicsOnEmptySecret(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("got no panic, want one")
		}
	}()
	webhook.NewSigner("")
}

func TestNewSecret(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		s := webhook.NewSecret()
		if seen[s] {
			t.Fatalf("got %q twice, want distinct secrets", s)
		}
		seen[s] = true
		rest, ok := strings.CutPrefix(s, "whsec_")
		if !ok || len(s) != 38 {
			t.Fatalf("got %q, want whsec_ and 32 characters", s)
		}
		key, err := base64.StdEncoding.DecodeString(rest)
		if err != nil || len(key) != 24 {
			t.Fatalf("got %q decoding to %d bytes (error %v), want 24 bytes", s, len(key), err)
		}
		if _, err := standardwebhooks.NewWebhook(s); err != nil {
			t.Fatalf("standardwebhooks.NewWebhook(%q): got error %v, want nil", s, err)
		}
	}
}
