package stripepay

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
)

var _ ticketing.AmountChecker = (*Payments)(nil)

// CheckAmount returns nil if Stripe Checkout can charge amount, and
// otherwise the ErrInvalid error, naming amount.amount or amount.currency,
// that CreateCheckout returns for it. Stripe charges positive amounts of
// at most eight digits in its unit (twelve for IDR): at most 999,999 ISK,
// which Stripe counts in hundredths, and 999,999.99 in two-decimal
// currencies. It charges whole ariary only (MGA in multiples of 1.00), and
// three-decimal currencies (BHD, JOD, KWD, OMR, TND) only in multiples of
// 0.010. CheckAmount makes no request and is safe for concurrent use. It
// does not check Stripe's minimum charge (50 US cents or about that, in
// the account's settlement currency), which depends on the account and
// the exchange rate: Stripe refuses a smaller amount when the checkout is
// created.
//
// CheckAmount implements ticketing.AmountChecker: a ticketing.Service
// refuses tier prices, auction items and bids Stripe could not charge.
func (p *Payments) CheckAmount(amount ce.Money) error {
	_, _, err := toStripe(amount, "amount")
	return err
}

// stripeScale says how the unit of Stripe's API differs from the ISO 4217
// minor unit of a currency: a positive value multiplies our amount to get
// Stripe's, a negative value divides it, zero means they are the same.
func stripeScale(currency string) int64 {
	switch currency {
	case "ISK": // ISO: no decimals; Stripe: two, in multiples of 100
		return 100
	case "MGA": // ISO: two decimals; Stripe: zero-decimal
		return -100
	}
	return 0
}

// tenthsOnly reports whether Stripe accepts amounts of the three-decimal
// currency only as multiples of 10.
func tenthsOnly(currency string) bool {
	switch currency {
	case "BHD", "JOD", "KWD", "OMR", "TND":
		return true
	}
	return false
}

// maxStripeAmount returns the largest amount, in Stripe's unit, Stripe
// charges in the currency: twelve digits for IDR, eight for the others.
func maxStripeAmount(currency string) int64 {
	if currency == "IDR" {
		return 999_999_999_999
	}
	return 99_999_999
}

// step returns the number of minor units every amount Stripe charges in
// the currency is a multiple of: 100 for MGA, which Stripe counts in whole
// ariary, 10 for the three-decimal currencies, 1 for the others.
func step(currency string) int64 {
	if s := stripeScale(currency); s < 0 {
		return -s
	}
	if tenthsOnly(currency) {
		return 10
	}
	return 1
}

// maxAmount returns the largest amount, in minor units, Stripe charges in
// the currency: 999,999 for ISK, 99,999.990 for KWD, 999,999.99 for EUR.
func maxAmount(currency string) int64 {
	most := maxStripeAmount(currency)
	switch s := stripeScale(currency); {
	case s > 0:
		most /= s
	case s < 0:
		most *= -s
	}
	return most - most%step(currency)
}

// toStripe returns the amount and the lower-case currency to send to
// Stripe for m, or an ErrInvalid error naming field+".amount" or
// field+".currency" if Stripe cannot charge m: an amount that is not
// positive, not a multiple of the currency's step or above its maximum,
// or a currency that is not ISO 4217's.
func toStripe(m ce.Money, field string) (int64, string, error) {
	if err := m.Validate(field); err != nil {
		return 0, "", err
	}
	cur := m.Currency
	switch {
	case m.Amount <= 0:
		return 0, "", ce.Invalid(field+".amount", "must be positive")
	case m.Amount%step(cur) != 0:
		return 0, "", ce.Invalid(field+".amount", "%s amounts must be multiples of %s for card payments", cur, major(step(cur), cur))
	case m.Amount > maxAmount(cur):
		return 0, "", ce.Invalid(field+".amount", "at most %s %s can be paid", major(maxAmount(cur), cur), cur)
	}
	a := m.Amount
	switch s := stripeScale(cur); {
	case s > 0:
		a *= s
	case s < 0:
		a /= -s
	}
	return a, strings.ToLower(cur), nil
}

// major formats the positive amount a, in minor units of the currency, in
// major units with a comma between groups of three digits: "0.010" for 10
// KWD minor units, "999,999" for 999999 ISK.
func major(a int64, currency string) string {
	decimals, _ := ce.CurrencyDecimals(currency)
	unit := int64(1)
	for range decimals {
		unit *= 10
	}
	whole := strconv.FormatInt(a/unit, 10)
	var b strings.Builder
	for i, d := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(d)
	}
	if decimals > 0 {
		fmt.Fprintf(&b, ".%0*d", decimals, a%unit)
	}
	return b.String()
}

// fromStripe returns the Money for an amount and a currency reported by
// Stripe, or an ErrInvalid error if it is negative, in no ISO 4217
// currency, or not representable in its minor unit.
func fromStripe(amount int64, currency string) (ce.Money, error) {
	cur := strings.ToUpper(currency)
	if !ce.ValidCurrency(cur) {
		return ce.Money{}, ce.Invalid("currency", "%q is not an ISO 4217 currency code", currency)
	}
	if amount < 0 {
		return ce.Money{}, ce.Invalid("amount_total", "must not be negative")
	}
	switch s := stripeScale(cur); {
	case s > 0:
		if amount%s != 0 {
			return ce.Money{}, ce.Invalid("amount_total", "%d is not a whole %s amount", amount, cur)
		}
		amount /= s
	case s < 0:
		if amount > math.MaxInt64/-s {
			return ce.Money{}, ce.Invalid("amount_total", "is too large")
		}
		amount *= -s
	}
	return ce.Money{Amount: amount, Currency: cur}, nil
}
