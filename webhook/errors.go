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
