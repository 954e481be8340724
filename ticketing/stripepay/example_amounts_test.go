package stripepay_test

import (
	"fmt"
	"log"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing/stripepay"
)

// CheckAmount tells, without a request to Stripe, whether Stripe can charge
// an amount; a ticketing.Service asks it before accepting a tier's price,
// an auction item or a bid.
func ExamplePayments_CheckAmount() {
	payments, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_123", WebhookSecret: "whsec_example"})
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range []ce.Money{
		{Amount: 2500, Currency: "EUR"},
		{Amount: 1010, Currency: "KWD"},
		{Amount: 1005, Currency: "KWD"},
		{Amount: 150, Currency: "MGA"},
		{Amount: 999_999, Currency: "ISK"},
		{Amount: 1_000_000, Currency: "ISK"},
	} {
		if err := payments.CheckAmount(m); err != nil {
			fmt.Printf("%v: %s\n", m, ce.ErrorMessage(err))
			continue
		}
		fmt.Printf("%v: payable\n", m)
	}
	// Output:
	// EUR 25.00: payable
	// KWD 1.010: payable
	// KWD 1.005: KWD amounts must be multiples of 0.010 for card payments
	// MGA 1.50: MGA amounts must be multiples of 1.00 for card payments
	// ISK 999999: payable
	// ISK 1000000: at most 999,999 ISK can be paid
}
