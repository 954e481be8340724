package bunstore

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/uptrace/bun"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// eventTypesText is the stored form of an endpoint's event types:
// ",a,b,", so that "LIKE '%,a,%'" finds a subscription.
func eventTypesText(types []string) string {
	return "," + strings.Join(types, ",") + ","
}

// eventTypesList reverses eventTypesText.
func eventTypesList(text string) []string {
	return strings.Split(strings.Trim(text, ","), ",")
}

// subscribedPattern is the LIKE pattern, with "\" as the escape
// character, that matches the stored event types holding eventType.
func subscribedPattern(eventType string) string {
	return "%," + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(eventType) + ",%"
}

type webhookEndpointModel struct {
	bun.BaseModel `bun:"table:ce_webhook_endpoints,alias:we"`

	ID                      string    `bun:"id,pk"`
	OrganizationID          string    `bun:"organization_id"`
	URL                     string    `bun:"url"`
	EventTypes              string    `bun:"event_types"`
	Description             string    `bun:"description"`
	Enabled                 bool      `bun:"enabled"`
	DisabledReason          string    `bun:"disabled_reason"`
	Secret                  string    `bun:"secret"`
	PreviousSecret          string    `bun:"previous_secret"`
	PreviousSecretExpiresAt time.Time `bun:"previous_secret_expires_at,nullzero"`
	TimeoutNs               int64     `bun:"timeout_ns"`
	Version                 int64     `bun:"version"`
	CreatedAt               time.Time `bun:"created_at"`
	UpdatedAt               time.Time `bun:"updated_at"`
}

func newWebhookEndpointModel(e *ce.WebhookEndpoint) *webhookEndpointModel {
	return &webhookEndpointModel{
		ID:                      e.ID,
		OrganizationID:          e.OrganizationID,
		URL:                     e.URL,
		EventTypes:              eventTypesText(e.EventTypes),
		Description:             e.Description,
		Enabled:                 e.Enabled,
		DisabledReason:          e.DisabledReason,
		Secret:                  e.Secret,
		PreviousSecret:          e.PreviousSecret,
		PreviousSecretExpiresAt: storage.NormalizeTime(e.PreviousSecretExpiresAt),
		TimeoutNs:               int64(e.Timeout),
		Version:                 e.Version,
		CreatedAt:               storage.NormalizeTime(e.CreatedAt),
		UpdatedAt:               storage.NormalizeTime(e.UpdatedAt),
	}
}

func (m *webhookEndpointModel) domain() *ce.WebhookEndpoint {
	return &ce.WebhookEndpoint{
		ID:                      m.ID,
		OrganizationID:          m.OrganizationID,
		URL:                     m.URL,
		EventTypes:              eventTypesList(m.EventTypes),
		Description:             m.Description,
		Enabled:                 m.Enabled,
		DisabledReason:          m.DisabledReason,
		Secret:                  m.Secret,
		PreviousSecret:          m.PreviousSecret,
		PreviousSecretExpiresAt: storage.NormalizeTime(m.PreviousSecretExpiresAt),
		Timeout:                 time.Duration(m.TimeoutNs),
		Version:                 m.Version,
		CreatedAt:               storage.NormalizeTime(m.CreatedAt),
		UpdatedAt:               storage.NormalizeTime(m.UpdatedAt),
	}
}

type webhookMessageModel struct {
	bun.BaseModel `bun:"table:ce_webhook_messages,alias:wm"`

	ID             string    `bun:"id,pk"`
	OrganizationID string    `bun:"organization_id"`
	EventType      string    `bun:"event_type"`
	Data           string    `bun:"data"`
	CreatedAt      time.Time `bun:"created_at"`
}

func newWebhookMessageModel(m *ce.WebhookMessage) *webhookMessageModel {
	return &webhookMessageModel{
		ID:             m.ID,
		OrganizationID: m.OrganizationID,
		EventType:      m.EventType,
		Data:           string(m.Data),
		CreatedAt:      storage.NormalizeTime(m.CreatedAt),
	}
}

func (m *webhookMessageModel) domain() *ce.WebhookMessage {
	return &ce.WebhookMessage{
		ID:             m.ID,
		OrganizationID: m.OrganizationID,
		EventType:      m.EventType,
		Data:           json.RawMessage(m.Data),
		CreatedAt:      storage.NormalizeTime(m.CreatedAt),
	}
}

