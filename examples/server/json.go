package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Bounds of request bodies.
const (
	// maxBodyBytes bounds a request body of the organizer API: 1 MiB.
	maxBodyBytes = 1 << 20
	// maxPublicBodyBytes bounds the body of a public route, which anyone
	// may call without an API key: 32 KiB, ample for a registration.
	maxPublicBodyBytes = 32 << 10
)

// decodeJSON decodes the request body, one JSON object, into dst. It
// refuses, as a *requestError, a body over maxBodyBytes
// (payload_too_large), malformed JSON or anything after the object
// (malformed_json, with the byte offset), fields dst does not have
// (unknown_field, naming it) and values of the wrong type (invalid,
// naming the field).
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeBody(w, r, dst, bodyRules{limit: maxBodyBytes})
}

// bodyRules say what decodeBody accepts.
type bodyRules struct {
	// limit is the largest body, in bytes.
	limit int64
	// optional accepts an empty body (or only white space), leaving dst
	// as it is.
	optional bool
}

// decodeBody is decodeJSON with the rules given.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any, rules bodyRules) error {
	body := &countingReader{r: http.MaxBytesReader(w, r.Body, rules.limit)}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if rules.optional && errors.Is(err, io.EOF) {
			return nil
		}
		return decodeError(err, body.n, rules.limit)
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if tooLarge(err) {
			return decodeError(err, body.n, rules.limit)
		}
		return &requestError{code: codeMalformedJSON, message: fmt.Sprintf("malformed JSON: unexpected data after the object, which ends at byte %d", end)}
	}
	return nil
}

// decodeError turns an error of json.Decoder.Decode into a
// *requestError; read is how many bytes of the body were read, limit the
// largest body allowed.
func decodeError(err error, read, limit int64) error {
	var (
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case tooLarge(err):
		return &requestError{code: codePayloadTooLarge, message: fmt.Sprintf("the body must be at most %d bytes", limit)}
	case errors.Is(err, io.EOF):
		return &requestError{code: codeMalformedJSON, message: "the body is empty: send a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &requestError{code: codeMalformedJSON, message: fmt.Sprintf("malformed JSON at byte %d: unexpected end of input", read)}
	case errors.As(err, &syntaxErr):
		return &requestError{code: codeMalformedJSON, message: fmt.Sprintf("malformed JSON at byte %d: %s", syntaxErr.Offset, syntaxErr.Error())}
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return &requestError{code: codeMalformedJSON, message: "the body must be a JSON object, got " + typeErr.Value}
	case errors.As(err, &typeErr):
		return &requestError{code: codeInvalid, field: typeErr.Field, message: "must be " + describeType(typeErr.Type) + ", got " + typeErr.Value}
	}
	// encoding/json reports unknown fields only by this message.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unquoted, uerr := strconv.Unquote(name); uerr == nil {
			name = unquoted
		}
		return &requestError{code: codeUnknownField, field: name, message: fmt.Sprintf("unknown field %q", name)}
	}
	return &requestError{code: codeMalformedJSON, message: "cannot read the body: " + err.Error()}
}

// tooLarge reports whether err says the body exceeded its limit.
func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// describeType names what a JSON value of type t looks like.
func describeType(t reflect.Type) string {
	if t == reflect.TypeFor[time.Time]() {
		return "an RFC 3339 time, e.g. \"2026-05-20T19:00:00+02:00\""
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// writeJSON answers with status and v as JSON. A failure to write, most
// likely a client that went away, is logged.
func (s *server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		s.logger.WarnContext(r.Context(), "write response", "method", r.Method, "path", redactPath(r.URL.Path), "err", err)
	}
}

// timestamp is a time in a request body: an RFC 3339 string, or "" or
// null for the zero time, which removes an optional bound.
type timestamp struct{ time.Time }

// UnmarshalJSON parses an RFC 3339 string. It reports any other value as a
// *json.UnmarshalTypeError, so that the decoder names the field.
func (t *timestamp) UnmarshalJSON(b []byte) error {
	wrong := &json.UnmarshalTypeError{Value: jsonKind(b), Type: reflect.TypeFor[time.Time]()}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return wrong
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	parsed, err := time.Parse(time.RFC3339, s)
	if err != nil {
		wrong.Value = strconv.Quote(s)
		return wrong
	}
	t.Time = parsed
	return nil
}

// timePtr returns the time t holds, or nil if t is nil.
func (t *timestamp) timePtr() *time.Time {
	if t == nil {
		return nil
	}
	return &t.Time
}

// jsonKind names the kind of the JSON value b.
func jsonKind(b []byte) string {
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	}
	return "number"
}
