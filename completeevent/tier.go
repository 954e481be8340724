package completeevent

import (
	"net/url"
	"strings"
	"time"
)

// Tier is a kind of ticket for an event: a price, a capacity, a sales
// window. A tier with a join URL is virtual: its attendees join online.
type Tier struct {
	ID             string `json:"id"`
	EventID        string `json:"eventId"`
	OrganizationID string `json:"organizationId"`
	Name           string `json:"name"`
	Description    string `json:"description,omitempty"`
	// Price is zero for a free tier.
	Price Money `json:"price"`
	// Capacity caps the seats of the tier; zero means no cap.
	Capacity int `json:"capacity,omitempty"`
	// SalesStartAt and SalesEndAt bound when the tier is on sale; zero
	// means no bound.
	SalesStartAt time.Time `json:"salesStartAt,omitzero"`
	SalesEndAt   time.Time `json:"salesEndAt,omitzero"`
	// Position orders the tiers of an event, lowest first.
	Position int `json:"position"`
	// JoinURL is the absolute https link to the online session. A tier is
	// virtual if and only if it has one.
	JoinURL string `json:"joinUrl,omitempty"`
	// ShareJoinURL sends attendees the join URL itself rather than their
	// personal join link, which redirects to it while their registration
	// stands; for meeting services that need their own link.
	ShareJoinURL bool `json:"shareJoinUrl,omitempty"`
	// Version counts the stored changes, as for Event.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Virtual reports whether the tier is virtual: whether it has a join URL.
func (t *Tier) Virtual() bool { return t.JoinURL != "" }

// maxSalesLead is how long before an event its sales may open at most.
const maxSalesLead = 5 * 365 * 24 * time.Hour

// Validate reports an ErrInvalid error naming the first field of t that is
// wrong, for a tier of event e: a missing or overlong name, an invalid
// price, a negative capacity or position, a join URL that is not an
// absolute https URL, or a sales window that does not end after it starts,
// ends after the event ends, or opens more than five years before it.
func (t *Tier) Validate(e *Event) error {
	if err := validateText("name", t.Name, true, maxNameLength); err != nil {
		return err
	}
	if err := validateText("description", t.Description, false, maxDescriptionLength); err != nil {
		return err
	}
	if err := t.Price.Validate("price"); err != nil {
		return err
	}
	if t.Capacity < 0 {
		return Invalid("capacity", "must not be negative")
	}
	if t.Position < 0 {
		return Invalid("position", "must not be negative")
	}
	if t.JoinURL != "" {
		if err := ValidateHTTPSURL("joinUrl", t.JoinURL); err != nil {
			return err
		}
	}
	return t.validateSalesWindow(e)
}

func (t *Tier) validateSalesWindow(e *Event) error {
	start, end := t.SalesStartAt, t.SalesEndAt
	if !start.IsZero() && !end.IsZero() && !end.After(start) {
		return Invalid("salesEndAt", "must be after salesStartAt")
	}
	if !end.IsZero() && end.After(e.EndsAt) {
		return Invalid("salesEndAt", "must not be after the event ends")
	}
	if !start.IsZero() && start.Before(e.StartsAt.Add(-maxSalesLead)) {
		return Invalid("salesStartAt", "must not be more than five years before the event")
	}
	if !start.IsZero() && !start.Before(e.EndsAt) {
		return Invalid("salesStartAt", "must be before the event ends")
	}
	return nil
}

// maxURLLength bounds the URLs the domain stores.
const maxURLLength = 2048

// ValidateHTTPSURL reports an ErrInvalid error naming field unless raw is an
// absolute https URL with a host, no user information and no fragment, at
// most 2048 bytes long.
func ValidateHTTPSURL(field, raw string) error {
	if len(raw) > maxURLLength {
		return Invalid(field, "must be at most %d bytes", maxURLLength)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return Invalid(field, "must be an absolute https URL: %v", err)
	case u.Scheme != "https" || u.Opaque != "":
		return Invalid(field, "must be an absolute https URL, got scheme %q", u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return Invalid(field, "must be an absolute https URL with a host")
	case u.User != nil:
		return Invalid(field, "must not contain user information")
	case strings.Contains(raw, "#"):
		return Invalid(field, "must not contain a fragment")
	}
	return nil
}
