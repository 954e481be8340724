package completeevent

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in the minor unit of an ISO 4217 currency: cents for
// EUR and USD, yen for JPY. It never uses floating point.
type Money struct {
	// Amount is the number of minor units.
	Amount int64 `json:"amount"`
	// Currency is the upper-case ISO 4217 code, e.g. "EUR".
	Currency string `json:"currency"`
}

// IsZero reports whether m is free: a zero amount, whatever the currency.
func (m Money) IsZero() bool { return m.Amount == 0 }

// String formats m with the currency's decimals, e.g. "EUR 12.50" or
// "JPY 1200".
func (m Money) String() string {
	exp, ok := CurrencyDecimals(m.Currency)
	if !ok || exp == 0 {
		return m.Currency + " " + strconv.FormatInt(m.Amount, 10)
	}
	sign := ""
	a := m.Amount
	if a < 0 {
		sign, a = "-", -a
	}
	unit := int64(1)
	for range exp {
		unit *= 10
	}
	return fmt.Sprintf("%s %s%d.%0*d", m.Currency, sign, a/unit, exp, a%unit)
}

// Validate reports an ErrInvalid error naming field if m has a negative
// amount or an unknown currency.
func (m Money) Validate(field string) error {
	if m.Amount < 0 {
		return Invalid(field+".amount", "must not be negative")
	}
	if !ValidCurrency(m.Currency) {
		return Invalid(field+".currency", "%q is not an ISO 4217 currency code", m.Currency)
	}
	return nil
}

// ValidCurrency reports whether code is an active ISO 4217 currency code
// in upper case.
func ValidCurrency(code string) bool {
	_, ok := CurrencyDecimals(code)
	return ok
}

// CurrencyDecimals returns the number of decimals of the minor unit of an
// active ISO 4217 currency in upper case (2 for EUR, 0 for JPY), and false
// for any other code.
func CurrencyDecimals(code string) (int, bool) {
	if len(code) != 3 || strings.ToUpper(code) != code {
		return 0, false
	}
	i := strings.Index(iso4217, code)
	if i < 0 || i%5 != 0 {
		return 0, false
	}
	return int(iso4217[i+3] - '0'), true
}

// iso4217 lists the active ISO 4217 codes, each followed by the number of
// decimals of its minor unit and a space.
const iso4217 = "AED2 AFN2 ALL2 AMD2 AOA2 ARS2 AUD2 AWG2 AZN2 BAM2 BBD2 BDT2 BHD3 BIF0 BMD2 " +
	"BND2 BOB2 BRL2 BSD2 BTN2 BWP2 BYN2 BZD2 CAD2 CDF2 CHF2 CLP0 CNY2 COP2 CRC2 " +
	"CUP2 CVE2 CZK2 DJF0 DKK2 DOP2 DZD2 EGP2 ERN2 ETB2 EUR2 FJD2 FKP2 GBP2 GEL2 " +
	"GHS2 GIP2 GMD2 GNF0 GTQ2 GYD2 HKD2 HNL2 HTG2 HUF2 IDR2 ILS2 INR2 IQD3 IRR2 " +
	"ISK0 JMD2 JOD3 JPY0 KES2 KGS2 KHR2 KMF0 KPW2 KRW0 KWD3 KYD2 KZT2 LAK2 LBP2 " +
	"LKR2 LRD2 LSL2 LYD3 MAD2 MDL2 MGA2 MKD2 MMK2 MNT2 MOP2 MRU2 MUR2 MVR2 MWK2 " +
	"MXN2 MYR2 MZN2 NAD2 NGN2 NIO2 NOK2 NPR2 NZD2 OMR3 PAB2 PEN2 PGK2 PHP2 PKR2 " +
	"PLN2 PYG0 QAR2 RON2 RSD2 RUB2 RWF0 SAR2 SBD2 SCR2 SDG2 SEK2 SGD2 SHP2 SLE2 " +
	"SOS2 SRD2 SSP2 STN2 SVC2 SYP2 SZL2 THB2 TJS2 TMT2 TND3 TOP2 TRY2 TTD2 TWD2 " +
	"TZS2 UAH2 UGX0 USD2 UYU2 UZS2 VES2 VND0 VUV0 WST2 XAF0 XCD2 XOF0 XPF0 YER2 " +
	"ZAR2 ZMW2 ZWG2 "
