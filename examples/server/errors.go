package main

import (
	"errors"
	"net/http"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// The error codes of the API, the "code" of an error body.
const (
	codeInvalid          = "invalid"
	codeNotFound         = "not_found"
	codeConflict         = "conflict"
	codeSoldOut          = "sold_out"
	codeUnauthorized     = "unauthorized"
	codeForbidden        = "forbidden"
	codeMethodNotAllowed = "method_not_allowed"
	codePayloadTooLarge  = "payload_too_large"
	codeMalformedJSON    = "malformed_json"
	codeUnknownField     = "unknown_field"
	codeInternal         = "internal"
)

// requestError is a request the server refuses at the edge, before the
// service sees it: a body that is too large or not the JSON expected, a
// method the route does not allow.
type requestError struct {
	code    string
	field   string
	message string
}

func (e *requestError) Error() string { return e.code + ": " + e.message }

// errorBody is the body of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

// errorDetail says what went wrong: a code from the list above, a message
// for people, and the JSON field at fault, if any.
type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// describe maps err to its HTTP status and error detail: the one place
// where errors become statuses. Errors of no known kind are internal:
// their text is not shown.
func describe(err error) (int, errorDetail) {
	var re *requestError
	if errors.As(err, &re) {
		status := http.StatusBadRequest
		switch re.code {
		case codePayloadTooLarge:
			status = http.StatusRequestEntityTooLarge
		case codeMethodNotAllowed:
			status = http.StatusMethodNotAllowed
		}
		return status, errorDetail{Code: re.code, Message: re.message, Field: re.field}
	}
	if errors.Is(err, storage.ErrSoldOut) {
		// A conflict a registrant can act on: another tier, another date.
		return http.StatusConflict, errorDetail{Code: codeSoldOut, Message: ce.ErrorMessage(err), Field: ce.ErrorField(err)}
	}
	kinds := []struct {
		kind   error
		status int
		code   string
	}{
		{ce.ErrInvalid, http.StatusBadRequest, codeInvalid},
		{ce.ErrNotFound, http.StatusNotFound, codeNotFound},
		{ce.ErrConflict, http.StatusConflict, codeConflict},
		{ce.ErrUnauthorized, http.StatusUnauthorized, codeUnauthorized},
		{ce.ErrForbidden, http.StatusForbidden, codeForbidden},
	}
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			return k.status, errorDetail{Code: k.code, Message: ce.ErrorMessage(err), Field: ce.ErrorField(err)}
		}
	}
	return http.StatusInternalServerError, errorDetail{Code: codeInternal, Message: "internal error"}
}

// writeError answers with err's status and error body. It logs internal
// errors, whose details the client never sees, and asks for a bearer token
// on 401.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, detail := describe(err)
	switch status {
	case http.StatusInternalServerError:
		s.logger.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="CompleteEvent"`)
	}
	s.writeJSON(w, r, status, errorBody{Error: detail})
}

// describePaymentError maps an error of handling a payment provider's
// callback: a forged or stale callback (ErrUnauthorized) and a malformed
// one (ErrInvalid) as describe does; anything else is internal, a 500
// that makes the provider send the callback again, whatever its kind
// (a refund the provider refused, say, is no fault of the callback).
func describePaymentError(err error) (int, errorDetail) {
	status, detail := describe(err)
	if status != http.StatusUnauthorized && status != http.StatusBadRequest {
		return http.StatusInternalServerError, errorDetail{Code: codeInternal, Message: "internal error"}
	}
	return status, detail
}
