package paymentstest_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/paymentstest"
)

func TestCreateCheckout(t *testing.T) {
	t.Parallel()
	var f paymentstest.Fake // the zero value is ready to use
	ctx := context.Background()
	a := ticketing.CheckoutRequest{RegistrationID: "reg_a", Amount: ce.Money{Amount: 2500, Currency: "EUR"}, IdempotencyKey: "checkout-reg_a"}
	b := ticketing.CheckoutRequest{RegistrationID: "reg_b", IdempotencyKey: "checkout-reg_b"}
	for _, tc := range []struct {
		req    ticketing.CheckoutRequest
		wantID string
	}{
		{a, "cs_1"},
		{b, "cs_2"},
		{a, "cs_1"}, // a retry: the same checkout
		{ticketing.CheckoutRequest{RegistrationID: "reg_c"}, "cs_3"},
		{ticketing.CheckoutRequest{RegistrationID: "reg_c"}, "cs_4"}, // no key: a new checkout
	} {
		c, err := f.CreateCheckout(ctx, tc.req)
		if err != nil {
			t.Fatalf("CreateCheckout(%s): %v", tc.req.RegistrationID, err)
		}
		if c.ID != tc.wantID || c.URL != "https://pay.example.com/"+tc.wantID {
			t.Errorf("CreateCheckout(%s): got %s at %s, want %s", tc.req.RegistrationID, c.ID, c.URL, tc.wantID)
		}
	}
	want := []ticketing.CheckoutRequest{a, b, {RegistrationID: "reg_c"}, {RegistrationID: "reg_c"}}
	if diff := cmp.Diff(want, f.Checkouts()); diff != "" {
		t.Errorf("Checkouts (-want +got):\n%s", diff)
	}
	if got := f.LastCheckout(); got.RegistrationID != "reg_c" {
		t.Errorf("LastCheckout: got %+v, want reg_c's", got)
	}
}

func TestRefund(t *testing.T) {
	t.Parallel()
	f := paymentstest.New()
	ctx := context.Background()
	for _, tc := range []struct{ checkout, key, want string }{
		{"cs_1", "refund-cs_1", "re_cs_1"},
		{"cs_1", "refund-cs_1", "re_cs_1"}, // a retry: refunded once
		{"cs_2", "", "re_cs_2"},
		{"cs_2", "", "re_cs_2"}, // no key: refunded again
	} {
		got, err := f.Refund(ctx, tc.checkout, tc.key)
		if err != nil || got != tc.want {
			t.Errorf("Refund(%s, %q): got %q, %v; want %q", tc.checkout, tc.key, got, err, tc.want)
		}
	}
	if diff := cmp.Diff([]string{"cs_1", "cs_2", "cs_2"}, f.Refunds()); diff != "" {
		t.Errorf("Refunds (-want +got):\n%s", diff)
	}
}

func TestSetFailure(t *testing.T) {
	t.Parallel()
	f := paymentstest.New()
	ctx := context.Background()
	down := errors.New("provider down")
	f.SetFailure(down)
	if c, err := f.CreateCheckout(ctx, ticketing.CheckoutRequest{IdempotencyKey: "k"}); !errors.Is(err, down) {
		t.Errorf("CreateCheckout: got %+v, %v; want %v", c, err, down)
	}
	if id, err := f.Refund(ctx, "cs_1", "k"); !errors.Is(err, down) {
		t.Errorf("Refund: got %q, %v; want %v", id, err, down)
	}
	if n, m := len(f.Checkouts()), len(f.Refunds()); n != 0 || m != 0 {
		t.Errorf("failed calls recorded %d checkouts and %d refunds, want none", n, m)
	}
	f.SetFailure(nil)
	if c, err := f.CreateCheckout(ctx, ticketing.CheckoutRequest{IdempotencyKey: "k"}); err != nil || c.ID != "cs_1" {
		t.Errorf("CreateCheckout after SetFailure(nil): got %+v, %v; want cs_1", c, err)
	}
}