type webhookDeliveryModel struct {
	bun.BaseModel `bun:"table:ce_webhook_deliveries,alias:wd"`

	ID             string    `bun:"id,pk"`
	OrganizationID string    `bun:"organization_id"`
	MessageID      string    `bun:"message_id"`
	EndpointID     string    `bun:"endpoint_id"`
	EventType      string    `bun:"event_type"`
	Status         string    `bun:"status"`
	AttemptCount   int       `bun:"attempt_count"`
	NextAttemptAt  time.Time `bun:"next_attempt_at,nullzero"`
	Lease          int64     `bun:"lease"`
	LeasedBy       string    `bun:"leased_by"`
	CreatedAt      time.Time `bun:"created_at"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

// newPendingDelivery returns the model of a new delivery of m to the
// endpoint, due when m was made.
func newPendingDelivery(m *webhookMessageModel, endpointID string) webhookDeliveryModel {
	return webhookDeliveryModel{
		ID:             ce.NewID(ce.PrefixWebhookDelivery, m.CreatedAt),
		OrganizationID: m.OrganizationID,
		MessageID:      m.ID,
		EndpointID:     endpointID,
		EventType:      m.EventType,
		Status:         string(ce.DeliveryPending),
		NextAttemptAt:  m.CreatedAt,
		CreatedAt:      m.CreatedAt,
		UpdatedAt:      m.CreatedAt,
	}
}

func (m *webhookDeliveryModel) domain() *ce.WebhookDelivery {
	return &ce.WebhookDelivery{
		ID:             m.ID,
		OrganizationID: m.OrganizationID,
		MessageID:      m.MessageID,
		EndpointID:     m.EndpointID,
		EventType:      m.EventType,
		Status:         ce.DeliveryStatus(m.Status),
		AttemptCount:   m.AttemptCount,
		NextAttemptAt:  storage.NormalizeTime(m.NextAttemptAt),
		LeasedBy:       m.LeasedBy,
		CreatedAt:      storage.NormalizeTime(m.CreatedAt),
		UpdatedAt:      storage.NormalizeTime(m.UpdatedAt),
	}
}

type webhookAttemptModel struct {
	bun.BaseModel `bun:"table:ce_webhook_attempts,alias:wa"`

	ID              string    `bun:"id,pk"`
	DeliveryID      string    `bun:"delivery_id"`
	At              time.Time `bun:"at"`
	StatusCode      int       `bun:"status_code"`
	DurationNs      int64     `bun:"duration_ns"`
	DNSNs           int64     `bun:"dns_ns"`
	ConnectNs       int64     `bun:"connect_ns"`
	TLSNs           int64     `bun:"tls_ns"`
	FirstByteNs     int64     `bun:"first_byte_ns"`
	ErrorClass      string    `bun:"error_class"`
	Error           string    `bun:"error"`
	ResponseExcerpt string    `bun:"response_excerpt"`
}

func newWebhookAttemptModel(a *ce.WebhookAttempt) webhookAttemptModel {
	return webhookAttemptModel{
		ID:              a.ID,
		DeliveryID:      a.DeliveryID,
		At:              storage.NormalizeTime(a.At),
		StatusCode:      a.StatusCode,
		DurationNs:      int64(a.Duration),
		DNSNs:           int64(a.Timings.DNS),
		ConnectNs:       int64(a.Timings.Connect),
		TLSNs:           int64(a.Timings.TLS),
		FirstByteNs:     int64(a.Timings.FirstByte),
		ErrorClass:      a.ErrorClass,
		Error:           a.Error,
		ResponseExcerpt: a.ResponseExcerpt,
	}
}

func (m *webhookAttemptModel) domain() ce.WebhookAttempt {
	return ce.WebhookAttempt{
		ID:         m.ID,
		DeliveryID: m.DeliveryID,
		At:         storage.NormalizeTime(m.At),
		StatusCode: m.StatusCode,
		Duration:   time.Duration(m.DurationNs),
		Timings: ce.AttemptTimings{
			DNS:       time.Duration(m.DNSNs),
			Connect:   time.Duration(m.ConnectNs),
			TLS:       time.Duration(m.TLSNs),
			FirstByte: time.Duration(m.FirstByteNs),
		},
		ErrorClass:      m.ErrorClass,
		Error:           m.Error,
		ResponseExcerpt: m.ResponseExcerpt,
	}
}

// claimedModel is a leased delivery with what sending it takes of its
// message and endpoint, as the claim returns it.
type claimedModel struct {
	webhookDeliveryModel

	MessageData             string    `bun:"message_data"`
	MessageCreatedAt        time.Time `bun:"message_created_at"`
	EndpointOrganizationID  string    `bun:"endpoint_organization_id"`
	URL                     string    `bun:"endpoint_url"`
	Enabled                 bool      `bun:"endpoint_enabled"`
	Secret                  string    `bun:"endpoint_secret"`
	PreviousSecret          string    `bun:"endpoint_previous_secret"`
	PreviousSecretExpiresAt time.Time `bun:"endpoint_previous_secret_expires_at,nullzero"`
	TimeoutNs               int64     `bun:"endpoint_timeout_ns"`
}

func newClaimedModel(d webhookDeliveryModel, m *webhookMessageModel, e *webhookEndpointModel) claimedModel {
	return claimedModel{
		webhookDeliveryModel:    d,
		MessageData:             m.Data,
		MessageCreatedAt:        m.CreatedAt,
		EndpointOrganizationID:  e.OrganizationID,
		URL:                     e.URL,
		Enabled:                 e.Enabled,
		Secret:                  e.Secret,
		PreviousSecret:          e.PreviousSecret,
		PreviousSecretExpiresAt: e.PreviousSecretExpiresAt,
		TimeoutNs:               e.TimeoutNs,
	}
}

func (m *claimedModel) claimed() storage.ClaimedDelivery {
	return storage.ClaimedDelivery{
		Lease:    storage.Lease{DeliveryID: m.ID, Seq: m.Lease},
		Delivery: *m.webhookDeliveryModel.domain(),
		Message: ce.WebhookMessage{
			ID:             m.MessageID,
			OrganizationID: m.OrganizationID,
			EventType:      m.EventType,
			Data:           json.RawMessage(m.MessageData),
			CreatedAt:      storage.NormalizeTime(m.MessageCreatedAt),
		},
		Endpoint: ce.WebhookEndpoint{
			ID:                      m.EndpointID,
			OrganizationID:          m.EndpointOrganizationID,
			URL:                     m.URL,
			Enabled:                 m.Enabled,
			Secret:                  m.Secret,
			PreviousSecret:          m.PreviousSecret,
			PreviousSecretExpiresAt: storage.NormalizeTime(m.PreviousSecretExpiresAt),
			Timeout:                 time.Duration(m.TimeoutNs),
		},
	}
}
