package completeevent

import (
	"strings"
	"time"
	"unicode/utf8"
)

// EventStatus is the life-cycle state of an event.
type EventStatus string

// The event statuses. A new event and every duplicate start as drafts.
const (
	EventDraft     EventStatus = "draft"
	EventPublished EventStatus = "published"
	EventCancelled EventStatus = "cancelled"
)

// Valid reports whether s is one of the event statuses.
func (s EventStatus) Valid() bool {
	return s == EventDraft || s == EventPublished || s == EventCancelled
}

// Visibility says who can find a published event.
type Visibility string

// The visibilities. The zero value is VisibilityPublic.
const (
	VisibilityPublic   Visibility = "public"
	VisibilityUnlisted Visibility = "unlisted"
)

// Event is one occurrence that people register for.
type Event struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	Title          string `json:"title"`
	Description    string `json:"description,omitempty"`
	// Venue is the place; empty for a fully virtual event.
	Venue string `json:"venue,omitempty"`
	// TimeZone is the IANA name of the zone the event is shown and
	// repeated in, e.g. "Europe/Amsterdam".
	TimeZone string      `json:"timeZone"`
	StartsAt time.Time   `json:"startsAt"`
	EndsAt   time.Time   `json:"endsAt"`
	Status   EventStatus `json:"status"`
	Settings Settings    `json:"settings"`
	// SeriesID is the id of the first event of the recurring series the
	// event belongs to, or empty.
	SeriesID string `json:"seriesId,omitempty"`
	// DuplicatedFrom is the id of the event this one was copied from, or
	// empty.
	DuplicatedFrom string `json:"duplicatedFrom,omitempty"`
	// Version counts the stored changes; an update must carry the version
	// it read, so concurrent changes never overwrite each other unseen.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Settings are the options of an event that a duplicate copies with it.
type Settings struct {
	// Capacity caps the confirmed registrations over all tiers; zero
	// means no cap beyond the tiers' own.
	Capacity int `json:"capacity,omitempty"`
	// RegistrationOpensAt and RegistrationClosesAt bound when anyone may
	// register; zero means no bound.
	RegistrationOpensAt  time.Time `json:"registrationOpensAt,omitzero"`
	RegistrationClosesAt time.Time `json:"registrationClosesAt,omitzero"`
	// ConfirmationMessage is added to the confirmation e-mail.
	ConfirmationMessage string `json:"confirmationMessage,omitempty"`
	// Visibility defaults to VisibilityPublic.
	Visibility Visibility `json:"visibility,omitempty"`
}

// Limits on the free text of the domain, in characters.
const (
	maxNameLength        = 200
	maxDescriptionLength = 20000
	maxMessageLength     = 5000
	maxVenueLength       = 500
)

// Validate reports an ErrInvalid error naming the first field of e that is
// wrong: a missing or overlong title, an unknown time zone, a missing start,
// an end not after the start, an unknown status or invalid settings.
func (e *Event) Validate() error {
	if err := validateText("title", e.Title, true, maxNameLength); err != nil {
		return err
	}
	if err := validateText("description", e.Description, false, maxDescriptionLength); err != nil {
		return err
	}
	if err := validateText("venue", e.Venue, false, maxVenueLength); err != nil {
		return err
	}
	if e.TimeZone == "" {
		return Invalid("timeZone", "is required, e.g. \"Europe/Amsterdam\"")
	}
	if _, err := e.Location(); err != nil {
		return Invalid("timeZone", "%q is not a known IANA time zone", e.TimeZone)
	}
	if e.StartsAt.IsZero() {
		return Invalid("startsAt", "is required")
	}
	if e.EndsAt.IsZero() {
		return Invalid("endsAt", "is required")
	}
	if !e.EndsAt.After(e.StartsAt) {
		return Invalid("endsAt", "must be after startsAt")
	}
	if !e.Status.Valid() {
		return Invalid("status", "must be draft, published or cancelled")
	}
	return e.Settings.validate()
}

func (s *Settings) validate() error {
	if s.Capacity < 0 {
		return Invalid("settings.capacity", "must not be negative")
	}
	if !s.RegistrationOpensAt.IsZero() && !s.RegistrationClosesAt.IsZero() &&
		!s.RegistrationClosesAt.After(s.RegistrationOpensAt) {
		return Invalid("settings.registrationClosesAt", "must be after registrationOpensAt")
	}
	if err := validateText("settings.confirmationMessage", s.ConfirmationMessage, false, maxMessageLength); err != nil {
		return err
	}
	switch s.Visibility {
	case "", VisibilityPublic, VisibilityUnlisted:
		return nil
	default:
		return Invalid("settings.visibility", "must be public or unlisted")
	}
}

// Location returns the event's time zone. It fails if TimeZone is empty,
// "Local", or not a zone the system (or an embedded time/tzdata) knows.
func (e *Event) Location() (*time.Location, error) {
	if e.TimeZone == "" || e.TimeZone == "Local" {
		return nil, Invalid("timeZone", "%q is not an IANA time zone", e.TimeZone)
	}
	return time.LoadLocation(e.TimeZone)
}

// validateText checks that s is valid UTF-8 without NUL (which PostgreSQL
// cannot store), present if required, and at most max characters long.
func validateText(field, s string, required bool, max int) error {
	switch {
	case !utf8.ValidString(s):
		return Invalid(field, "must be valid UTF-8")
	case strings.ContainsRune(s, 0):
		return Invalid(field, "must not contain NUL characters")
	case required && s == "":
		return Invalid(field, "is required")
	case utf8.RuneCountInString(s) > max:
		return Invalid(field, "must be at most %d characters", max)
	}
	return nil
}
