package stripepay

import (
	"math"
	"strings"

	ce "github.com/completeevent/completeevent-go/completeevent"
)

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

// toStripe returns the amount and the lower-case currency to send to
// Stripe for m, which must be a valid, positive amount, or an ErrInvalid
// error naming field.
func toStripe(m ce.Money, field string) (int64, string, error) {
	if err := m.Validate(field); err != nil {
		return 0, "", err
	}
	if m.Amount <= 0 {
		return 0, "", ce.Invalid(field+".amount", "must be positive")
	}
	a := m.Amount
	switch s := stripeScale(m.Currency); {
	case s > 0:
		if a > math.MaxInt64/s {
			return 0, "", ce.Invalid(field+".amount", "is too large")
		}
		a *= s
	case s < 0:
		if a%-s != 0 {
			return 0, "", ce.Invalid(field+".amount", "%s amounts must be multiples of %d for Stripe", m.Currency, -s)
		}
		a /= -s
	}
	if tenthsOnly(m.Currency) && a%10 != 0 {
		return 0, "", ce.Invalid(field+".amount", "%s amounts must be multiples of 10 for Stripe", m.Currency)
	}
	return a, strings.ToLower(m.Currency), nil
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
