package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/completeevent/completeevent-go/completeevent"
)

// The event types, the value of the envelope's "event" member and of the
// X-CompleteEvent-Event header. They are the names package completeevent
// defines, repeated here so that a receiver needs only package webhook.
const (
	EventTypeRegistrationConfirmed = completeevent.EventTypeRegistrationConfirmed
	EventTypeRegistrationCancelled = completeevent.EventTypeRegistrationCancelled
	EventTypeCheckinCompleted      = completeevent.EventTypeCheckinCompleted
	EventTypeAuctionItemPaid       = completeevent.EventTypeAuctionItemPaid
	EventTypePing                  = completeevent.EventTypePing
)

// The headers of a delivery. Header names are case-insensitive on the wire;
// [net/http.Header] methods canonicalize them.
const (
	// HeaderEvent carries the event type, e.g. "registration.confirmed".
	HeaderEvent = "X-CompleteEvent-Event"
	// HeaderSignature carries the lowercase hexadecimal HMAC-SHA256 of the
	// raw body, keyed with the bytes of the whole secret string.
	HeaderSignature = "X-CompleteEvent-Signature"
	// HeaderID carries the message id, the same on every retry and resend:
	// the key for de-duplication.
	HeaderID = "X-CompleteEvent-Id"
	// HeaderWebhookID is the Standard Webhooks message id (the message id).
	HeaderWebhookID = "webhook-id"
	// HeaderWebhookTimestamp is the Standard Webhooks timestamp, in Unix
	// seconds: the envelope's timestamp.
	HeaderWebhookTimestamp = "webhook-timestamp"
	// HeaderWebhookSignature is the Standard Webhooks signature list:
	// "v1,<base64>" entries separated by spaces, one per active secret.
	HeaderWebhookSignature = "webhook-signature"
)

// The header names of a delivery in the canonical form net/http stores them
// in. SetHeaders fills a header map, and the verifier looks headers up, with
// them as they are: the same as Header.Set and Header.Get, without
// canonicalizing the mixed-case names anew, and allocating, at each call.
const (
	canonicalContentType      = "Content-Type"
	canonicalUserAgent        = "User-Agent"
	canonicalEvent            = "X-Completeevent-Event"
	canonicalID               = "X-Completeevent-Id"
	canonicalSignature        = "X-Completeevent-Signature"
	canonicalWebhookID        = "Webhook-Id"
	canonicalWebhookTimestamp = "Webhook-Timestamp"
	canonicalWebhookSignature = "Webhook-Signature"
)

// The other constants of the wire format.
const (
	// ContentType is the media type of every delivery body.
	ContentType = "application/json"
	// UserAgent is the User-Agent of every delivery.
	UserAgent = "CompleteEvent-Webhooks/1.0"
	// SecretPrefix starts every endpoint secret.
	SecretPrefix = "whsec_"
)

// Event is the envelope of every delivery:
//
//	{"id":"msg_…","event":"<type>","timestamp":"<RFC 3339 UTC>","data":{…}}
//
// in that member order. Data stays raw JSON; decode it with
// [Event.DecodeData] into the struct that matches Type.
type Event struct {
	// ID is the message id, the same on every retry and resend.
	ID string `json:"id"`
	// Type is the event type, one of the EventType constants.
	Type string `json:"event"`
	// Timestamp is when this delivery attempt was signed, in UTC; the
	// verifier refuses it outside its tolerance.
	Timestamp time.Time `json:"timestamp"`
	// Data is the event's data: a JSON object whose fields depend on Type.
	Data json.RawMessage `json:"data"`
}

// Data is implemented by the data struct of each event type:
// [RegistrationConfirmed], [RegistrationCancelled], [CheckinCompleted],
// [AuctionItemPaid] and [Ping]. Its method must be safe for concurrent use.
type Data interface {
	// EventType returns the event type whose data the struct holds.
	EventType() string
}

// DecodeData decodes e.Data into v, a pointer to the data struct of e's
// type, such as *RegistrationConfirmed. It returns an error if v is not for
// e.Type, and an error wrapping ErrMalformedPayload if the data is not valid
// JSON for v. Unknown fields are ignored, so new fields never break a
// receiver. DecodeData is safe for concurrent use.
func (e Event) DecodeData(v Data) error {
	if t := v.EventType(); t != e.Type {
		return fmt.Errorf("webhook: cannot decode %q data into %T, which holds %q data", e.Type, v, t)
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("%w: data: %v", ErrMalformedPayload, err)
	}
	return nil
}

