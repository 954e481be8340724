// Package stripepay implements ticketing.Payments with Stripe Checkout,
// through github.com/stripe/stripe-go/v76.
//
// CreateCheckout creates a Checkout Session in payment mode with one line
// item for the amount and our ids in its metadata; Refund refunds the
// payment of a completed session in full; ParseEvent verifies a callback
// to the Stripe webhook endpoint with the endpoint's signing secret and
// reports the session's completion (paid, or processing for a payment
// method that confirms later), the outcome of such a delayed payment, and
// the session's expiry.
//
// Subscribe the Stripe webhook endpoint to checkout.session.completed,
// checkout.session.expired, checkout.session.async_payment_succeeded and
// checkout.session.async_payment_failed: a payment method that confirms
// later holds its seat until one of the last two arrives.
//
// Each Payments has its own Stripe backend, key and base URL: stripe.Key
// and the backends of stripe.SetBackend are neither read nor changed, so
// several instances with different accounts, or a test against
// stripe-mock, live side by side.
//
// # Amounts
//
// completeevent.Money counts the minor units of ISO 4217. Stripe does the
// same except for a few currencies, which this package converts: ISK, which
// Stripe counts in hundredths although ISO 4217 has no minor unit, and MGA,
// which Stripe counts in whole ariary although ISO 4217 gives it two
// decimals. For the three-decimal currencies (BHD, JOD, KWD, OMR, TND)
// Stripe requires amounts whose last digit is 0. Stripe charges at most
// eight digits in its unit (twelve for IDR), so at most 999,999 ISK.
// CheckAmount says whether Stripe can charge an amount; through it a
// ticketing.Service refuses prices and bids Stripe could not charge.
package stripepay
