package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/completeevent/completeevent-go/webhook"
)

// exampleSecret is the secret of the examples; a real one comes from
// NewSecret and is shown once, in Organization Settings → Webhooks.
const exampleSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// exampleBody is a delivery body signed at exampleNow.
const exampleBody = `{"id":"msg_01jrv6m3c0a8yq7e9t4w2k5n1p","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{"endpointId":"whe_01jrv6m3c0a8yq7e9t4w2k5n1p"}}`

// exampleNow is the clock of the examples: when exampleBody was sent.
func exampleNow() time.Time { return time.Date(2026, 4, 15, 14, 32, 10, 0, time.UTC) }

// exampleRequest returns exampleBody as a receiver gets it.
func exampleRequest() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/webhooks/completeevent", strings.NewReader(exampleBody))
	h := http.Header{}
	if err := webhook.SetHeaders(h, []byte(exampleBody), webhook.NewSigner(exampleSecret)); err != nil {
		panic(err)
	}
	r.Header = h
	return r
}

func ExampleHMACSigner_Sign() {
	s := webhook.NewSigner(exampleSecret)
	fmt.Println(s.Sign([]byte(exampleBody)))
	// Output:
	// b45c4c9f8f0aee3b6477c936e449be2f26aa99ae7110c60bd6534350bde71f23
}

func ExampleHMACSigner_SignStandard() {
	s := webhook.NewSigner(exampleSecret)
	sig, err := s.SignStandard("msg_01jrv6m3c0a8yq7e9t4w2k5n1p", time.Unix(1776263520, 0), []byte(exampleBody))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sig)
	// Output:
	// v1,c/qdFWKk3opED+4JsNJJDrnHNA4oQ+trBG+PiLXRh/A=
}

func ExampleSetHeaders() {
	body, err := webhook.Encode(webhook.Event{
		ID:        "msg_01jrv6m3c0a8yq7e9t4w2k5n1p",
		Type:      webhook.EventTypePing,
		Timestamp: time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC),
		Data:      []byte(`{"endpointId":"whe_01jrv6m3c0a8yq7e9t4w2k5n1p"}`),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	h := http.Header{}
	if err := webhook.SetHeaders(h, body, webhook.NewSigner(exampleSecret)); err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range []string{"X-CompleteEvent-Event", "X-CompleteEvent-Id", "X-CompleteEvent-Signature", "webhook-id", "webhook-timestamp", "webhook-signature"} {
		fmt.Printf("%s: %s\n", name, h.Get(name))
	}
	// Output:
	// X-CompleteEvent-Event: ping
	// X-CompleteEvent-Id: msg_01jrv6m3c0a8yq7e9t4w2k5n1p
	// X-CompleteEvent-Signature: b45c4c9f8f0aee3b6477c936e449be2f26aa99ae7110c60bd6534350bde71f23
	// webhook-id: msg_01jrv6m3c0a8yq7e9t4w2k5n1p
	// webhook-timestamp: 1776263520
	// webhook-signature: v1,c/qdFWKk3opED+4JsNJJDrnHNA4oQ+trBG+PiLXRh/A=
}

func ExampleEncode() {
	body, err := webhook.Encode(webhook.Event{
		ID:        "msg_01jrv6m3c0a8yq7e9t4w2k5n1p",
		Type:      webhook.EventTypePing,
		Timestamp: time.Date(2026, 4, 15, 16, 32, 0, 0, time.FixedZone("CEST", 2*60*60)),
		Data:      []byte(`{ "endpointId": "whe_01jrv6m3c0a8yq7e9t4w2k5n1p" }`),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(body))
	// Output:
	// {"id":"msg_01jrv6m3c0a8yq7e9t4w2k5n1p","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{"endpointId":"whe_01jrv6m3c0a8yq7e9t4w2k5n1p"}}
}

func ExampleHMACVerifier_Verify() {
	v := webhook.NewVerifier(exampleSecret)
	v.Now = exampleNow // a fixed clock, for the example; leave nil in production

	sig := webhook.NewSigner(exampleSecret).Sign([]byte(exampleBody))
	fmt.Println(v.Verify([]byte(exampleBody), sig))
	fmt.Println(v.Verify([]byte(exampleBody), strings.ToUpper(sig)))

	tampered := strings.Replace(exampleBody, "whe_", "whx_", 1)
	err := v.Verify([]byte(tampered), sig)
	fmt.Println(errors.Is(err, webhook.ErrSignatureMismatch), err)

	v.Now = func() time.Time { return exampleNow().Add(time.Hour) }
	err = v.Verify([]byte(exampleBody), sig)
	fmt.Println(errors.Is(err, webhook.ErrTimestampOutsideTolerance))
	// Output:
	// <nil>
	// <nil>
	// true webhook: signature mismatch
	// true
}

func ExampleHMACVerifier_VerifyRequest() {
	v := webhook.NewVerifier(exampleSecret)
	v.Now = exampleNow

	handler := func(w http.ResponseWriter, r *http.Request) {
		ev, err := v.VerifyRequest(r)
		if err != nil {
			http.Error(w, err.Error(), webhook.StatusCode(err))
			return
		}
		fmt.Println(ev.Type, ev.ID, ev.Timestamp)
	}

	rec := httptest.NewRecorder()
	handler(rec, exampleRequest())
	fmt.Println(rec.Code)

	unsigned := exampleRequest()
	unsigned.Header.Del(webhook.HeaderSignature)
	rec = httptest.NewRecorder()
	handler(rec, unsigned)
	fmt.Print(rec.Code, " ", rec.Body)
	// Output:
	// ping msg_01jrv6m3c0a8yq7e9t4w2k5n1p 2026-04-15 14:32:00 +0000 UTC
	// 200
	// 401 webhook: missing signature
}

func ExampleMiddleware() {
	v := webhook.NewVerifier(exampleSecret)
	v.Now = exampleNow
	mw := webhook.Middleware(v, &webhook.MiddlewareOptions{
		Deduplicator: &webhook.MemoryDeduplicator{},
	})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev, _ := webhook.EventFromContext(r.Context())
		var ping webhook.Ping
		if err := ev.DecodeData(&ping); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		fmt.Println("app got", ev.Type, "for", ping.EndpointID)
	})
	h := mw(app)

	for _, r := range []*http.Request{exampleRequest(), exampleRequest()} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		fmt.Printf("%d %q\n", rec.Code, rec.Body)
	}
	// Output:
	// app got ping for whe_01jrv6m3c0a8yq7e9t4w2k5n1p
	// 200 ""
	// 200 "duplicate delivery, already processed\n"
}