// Attendee is the registration an event is about: the first members of
// the data of registration.confirmed, registration.cancelled and
// checkin.completed.
type Attendee struct {
	RegistrationID string `json:"registrationId"`
	EventID        string `json:"eventId"`
	Email          string `json:"email"`
	FirstName      string `json:"firstName"`
	LastName       string `json:"lastName"`
	TierID         string `json:"tierId"`
	TierName       string `json:"tierName"`
	// Virtual reports whether the tier is virtual (has a join URL).
	Virtual bool `json:"virtual"`
}

// RegistrationConfirmed is the data of "registration.confirmed": a
// registration became confirmed, at once when free or when its payment
// succeeded.
type RegistrationConfirmed struct {
	Attendee
	// Amount is what the attendee paid, in minor units of Currency; zero
	// for a free tier.
	Amount int64 `json:"amount"`
	// Currency is the ISO 4217 code of Amount, e.g. "EUR".
	Currency string `json:"currency"`
	// PaymentReference is the payment provider's id of the payment, empty
	// for a free tier.
	PaymentReference string    `json:"paymentReference,omitempty"`
	ConfirmedAt      time.Time `json:"confirmedAt"`
}

// EventType returns EventTypeRegistrationConfirmed.
func (RegistrationConfirmed) EventType() string { return EventTypeRegistrationConfirmed }

// RegistrationCancelled is the data of "registration.cancelled": an
// organizer cancelled a confirmed registration (one still awaiting its
// payment was never announced, and its cancellation is not either).
type RegistrationCancelled struct {
	Attendee
	// Reason is the organizer's reason, if they gave one.
	Reason string `json:"reason,omitempty"`
	// Refunded reports whether the payment was refunded in full;
	// RefundReference is the payment provider's id of the refund.
	Refunded        bool      `json:"refunded"`
	RefundReference string    `json:"refundReference,omitempty"`
	CancelledAt     time.Time `json:"cancelledAt"`
}

// EventType returns EventTypeRegistrationCancelled.
func (RegistrationCancelled) EventType() string { return EventTypeRegistrationCancelled }

// CheckinCompleted is the data of "checkin.completed": an attendee was
// checked in by QR scan or by hand.
type CheckinCompleted struct {
	Attendee
	// Method is "qr" or "manual".
	Method      completeevent.CheckInMethod `json:"method"`
	CheckedInAt time.Time                   `json:"checkedInAt"`
}

// EventType returns EventTypeCheckinCompleted.
func (CheckinCompleted) EventType() string { return EventTypeCheckinCompleted }

// AuctionItemPaid is the data of "auction.item.paid": the winner of a
// silent-auction item paid for it.
type AuctionItemPaid struct {
	EventID   string `json:"eventId"`
	ItemID    string `json:"itemId"`
	ItemTitle string `json:"itemTitle"`
	BidID     string `json:"bidId"`
	// RegistrationID is the winner's registration.
	RegistrationID string `json:"registrationId"`
	Email          string `json:"email"`
	FirstName      string `json:"firstName"`
	LastName       string `json:"lastName"`
	// Amount is the winning bid, in minor units of Currency.
	Amount           int64     `json:"amount"`
	Currency         string    `json:"currency"`
	PaymentReference string    `json:"paymentReference"`
	PaidAt           time.Time `json:"paidAt"`
}

// EventType returns EventTypeAuctionItemPaid.
func (AuctionItemPaid) EventType() string { return EventTypeAuctionItemPaid }

// Ping is the data of "ping", which "Send test" delivers to check that an
// endpoint is reachable.
type Ping struct {
	EndpointID string `json:"endpointId"`
}

// EventType returns EventTypePing.
func (Ping) EventType() string { return EventTypePing }

