package stripepay_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/stripetest"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/stripepay"
)

// FuzzParseEvent feeds ParseEvent bodies signed with the right secret
// (sign true), to reach the decoding, and bodies with any header (sign
// false), to reach the signature check. It must never panic, must refuse
// every unsigned body as ErrUnauthorized, and what it accepts must be
// complete.
func FuzzParseEvent(f *testing.F) {
	for _, typ := range []string{"checkout.session.completed", "checkout.session.expired", "charge.refunded"} {
		f.Add(stripetest.Event(f, "evt_1", typ, time.Unix(1900000000, 0), session(nil)), "", true)
	}
	f.Add([]byte(`{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"object":"checkout.session","id":"cs_1","payment_status":"paid","amount_total":-1,"currency":"eur"}}}`), "", true)
	f.Add([]byte(`{"id":"evt_1","type":"checkout.session.completed","data":{"object":{"object":"checkout.session","id":"cs_1","payment_status":"paid","amount_total":1.5,"currency":"eur"}}}`), "", true)
	f.Add([]byte(`{"id":"evt_1","type":"checkout.session.expired","data":{"object":null}}`), "", true)
	f.Add([]byte(`{}`), "t=1900000000,v1=00", false)
	f.Add([]byte(`{}`), "t=,v1=zz,v0=", false)

	p, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_1", WebhookSecret: webhookSecret})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, sig string, sign bool) {
		h := http.Header{}
		if sign {
			h = stripetest.Sign(body, webhookSecret, time.Time{})
		} else {
			h.Set("Stripe-Signature", sig)
		}
		ev, err := p.ParseEvent(body, h)
		if err != nil {
			if ev != nil {
				t.Errorf("got event %+v with error %v", ev, err)
			}
			if !errors.Is(err, ce.ErrUnauthorized) && !errors.Is(err, ce.ErrInvalid) {
				t.Errorf("got error %v, want ErrUnauthorized or ErrInvalid", err)
			}
			if sign && errors.Is(err, ce.ErrUnauthorized) {
				t.Errorf("a correctly signed body got %v", err)
			}
			return
		}
		if !sign {
			t.Fatalf("an unsigned body was accepted: %q with %q", body, sig)
		}
		if ev.ID == "" {
			t.Errorf("accepted event %+v has no ID", ev)
		}
		switch ev.Type {
		case ticketing.PaymentCompleted:
			if ev.CheckoutID == "" || ev.Amount.Amount < 0 || !ce.ValidCurrency(ev.Amount.Currency) {
				t.Errorf("completed event %+v lacks a checkout id or a valid amount", ev)
			}
		case ticketing.PaymentExpired:
			if ev.CheckoutID == "" || ev.Amount.Amount < 0 {
				t.Errorf("expired event %+v lacks a checkout id or has a negative amount", ev)
			}
		case ticketing.PaymentOther:
		default:
			t.Errorf("event %+v has an unknown type", ev)
		}
	})
}
