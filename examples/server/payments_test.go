package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/pgtest"
	"github.com/completeevent/completeevent-go/internal/stripetest"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/stripepay"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/webhooktest"
)

// testStripeWebhookSecret is the signing secret of the Stripe webhook
// endpoint of the paid test servers.
const testStripeWebhookSecret = "whsec_completeevent_test"

// paidRun is a running server that takes payments through a stripe-mock,
// behind a recorder, with a webhook endpoint pointing at a recording
// receiver.
type paidRun struct {
	*running
	stripe  *stripetest.Recorder
	mailDir string
	// key is the demo organization's API key.
	key   string
	hooks *webhooktest.Receiver
}

// testDatabases are the databases the end-to-end tests run on.
var testDatabases = []struct {
	name string
	db   func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "completeevent.db") }},
	{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
}

// startPaidRun starts stripe-mock and a server on db configured for it,
// as an operator would, with -dev-webhooks so that the webhook endpoint
// subscribed to the event types may be a local receiver.
func startPaidRun(t *testing.T, db string, eventTypes ...string) *paidRun {
	t.Helper()
	rec := stripetest.Record(t, stripetest.Start(t))
	mailDir := filepath.Join(t.TempDir(), "mail-out")
	r := startRun(t, "-db", db, "-dev-webhooks", "-mail-dir", mailDir,
		"-stripe-secret-key", stripetest.SecretKey, "-stripe-webhook-secret", testStripeWebhookSecret, "-stripe-api-url", rec.URL)
	out := r.stdout.String()
	if !strings.Contains(out, "Payments are taken through the Stripe API at "+rec.URL+" (test mode)") {
		t.Errorf("got output %q, want it to say payments go to the Stripe API", out)
	}
	if strings.Contains(out, stripetest.SecretKey) || strings.Contains(out, testStripeWebhookSecret) ||
		strings.Contains(r.logs.String(), stripetest.SecretKey) || strings.Contains(r.logs.String(), testStripeWebhookSecret) {
		t.Errorf("the output or the log holds a Stripe secret")
	}
	p := &paidRun{running: r, stripe: rec, mailDir: mailDir, key: apiKeyPattern.FindString(out)}

	types, _ := json.Marshal(eventTypes)
	var endpoint endpointResponse
	if status := r.call(t, "POST", "/v1/webhook-endpoints", p.key, `{"url":"http://127.0.0.1:9/","eventTypes":`+string(types)+`}`, &endpoint); status != http.StatusCreated {
		t.Fatalf("create endpoint: got %d", status)
	}
	p.hooks = webhooktest.NewReceiver(endpoint.Secret, nil)
	t.Cleanup(p.hooks.Close)
	if status := r.call(t, "PATCH", "/v1/webhook-endpoints/"+endpoint.ID, p.key, `{"url":"`+p.hooks.URL()+`/hooks"}`, nil); status != http.StatusOK {
		t.Fatalf("point the endpoint at the receiver: got %d", status)
	}
	return p
}

// mustCall calls the running server like call and fails the test unless
// the status is want.
func (r *running) mustCall(t *testing.T, want int, method, path, token, body string, out any) {
	t.Helper()
	if status := r.call(t, method, path, token, body, out); status != want {
		t.Fatalf("%s %s: got status %d, want %d", method, redactPath(path), status, want)
	}
}

// checkoutSession is the data.object of a Stripe Checkout Session event,
// with the fields stripepay reads.
func checkoutSession(id string, metadata map[string]string, amount int64, currency, paymentStatus string) map[string]any {
	return map[string]any{
		"id": id, "object": "checkout.session", "metadata": metadata,
		"amount_total": amount, "currency": currency, "payment_status": paymentStatus,
	}
}

// registrationMetadata is the metadata stripepay gives the checkout of
// registration reg.
func registrationMetadata(reg registrationJSON) map[string]string {
	return map[string]string{
		stripepay.MetadataPurpose:        string(ticketing.PurposeRegistration),
		stripepay.MetadataOrganizationID: reg.OrganizationID,
		stripepay.MetadataEventID:        reg.EventID,
		stripepay.MetadataRegistrationID: reg.ID,
	}
}

// stripeEvent returns the body of a Stripe event of the type about the
// checkout session.
func stripeEvent(t *testing.T, id, typ string, session map[string]any) []byte {
	t.Helper()
	return stripetest.Event(t, id, typ, time.Now(), session)
}

