package webhook

import (
	"errors"
	"net/http"
)

// The sentinel errors of package webhook. Every error the package returns for
// a rejected request or payload wraps exactly one of them, with details, so
// callers match them with [errors.Is].
var (
	// ErrMissingSignature means the request carries no
	// X-CompleteEvent-Signature header, or the signature is empty.
	ErrMissingSignature = errors.New("webhook: missing signature")

	// ErrSignatureMismatch means the signature is not 64 hexadecimal digits
	// or does not match the body under any of the verifier's secrets.
	ErrSignatureMismatch = errors.New("webhook: signature mismatch")

	// ErrTimestampOutsideTolerance means the signed timestamp in the body is
	// further from the verifier's clock, in the past or in the future, than
	// its tolerance: a replay, or a badly wrong clock.
	ErrTimestampOutsideTolerance = errors.New("webhook: timestamp outside tolerance")

	// ErrMalformedPayload means the body is not an envelope of the wire
	// format: not a JSON object, or missing or mistyping "id", "event",
	// "timestamp" (RFC 3339) or "data" (an object, the last member); or an
	// unsigned header contradicts the signed body.
	ErrMalformedPayload = errors.New("webhook: malformed payload")

	// ErrBodyTooLarge means the body is longer than the verifier's
	// MaxBodyBytes.
	ErrBodyTooLarge = errors.New("webhook: body too large")

	// ErrInvalidSecret means a secret cannot produce a Standard Webhooks
	// signature: what follows "whsec_" is not standard base64 of at least
	// one byte.
	ErrInvalidSecret = errors.New("webhook: invalid secret")

	// ErrBlockedAddress means a Sender refused to send a delivery because
	// of its SSRF rules: the URL is plain http, names the local host or is
	// an IP literal in a blocked range, or the name resolved to an address
	// in a blocked range (loopback, private, link-local, CGNAT, multicast,
	// unspecified, cloud metadata…), and AllowPrivateNetworks is off. No
	// packet was sent to the address.
	ErrBlockedAddress = errors.New("webhook: blocked address")

	// ErrRedirect means the receiver answered with a 3xx status. A Sender
	// never follows redirects; the error names the Location.
	ErrRedirect = errors.New("webhook: redirect not followed")

	// ErrUnexpectedStatus means the receiver answered with a status that is
	// neither 2xx nor 3xx.
	ErrUnexpectedStatus = errors.New("webhook: unexpected status")

	// ErrInvalidDelivery means a Sender could not send a delivery as given:
	// a URL that is not absolute http(s), a body that is not an envelope,
	// no signer, or a secret that cannot sign. Nothing was sent.
	ErrInvalidDelivery = errors.New("webhook: invalid delivery")
)

// StatusCode returns the HTTP status with which a receiver answers a request
// that VerifyRequest rejected with err: 200 for nil, 413 for ErrBodyTooLarge,
// 401 for ErrMissingSignature, ErrSignatureMismatch and
// ErrTimestampOutsideTolerance, and 400 for anything else (ErrMalformedPayload,
// a failed read). [Middleware] answers with it; handlers that call
// VerifyRequest themselves can too. StatusCode is safe for concurrent use.
func StatusCode(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrMissingSignature),
		errors.Is(err, ErrSignatureMismatch),
		errors.Is(err, ErrTimestampOutsideTolerance):
		return http.StatusUnauthorized
	default:
		return http.StatusBadRequest
	}
}
