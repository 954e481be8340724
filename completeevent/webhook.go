package completeevent

import (
	"encoding/json"
	"slices"
	"time"
)

// The webhook event types an endpoint can subscribe to, and "ping", which
// only "Send test" sends.
const (
	EventTypeRegistrationConfirmed = "registration.confirmed"
	EventTypeRegistrationCancelled = "registration.cancelled"
	EventTypeCheckinCompleted      = "checkin.completed"
	EventTypeAuctionItemPaid       = "auction.item.paid"
	EventTypePing                  = "ping"
)

// SubscribableEventTypes returns the event types an endpoint can subscribe
// to, in the order the help page lists them.
func SubscribableEventTypes() []string {
	return []string{
		EventTypeRegistrationConfirmed,
		EventTypeRegistrationCancelled,
		EventTypeCheckinCompleted,
		EventTypeAuctionItemPaid,
	}
}

// WebhookEndpoint is an organization's HTTPS URL that receives the events
// it subscribes to, signed with its secret.
type WebhookEndpoint struct {
	ID             string   `json:"id"`
	OrganizationID string   `json:"organizationId"`
	URL            string   `json:"url"`
	EventTypes     []string `json:"eventTypes"`
	Description    string   `json:"description,omitempty"`
	Enabled        bool     `json:"enabled"`
	// DisabledReason says why the endpoint was disabled automatically,
	// e.g. because it answered 410 Gone; empty while enabled.
	DisabledReason string `json:"disabledReason,omitempty"`
	// Secret signs the deliveries; it is shown once, when made.
	Secret string `json:"-"`
	// PreviousSecret also signs deliveries until PreviousSecretExpiresAt,
	// while a rotation overlaps.
	PreviousSecret          string    `json:"-"`
	PreviousSecretExpiresAt time.Time `json:"previousSecretExpiresAt,omitzero"`
	// Timeout bounds one delivery attempt; zero means the sender's default.
	Timeout time.Duration `json:"-"`
	// Version counts the stored changes, as Event.Version does.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// maxEndpointDescriptionLength bounds WebhookEndpoint.Description, in
// characters.
const maxEndpointDescriptionLength = 500

// Validate reports an ErrInvalid error naming the first field of e that is
// wrong: no event types ("eventTypes"), one that is not subscribable or
// given twice, or an overlong description. It does not check the URL,
// whose rules depend on the sender's network policy (see
// webhook.ValidateEndpointURL).
func (e *WebhookEndpoint) Validate() error {
	if len(e.EventTypes) == 0 {
		return Invalid("eventTypes", "must name at least one of %q", SubscribableEventTypes())
	}
	for i, t := range e.EventTypes {
		if !slices.Contains(SubscribableEventTypes(), t) {
			return Invalid("eventTypes", "%q is not an event type; use %q", t, SubscribableEventTypes())
		}
		if slices.Contains(e.EventTypes[:i], t) {
			return Invalid("eventTypes", "%q is given twice", t)
		}
	}
	return validateText("description", e.Description, false, maxEndpointDescriptionLength)
}

// Secrets returns the secrets that sign a delivery at time now, the one
// for X-CompleteEvent-Signature first: while a rotation overlaps (now
// before PreviousSecretExpiresAt) the previous secret, which receivers
// still hold, then the new one; afterwards only the current secret.
func (e *WebhookEndpoint) Secrets(now time.Time) []string {
	if e.PreviousSecret != "" && now.Before(e.PreviousSecretExpiresAt) {
		return []string{e.PreviousSecret, e.Secret}
	}
	return []string{e.Secret}
}

// WebhookMessage is one domain event to notify: its data is serialized once
// and never changes, so every delivery and resend signs the same bytes.
type WebhookMessage struct {
	ID             string          `json:"id"`
	OrganizationID string          `json:"organizationId"`
	EventType      string          `json:"event"`
	Data           json.RawMessage `json:"data"`
	CreatedAt      time.Time       `json:"createdAt"`
}

// DeliveryStatus is the state of one message's delivery to one endpoint.
type DeliveryStatus string

// The delivery statuses.
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliverySucceeded DeliveryStatus = "succeeded"
	DeliveryFailed    DeliveryStatus = "failed"
)

// WebhookDelivery is one message sent to one endpoint that subscribed to
// its event type when it was published.
type WebhookDelivery struct {
	ID             string         `json:"id"`
	OrganizationID string         `json:"organizationId"`
	MessageID      string         `json:"messageId"`
	EndpointID     string         `json:"endpointId"`
	EventType      string         `json:"event"`
	Status         DeliveryStatus `json:"status"`
	AttemptCount   int            `json:"attemptCount"`
	// NextAttemptAt is when a pending delivery is due; while a worker
	// holds it, when that worker's lease expires and the delivery is due
	// again. Zero once the delivery succeeded or failed for good.
	NextAttemptAt time.Time `json:"nextAttemptAt,omitzero"`
	// LeasedBy names the worker that holds the delivery, for operators;
	// empty when none does.
	LeasedBy  string    `json:"-"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// Attempts are the delivery's attempts, oldest first, where the
	// delivery log is read (storage Get and List); nil elsewhere.
	Attempts []WebhookAttempt `json:"attempts,omitempty"`
}

// WebhookAttempt is the log of one HTTP request of a delivery.
type WebhookAttempt struct {
	ID         string    `json:"id"`
	DeliveryID string    `json:"deliveryId"`
	At         time.Time `json:"at"`
	// StatusCode is the response status, or zero if none came.
	StatusCode int           `json:"statusCode,omitempty"`
	Duration   time.Duration `json:"durationNs"`
	// Timings are the phases of the request within Duration.
	Timings AttemptTimings `json:"timings"`
	// ErrorClass names why the attempt failed, e.g. "timeout", "refused",
	// "tls", "redirect", "non_2xx", "blocked_address"; empty on success.
	ErrorClass string `json:"errorClass,omitempty"`
	Error      string `json:"error,omitempty"`
	// ResponseExcerpt is the start of the response body, bounded.
	ResponseExcerpt string `json:"responseExcerpt,omitempty"`
}

// AttemptTimings are the phases of one attempt, each zero when it did not
// happen (a reused connection needs no DNS, connect or TLS).
type AttemptTimings struct {
	DNS       time.Duration `json:"dnsNs,omitempty"`
	Connect   time.Duration `json:"connectNs,omitempty"`
	TLS       time.Duration `json:"tlsNs,omitempty"`
	FirstByte time.Duration `json:"firstByteNs,omitempty"`
}