// callback posts a Stripe callback body with the headers to
// /stripe/webhook and returns the status and the decoded answer.
func (r *running) callback(t *testing.T, body []byte, header http.Header) (int, paymentEventResponse, errorBody) {
	t.Helper()
	req, err := http.NewRequest("POST", r.base+"/stripe/webhook", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /stripe/webhook: %v", err)
	}
	defer resp.Body.Close()
	var raw json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatalf("POST /stripe/webhook: decode: %v", err)
	}
	var ok paymentEventResponse
	var bad errorBody
	if resp.StatusCode == http.StatusOK {
		err = json.Unmarshal(raw, &ok)
	} else {
		err = json.Unmarshal(raw, &bad)
	}
	if err != nil {
		t.Fatalf("POST /stripe/webhook: decode %s: %v", raw, err)
	}
	return resp.StatusCode, ok, bad
}

// signed posts the body signed now with the endpoint's secret and fails
// the test unless the answer is 200 with the outcome.
func (r *running) signed(t *testing.T, body []byte, want ticketing.PaymentOutcome) paymentEventResponse {
	t.Helper()
	status, res, bad := r.callback(t, body, stripetest.Sign(body, testStripeWebhookSecret, time.Now()))
	if status != http.StatusOK || res.Outcome != want {
		t.Fatalf("callback: got %d %+v %+v, want 200 %s", status, res, bad, want)
	}
	return res
}

// registration returns the registration as its organizer sees it.
func (p *paidRun) registration(t *testing.T, id string) registrationJSON {
	t.Helper()
	var reg registrationJSON
	p.mustCall(t, http.StatusOK, "GET", "/v1/registrations/"+id, p.key, "", &reg)
	return reg
}

// checkoutRequests returns the Checkout Sessions stripe-mock was asked to
// create, as form values.
func (p *paidRun) checkoutRequests() []stripetest.Request {
	var out []stripetest.Request
	for _, req := range p.stripe.Requests() {
		if req.Method == "POST" && req.Path == "/v1/checkout/sessions" {
			out = append(out, req)
		}
	}
	return out
}

