package paymentstest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
)

// SignatureHeader is the header that signs a callback: [Fake.ParseEvent]
// accepts a callback only when it is "valid", as [Callback] sets it.
const SignatureHeader = "Paymentstest-Signature"

// signature is the value of SignatureHeader of a genuine callback.
const signature = "valid"

var (
	_ ticketing.Payments      = (*Fake)(nil)
	_ ticketing.AmountChecker = (*Fake)(nil)
)

// Fake is a payment provider in memory. Checkouts are numbered cs_1, cs_2,
// … and paid on https://pay.example.com/cs_N; the refund of a checkout is
// re_ followed by the checkout's id. A callback is the JSON of a
// ticketing.PaymentEvent with the header SignatureHeader: "valid".
//
// The zero value is a provider without checkouts, ready to use, as is the
// one New returns. A Fake is safe for concurrent use.
type Fake struct {
	mu        sync.Mutex
	checkouts []ticketing.CheckoutRequest    // cs_N started with checkouts[N-1]
	byKey     map[string]*ticketing.Checkout // by idempotency key
	refunds   []string                       // the checkouts refunded
	refundIDs map[string]string              // by idempotency key
	fail      error
	check     func(ce.Money) error // set by SetAmountCheck
}

// New returns a provider without checkouts, like the zero Fake.
func New() *Fake { return &Fake{} }

// SetFailure makes every later CreateCheckout and Refund fail with err,
// as a provider that is down does, until SetFailure(nil). Failed calls
// record nothing.
func (f *Fake) SetFailure(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

// SetAmountCheck makes the Fake a provider that cannot charge every
// amount, as Stripe is: CheckAmount, and so a ticketing.Service, and
// CreateCheckout refuse the amounts for which check returns an error, with
// that error, until SetAmountCheck(nil). check must not call the Fake; it
// may be, for one, the CheckAmount method of a stripepay.Payments, which
// makes no request.
func (f *Fake) SetAmountCheck(check func(amount ce.Money) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.check = check
}

// CheckAmount returns the error of the check set by SetAmountCheck for
// amount; nil without one. It implements ticketing.AmountChecker.
func (f *Fake) CheckAmount(amount ce.Money) error {
	f.mu.Lock()
	check := f.check
	f.mu.Unlock()
	if check == nil {
		return nil
	}
	return check(amount)
}

// CreateCheckout starts the next checkout, cs_N, for req and records req.
// A req whose IdempotencyKey is not empty and was seen before returns the
// checkout started then and records nothing. It returns the error of
// CheckAmount for req.Amount, if any, or else the error set by SetFailure,
// if any, and records nothing then.
func (f *Fake) CreateCheckout(_ context.Context, req ticketing.CheckoutRequest) (*ticketing.Checkout, error) {
	if err := f.CheckAmount(req.Amount); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	if c, ok := f.byKey[req.IdempotencyKey]; ok && req.IdempotencyKey != "" {
		cc := *c
		return &cc, nil
	}
	f.checkouts = append(f.checkouts, req)
	id := fmt.Sprintf("cs_%d", len(f.checkouts))
	c := ticketing.Checkout{ID: id, URL: "https://pay.example.com/" + id, ExpiresAt: req.ExpiresAt}
	if req.IdempotencyKey != "" {
		if f.byKey == nil {
			f.byKey = make(map[string]*ticketing.Checkout)
		}
		stored := c
		f.byKey[req.IdempotencyKey] = &stored
	}
	return &c, nil
}

// Refund records the refund of the checkout with the id, known or not,
// and returns "re_" followed by the id. A call whose idempotencyKey is not
// empty and was seen before returns the refund made then and records
// nothing. It returns the error set by SetFailure, if any.
func (f *Fake) Refund(_ context.Context, checkoutID, idempotencyKey string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return "", f.fail
	}
	if id, ok := f.refundIDs[idempotencyKey]; ok && idempotencyKey != "" {
		return id, nil
	}
	f.refunds = append(f.refunds, checkoutID)
	id := "re_" + checkoutID
	if idempotencyKey != "" {
		if f.refundIDs == nil {
			f.refundIDs = make(map[string]string)
		}
		f.refundIDs[idempotencyKey] = id
	}
	return id, nil
}

