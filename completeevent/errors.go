package completeevent

import (
	"errors"
	"fmt"
)

// The error kinds. Every error this project returns for an expected failure
// matches one of them with errors.Is; use errors.As with *Error for the
// message and the offending field.
var (
	// ErrNotFound reports that a record does not exist or belongs to
	// another organization: the two are never told apart.
	ErrNotFound = errors.New("not found")
	// ErrConflict reports that a change collides with the current state:
	// a duplicate, a stale version, a transition that is not allowed.
	ErrConflict = errors.New("conflict")
	// ErrInvalid reports input that fails validation.
	ErrInvalid = errors.New("invalid")
	// ErrUnauthorized reports missing or wrong credentials.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden reports valid credentials that do not allow the action.
	ErrForbidden = errors.New("forbidden")
)

// Error is an expected failure of one of the kinds above, with a message fit
// to show to the user and, for ErrInvalid, the JSON name of the offending
// field. errors.Is(err, e.Kind) holds for every *Error e.
type Error struct {
	// Kind is one of ErrNotFound, ErrConflict, ErrInvalid, ErrUnauthorized
	// and ErrForbidden.
	Kind error
	// Field is the camelCase name of the input field at fault, if any.
	Field string
	// Message says what went wrong, in lowercase, without the kind.
	Message string
	// Err is the underlying cause, if any.
	Err error
}

// Error returns the kind, the field and the message, e.g.
// "invalid: joinUrl: must be an absolute https URL".
func (e *Error) Error() string {
	s := e.Kind.Error()
	if e.Field != "" {
		s += ": " + e.Field
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap returns the kind and the cause, so errors.Is matches both.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// NotFound returns an ErrNotFound error with a formatted message.
func NotFound(format string, args ...any) error {
	return &Error{Kind: ErrNotFound, Message: fmt.Sprintf(format, args...)}
}

// Conflict returns an ErrConflict error with a formatted message.
func Conflict(format string, args ...any) error {
	return &Error{Kind: ErrConflict, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an ErrInvalid error naming field, with a formatted message.
func Invalid(field, format string, args ...any) error {
	return &Error{Kind: ErrInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Unauthorized returns an ErrUnauthorized error with a formatted message.
func Unauthorized(format string, args ...any) error {
	return &Error{Kind: ErrUnauthorized, Message: fmt.Sprintf(format, args...)}
}

// Forbidden returns an ErrForbidden error with a formatted message.
func Forbidden(format string, args ...any) error {
	return &Error{Kind: ErrForbidden, Message: fmt.Sprintf(format, args...)}
}

// ErrorField returns the offending field of the first *Error in err's
// chain, or "" if there is none.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorMessage returns the message of the first *Error in err's chain, or
// err.Error() if there is none.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