// emlTo returns the decoded text of the .eml files of the mail folder
// addressed to the address, waiting up to 10 s for at least n of them.
func (p *paidRun) emlTo(t *testing.T, address string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(p.mailDir, "*.eml"))
		var texts []string
		for _, f := range files {
			if strings.HasPrefix(filepath.Base(f), ".") {
				continue // a message the mailer is still writing
			}
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(raw, []byte("<"+address+">")) {
				texts = append(texts, emlText(t, f))
			}
		}
		if len(texts) >= n {
			return texts
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d e-mails to %s within 10s, want %d", len(texts), address, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPaidRegistrationEndToEnd runs the paid flow through a running server,
// stripe-mock and a webhook receiver: a priced registration is pending
// with a Checkout URL; Stripe's signed checkout.session.completed confirms
// it, which sends registration.confirmed with the amount and the
// confirmation e-mail; a duplicate, a forged or stale callback, an unknown
// session and a late expiry change nothing; an expiry frees the seat, and
// a payment completed after it is refunded; a wrong amount is refunded and
// frees the seat.
func TestPaidRegistrationEndToEnd(t *testing.T) {
	t.Parallel()
	for _, tt := range testDatabases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := startPaidRun(t, tt.db(t), webhook.EventTypeRegistrationConfirmed, webhook.EventTypeRegistrationCancelled)

			var e ce.Event
			p.mustCall(t, http.StatusCreated, "POST", "/v1/events", p.key, futureEvent("Gala dinner"), &e)
			var supporter, frontRow, free ce.Tier
			p.mustCall(t, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/tiers", p.key, `{"name":"Supporter","price":{"amount":2500,"currency":"EUR"}}`, &supporter)
			p.mustCall(t, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/tiers", p.key, `{"name":"Front row","price":{"amount":4000,"currency":"EUR"},"capacity":1}`, &frontRow)
			p.mustCall(t, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/tiers", p.key, freeInPersonTier, &free)
			p.mustCall(t, http.StatusOK, "POST", "/v1/events/"+e.ID+"/publish", p.key, "", nil)

			// Register for the priced tier: pending, with Stripe's page.
			var pending publicRegistrationResponse
			p.mustCall(t, http.StatusCreated, "POST", "/v1/public/events/"+e.ID+"/registrations", "", registrationBodyFor(supporter.ID, "ada@example.org"), &pending)
			if pending.Status != ce.RegistrationPendingPayment || !strings.HasPrefix(pending.CheckoutURL, "https://checkout.stripe.com/") {
				t.Fatalf("register: got %+v, want pending_payment with a Stripe Checkout URL", pending)
			}
			ada := p.registration(t, pending.ID)
			if !strings.HasPrefix(ada.PaymentReference, "cs_") || ada.AmountPaid != (ce.Money{Amount: 2500, Currency: "EUR"}) {
				t.Fatalf("registration: got payment reference %q and amount %v, want a Checkout Session and EUR 25.00", ada.PaymentReference, ada.AmountPaid)
			}
			reqs := p.checkoutRequests()
			if len(reqs) != 1 {
				t.Fatalf("Checkout Sessions created: got %d, want 1", len(reqs))
			}
			for field, want := range map[string]string{
				"metadata[registration_id]":                     ada.ID,
				"metadata[purpose]":                             "registration",
				"metadata[organization_id]":                     ada.OrganizationID,
				"line_items[0][price_data][unit_amount]":        "2500",
				"line_items[0][price_data][currency]":           "eur",
				"success_url":                                   pending.GuideURL + "?payment=done",
				"line_items[0][price_data][product_data][name]": "Gala dinner – Supporter",
			} {
				if got := reqs[0].Form.Get(field); got != want {
					t.Errorf("Checkout Session %s: got %q, want %q", field, got, want)
				}
			}
			if got := reqs[0].Header.Get("Idempotency-Key"); got != "checkout-"+ada.ID {
				t.Errorf("Idempotency-Key: got %q, want checkout-%s", got, ada.ID)
			}
			guidePath := strings.TrimPrefix(pending.GuideURL, p.base)
			if status, page := p.get(t, guidePath); status != http.StatusOK || !strings.Contains(page, "Payment pending") || strings.Contains(page, `class="qr"`) {
				t.Errorf("guide while pending: got %d, want 200 with the payment pending and no ticket:\n%s", status, page)
			}

			md := registrationMetadata(ada)
			completed := stripeEvent(t, "evt_paid_ada", "checkout.session.async_payment_succeeded", checkoutSession(ada.PaymentReference, md, 2500, "eur", "paid"))

			// Forged, stale, unsigned and malformed callbacks.
			if status, _, bad := p.callback(t, completed, stripetest.Sign(completed, "whsec_forged", time.Now())); status != http.StatusUnauthorized || bad.Error.Code != codeUnauthorized {
				t.Errorf("forged signature: got %d %+v, want 401", status, bad)
			}
			if status, _, _ := p.callback(t, completed, stripetest.Sign(completed, testStripeWebhookSecret, time.Now().Add(-10*time.Minute))); status != http.StatusUnauthorized {
				t.Errorf("stale timestamp: got %d, want 401", status)
			}
			if status, _, _ := p.callback(t, completed, http.Header{"Content-Type": {"application/json"}}); status != http.StatusUnauthorized {
				t.Errorf("no signature: got %d, want 401", status)
			}
			tampered := bytes.Replace(completed, []byte(`"amount_total":2500`), []byte(`"amount_total":1`), 1)
			if status, _, _ := p.callback(t, tampered, stripetest.Sign(completed, testStripeWebhookSecret, time.Now())); status != http.StatusUnauthorized {
				t.Errorf("tampered body: got %d, want 401", status)
			}
			garbage := []byte(`{"id":"evt_x","type":"checkout.session.completed","data":{"object":{"object":"checkout.session","id":"cs_1","amount_total":12.5,"payment_status":"paid","currency":"eur"}}}`)
			if status, _, bad := p.callback(t, garbage, stripetest.Sign(garbage, testStripeWebhookSecret, time.Now())); status != http.StatusBadRequest || bad.Error.Code != codeInvalid {
				t.Errorf("malformed signed body: got %d %+v, want 400", status, bad)
			}
			big := bytes.Repeat([]byte("x"), maxStripeBodyBytes+1)
			if status, _, bad := p.callback(t, big, stripetest.Sign(big, testStripeWebhookSecret, time.Now())); status != http.StatusRequestEntityTooLarge || bad.Error.Code != codePayloadTooLarge {
				t.Errorf("body over 64 KiB: got %d %+v, want 413", status, bad)
			}

			// A paid session for Ada that is not the one she awaits buys
			// nothing: refunded. Another integration's is ignored.
			p.signed(t, stripeEvent(t, "evt_unknown_session", "checkout.session.completed", checkoutSession("cs_test_unknown", md, 2500, "eur", "paid")), ticketing.PaymentRefunded)
			p.signed(t, stripeEvent(t, "evt_foreign_session", "checkout.session.completed", checkoutSession("cs_test_foreign", nil, 2500, "eur", "paid")), ticketing.PaymentIgnored)
			if got := p.registration(t, ada.ID); got.Status != ce.RegistrationPendingPayment {
				t.Fatalf("after the refused callbacks: got %s, want pending_payment", got.Status)
			}

			// Ada pays by bank debit: processing until her bank confirms,
			// the seat held meanwhile.
			p.signed(t, stripeEvent(t, "evt_unpaid", "checkout.session.completed", checkoutSession(ada.PaymentReference, md, 2500, "eur", "unpaid")), ticketing.PaymentProcessingRegistration)
			if got := p.registration(t, ada.ID); got.Status != ce.RegistrationPaymentProcessing {
				t.Fatalf("after the delayed payment: got %s, want payment_processing", got.Status)
			}
			if status, page := p.get(t, guidePath); status != http.StatusOK || !strings.Contains(page, "Payment processing") || strings.Contains(page, `class="qr"`) {
				t.Errorf("guide while the payment is processing: got %d, want 200 with the payment processing and no ticket:\n%s", status, page)
			}

			// The bank confirms: confirmed, with the webhook and the e-mail.
			p.signed(t, completed, ticketing.PaymentConfirmedRegistration)
			confirmed := p.registration(t, ada.ID)
			if confirmed.Status != ce.RegistrationConfirmed {
				t.Fatalf("after the payment: got %s, want confirmed", confirmed.Status)
			}
			if status, page := p.get(t, guidePath); status != http.StatusOK || !strings.Contains(page, "Confirmed") || !strings.Contains(page, `class="qr"`) {
				t.Errorf("guide once paid: got %d, want confirmed with the ticket:\n%s", status, page)
			}
			mails := p.emlTo(t, "ada@example.org", 1)
			if !strings.Contains(mails[0], "you are registered for Gala dinner") || !strings.Contains(mails[0], pending.GuideURL) {
				t.Errorf("confirmation e-mail: got\n%s\nwant the registration and the guide link", mails[0])
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			got, err := p.hooks.Wait(ctx, 1)
			if err != nil {
				t.Fatalf("the receiver got no delivery: %v", err)
			}
			if got[0].Err != nil || got[0].Event.Type != webhook.EventTypeRegistrationConfirmed {
				t.Fatalf("delivery: got %s (%v), want a verified registration.confirmed", got[0].Event.Type, got[0].Err)
			}
			var data webhook.RegistrationConfirmed
			if err := json.Unmarshal(got[0].Event.Data, &data); err != nil {
				t.Fatal(err)
			}
			if data.RegistrationID != ada.ID || data.EventID != e.ID || data.Email != "ada@example.org" || data.TierID != supporter.ID ||
				data.Amount != 2500 || data.Currency != "EUR" || data.PaymentReference != ada.PaymentReference || data.ConfirmedAt.IsZero() {
				t.Errorf("registration.confirmed: got %+v, want Ada's, EUR 2500 paid by %s", data, ada.PaymentReference)
			}

			// The same event again, another completion and a late expiry:
			// nothing changes.
			p.signed(t, completed, ticketing.PaymentDuplicate)
			p.signed(t, stripeEvent(t, "evt_paid_ada_again", "checkout.session.completed", checkoutSession(ada.PaymentReference, md, 2500, "eur", "paid")), ticketing.PaymentIgnored)
			p.signed(t, stripeEvent(t, "evt_expired_late", "checkout.session.expired", checkoutSession(ada.PaymentReference, md, 2500, "eur", "unpaid")), ticketing.PaymentIgnored)
			if got := p.registration(t, ada.ID); got.Status != ce.RegistrationConfirmed || got.Version != confirmed.Version {
				t.Errorf("after the duplicates: got %s at version %d, want confirmed at %d", got.Status, got.Version, confirmed.Version)
			}

			// The one front-row seat: held by Bob's pending payment, freed
			// when his checkout expires, then Carol's.
			var bobPending publicRegistrationResponse
			p.mustCall(t, http.StatusCreated, "POST", "/v1/public/events/"+e.ID+"/registrations", "", registrationBodyFor(frontRow.ID, "bob@example.org"), &bobPending)
			var soldOut errorBody
			if status := p.call(t, "POST", "/v1/public/events/"+e.ID+"/registrations", "", registrationBodyFor(frontRow.ID, "carol@example.org"), &soldOut); status != http.StatusConflict || soldOut.Error.Code != codeSoldOut {
				t.Fatalf("second front-row registration while Bob pays: got %d %+v, want 409 sold_out", status, soldOut)
			}
			bob := p.registration(t, bobPending.ID)
			bobMD := registrationMetadata(bob)
			p.signed(t, stripeEvent(t, "evt_expired_bob", "checkout.session.expired", checkoutSession(bob.PaymentReference, bobMD, 4000, "eur", "unpaid")), ticketing.PaymentReleasedRegistration)
			if got := p.registration(t, bob.ID); got.Status != ce.RegistrationCancelled {
				t.Errorf("Bob after the expiry: got %s, want cancelled", got.Status)
			}
			var carol publicRegistrationResponse
			p.mustCall(t, http.StatusCreated, "POST", "/v1/public/events/"+e.ID+"/registrations", "", registrationBodyFor(frontRow.ID, "carol@example.org"), &carol)
			if carol.Status != ce.RegistrationPendingPayment {
				t.Errorf("Carol: got %s, want pending_payment", carol.Status)
			}
			// Bob pays after all, too late: refunded, not confirmed.
			res := p.signed(t, stripeEvent(t, "evt_paid_bob_late", "checkout.session.completed", checkoutSession(bob.PaymentReference, bobMD, 4000, "eur", "paid")), ticketing.PaymentRefunded)
			if !strings.Contains(res.Reason, "refund re_") {
				t.Errorf("late payment: got reason %q, want the refund's id", res.Reason)
			}
			if got := p.registration(t, bob.ID); got.Status != ce.RegistrationCancelled {
				t.Errorf("Bob after his late payment: got %s, want cancelled", got.Status)
			}
			// Carol pays a wrong amount: rejected, refunded, and her seat
			// freed.
			carolReg := p.registration(t, carol.ID)
			res = p.signed(t, stripeEvent(t, "evt_wrong_amount", "checkout.session.completed", checkoutSession(carolReg.PaymentReference, registrationMetadata(carolReg), 2000, "eur", "paid")), ticketing.PaymentRejected)
			if !strings.Contains(res.Reason, "EUR 20.00") || !strings.Contains(res.Reason, "refund re_") {
				t.Errorf("rejected: got reason %q, want the amount paid and the refund's id", res.Reason)
			}
			if got := p.registration(t, carol.ID); got.Status != ce.RegistrationCancelled {
				t.Errorf("Carol after the wrong amount: got %s, want cancelled", got.Status)
			}

			// A free registration as a marker: once its webhook arrives,
			// anything the duplicates had sent would have too.
			var marker publicRegistrationResponse
			p.mustCall(t, http.StatusCreated, "POST", "/v1/public/events/"+e.ID+"/registrations", "", registrationBodyFor(free.ID, "marker@example.org"), &marker)
			if _, err := p.hooks.Wait(ctx, 2); err != nil {
				t.Fatalf("the marker's webhook did not arrive: %v", err)
			}
			p.emlTo(t, "marker@example.org", 1)
			time.Sleep(200 * time.Millisecond)
			var regs []string
			for _, d := range p.hooks.Deliveries() {
				var r webhook.RegistrationConfirmed
				_ = json.Unmarshal(d.Event.Data, &r)
				regs = append(regs, d.Event.Type+" "+r.RegistrationID)
			}
			if want := sorted("registration.confirmed "+ada.ID, "registration.confirmed "+marker.ID); strings.Join(sorted(regs...), ",") != strings.Join(want, ",") {
				t.Errorf("deliveries: got %v, want %v", regs, want)
			}
			if mails := p.emlTo(t, "ada@example.org", 1); len(mails) != 1 {
				t.Errorf("e-mails to Ada: got %d, want the one confirmation", len(mails))
			}
			if n := len(p.checkoutRequests()); n != 3 {
				t.Errorf("Checkout Sessions created: got %d, want 3 (Ada, Bob, Carol)", n)
			}
			p.stop(t)
		})
	}
}

// postForm posts the form to the running server without following a
// redirect, and returns the status, Location and body.
func (r *running) postForm(t *testing.T, path string, form url.Values) (int, string, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(r.base+path, form)
	if err != nil {
		t.Fatalf("POST %s: %v", redactPath(path), err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), b.String()
}

// TestAuctionEndToEnd runs the silent auction through a running server,
// stripe-mock and a webhook receiver: the organizer adds an item, two
// attendees bid from the guide page and through JSON, low, late and
// unauthorized bids are refused, the organizer closes the item, the
// winner gets the e-mail, sees "Pay", pays through Checkout, and
// Stripe's signed callback marks the item paid and sends
// auction.item.paid; a second payment is refunded.
func TestAuctionEndToEnd(t *testing.T) {
	t.Parallel()
	for _, tt := range testDatabases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := startPaidRun(t, tt.db(t), webhook.EventTypeAuctionItemPaid)

			var e ce.Event
			p.mustCall(t, http.StatusCreated, "POST", "/v1/events", p.key, futureEvent("Charity gala"), &e)
			var free, priced ce.Tier
			p.mustCall(t, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/tiers", p.key, freeInPersonTier, &free)
			p.mustCall(t, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/tiers", p.key, `{"name":"Patron","price":{"amount":10000,"currency":"EUR"}}`, &priced)
			p.mustCall(t, http.StatusOK, "POST", "/v1/events/"+e.ID+"/publish", p.key, "", nil)
			var item auctionItemJSON
			p.mustCall(t, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/auction-items", p.key, itemBody(&e, "Signed poster"), &item)

			register := func(tierID, email string) (publicRegistrationResponse, string) {
				t.Helper()
				var reg publicRegistrationResponse
				p.mustCall(t, http.StatusCreated, "POST", "/v1/public/events/"+e.ID+"/registrations", "", registrationBodyFor(tierID, email), &reg)
				return reg, strings.TrimPrefix(reg.GuideURL, p.base+"/guide/")
			}
			ada, adaToken := register(free.ID, "ada@example.org")
			_, graceToken := register(free.ID, "grace@example.org")
			eve, eveToken := register(free.ID, "eve@example.org")
			_, daveToken := register(priced.ID, "dave@example.org") // pending payment
			bidPath := func(token string) string { return "/guide/" + token + "/auction/" + item.ID + "/bids" }
			jsonPath := func(token, action string) string {
				return "/v1/public/guide/" + token + "/auction-items/" + item.ID + "/" + action
			}

			// The guide page lists the item with a bid form; its CSP lets
			// the forms lead to Stripe Checkout, and nothing runs.
			resp, err := http.Get(p.base + "/guide/" + adaToken)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if csp := resp.Header.Get("Content-Security-Policy"); csp != attendeeCSP(stripeCheckoutOrigin) {
				t.Errorf("guide CSP: got %q, want %q", csp, attendeeCSP(stripeCheckoutOrigin))
			}
			if _, page := p.get(t, "/guide/"+adaToken); !strings.Contains(page, `action="`+bidPath(adaToken)+`"`) || !strings.Contains(page, "EUR 50.00") {
				t.Fatalf("Ada's guide: want the bid form and the starting bid, got:\n%s", page)
			}

			// Bids: Ada by the form, Grace by JSON, each refused below
			// the increment.
			if status, location, body := p.postForm(t, bidPath(adaToken), url.Values{"amount": {"50.00"}}); status != http.StatusSeeOther || location != "/guide/"+adaToken+"?bid=placed" {
				t.Fatalf("Ada's bid: got %d to %q, want 303 back to the guide; body %s", status, location, body)
			}
			var bid bidResponse
			p.mustCall(t, http.StatusCreated, "POST", jsonPath(graceToken, "bids"), "", `{"amount":5100}`, &bid)
			if bid.Amount != (ce.Money{Amount: 5100, Currency: "EUR"}) {
				t.Errorf("Grace's bid: got %+v, want EUR 51.00", bid)
			}
			if status, _, body := p.postForm(t, bidPath(adaToken), url.Values{"amount": {"51.50"}}); status != http.StatusConflict || !strings.Contains(body, "at least EUR 52.00") {
				t.Errorf("Ada's low bid: got %d, want 409 saying at least EUR 52.00; body %s", status, body)
			}
			var low errorBody
			if status := p.call(t, "POST", jsonPath(graceToken, "bids"), "", `{"amount":5150}`, &low); status != http.StatusConflict || low.Error.Field != "amount" {
				t.Errorf("Grace's low bid: got %d %+v, want 409 on amount", status, low)
			}
			for _, amount := range []string{"-5", "1e3", "12.345"} {
				if status, _, _ := p.postForm(t, bidPath(adaToken), url.Values{"amount": {amount}}); status != http.StatusBadRequest {
					t.Errorf("Ada's bid of %q: got %d, want 400", amount, status)
				}
			}
			if status, location, _ := p.postForm(t, bidPath(adaToken), url.Values{"amount": {"60"}}); status != http.StatusSeeOther || !strings.HasSuffix(location, "?bid=placed") {
				t.Fatalf("Ada's second bid: got %d to %q, want 303", status, location)
			}

			// Not every registration may bid.
			var forbidden errorBody
			if status := p.call(t, "POST", jsonPath(daveToken, "bids"), "", `{"amount":9000}`, &forbidden); status != http.StatusForbidden {
				t.Errorf("bid pending payment: got %d %+v, want 403", status, forbidden)
			}
			p.mustCall(t, http.StatusOK, "POST", "/v1/registrations/"+eve.ID+"/cancel", p.key, "", nil)
			if status, _, _ := p.postForm(t, "/guide/"+eveToken+"/auction/"+item.ID+"/bids", url.Values{"amount": {"90"}}); status != http.StatusForbidden {
				t.Errorf("bid of a cancelled registration: got %d, want 403", status)
			}
			var other ce.Event
			p.mustCall(t, http.StatusCreated, "POST", "/v1/events", p.key, futureEvent("Other gala"), &other)
			var otherItem auctionItemJSON
			p.mustCall(t, http.StatusCreated, "POST", "/v1/events/"+other.ID+"/auction-items", p.key, itemBody(&other, "Other poster"), &otherItem)
			if status := p.call(t, "POST", "/v1/public/guide/"+adaToken+"/auction-items/"+otherItem.ID+"/bids", "", `{"amount":9000}`, nil); status != http.StatusNotFound {
				t.Errorf("bid on another event's item: got %d, want 404", status)
			}
			if status := p.call(t, "POST", jsonPath(adaToken, "pay"), "", "", nil); status != http.StatusConflict {
				t.Errorf("pay while open: got %d, want 409", status)
			}

			// The organizer closes the item: Ada won at EUR 60.00.
			var closed auctionItemJSON
			p.mustCall(t, http.StatusOK, "POST", "/v1/auction-items/"+item.ID+"/close", p.key, "", &closed)
			if closed.Status != ce.AuctionItemClosed || closed.WinnerRegistrationID != ada.ID || closed.HighestAmount != 6000 {
				t.Fatalf("closed: got %+v, want Ada the winner at 6000", closed)
			}
			if status := p.call(t, "POST", jsonPath(graceToken, "bids"), "", `{"amount":9000}`, nil); status != http.StatusConflict {
				t.Errorf("bid after close: got %d, want 409", status)
			}
			if status := p.call(t, "POST", jsonPath(graceToken, "pay"), "", "", nil); status != http.StatusForbidden {
				t.Errorf("the loser pays: got %d, want 403", status)
			}
			won := p.emlTo(t, "ada@example.org", 2)
			found := false
			for _, m := range won {
				found = found || (strings.Contains(m, "you won Signed poster in the silent auction of Charity gala") && strings.Contains(m, "EUR 60.00") && strings.Contains(m, ada.GuideURL))
			}
			if !found {
				t.Errorf("Ada's e-mails: want the auction win with the amount and the guide link, got:\n%s", strings.Join(won, "\n----\n"))
			}
			payPath := "/guide/" + adaToken + "/auction/" + item.ID + "/pay"
			if _, page := p.get(t, "/guide/"+adaToken); !strings.Contains(page, `action="`+payPath+`"`) || !strings.Contains(page, "Pay EUR 60.00") {
				t.Fatalf("winner's guide: want the Pay button, got:\n%s", page)
			}

			// Ada pays: the button leads to Checkout. She clicks again
			// through JSON before paying: the same checkout, by its
			// idempotency key.
			status, location, body := p.postForm(t, payPath, url.Values{})
			if status != http.StatusSeeOther || !strings.HasPrefix(location, "https://checkout.stripe.com/") {
				t.Fatalf("pay: got %d to %q, want 303 to Stripe Checkout; body %s", status, location, body)
			}
			var checkout checkoutResponse
			p.mustCall(t, http.StatusOK, "POST", jsonPath(adaToken, "pay"), "", "{}", &checkout)
			if !strings.HasPrefix(checkout.CheckoutURL, "https://checkout.stripe.com/") {
				t.Errorf("JSON pay: got %+v, want a Checkout URL", checkout)
			}
			reqs := p.checkoutRequests()
			last, previous := reqs[len(reqs)-1], reqs[len(reqs)-2]
			if key := last.Header.Get("Idempotency-Key"); key == "" || key != previous.Header.Get("Idempotency-Key") {
				t.Errorf("two clicks on Pay: idempotency keys %q and %q, want one key for one checkout", previous.Header.Get("Idempotency-Key"), key)
			}
			for field, want := range map[string]string{
				"metadata[purpose]": "auction_item", "metadata[item_id]": item.ID, "metadata[registration_id]": ada.ID,
				"line_items[0][price_data][unit_amount]": "6000", "line_items[0][price_data][currency]": "eur",
			} {
				if got := last.Form.Get(field); got != want {
					t.Errorf("item's Checkout Session %s: got %q, want %q", field, got, want)
				}
			}
			// stripe-mock answers every request with the same fixture
			// session; the callbacks name sessions of their own.
			const first, second = "cs_test_item_first", "cs_test_item_second"

			md := map[string]string{
				stripepay.MetadataPurpose:        string(ticketing.PurposeAuctionItem),
				stripepay.MetadataOrganizationID: item.OrganizationID,
				stripepay.MetadataEventID:        e.ID,
				stripepay.MetadataRegistrationID: ada.ID,
				stripepay.MetadataItemID:         item.ID,
			}
			// A wrong amount is refunded; the winner may pay again.
			p.signed(t, stripeEvent(t, "evt_item_low", "checkout.session.completed", checkoutSession("cs_test_item_low", md, 5000, "eur", "paid")), ticketing.PaymentRejected)
			paid := stripeEvent(t, "evt_item_paid", "checkout.session.completed", checkoutSession(first, md, 6000, "eur", "paid"))
			p.signed(t, paid, ticketing.PaymentPaidItem)
			p.signed(t, paid, ticketing.PaymentDuplicate)
			var got auctionItemJSON
			p.mustCall(t, http.StatusOK, "GET", "/v1/auction-items/"+item.ID, p.key, "", &got)
			if got.Status != ce.AuctionItemPaid || got.PaidAt.IsZero() || got.PaymentReference != first {
				t.Errorf("item: got %+v, want paid through %s", got, first)
			}

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			deliveries, err := p.hooks.Wait(ctx, 1)
			if err != nil {
				t.Fatalf("the receiver got no delivery: %v", err)
			}
			if deliveries[0].Err != nil || deliveries[0].Event.Type != webhook.EventTypeAuctionItemPaid {
				t.Fatalf("delivery: got %s (%v), want a verified auction.item.paid", deliveries[0].Event.Type, deliveries[0].Err)
			}
			var data webhook.AuctionItemPaid
			if err := json.Unmarshal(deliveries[0].Event.Data, &data); err != nil {
				t.Fatal(err)
			}
			want := webhook.AuctionItemPaid{
				EventID: e.ID, ItemID: item.ID, ItemTitle: "Signed poster", BidID: closed.HighestBidID,
				RegistrationID: ada.ID, Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace",
				Amount: 6000, Currency: "EUR", PaymentReference: first, PaidAt: data.PaidAt,
			}
			if data != want || data.PaidAt.IsZero() {
				t.Errorf("auction.item.paid: got %+v, want %+v with the time paid", data, want)
			}

			// The second checkout is paid too: refunded. Paying again is
			// refused.
			res := p.signed(t, stripeEvent(t, "evt_item_paid_twice", "checkout.session.completed", checkoutSession(second, md, 6000, "eur", "paid")), ticketing.PaymentRefunded)
			if !strings.Contains(res.Reason, "paid already") || !strings.Contains(res.Reason, "refund re_") {
				t.Errorf("second payment: got reason %q, want paid already and the refund's id", res.Reason)
			}
			refunds := 0
			for _, req := range p.stripe.Requests() {
				if req.Method == "POST" && req.Path == "/v1/refunds" {
					refunds++
				}
			}
			if refunds != 2 {
				t.Errorf("refunds asked of Stripe: got %d, want 2 (the wrong amount, the second payment)", refunds)
			}
			if status := p.call(t, "POST", jsonPath(adaToken, "pay"), "", "", nil); status != http.StatusConflict {
				t.Errorf("pay once paid: got %d, want 409", status)
			}
			if _, page := p.get(t, "/guide/"+adaToken); !strings.Contains(page, "Won and paid") || strings.Contains(page, payPath) {
				t.Errorf("guide once paid: want the item paid without a Pay button, got:\n%s", page)
			}
			time.Sleep(200 * time.Millisecond)
			if n := len(p.hooks.Deliveries()); n != 1 {
				t.Errorf("deliveries: got %d, want the one auction.item.paid", n)
			}
			p.stop(t)
		})
	}
}

// TestRunWithoutPayments: without a Stripe key the server says payments
// are off, refuses priced tiers clearly and serves free ones.
func TestRunWithoutPayments(t *testing.T) {
	t.Parallel()
	r := startRun(t, "-db", "memory")
	if out := r.stdout.String(); !strings.Contains(out, "Payments are off") {
		t.Errorf("got output %q, want it to say payments are off", out)
	}
	key := apiKeyPattern.FindString(r.stdout.String())
	var e ce.Event
	r.mustCall(t, http.StatusCreated, "POST", "/v1/events", key, futureEvent("Meetup"), &e)
	var priced, free ce.Tier
	r.mustCall(t, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/tiers", key, `{"name":"Paid","price":{"amount":1000,"currency":"EUR"}}`, &priced)
	r.mustCall(t, http.StatusCreated, "POST", "/v1/events/"+e.ID+"/tiers", key, freeInPersonTier, &free)
	r.mustCall(t, http.StatusOK, "POST", "/v1/events/"+e.ID+"/publish", key, "", nil)
	var refused errorBody
	if status := r.call(t, "POST", "/v1/public/events/"+e.ID+"/registrations", "", registrationBodyFor(priced.ID, "ada@example.org"), &refused); status != http.StatusConflict ||
		!strings.Contains(refused.Error.Message, "takes no payments") {
		t.Errorf("priced registration: got %d %+v, want 409 saying the server takes no payments", status, refused)
	}
	r.mustCall(t, http.StatusCreated, "POST", "/v1/public/events/"+e.ID+"/registrations", "", registrationBodyFor(free.ID, "ada@example.org"), nil)
	if status := r.call(t, "POST", "/stripe/webhook", "", `{}`, nil); status != http.StatusNotFound {
		t.Errorf("Stripe webhook without payments: got %d, want 404", status)
	}
	r.stop(t)
}
