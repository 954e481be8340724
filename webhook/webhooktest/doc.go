// Package webhooktest is the test kit for both ends of CompleteEvent
// webhooks.
//
// A receiver's tests build correctly signed deliveries with [Message],
// [Header] and [NewRequest] and feed them to their handler. The sending
// side's tests point it at a [Receiver], an httptest server that verifies
// every delivery against the whole wire format and records what it got.
//
// The package is for tests: its helpers panic on misuse, like
// net/http/httptest.
package webhooktest
