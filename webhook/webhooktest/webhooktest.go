package webhooktest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/webhook"
)

// Message describes one delivery to build. The zero value is a ping sent
// now.
type Message struct {
	// ID is the message id. Empty means a new "msg_" id.
	ID string
	// Timestamp is when the delivery is signed. Zero means time.Now().
	Timestamp time.Time
	// Data is the event data; its EventType is the envelope's type. Nil
	// means webhook.Ping{EndpointID: "whe_test"}.
	Data webhook.Data
}

// Body returns the canonical envelope of m, as the sender encodes it. It
// panics if m.Data does not marshal to a JSON object. Body is safe for
// concurrent use.
func (m Message) Body() []byte {
	ts := m.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	id := m.ID
	if id == "" {
		id = completeevent.NewID(completeevent.PrefixWebhookMessage, ts)
	}
	var data webhook.Data = webhook.Ping{EndpointID: "whe_test"}
	if m.Data != nil {
		data = m.Data
	}
	raw, err := json.Marshal(data)
	if err != nil {
		panic("webhooktest: Message.Body: " + err.Error())
	}
	body, err := webhook.Encode(webhook.Event{ID: id, Type: data.EventType(), Timestamp: ts, Data: raw})
	if err != nil {
		panic("webhooktest: Message.Body: " + err.Error())
	}
	return body
}

// Header returns every header of a delivery of body, an envelope, signed
// with secret as webhook.SetHeaders signs it, previous secrets adding
// webhook-signature entries as during a rotation. If a secret is not in
// the "whsec_" form, the Standard Webhooks headers are left out. Header
// panics if secret is empty or body is not an envelope. Header is safe for
// concurrent use.
func Header(secret string, body []byte, previous ...string) http.Header {
	current := webhook.NewSigner(secret)
	var others []*webhook.HMACSigner
	for _, p := range previous {
		others = append(others, webhook.NewSigner(p))
	}
	h := http.Header{}
	err := webhook.SetHeaders(h, body, current, others...)
	if errors.Is(err, webhook.ErrInvalidSecret) {
		ev, _ := webhook.Decode(body) // SetHeaders decoded it already
		h.Set("Content-Type", webhook.ContentType)
		h.Set("User-Agent", webhook.UserAgent)
		h.Set(webhook.HeaderEvent, ev.Type)
		h.Set(webhook.HeaderID, ev.ID)
		h.Set(webhook.HeaderSignature, current.Sign(body))
		return h
	}
	if err != nil {
		panic("webhooktest: Header: " + err.Error())
	}
	return h
}

// NewRequest returns an incoming POST request to target, as a handler's
// ServeHTTP receives it, carrying body and Header(secret, body). Like
// httptest.NewRequest, it panics if target is not a valid URL or path, and
// as Header does. NewRequest is safe for concurrent use.
func NewRequest(target, secret string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	r.Header = Header(secret, body)
	return r
}