func ExampleNewVerifier_rotation() {
	const oldSecret = "whsec_c2Vjb25kIHNlY3JldCBmb3IgdGVzdGluZyE="
	const newSecret = exampleSecret

	// While the rotation overlaps, accept both secrets.
	v := webhook.NewVerifier(newSecret, oldSecret)
	v.Now = exampleNow
	for _, secret := range []string{oldSecret, newSecret} {
		sig := webhook.NewSigner(secret).Sign([]byte(exampleBody))
		fmt.Println(v.Verify([]byte(exampleBody), sig))
	}

	// Once it ends, the old secret is refused.
	v = webhook.NewVerifier(newSecret)
	v.Now = exampleNow
	sig := webhook.NewSigner(oldSecret).Sign([]byte(exampleBody))
	fmt.Println(v.Verify([]byte(exampleBody), sig))
	// Output:
	// <nil>
	// <nil>
	// webhook: signature mismatch
}

func ExampleNewSecret() {
	secret := webhook.NewSecret() // random: show it once, store it
	fmt.Println(strings.HasPrefix(secret, "whsec_"), len(secret))
	// Output: true 38
}

func ExampleDecode() {
	// Decode only bytes that Verify accepted.
	ev, err := webhook.Decode([]byte(exampleBody))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.ID, ev.Type, ev.Timestamp.Format(time.RFC3339), string(ev.Data))
	// Output:
	// msg_01jrv6m3c0a8yq7e9t4w2k5n1p ping 2026-04-15T14:32:00Z {"endpointId":"whe_01jrv6m3c0a8yq7e9t4w2k5n1p"}
}

func ExampleEvent_DecodeData() {
	ev := webhook.Event{
		ID:   "msg_01jrv6m3c0a8yq7e9t4w2k5n1p",
		Type: webhook.EventTypeRegistrationConfirmed,
		Data: []byte(`{"registrationId":"reg_1","eventId":"evt_1","email":"attendee@example.com","firstName":"Alex","lastName":"Smith","tierId":"tier_1","tierName":"Online","virtual":true,"amount":2500,"currency":"EUR","confirmedAt":"2026-04-15T14:31:58Z"}`),
	}
	switch ev.Type {
	case webhook.EventTypeRegistrationConfirmed:
		var d webhook.RegistrationConfirmed
		if err := ev.DecodeData(&d); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %s <%s> registered for %q (virtual: %v), paid %d %s\n",
			d.FirstName, d.LastName, d.Email, d.TierName, d.Virtual, d.Amount, d.Currency)
	}
	// Output:
	// Alex Smith <attendee@example.com> registered for "Online" (virtual: true), paid 2500 EUR
}

func ExampleMemoryDeduplicator() {
	ctx := context.Background()
	d := &webhook.MemoryDeduplicator{TTL: time.Hour, MaxEntries: 10_000}
	seen, _ := d.Seen(ctx, "msg_1")
	fmt.Println(seen)
	_ = d.Remember(ctx, "msg_1")
	seen, _ = d.Seen(ctx, "msg_1")
	fmt.Println(seen)
	// Output:
	// false
	// true
}
