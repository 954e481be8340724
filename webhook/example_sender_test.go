package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/completeevent/completeevent-go/webhook"
)

func ExampleSender_Send() {
	// A receiver on this machine that verifies what it gets.
	v := webhook.NewVerifier(exampleSecret)
	v.Now = exampleNow // a fixed clock, for the example; leave nil in production
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := v.VerifyRequest(r); err != nil {
			http.Error(w, err.Error(), webhook.StatusCode(err))
			return
		}
		if r.URL.Path == "/gone" {
			http.Error(w, "this endpoint was removed", http.StatusGone)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()

	// Development mode, to reach a loopback receiver over plain http.
	dev := webhook.NewSender(&webhook.SenderOptions{AllowPrivateNetworks: true})
	defer dev.CloseIdleConnections()
	d := webhook.Delivery{
		URL:    receiver.URL + "/webhooks",
		Body:   []byte(exampleBody), // from webhook.Encode, stored once, sent as is
		Signer: webhook.NewSigner(exampleSecret),
	}
	res := dev.Send(context.Background(), d)
	fmt.Println(res.StatusCode, res.OK(), res.Err)

	d.URL = receiver.URL + "/gone"
	res = dev.Send(context.Background(), d)
	fmt.Printf("%d %s %q\n", res.StatusCode, res.ErrorClass, res.ResponseExcerpt)

	// The production configuration refuses the very same receiver.
	prod := webhook.NewSender(nil)
	defer prod.CloseIdleConnections()
	res = prod.Send(context.Background(), d)
	fmt.Println(res.StatusCode, res.ErrorClass, res.Err)
	// Output:
	// 204 true <nil>
	// 410 non_2xx "this endpoint was removed\n"
	// 0 blocked_address webhook: blocked address: url must use https, not http
}

func ExampleNewSender() {
	// The zero options are the production configuration: https only, no
	// private addresses, 10 s per attempt, a 4 KiB response excerpt.
	s := webhook.NewSender(nil)
	defer s.CloseIdleConnections()

	res := s.Send(context.Background(), webhook.Delivery{
		URL:    "https://169.254.169.254/latest/meta-data/",
		Body:   []byte(exampleBody),
		Signer: webhook.NewSigner(exampleSecret),
	})
	fmt.Println(res.ErrorClass)
	fmt.Println(res.Err)
	// Output:
	// blocked_address
	// webhook: blocked address: 169.254.169.254 is a cloud metadata address
}

func ExampleValidateEndpointURL() {
	for _, u := range []string{
		"https://crm.example.com/webhooks/completeevent",
		"http://crm.example.com/webhooks",
		"https://10.0.0.1/webhooks",
		"https://[::1]:8443/webhooks",
		"https://user:secret@crm.example.com/",
		"crm.example.com/webhooks",
	} {
		fmt.Println(webhook.ValidateEndpointURL(u, false))
	}
	// Development mode allows plain http and private addresses.
	fmt.Println(webhook.ValidateEndpointURL("http://127.0.0.1:9000/webhooks", true))
	// Output:
	// <nil>
	// invalid: url: must use https, not http
	// invalid: url: must not point at a blocked address: 10.0.0.1 is private (RFC 1918)
	// invalid: url: must not point at a blocked address: ::1 is loopback
	// invalid: url: must not contain user information
	// invalid: url: must be an absolute https URL, not a relative reference
	// <nil>
}