func TestSetAmountCheck(t *testing.T) {
	t.Parallel()
	f := paymentstest.New()
	ctx := context.Background()
	even := ce.Money{Amount: 2500, Currency: "EUR"}
	odd := ce.Money{Amount: 2501, Currency: "EUR"}
	if err := f.CheckAmount(odd); err != nil {
		t.Errorf("CheckAmount(%v) without a check: got %v, want nil", odd, err)
	}
	refused := ce.Invalid("amount.amount", "only even amounts")
	f.SetAmountCheck(func(m ce.Money) error {
		if m.Amount%2 != 0 {
			return refused
		}
		return nil
	})
	for _, tc := range []struct {
		amount ce.Money
		want   error
	}{
		{even, nil},
		{odd, refused},
	} {
		if err := f.CheckAmount(tc.amount); !errors.Is(err, tc.want) {
			t.Errorf("CheckAmount(%v): got %v, want %v", tc.amount, err, tc.want)
		}
		_, err := f.CreateCheckout(ctx, ticketing.CheckoutRequest{RegistrationID: "reg_1", Amount: tc.amount})
		if !errors.Is(err, tc.want) {
			t.Errorf("CreateCheckout for %v: got %v, want %v", tc.amount, err, tc.want)
		}
	}
	if diff := cmp.Diff([]ticketing.CheckoutRequest{{RegistrationID: "reg_1", Amount: even}}, f.Checkouts()); diff != "" {
		t.Errorf("Checkouts (-want +got), want the refused one left out:\n%s", diff)
	}
	f.SetAmountCheck(nil)
	if err := f.CheckAmount(odd); err != nil {
		t.Errorf("CheckAmount(%v) after SetAmountCheck(nil): got %v, want nil", odd, err)
	}
}

func TestParseEvent(t *testing.T) {
	t.Parallel()
	f := paymentstest.New()
	req := ticketing.CheckoutRequest{
		Purpose: ticketing.PurposeAuctionItem, OrganizationID: "org_1", EventID: "evt_1",
		RegistrationID: "reg_1", ItemID: "itm_1", Amount: ce.Money{Amount: 1100, Currency: "EUR"},
	}
	completed := paymentstest.Completed(req, "pe_1", "cs_1", req.Amount)
	expired := paymentstest.Expired(req, "pe_2", "cs_1")
	for _, want := range []ticketing.PaymentEvent{completed, expired} {
		body, header := paymentstest.Callback(want)
		got, err := f.ParseEvent(body, header)
		if err != nil {
			t.Fatalf("ParseEvent: %v", err)
		}
		if diff := cmp.Diff(&want, got); diff != "" {
			t.Errorf("ParseEvent (-want +got):\n%s", diff)
		}
	}
	wantEvent := ticketing.PaymentEvent{
		ID: "pe_1", Type: ticketing.PaymentCompleted, CheckoutID: "cs_1", Purpose: ticketing.PurposeAuctionItem,
		OrganizationID: "org_1", EventID: "evt_1", RegistrationID: "reg_1", ItemID: "itm_1", Amount: req.Amount,
	}
	if diff := cmp.Diff(wantEvent, completed); diff != "" {
		t.Errorf("Completed (-want +got):\n%s", diff)
	}
	if expired.Type != ticketing.PaymentExpired || expired.Amount != (ce.Money{}) {
		t.Errorf("Expired: got %+v, want expired without an amount", expired)
	}
	wantProcessing := wantEvent
	wantProcessing.ID, wantProcessing.Type, wantProcessing.Amount = "pe_3", ticketing.PaymentProcessing, ce.Money{}
	if diff := cmp.Diff(wantProcessing, paymentstest.Processing(req, "pe_3", "cs_1")); diff != "" {
		t.Errorf("Processing (-want +got):\n%s", diff)
	}

	body, header := paymentstest.Callback(completed)
	for _, tc := range []struct {
		name   string
		body   []byte
		header http.Header
		want   error
	}{
		{"no signature", body, http.Header{}, ce.ErrUnauthorized},
		{"forged signature", body, http.Header{paymentstest.SignatureHeader: {"forged"}}, ce.ErrUnauthorized},
		{"bad JSON", []byte("{"), header, ce.ErrInvalid},
	} {
		if ev, err := f.ParseEvent(tc.body, tc.header); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %+v, %v; want %v", tc.name, ev, err, tc.want)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	f := paymentstest.New()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := f.CreateCheckout(context.Background(), ticketing.CheckoutRequest{IdempotencyKey: "same"}); err != nil {
				t.Error(err)
			}
			if _, err := f.Refund(context.Background(), "cs_1", "same"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n, m := len(f.Checkouts()), len(f.Refunds()); n != 1 || m != 1 {
		t.Errorf("got %d checkouts and %d refunds, want 1 each", n, m)
	}
}
