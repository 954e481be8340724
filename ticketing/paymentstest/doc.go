// Package paymentstest is the test kit for code that takes payments
// through a ticketing.Payments: a [Fake] provider in memory, and the
// signed callbacks it accepts.
//
// A test configures ticketing.Options.Payments with a Fake, looks at the
// checkouts and refunds the service asked for, and plays the provider's
// part by handing the service callbacks made with [Callback] from the
// events [Completed] and [Expired] build. [Fake.SetAmountCheck] gives the
// Fake a real provider's rule on the amounts it charges. Package
// ticketing/stripepay is the real provider; its own tests run against
// stripe-mock.
//
// The package is for tests: its helpers panic on misuse, like
// net/http/httptest.
package paymentstest
