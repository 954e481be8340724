package webhook_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/webhook"
)

func TestWireNames(t *testing.T) {
	t.Parallel()
	// These strings are the binding wire format (DESIGN §4).
	tests := []struct{ got, want string }{
		{webhook.EventTypeRegistrationConfirmed, "registration.confirmed"},
		{webhook.EventTypeRegistrationCancelled, "registration.cancelled"},
		{webhook.EventTypeCheckinCompleted, "checkin.completed"},
		{webhook.EventTypeAuctionItemPaid, "auction.item.paid"},
		{webhook.EventTypePing, "ping"},
		{webhook.HeaderEvent, "X-CompleteEvent-Event"},
		{webhook.HeaderSignature, "X-CompleteEvent-Signature"},
		{webhook.HeaderID, "X-CompleteEvent-Id"},
		{webhook.HeaderWebhookID, "webhook-id"},
		{webhook.HeaderWebhookTimestamp, "webhook-timestamp"},
		{webhook.HeaderWebhookSignature, "webhook-signature"},
		{webhook.ContentType, "application/json"},
		{webhook.UserAgent, "CompleteEvent-Webhooks/1.0"},
		{webhook.SecretPrefix, "whsec_"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestDataWireFormat(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 4, 15, 14, 31, 58, 0, time.UTC)
	tests := []struct {
		data webhook.Data
		typ  string
		want string
	}{
		{
			webhook.RegistrationConfirmed{Attendee: webhook.Attendee{RegistrationID: "reg_1", EventID: "evt_1", Email: "a@example.com", FirstName: "Alex", LastName: "Smith", TierID: "tier_1", TierName: "Online", Virtual: true}, Amount: 2500, Currency: "EUR", PaymentReference: "pi_1", ConfirmedAt: at},
			webhook.EventTypeRegistrationConfirmed,
			`{"registrationId":"reg_1","eventId":"evt_1","email":"a@example.com","firstName":"Alex","lastName":"Smith","tierId":"tier_1","tierName":"Online","virtual":true,"amount":2500,"currency":"EUR","paymentReference":"pi_1","confirmedAt":"2026-04-15T14:31:58Z"}`,
		},
		{
			webhook.RegistrationConfirmed{Attendee: webhook.Attendee{RegistrationID: "reg_1", EventID: "evt_1", Email: "a@example.com", FirstName: "Alex", LastName: "Smith", TierID: "tier_1", TierName: "Free"}, Currency: "EUR", ConfirmedAt: at},
			webhook.EventTypeRegistrationConfirmed,
			`{"registrationId":"reg_1","eventId":"evt_1","email":"a@example.com","firstName":"Alex","lastName":"Smith","tierId":"tier_1","tierName":"Free","virtual":false,"amount":0,"currency":"EUR","confirmedAt":"2026-04-15T14:31:58Z"}`,
		},
		{
			webhook.RegistrationCancelled{Attendee: webhook.Attendee{RegistrationID: "reg_1", EventID: "evt_1", Email: "a@example.com", FirstName: "Alex", LastName: "Smith", TierID: "tier_1", TierName: "Online", Virtual: true}, Reason: "Event moved", Refunded: true, RefundReference: "re_1", CancelledAt: at},
			webhook.EventTypeRegistrationCancelled,
			`{"registrationId":"reg_1","eventId":"evt_1","email":"a@example.com","firstName":"Alex","lastName":"Smith","tierId":"tier_1","tierName":"Online","virtual":true,"reason":"Event moved","refunded":true,"refundReference":"re_1","cancelledAt":"2026-04-15T14:31:58Z"}`,
		},
		{
			webhook.CheckinCompleted{Attendee: webhook.Attendee{RegistrationID: "reg_1", EventID: "evt_1", Email: "a@example.com", FirstName: "Alex", LastName: "Smith", TierID: "tier_1", TierName: "Hall"}, Method: completeevent.CheckInQR, CheckedInAt: at},
			webhook.EventTypeCheckinCompleted,
			`{"registrationId":"reg_1","eventId":"evt_1","email":"a@example.com","firstName":"Alex","lastName":"Smith","tierId":"tier_1","tierName":"Hall","virtual":false,"method":"qr","checkedInAt":"2026-04-15T14:31:58Z"}`,
		},
		{
			webhook.AuctionItemPaid{EventID: "evt_1", ItemID: "itm_1", ItemTitle: "Painting", BidID: "bid_1", RegistrationID: "reg_1", Email: "a@example.com", FirstName: "Alex", LastName: "Smith", Amount: 12000, Currency: "EUR", PaymentReference: "pi_2", PaidAt: at},
			webhook.EventTypeAuctionItemPaid,
			`{"eventId":"evt_1","itemId":"itm_1","itemTitle":"Painting","bidId":"bid_1","registrationId":"reg_1","email":"a@example.com","firstName":"Alex","lastName":"Smith","amount":12000,"currency":"EUR","paymentReference":"pi_2","paidAt":"2026-04-15T14:31:58Z"}`,
		},
		{webhook.Ping{EndpointID: "whe_1"}, webhook.EventTypePing, `{"endpointId":"whe_1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			t.Parallel()
			if got := tt.data.EventType(); got != tt.typ {
				t.Errorf("EventType: got %q, want %q", got, tt.typ)
			}
			got, err := json.Marshal(tt.data)
			if err != nil {
				t.Fatalf("Marshal: got error %v, want nil", err)
			}
			if string(got) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestEncode(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 4, 15, 16, 32, 0, 999_000_000, time.FixedZone("CEST", 2*3600))
	tests := []struct {
		name    string
		event   webhook.Event
		want    string
		wantErr error
	}{
		{
			"canonical order, UTC seconds, compact data",
			webhook.Event{ID: "msg_1", Type: "ping", Timestamp: at, Data: []byte("{ \"endpointId\" : \"whe_1\" }")},
			`{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{"endpointId":"whe_1"}}`,
			nil,
		},
		{
			"strings escaped",
			webhook.Event{ID: `msg_"1"`, Type: "ping", Timestamp: at, Data: []byte("{}")},
			`{"id":"msg_\"1\"","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`,
			nil,
		},
		{
			"compact data as is, spaces in strings kept",
			webhook.Event{ID: "msg_1", Type: "ping", Timestamp: at, Data: []byte(`{"a":"x y","b":"q\\\" z","c":[1,{"d":null}]}`)},
			`{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{"a":"x y","b":"q\\\" z","c":[1,{"d":null}]}}`,
			nil,
		},
		{
			"white space after an escaped quote removed",
			webhook.Event{ID: "msg_1", Type: "ping", Timestamp: at, Data: []byte(`{"a":"\"", "b":1}`)},
			`{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{"a":"\"","b":1}}`,
			nil,
		},
		{
			"strings escaped as encoding/json escapes them",
			webhook.Event{ID: "msg_<1>&é\u2028", Type: "ping\x7f", Timestamp: at, Data: []byte("{}")},
			"{\"id\":\"msg_\\u003c1\\u003e\\u0026é\\u2028\",\"event\":\"ping\x7f\",\"timestamp\":\"2026-04-15T14:32:00Z\",\"data\":{}}",
			nil,
		},
		{"empty id", webhook.Event{Type: "ping", Timestamp: at, Data: []byte("{}")}, "", webhook.ErrMalformedPayload},
		{"empty type", webhook.Event{ID: "msg_1", Timestamp: at, Data: []byte("{}")}, "", webhook.ErrMalformedPayload},
		{"zero timestamp", webhook.Event{ID: "msg_1", Type: "ping", Data: []byte("{}")}, "", webhook.ErrMalformedPayload},
		{"year 10000", webhook.Event{ID: "msg_1", Type: "ping", Timestamp: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Data: []byte("{}")}, "", webhook.ErrMalformedPayload},
		{"nil data", webhook.Event{ID: "msg_1", Type: "ping", Timestamp: at}, "", webhook.ErrMalformedPayload},
		{"array data", webhook.Event{ID: "msg_1", Type: "ping", Timestamp: at, Data: []byte("[]")}, "", webhook.ErrMalformedPayload},
		{"invalid data", webhook.Event{ID: "msg_1", Type: "ping", Timestamp: at, Data: []byte("{")}, "", webhook.ErrMalformedPayload},
		{"compact but invalid data", webhook.Event{ID: "msg_1", Type: "ping", Timestamp: at, Data: []byte(`{"a":}`)}, "", webhook.ErrMalformedPayload},
		{"data followed by more", webhook.Event{ID: "msg_1", Type: "ping", Timestamp: at, Data: []byte(`{}{}`)}, "", webhook.ErrMalformedPayload},
		{"data with a control character", webhook.Event{ID: "msg_1", Type: "ping", Timestamp: at, Data: []byte("{\"a\":\"\x01\"}")}, "", webhook.ErrMalformedPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := webhook.Encode(tt.event)
			checkErr(t, err, tt.wantErr)
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC)
	ping := func(data string) webhook.Event {
		return webhook.Event{ID: "msg_1", Type: "ping", Timestamp: ts, Data: json.RawMessage(data)}
	}
	tests := []struct {
		name string
		body string
		want webhook.Event // zero when an error is wanted
	}{
		{"canonical", `{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{"endpointId":"whe_1"}}`, ping(`{"endpointId":"whe_1"}`)},
		{"white space", " {\n\t\"id\" : \"msg_1\" ,\r\n \"event\":\"ping\", \"timestamp\":\"2026-04-15T14:32:00Z\", \"data\" : { } \n} \n", ping(`{ }`)},
		{"other order", `{"timestamp":"2026-04-15T14:32:00Z","event":"ping","id":"msg_1","data":{}}`, ping(`{}`)},
		{"offset and fraction", `{"id":"msg_1","event":"ping","timestamp":"2026-04-15T16:32:00.000+02:00","data":{}}`, ping(`{}`)},
		{"unknown members skipped", `{"id":"msg_1","version":[1,{"a":null,"b":true,"c":-1.5e+3}],"event":"ping","timestamp":"2026-04-15T14:32:00Z","x":"y","data":{}}`, ping(`{}`)},
		{"escaped strings", `{"id":"msg\u005f1","event":"p\u0069ng","timestamp":"2026-04-15T14:32:00Z","data":{}}`, ping(`{}`)},
		{"escaped member names", `{"\u0069d":"msg_1","even\u0074":"ping","timestamp":"2026-04-15T14:32:00Z","d\u0061ta":{}}`, ping(`{}`)},
		{"case matters in names", `{"ID":"x","id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","Timestamp":1,"data":{}}`, ping(`{}`)},
		{"empty", ``, webhook.Event{}},
		{"not JSON", `hello`, webhook.Event{}},
		{"array", `[]`, webhook.Event{}},
		{"empty object", `{}`, webhook.Event{}},
		{"data not last", `{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{},"x":1}`, webhook.Event{}},
		{"data before timestamp", `{"id":"msg_1","event":"ping","data":{},"timestamp":"2026-04-15T14:32:00Z"}`, webhook.Event{}},
		{"data a string", `{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":"{}"}`, webhook.Event{}},
		{"data null", `{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":null}`, webhook.Event{}},
		{"empty id", `{"id":"","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`, webhook.Event{}},
		{"numeric id", `{"id":1,"event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`, webhook.Event{}},
		{"empty event", `{"id":"msg_1","event":"","timestamp":"2026-04-15T14:32:00Z","data":{}}`, webhook.Event{}},
		{"duplicate id", `{"id":"msg_1","id":"msg_2","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`, webhook.Event{}},
		{"escaped timestamp", `{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00\u005a","data":{}}`, webhook.Event{}},
		{"timestamp hour 24", `{"id":"msg_1","event":"ping","timestamp":"2026-04-15T24:00:00Z","data":{}}`, webhook.Event{}},
		{"control character", "{\"id\":\"msg\n1\",\"event\":\"ping\",\"timestamp\":\"2026-04-15T14:32:00Z\",\"data\":{}}", webhook.Event{}},
		{"invalid escape", `{"id":"msg\x1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`, webhook.Event{}},
		{"invalid number in unknown member", `{"n":01,"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`, webhook.Event{}},
		{"invalid literal in unknown member", `{"n":tru,"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`, webhook.Event{}},
		{"mismatched brackets in unknown member", `{"n":[1},"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`, webhook.Event{}},
		{"trailing comma", `{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z",}`, webhook.Event{}},
		{"missing colon", `{"id" "msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`, webhook.Event{}},
		{"garbage after", `{"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}} x`, webhook.Event{}},
		{"deep nesting", `{"n":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `,"id":"msg_1","event":"ping","timestamp":"2026-04-15T14:32:00Z","data":{}}`, webhook.Event{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := webhook.Decode([]byte(tt.body))
			if tt.want.ID == "" {
				checkErr(t, err, webhook.ErrMalformedPayload)
				return
			}
			checkErr(t, err, nil)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("event mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	t.Parallel()
	data, err := json.Marshal(webhook.CheckinCompleted{Attendee: webhook.Attendee{RegistrationID: "reg_1"}, Method: completeevent.CheckInManual})
	if err != nil {
		t.Fatal(err)
	}
	want := webhook.Event{ID: "msg_1", Type: webhook.EventTypeCheckinCompleted, Timestamp: testNow(), Data: data}
	body, err := webhook.Encode(want)
	if err != nil {
		t.Fatalf("Encode: got error %v, want nil", err)
	}
	got, err := webhook.Decode(body)
	if err != nil {
		t.Fatalf("Decode: got error %v, want nil", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestDecodeData(t *testing.T) {
	t.Parallel()
	ev := webhook.Event{Type: webhook.EventTypeCheckinCompleted, Data: []byte(`{"registrationId":"reg_1","method":"qr","newField":1}`)}
	var got webhook.CheckinCompleted
	if err := ev.DecodeData(&got); err != nil {
		t.Fatalf("got error %v, want nil", err)
	}
	if diff := cmp.Diff(webhook.CheckinCompleted{Attendee: webhook.Attendee{RegistrationID: "reg_1"}, Method: completeevent.CheckInQR}, got); diff != "" {
		t.Errorf("data mismatch (-want +got):\n%s", diff)
	}

	tests := []struct {
		name      string
		ev        webhook.Event
		into      webhook.Data
		malformed bool
	}{
		{"wrong type", ev, &webhook.Ping{}, false},
		{"invalid JSON", webhook.Event{Type: webhook.EventTypePing, Data: []byte(`{"endpointId":}`)}, &webhook.Ping{}, true},
		{"wrong field type", webhook.Event{Type: webhook.EventTypePing, Data: []byte(`{"endpointId":1}`)}, &webhook.Ping{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.ev.DecodeData(tt.into)
			if err == nil {
				t.Fatal("got nil error, want one")
			}
			if got := errors.Is(err, webhook.ErrMalformedPayload); got != tt.malformed {
				t.Errorf("got errors.Is(%v, ErrMalformedPayload) = %v, want %v", err, got, tt.malformed)
			}
		})
	}
}
