package stripepay_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/stripetest"
)

// refusal is what a test compares of an ErrInvalid error; the zero
// refusal is no error.
type refusal struct {
	Field, Message string
}

// amountTests are amounts Stripe charges or refuses, each with the
// refusal CheckAmount and CreateCheckout return, and the unit_amount sent
// to Stripe for a payable one.
var amountTests = []struct {
	name   string
	amount ce.Money
	want   refusal
	unit   string
}{
	{"EUR", ce.Money{Amount: 2500, Currency: "EUR"}, refusal{}, "2500"},
	{"EUR at the maximum", ce.Money{Amount: 99_999_999, Currency: "EUR"}, refusal{}, "99999999"},
	{"EUR above the maximum", ce.Money{Amount: 100_000_000, Currency: "EUR"}, refusal{"amount.amount", "at most 999,999.99 EUR can be paid"}, ""},
	{"JPY above the maximum", ce.Money{Amount: 100_000_000, Currency: "JPY"}, refusal{"amount.amount", "at most 99,999,999 JPY can be paid"}, ""},
	{"IDR at twelve digits", ce.Money{Amount: 999_999_999_999, Currency: "IDR"}, refusal{}, "999999999999"},
	{"IDR above twelve digits", ce.Money{Amount: 1_000_000_000_000, Currency: "IDR"}, refusal{"amount.amount", "at most 9,999,999,999.99 IDR can be paid"}, ""},
	{"KWD in tens of fils", ce.Money{Amount: 1010, Currency: "KWD"}, refusal{}, "1010"},
	{"KWD 1.005", ce.Money{Amount: 1005, Currency: "KWD"}, refusal{"amount.amount", "KWD amounts must be multiples of 0.010 for card payments"}, ""},
	{"BHD 0.001", ce.Money{Amount: 1, Currency: "BHD"}, refusal{"amount.amount", "BHD amounts must be multiples of 0.010 for card payments"}, ""},
	{"JOD 2.345", ce.Money{Amount: 2345, Currency: "JOD"}, refusal{"amount.amount", "JOD amounts must be multiples of 0.010 for card payments"}, ""},
	{"OMR 10.001", ce.Money{Amount: 10_001, Currency: "OMR"}, refusal{"amount.amount", "OMR amounts must be multiples of 0.010 for card payments"}, ""},
	{"TND 0.015", ce.Money{Amount: 15, Currency: "TND"}, refusal{"amount.amount", "TND amounts must be multiples of 0.010 for card payments"}, ""},
	{"KWD at the maximum", ce.Money{Amount: 99_999_990, Currency: "KWD"}, refusal{}, "99999990"},
	{"KWD above the maximum", ce.Money{Amount: 100_000_000, Currency: "KWD"}, refusal{"amount.amount", "at most 99,999.990 KWD can be paid"}, ""},
	{"MGA in whole ariary", ce.Money{Amount: 1_000_000, Currency: "MGA"}, refusal{}, "10000"},
	{"MGA 1.50", ce.Money{Amount: 150, Currency: "MGA"}, refusal{"amount.amount", "MGA amounts must be multiples of 1.00 for card payments"}, ""},
	{"MGA at the maximum", ce.Money{Amount: 9_999_999_900, Currency: "MGA"}, refusal{}, "99999999"},
	{"MGA above the maximum", ce.Money{Amount: 10_000_000_000, Currency: "MGA"}, refusal{"amount.amount", "at most 99,999,999.00 MGA can be paid"}, ""},
	{"ISK at the maximum", ce.Money{Amount: 999_999, Currency: "ISK"}, refusal{}, "99999900"},
	{"ISK above the maximum", ce.Money{Amount: 1_000_000, Currency: "ISK"}, refusal{"amount.amount", "at most 999,999 ISK can be paid"}, ""},
	{"ISK overflowing", ce.Money{Amount: 1 << 62, Currency: "ISK"}, refusal{"amount.amount", "at most 999,999 ISK can be paid"}, ""},
	{"zero", ce.Money{Currency: "EUR"}, refusal{"amount.amount", "must be positive"}, ""},
	{"negative", ce.Money{Amount: -10, Currency: "KWD"}, refusal{"amount.amount", "must not be negative"}, ""},
	{"unknown currency", ce.Money{Amount: 100, Currency: "XXX"}, refusal{"amount.currency", `"XXX" is not an ISO 4217 currency code`}, ""},
}

// refusalOf returns the refusal err is, failing the test unless err is
// nil or matches ErrInvalid.
func refusalOf(t *testing.T, err error) refusal {
	t.Helper()
	if err == nil {
		return refusal{}
	}
	if !errors.Is(err, ce.ErrInvalid) {
		t.Fatalf("got error %v, want nil or ErrInvalid", err)
	}
	return refusal{ce.ErrorField(err), ce.ErrorMessage(err)}
}

func TestCheckAmount(t *testing.T) {
	t.Parallel()
	p, calls := newPaymentsExpectingNoRequest(t)
	for _, tt := range amountTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, refusalOf(t, p.CheckAmount(tt.amount))); diff != "" {
				t.Errorf("CheckAmount(%v) (-want +got):\n%s", tt.amount, diff)
			}
		})
	}
	t.Cleanup(func() {
		if n := calls.Load(); n != 0 {
			t.Errorf("got %d requests to Stripe, want none", n)
		}
	})
}

// TestCreateCheckoutAmounts shows CreateCheckout follows CheckAmount: it
// refuses what CheckAmount refuses, with the same error, and stripe-mock
// takes the rest.
func TestCreateCheckoutAmounts(t *testing.T) {
	t.Parallel()
	base := stripetest.Start(t)
	for _, tt := range amountTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := stripetest.Record(t, base)
			p := newPayments(t, rec.URL)
			req := validRequest()
			req.Amount = tt.amount
			_, err := p.CreateCheckout(t.Context(), req)
			if diff := cmp.Diff(tt.want, refusalOf(t, err)); diff != "" {
				t.Fatalf("CreateCheckout for %v (-want +got):\n%s", tt.amount, diff)
			}
			reqs := rec.Requests()
			if tt.want != (refusal{}) {
				if len(reqs) != 0 {
					t.Errorf("got %d requests to Stripe, want none for a refused amount", len(reqs))
				}
				return
			}
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			if got := reqs[0].Form.Get("line_items[0][price_data][unit_amount]"); got != tt.unit {
				t.Errorf("got unit_amount %s, want %s", got, tt.unit)
			}
		})
	}
}