// Encode returns the canonical body of e, as the sender signs it:
//
//	{"id":…,"event":…,"timestamp":…,"data":…}
//
// with the members in that order, no insignificant white space, the
// timestamp in RFC 3339 UTC truncated to the second, and e.Data compacted.
// Data that is already compact, as json.Marshal writes it and as the outbox
// stores it, is checked and copied as is, not re-encoded. Encode returns an
// error wrapping ErrMalformedPayload if e.ID or e.Type is empty,
// e.Timestamp is zero or outside years 0 to 9999, or e.Data is not a JSON
// object. Encode is safe for concurrent use.
func Encode(e Event) ([]byte, error) {
	switch {
	case e.ID == "":
		return nil, fmt.Errorf("%w: empty id", ErrMalformedPayload)
	case e.Type == "":
		return nil, fmt.Errorf("%w: empty event type", ErrMalformedPayload)
	case e.Timestamp.IsZero():
		return nil, fmt.Errorf("%w: zero timestamp", ErrMalformedPayload)
	}
	ts := e.Timestamp.UTC().Truncate(time.Second)
	if y := ts.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("%w: timestamp year %d outside 0 to 9999", ErrMalformedPayload, y)
	}
	b := make([]byte, 0, len(`{"id":"","event":"","timestamp":"2006-01-02T15:04:05Z","data":}`)+len(e.ID)+len(e.Type)+len(e.Data))
	b = append(b, `{"id":`...)
	b, err := appendJSONString(b, e.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: id: %v", ErrMalformedPayload, err)
	}
	b = append(b, `,"event":`...)
	if b, err = appendJSONString(b, e.Type); err != nil {
		return nil, fmt.Errorf("%w: event type: %v", ErrMalformedPayload, err)
	}
	b = append(b, `,"timestamp":"`...)
	b = ts.AppendFormat(b, time.RFC3339)
	b = append(b, `","data":`...)
	if b, err = appendCompactObject(b, e.Data); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as json.Marshal encodes it. A string of
// printable ASCII that needs no escaping, such as every id and event type,
// is copied between quotes; any other goes through json.Marshal.
func appendJSONString(b []byte, s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, err := json.Marshal(s)
			return append(b, q...), err
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), nil
}

// appendCompactObject appends data, which must be a JSON object, without
// insignificant white space: as is if it holds none and is valid, else
// compacted by json.Compact, which also reports what is wrong with it. It
// returns an error wrapping ErrMalformedPayload if data is not a JSON
// object.
func appendCompactObject(b, data []byte) ([]byte, error) {
	if len(data) > 0 && data[0] == '{' && !hasWhiteSpace(data) {
		// data is a value of its own here, at depth 1, as json.Compact
		// counts it.
		if end, err := skipValue(data, 0, len(data), 1); err == nil && end == len(data) {
			return append(b, data...), nil
		}
	}
	buf := bytes.NewBuffer(b)
	start := len(b)
	if err := json.Compact(buf, data); err != nil {
		return nil, fmt.Errorf("%w: data: %v", ErrMalformedPayload, err)
	}
	if b = buf.Bytes(); len(b) == start || b[start] != '{' {
		return nil, fmt.Errorf("%w: data is not a JSON object", ErrMalformedPayload)
	}
	return b, nil
}

// hasWhiteSpace reports whether the JSON text b holds white space outside
// its strings: what json.Compact would remove.
func hasWhiteSpace(b []byte) bool {
	for i := 0; i < len(b); i++ {
		switch {
		case isWS(b[i]):
			return true
		case b[i] == '"':
			// Skip to the closing quote, past escaped characters.
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		}
	}
	return false
}

// Decode parses body, a canonical envelope, without verifying it: call it
// only on bytes that Verify accepted (VerifyRequest and [Middleware] decode
// for you).
//
// The body must be a JSON object whose last member is "data", an object;
// the members before it must include "id" and "event" (non-empty strings)
// and "timestamp" (an RFC 3339 string), each once, in any order, and may
// include others, which are validated and ignored. Everything before "data"
// is parsed exactly as encoding/json would; the content of "data" is signed
// bytes that Decode does not scan, so that verifying stays as fast as the
// HMAC itself: [Event.DecodeData] validates it. Once DecodeData succeeds,
// the whole body is known to be valid JSON and every field equals what any
// JSON parser reads.
//
// Decode returns an error wrapping ErrMalformedPayload for any other body.
// The returned Data aliases body. Decode is safe for concurrent use.
func Decode(body []byte) (Event, error) {
	env, err := parseEnvelope(body)
	if err != nil {
		return Event{}, err
	}
	return env.event()
}
