// Package webhook is what a receiver of CompleteEvent webhooks imports to
// check that a request really comes from CompleteEvent, and what the sending
// side shares with it: the wire format, the event data types, signing and
// verification.
//
// # Wire format
//
// Every delivery is one HTTP POST whose body is an envelope, members in this
// order:
//
//	{"id":"msg_…","event":"registration.confirmed","timestamp":"2026-04-15T14:32:00Z","data":{…}}
//
// with the headers Content-Type (application/json), User-Agent,
// X-CompleteEvent-Event (the type), X-CompleteEvent-Id (the message id, the
// same on every retry and resend), X-CompleteEvent-Signature (the lowercase
// hexadecimal HMAC-SHA256 of the raw body, keyed with the bytes of the whole
// secret string "whsec_…") and the Standard Webhooks headers webhook-id,
// webhook-timestamp and webhook-signature, so that any Standard Webhooks
// library can verify it too. The timestamp is inside the signed body, so a
// receiver refuses replays. [Encode] writes an envelope, [SetHeaders] the
// headers; the data of each type is a struct ([RegistrationConfirmed],
// [RegistrationCancelled], [CheckinCompleted], [AuctionItemPaid], [Ping]).
//
// # Receiving
//
// Wrap the handler in [Middleware]:
//
//	v := webhook.NewVerifier(os.Getenv("COMPLETEEVENT_WEBHOOK_SECRET"))
//	mw := webhook.Middleware(v, &webhook.MiddlewareOptions{
//		Deduplicator: &webhook.MemoryDeduplicator{},
//	})
//	http.Handle("POST /webhooks/completeevent", mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		ev, _ := webhook.EventFromContext(r.Context())
//		…
//	})))
//
// or call [HMACVerifier.VerifyRequest] in your handler, or
// [HMACVerifier.Verify] on bytes you read yourself. Each checks the
// signature over the raw bytes first, in constant time, then the signed
// timestamp against a tolerance (5 minutes each way by default), and refuses
// with errors that match [ErrMissingSignature], [ErrSignatureMismatch],
// [ErrTimestampOutsideTolerance], [ErrMalformedPayload] or
// [ErrBodyTooLarge]. To rotate a secret, pass the new one and the old one:
// NewVerifier(newSecret, oldSecret). While a rotation overlaps, the sender
// signs X-CompleteEvent-Signature with the old secret (the Standard
// Webhooks header carries both), so keep the old one until the overlap
// ends.
//
// Verification costs about one HMAC: the hash state is pooled and the
// timestamp is read without decoding the data, which the application decodes
// with [Event.DecodeData] when it needs it.
//
// Package webhooktest builds signed requests for a receiver's tests.
//
// # Sending
//
// The sending side (package webhook/outbox) posts each delivery with a
// [Sender]: its own HTTP transport that never follows redirects, caps what
// it reads of a response, records the phase timings of every attempt and
// classifies its failure ([ErrorClass]), and whose dialer refuses loopback,
// private, link-local, shared, multicast and cloud-metadata addresses after
// DNS resolution, so a name that resolves to an internal address is refused
// too. [ValidateEndpointURL] checks an endpoint's URL when it is registered.
// Services publish through the [Dispatcher] interface.
//
// The package depends on the standard library and package completeevent
// only, so a receiver's build stays light.
package webhook
