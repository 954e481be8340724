package stripepay_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stripe/stripe-go/v76/webhook"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/stripetest"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/stripepay"
)

// created is the creation time of the test events.
var created = time.Date(2030, 4, 2, 9, 30, 0, 0, time.UTC)

// session returns a paid Checkout Session as Stripe reports it, with the
// changes applied.
func session(changes map[string]any) map[string]any {
	s := map[string]any{
		"id":                  "cs_test_1",
		"object":              "checkout.session",
		"mode":                "payment",
		"client_reference_id": "reg_1",
		"payment_status":      "paid",
		"status":              "complete",
		"amount_total":        2500,
		"currency":            "eur",
		"metadata": map[string]string{
			stripepay.MetadataPurpose:        "registration",
			stripepay.MetadataOrganizationID: "org_1",
			stripepay.MetadataEventID:        "evt_1",
			stripepay.MetadataRegistrationID: "reg_1",
		},
	}
	for k, v := range changes {
		if v == nil {
			delete(s, k)
		} else {
			s[k] = v
		}
	}
	return s
}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	p, err := stripepay.New(stripepay.Config{
		SecretKey: stripetest.SecretKey, WebhookSecret: webhookSecret, APIBaseURL: "http://127.0.0.1:1",
	})
	if err != nil {
		t.Fatal(err)
	}
	event := func(typ string, object any) []byte { return stripetest.Event(t, "evt_stripe_1", typ, created, object) }
	completed := event("checkout.session.completed", session(nil))
	registration := ticketing.PaymentEvent{
		ID: "evt_stripe_1", Type: ticketing.PaymentCompleted, CheckoutID: "cs_test_1",
		Purpose: ticketing.PurposeRegistration, OrganizationID: "org_1", EventID: "evt_1", RegistrationID: "reg_1",
		Amount: ce.Money{Amount: 2500, Currency: "EUR"}, CreatedAt: created,
	}
	with := func(change func(*ticketing.PaymentEvent)) *ticketing.PaymentEvent {
		e := registration
		change(&e)
		return &e
	}
	other := &ticketing.PaymentEvent{ID: "evt_stripe_1", Type: ticketing.PaymentOther, CreatedAt: created}
	signed := func(body []byte) http.Header { return stripetest.Sign(body, webhookSecret, time.Time{}) }

	tests := []struct {
		name     string
		body     []byte
		header   http.Header
		want     *ticketing.PaymentEvent
		wantKind error // ErrUnauthorized or ErrInvalid, for an error
		wantErr  error // a stripe-go webhook error the error matches, if any
	}{
		{name: "completed", body: completed, header: signed(completed), want: &registration},
		{
			name: "completed for an auction item",
			body: event("checkout.session.completed", session(map[string]any{
				"amount_total": 12000, "currency": "usd",
				"metadata": map[string]string{"purpose": "auction_item", "organization_id": "org_1",
					"event_id": "evt_1", "registration_id": "reg_1", "item_id": "item_7"},
			})),
			want: with(func(e *ticketing.PaymentEvent) {
				e.Purpose, e.ItemID, e.Amount = ticketing.PurposeAuctionItem, "item_7", ce.Money{Amount: 12000, Currency: "USD"}
			}),
		},
		{
			name: "completed in ISK, which Stripe counts in hundredths",
			body: event("checkout.session.completed", session(map[string]any{"amount_total": 490000, "currency": "isk"})),
			want: with(func(e *ticketing.PaymentEvent) { e.Amount = ce.Money{Amount: 4900, Currency: "ISK"} }),
		},
		{
			name: "completed, payment pending",
			body: event("checkout.session.completed", session(map[string]any{"payment_status": "unpaid"})),
			want: with(func(e *ticketing.PaymentEvent) { e.Type, e.Amount = ticketing.PaymentProcessing, ce.Money{} }),
		},
		{
			name: "completed, no payment required",
			body: event("checkout.session.completed", session(map[string]any{"payment_status": "no_payment_required", "amount_total": 0})),
			want: other,
		},
		{
			name: "delayed payment succeeded",
			body: event("checkout.session.async_payment_succeeded", session(nil)),
			want: &registration,
		},
		{
			name: "expired",
			body: event("checkout.session.expired", session(map[string]any{"payment_status": "unpaid", "status": "expired"})),
			want: with(func(e *ticketing.PaymentEvent) { e.Type = ticketing.PaymentExpired }),
		},
		{
			name: "expired without amount",
			body: event("checkout.session.expired", session(map[string]any{"payment_status": "unpaid", "amount_total": nil})),
			want: with(func(e *ticketing.PaymentEvent) { e.Type, e.Amount = ticketing.PaymentExpired, ce.Money{} }),
		},
		{
			name: "delayed payment failed",
			body: event("checkout.session.async_payment_failed", session(map[string]any{"payment_status": "unpaid"})),
			want: with(func(e *ticketing.PaymentEvent) { e.Type = ticketing.PaymentExpired }),
		},
		{
			name: "session of another integration, without our metadata",
			body: event("checkout.session.completed", session(map[string]any{"metadata": map[string]string{}})),
			want: &ticketing.PaymentEvent{ID: "evt_stripe_1", Type: ticketing.PaymentCompleted, CheckoutID: "cs_test_1",
				Amount: ce.Money{Amount: 2500, Currency: "EUR"}, CreatedAt: created},
		},
		{
			name: "other type",
			body: event("payment_intent.succeeded", map[string]any{"id": "pi_1", "object": "payment_intent", "amount": 2500}),
			want: other,
		},
		{
			name: "other type, other API version",
			body: []byte(`{"id":"evt_stripe_1","object":"event","api_version":"2099-01-01","type":"charge.refunded",` +
				`"created":1901352600,"data":{"object":{"id":"ch_1","object":"charge"}}}`),
			want: &ticketing.PaymentEvent{ID: "evt_stripe_1", Type: ticketing.PaymentOther,
				CreatedAt: time.Unix(1901352600, 0).UTC()},
		},

		// Forged, replayed or unsigned callbacks.
		{
			name: "forged signature", body: completed,
			header:   http.Header{"Stripe-Signature": {"t=" + unix(time.Now()) + ",v1=" + strings.Repeat("ab", 32)}},
			wantKind: ce.ErrUnauthorized, wantErr: webhook.ErrNoValidSignature,
		},
		{
			name: "signed with another secret", body: completed,
			header:   stripetest.Sign(completed, "whsec_other", time.Time{}),
			wantKind: ce.ErrUnauthorized, wantErr: webhook.ErrNoValidSignature,
		},
		{
			name: "body changed after signing", body: []byte(strings.Replace(string(completed), "2500", "25", 1)),
			header:   signed(completed),
			wantKind: ce.ErrUnauthorized, wantErr: webhook.ErrNoValidSignature,
		},
		{
			name: "stale timestamp", body: completed,
			header:   stripetest.Sign(completed, webhookSecret, time.Now().Add(-6*time.Minute)),
			wantKind: ce.ErrUnauthorized, wantErr: webhook.ErrTooOld,
		},
		{
			name: "timestamp far ahead", body: completed,
			header:   stripetest.Sign(completed, webhookSecret, time.Now().Add(time.Hour)),
			wantKind: ce.ErrUnauthorized, wantErr: webhook.ErrTooOld,
		},
		{
			name: "missing header", body: completed, header: http.Header{},
			wantKind: ce.ErrUnauthorized, wantErr: webhook.ErrNotSigned,
		},
		{
			name: "header without timestamp", body: completed,
			header:   http.Header{"Stripe-Signature": {"v1=" + strings.Repeat("ab", 32)}},
			wantKind: ce.ErrUnauthorized, wantErr: webhook.ErrTooOld,
		},
		{
			name: "malformed header", body: completed,
			header:   http.Header{"Stripe-Signature": {"t=soon,v1=" + strings.Repeat("ab", 32)}},
			wantKind: ce.ErrUnauthorized, wantErr: webhook.ErrInvalidHeader,
		},
		{
			name: "v0 signature only", body: completed,
			header:   http.Header{"Stripe-Signature": {"t=" + unix(time.Now()) + ",v0=" + strings.Repeat("ab", 32)}},
			wantKind: ce.ErrUnauthorized, wantErr: webhook.ErrNoValidSignature,
		},

		// Signed, but malformed.
		{name: "malformed JSON", body: []byte(`{"id":"evt_1","type":`), wantKind: ce.ErrInvalid},
		{name: "empty body", body: []byte{}, wantKind: ce.ErrInvalid},
		{name: "JSON array", body: []byte(`[]`), wantKind: ce.ErrInvalid},
		{
			name: "no event id", wantKind: ce.ErrInvalid,
			body: stripetest.Event(t, "", "checkout.session.completed", created, session(nil)),
		},
		{
			name: "no session", wantKind: ce.ErrInvalid,
			body: []byte(`{"id":"evt_1","object":"event","type":"checkout.session.completed","created":1,"data":{}}`),
		},
		{
			name: "session without id", wantKind: ce.ErrInvalid,
			body: event("checkout.session.completed", session(map[string]any{"id": ""})),
		},
		{
			name: "object is no session", wantKind: ce.ErrInvalid,
			body: event("checkout.session.completed", map[string]any{"id": "pi_1", "object": "payment_intent"}),
		},
		{
			name: "negative amount", wantKind: ce.ErrInvalid,
			body: event("checkout.session.completed", session(map[string]any{"amount_total": -2500})),
		},
		{
			name: "fractional amount", wantKind: ce.ErrInvalid,
			body: event("checkout.session.completed", session(map[string]any{"amount_total": 25.5})),
		},
		{
			name: "float-looking whole amount", wantKind: ce.ErrInvalid,
			body: []byte(strings.Replace(string(completed), `"amount_total":2500`, `"amount_total":2500.0`, 1)),
		},
		{
			name: "exponent amount", wantKind: ce.ErrInvalid,
			body: []byte(strings.Replace(string(completed), `"amount_total":2500`, `"amount_total":25e2`, 1)),
		},
		{
			name: "amount as string", wantKind: ce.ErrInvalid,
			body: event("checkout.session.completed", session(map[string]any{"amount_total": "2500"})),
		},
		{
			name: "amount beyond int64", wantKind: ce.ErrInvalid,
			body: []byte(strings.Replace(string(completed), `"amount_total":2500`, `"amount_total":9223372036854775808`, 1)),
		},
		{
			name: "negative amount in an expired session", wantKind: ce.ErrInvalid,
			body: event("checkout.session.expired", session(map[string]any{"amount_total": -1})),
		},
		{
			name: "completed without amount", wantKind: ce.ErrInvalid,
			body: event("checkout.session.completed", session(map[string]any{"amount_total": nil})),
		},
		{
			name: "unknown currency", wantKind: ce.ErrInvalid,
			body: event("checkout.session.completed", session(map[string]any{"currency": "xxx"})),
		},
		{
			name: "fractional ISK", wantKind: ce.ErrInvalid,
			body: event("checkout.session.completed", session(map[string]any{"amount_total": 490050, "currency": "isk"})),
		},
		{
			name: "metadata not strings", wantKind: ce.ErrInvalid,
			body: event("checkout.session.completed", session(map[string]any{"metadata": map[string]any{"event_id": 7}})),
		},
		{
			name: "float creation time", wantKind: ce.ErrInvalid,
			body: []byte(strings.Replace(string(completed), `"created":`+unix(created), `"created":`+unix(created)+`.5`, 1)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := tt.header
			if h == nil {
				h = signed(tt.body)
			}
			got, err := p.ParseEvent(tt.body, h)
			if tt.wantKind != nil {
				if !errors.Is(err, tt.wantKind) {
					t.Fatalf("got %+v, %v, want an error matching %v", got, err, tt.wantKind)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("got error %v, want one matching %v", err, tt.wantErr)
				}
				if got != nil {
					t.Errorf("got event %+v with the error, want nil", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseEvent: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("event (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEventTolerance(t *testing.T) {
	t.Parallel()
	body := stripetest.Event(t, "evt_1", "checkout.session.expired", created, session(nil))
	tests := []struct {
		name      string
		tolerance time.Duration
		age       time.Duration
		wantErr   bool
	}{
		{"default, 4 minutes old", 0, 4 * time.Minute, false},
		{"default, 6 minutes old", 0, 6 * time.Minute, true},
		{"1 minute, 2 minutes old", time.Minute, 2 * time.Minute, true},
		{"1 hour, 30 minutes old", time.Hour, 30 * time.Minute, false},
		{"1 hour, 30 minutes ahead", time.Hour, -30 * time.Minute, false},
		{"default, 10 minutes ahead", 0, -10 * time.Minute, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_1", WebhookSecret: webhookSecret, Tolerance: tt.tolerance})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.ParseEvent(body, stripetest.Sign(body, webhookSecret, time.Now().Add(-tt.age)))
			if tt.wantErr {
				if !errors.Is(err, ce.ErrUnauthorized) || !errors.Is(err, webhook.ErrTooOld) {
					t.Errorf("got %v, want ErrUnauthorized and webhook.ErrTooOld", err)
				}
			} else if err != nil {
				t.Errorf("got %v, want no error", err)
			}
		})
	}
}

func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
