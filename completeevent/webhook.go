package completeevent

import (
	"encoding/json"
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
	// Secret signs the deliveries; it is shown once, when made.
	Secret string `json:"-"`
	// PreviousSecret also signs deliveries until PreviousSecretExpiresAt,
	// while a rotation overlaps.
	PreviousSecret          string    `json:"-"`
	PreviousSecretExpiresAt time.Time `json:"-"`
	// Timeout bounds one delivery attempt; zero means the sender's default.
	Timeout   time.Duration `json:"-"`
	CreatedAt time.Time     `json:"createdAt"`
	UpdatedAt time.Time     `json:"updatedAt"`
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
	NextAttemptAt  time.Time      `json:"nextAttemptAt,omitzero"`
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
}

// WebhookAttempt is the log of one HTTP request of a delivery.
type WebhookAttempt struct {
	ID         string    `json:"id"`
	DeliveryID string    `json:"deliveryId"`
	At         time.Time `json:"at"`
	// StatusCode is the response status, or zero if none came.
	StatusCode int           `json:"statusCode,omitempty"`
	Duration   time.Duration `json:"durationNs"`
	// ErrorClass names why the attempt failed, e.g. "timeout", "refused",
	// "tls", "redirect", "non_2xx", "blocked_address"; empty on success.
	ErrorClass string `json:"errorClass,omitempty"`
	Error      string `json:"error,omitempty"`
	// ResponseExcerpt is the start of the response body, bounded.
	ResponseExcerpt string `json:"responseExcerpt,omitempty"`
}