// ParseEvent decodes body, the JSON of a ticketing.PaymentEvent, if
// header's SignatureHeader is "valid". Otherwise the error matches
// completeevent.ErrUnauthorized; a body that does not decode is an error
// matching completeevent.ErrInvalid. SetFailure does not affect it.
func (f *Fake) ParseEvent(body []byte, header http.Header) (*ticketing.PaymentEvent, error) {
	if header.Get(SignatureHeader) != signature {
		return nil, ce.Unauthorized("paymentstest: bad signature")
	}
	var ev ticketing.PaymentEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, ce.Invalid("body", "paymentstest: %v", err)
	}
	return &ev, nil
}

// Checkouts returns the requests of the checkouts started, in order: the
// N-th started cs_N. Retries with a known IdempotencyKey are not in it.
func (f *Fake) Checkouts() []ticketing.CheckoutRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ticketing.CheckoutRequest(nil), f.checkouts...)
}

// LastCheckout returns the request of the checkout started last. It
// panics if none was.
func (f *Fake) LastCheckout() ticketing.CheckoutRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.checkouts) == 0 {
		panic("paymentstest: LastCheckout: no checkout was started")
	}
	return f.checkouts[len(f.checkouts)-1]
}

// Refunds returns the ids of the checkouts refunded, in order, once per
// refund made.
func (f *Fake) Refunds() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.refunds...)
}

// Callback returns the body and headers of the callback reporting ev,
// signed as Fake.ParseEvent requires. Hand both to
// ticketing.Service.HandlePaymentEvent. Callback is safe for concurrent
// use.
func Callback(ev ticketing.PaymentEvent) (body []byte, header http.Header) {
	body, err := json.Marshal(ev)
	if err != nil {
		panic("paymentstest: Callback: " + err.Error())
	}
	return body, http.Header{
		"Content-Type":  {"application/json"},
		SignatureHeader: {signature},
	}
}

// Completed returns the event, with the id eventID, that reports the
// checkout with the id checkoutID, started with req, paid amount: in full
// when amount is req.Amount. Its CreatedAt is zero.
func Completed(req ticketing.CheckoutRequest, eventID, checkoutID string, amount ce.Money) ticketing.PaymentEvent {
	ev := event(req, eventID, checkoutID)
	ev.Type = ticketing.PaymentCompleted
	ev.Amount = amount
	return ev
}

// Processing returns the event, with the id eventID, that reports the
// checkout with the id checkoutID, started with req, completed with a
// payment method that confirms later: a Completed or an Expired event
// follows once the payment succeeds or fails. Its CreatedAt is zero.
func Processing(req ticketing.CheckoutRequest, eventID, checkoutID string) ticketing.PaymentEvent {
	ev := event(req, eventID, checkoutID)
	ev.Type = ticketing.PaymentProcessing
	return ev
}

// Expired returns the event, with the id eventID, that reports the
// checkout with the id checkoutID, started with req, expired unpaid. Its
// CreatedAt is zero.
func Expired(req ticketing.CheckoutRequest, eventID, checkoutID string) ticketing.PaymentEvent {
	ev := event(req, eventID, checkoutID)
	ev.Type = ticketing.PaymentExpired
	return ev
}

// event returns the event about the checkout that carries what req gave
// the provider.
func event(req ticketing.CheckoutRequest, eventID, checkoutID string) ticketing.PaymentEvent {
	return ticketing.PaymentEvent{
		ID:             eventID,
		CheckoutID:     checkoutID,
		Purpose:        req.Purpose,
		OrganizationID: req.OrganizationID,
		EventID:        req.EventID,
		RegistrationID: req.RegistrationID,
		ItemID:         req.ItemID,
	}
}
