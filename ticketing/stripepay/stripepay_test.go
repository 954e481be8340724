package stripepay_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/stripetest"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/stripepay"
)

const webhookSecret = "whsec_test_secret"

// newPayments returns a Payments that talks to the Stripe API at baseURL.
// newPaymentsExpectingNoRequest returns Payments on a Stripe API that
// refuses every request, and the count of the requests it got.
func newPaymentsExpectingNoRequest(t *testing.T) (*stripepay.Payments, *atomic.Int32) {
	t.Helper()
	calls := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no request expected", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)
	return newPayments(t, srv.URL), calls
}

func newPayments(t *testing.T, baseURL string) *stripepay.Payments {
	t.Helper()
	p, err := stripepay.New(stripepay.Config{
		SecretKey:     stripetest.SecretKey,
		WebhookSecret: webhookSecret,
		APIBaseURL:    baseURL,
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p
}

// validRequest returns a complete CheckoutRequest for a registration.
func validRequest() ticketing.CheckoutRequest {
	return ticketing.CheckoutRequest{
		Purpose:        ticketing.PurposeRegistration,
		OrganizationID: "org_1",
		EventID:        "evt_1",
		RegistrationID: "reg_1",
		Description:    "Spring Gala — Standard ticket",
		Amount:         ce.Money{Amount: 2500, Currency: "EUR"},
		Email:          "ada@example.com",
		SuccessURL:     "https://events.example.com/guide/tok?paid={CHECKOUT_SESSION_ID}",
		CancelURL:      "https://events.example.com/guide/tok",
		ExpiresAt:      time.Date(2031, 5, 1, 12, 0, 0, 0, time.UTC),
		IdempotencyKey: "checkout-reg_1",
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	t.Parallel()
	valid := stripepay.Config{SecretKey: "sk_test_1", WebhookSecret: "whsec_1"}
	tests := []struct {
		name   string
		change func(*stripepay.Config)
		want   string // in the error; "" for no error
	}{
		{"valid", func(*stripepay.Config) {}, ""},
		{"valid with base URL", func(c *stripepay.Config) { c.APIBaseURL = "http://127.0.0.1:12111" }, ""},
		{"no secret key", func(c *stripepay.Config) { c.SecretKey = "" }, "SecretKey is required"},
		{"secret key with space", func(c *stripepay.Config) { c.SecretKey = "sk_test_1\n" }, "white space"},
		{"no webhook secret", func(c *stripepay.Config) { c.WebhookSecret = "" }, "WebhookSecret is required"},
		{"negative tolerance", func(c *stripepay.Config) { c.Tolerance = -time.Second }, "Tolerance"},
		{"relative base URL", func(c *stripepay.Config) { c.APIBaseURL = "localhost:12111" }, "APIBaseURL"},
		{"ftp base URL", func(c *stripepay.Config) { c.APIBaseURL = "ftp://example.com" }, "APIBaseURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := valid
			tt.change(&cfg)
			p, err := stripepay.New(cfg)
			if tt.want == "" {
				if err != nil || p == nil {
					t.Fatalf("got %v, %v, want a Payments", p, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "sk_test_1") {
				t.Errorf("error %q shows the secret key", err)
			}
		})
	}
}

func TestCreateCheckoutSendsSession(t *testing.T) {
	t.Parallel()
	base := stripetest.Start(t)
	tests := []struct {
		name     string
		change   func(*ticketing.CheckoutRequest)
		wantForm map[string]string // "" means absent
	}{
		{
			"registration",
			func(*ticketing.CheckoutRequest) {},
			map[string]string{
				"mode":                                           "payment",
				"line_items[0][quantity]":                        "1",
				"line_items[0][price_data][currency]":            "eur",
				"line_items[0][price_data][unit_amount]":         "2500",
				"line_items[0][price_data][product_data][name]":  "Spring Gala — Standard ticket",
				"customer_email":                                 "ada@example.com",
				"success_url":                                    "https://events.example.com/guide/tok?paid={CHECKOUT_SESSION_ID}",
				"cancel_url":                                     "https://events.example.com/guide/tok",
				"expires_at":                                     strconv.FormatInt(time.Date(2031, 5, 1, 12, 0, 0, 0, time.UTC).Unix(), 10),
				"client_reference_id":                            "reg_1",
				"metadata[purpose]":                              "registration",
				"metadata[organization_id]":                      "org_1",
				"metadata[event_id]":                             "evt_1",
				"metadata[registration_id]":                      "reg_1",
				"metadata[item_id]":                              "",
				"payment_intent_data[metadata][registration_id]": "reg_1",
				"payment_intent_data[metadata][event_id]":        "evt_1",
			},
		},
		{
			"auction item, no optional fields",
			func(r *ticketing.CheckoutRequest) {
				r.Purpose = ticketing.PurposeAuctionItem
				r.ItemID = "item_7"
				r.Email, r.CancelURL, r.ExpiresAt = "", "", time.Time{}
			},
			map[string]string{
				"metadata[purpose]":                      "auction_item",
				"metadata[item_id]":                      "item_7",
				"payment_intent_data[metadata][item_id]": "item_7",
				"customer_email":                         "",
				"cancel_url":                             "",
				"expires_at":                             "",
			},
		},
		{
			"zero-decimal currency",
			func(r *ticketing.CheckoutRequest) { r.Amount = ce.Money{Amount: 3000, Currency: "JPY"} },
			map[string]string{"line_items[0][price_data][currency]": "jpy", "line_items[0][price_data][unit_amount]": "3000"},
		},
		{
			"ISK: Stripe counts hundredths",
			func(r *ticketing.CheckoutRequest) { r.Amount = ce.Money{Amount: 4900, Currency: "ISK"} },
			map[string]string{"line_items[0][price_data][currency]": "isk", "line_items[0][price_data][unit_amount]": "490000"},
		},
		{
			"MGA: Stripe counts whole ariary",
			func(r *ticketing.CheckoutRequest) { r.Amount = ce.Money{Amount: 1_000_000, Currency: "MGA"} },
			map[string]string{"line_items[0][price_data][currency]": "mga", "line_items[0][price_data][unit_amount]": "10000"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := stripetest.Record(t, base)
			p := newPayments(t, rec.URL)
			req := validRequest()
			tt.change(&req)

			c, err := p.CreateCheckout(t.Context(), req)
			if err != nil {
				t.Fatalf("CreateCheckout: %v", err)
			}
			if !strings.HasPrefix(c.ID, "cs_") || !strings.HasPrefix(c.URL, "https://") {
				t.Errorf("got checkout %+v, want a cs_ id and an https URL", c)
			}
			if !req.ExpiresAt.IsZero() && !c.ExpiresAt.Equal(req.ExpiresAt) {
				t.Errorf("got ExpiresAt %v, want %v (stripe-mock reflects it)", c.ExpiresAt, req.ExpiresAt)
			}

			reqs := rec.Requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != http.MethodPost || r.Path != "/v1/checkout/sessions" {
				t.Errorf("got %s %s, want POST /v1/checkout/sessions", r.Method, r.Path)
			}
			if got, want := r.Header.Get("Idempotency-Key"), req.IdempotencyKey; got != want {
				t.Errorf("got Idempotency-Key %q, want %q", got, want)
			}
			if got, want := r.Header.Get("Authorization"), "Bearer "+stripetest.SecretKey; got != want {
				t.Errorf("got Authorization %q, want %q", got, want)
			}
			for k, want := range tt.wantForm {
				if got := r.Form.Get(k); got != want {
					t.Errorf("form %s: got %q, want %q", k, got, want)
				}
			}
		})
	}
}

func TestCreateCheckoutRefusesInvalidRequest(t *testing.T) {
	t.Parallel()
	p, calls := newPaymentsExpectingNoRequest(t)

	tests := []struct {
		name      string
		change    func(*ticketing.CheckoutRequest)
		wantField string
	}{
		{"unknown purpose", func(r *ticketing.CheckoutRequest) { r.Purpose = "donation" }, "purpose"},
		{"auction without item", func(r *ticketing.CheckoutRequest) { r.Purpose = ticketing.PurposeAuctionItem }, "itemId"},
		{"no registration", func(r *ticketing.CheckoutRequest) { r.RegistrationID = "" }, "registrationId"},
		{"no description", func(r *ticketing.CheckoutRequest) { r.Description = "  " }, "description"},
		{"no success URL", func(r *ticketing.CheckoutRequest) { r.SuccessURL = "" }, "successUrl"},
		{"relative success URL", func(r *ticketing.CheckoutRequest) { r.SuccessURL = "/guide/tok" }, "successUrl"},
		{"javascript cancel URL", func(r *ticketing.CheckoutRequest) { r.CancelURL = "javascript:alert(1)" }, "cancelUrl"},
		{"zero amount", func(r *ticketing.CheckoutRequest) { r.Amount.Amount = 0 }, "amount.amount"},
		{"negative amount", func(r *ticketing.CheckoutRequest) { r.Amount.Amount = -100 }, "amount.amount"},
		{"lower-case currency", func(r *ticketing.CheckoutRequest) { r.Amount.Currency = "eur" }, "amount.currency"},
		{"unknown currency", func(r *ticketing.CheckoutRequest) { r.Amount.Currency = "XXX" }, "amount.currency"},
		{"three decimals not in tens", func(r *ticketing.CheckoutRequest) { r.Amount = ce.Money{Amount: 1005, Currency: "KWD"} }, "amount.amount"},
		{"MGA below one ariary", func(r *ticketing.CheckoutRequest) { r.Amount = ce.Money{Amount: 150, Currency: "MGA"} }, "amount.amount"},
		{"ISK overflowing", func(r *ticketing.CheckoutRequest) { r.Amount = ce.Money{Amount: 1 << 62, Currency: "ISK"} }, "amount.amount"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := validRequest()
			tt.change(&req)
			_, err := p.CreateCheckout(t.Context(), req)
			if !errors.Is(err, ce.ErrInvalid) {
				t.Fatalf("got %v, want ErrInvalid", err)
			}
			if got := ce.ErrorField(err); got != tt.wantField {
				t.Errorf("got field %q, want %q", got, tt.wantField)
			}
		})
	}
	t.Cleanup(func() {
		if n := calls.Load(); n != 0 {
			t.Errorf("got %d requests to Stripe, want none for invalid requests", n)
		}
	})
}

func TestRefund(t *testing.T) {
	t.Parallel()
	rec := stripetest.Record(t, stripetest.Start(t))
	p := newPayments(t, rec.URL)

	id, err := p.Refund(t.Context(), "cs_test_paid", "refund-reg_1")
	if err != nil {
		t.Fatalf("Refund: %v", err)
	}
	if !strings.HasPrefix(id, "re_") {
		t.Errorf("got refund id %q, want re_…", id)
	}

	reqs := rec.Requests()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want 2 (retrieve the session, refund)", len(reqs))
	}
	type call struct{ Method, Path, PaymentIntent, IdempotencyKey, Metadata string }
	got := make([]call, len(reqs))
	for i, r := range reqs {
		got[i] = call{r.Method, r.Path, r.Form.Get("payment_intent"), r.Header.Get("Idempotency-Key"),
			r.Form.Get("metadata[checkout_session_id]")}
	}
	// stripe-mock's session fixture has this PaymentIntent.
	want := []call{
		{http.MethodGet, "/v1/checkout/sessions/cs_test_paid", "", "", ""},
		{http.MethodPost, "/v1/refunds", "pi_1PgafyB7WZ01zgkWSjxsAJo3", "refund-reg_1", "cs_test_paid"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// fakeStripe answers every request with status and body.
func fakeStripe(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_fake")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	const secretKey = "sk_test_very_secret_key_4242"
	tests := []struct {
		name     string
		status   int
		body     string
		call     string // "checkout" or "refund"
		wantKind error  // nil: none of the kinds
		wantText string
	}{
		{
			"unknown session", http.StatusNotFound,
			`{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such checkout.session: 'cs_x'","param":"session"}}`,
			"refund", ce.ErrNotFound, "No such checkout.session",
		},
		{
			"session without payment", http.StatusOK,
			`{"id":"cs_x","object":"checkout.session","payment_intent":null}`,
			"refund", ce.ErrConflict, "no payment",
		},
		{
			"already refunded", http.StatusBadRequest,
			`{"error":{"type":"invalid_request_error","code":"charge_already_refunded","message":"Charge ch_1 has already been refunded."}}`,
			"refund", ce.ErrConflict, "already been refunded",
		},
		{
			"idempotency key reused", http.StatusBadRequest,
			`{"error":{"type":"idempotency_error","message":"Keys for idempotent requests can only be used with the same parameters they were first used with."}}`,
			"checkout", ce.ErrConflict, "idempotent",
		},
		{
			"bad key, echoed", http.StatusUnauthorized,
			`{"error":{"type":"invalid_request_error","message":"Invalid API Key provided: ` + secretKey + `"}}`,
			"checkout", nil, "Invalid API Key provided: [secret key]",
		},
		{
			"server error", http.StatusInternalServerError,
			`{"error":{"type":"api_error","message":"Something went wrong."}}`,
			"checkout", nil, "stripepay: create checkout session: stripe api_error (status 500): Something went wrong. [request req_fake]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := stripepay.New(stripepay.Config{
				SecretKey: secretKey, WebhookSecret: webhookSecret, APIBaseURL: fakeStripe(t, tt.status, tt.body),
				HTTPClient: &http.Client{Timeout: 10 * time.Second},
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			if tt.call == "refund" {
				_, err = p.Refund(ctx, "cs_x", "key")
			} else {
				_, err = p.CreateCheckout(ctx, validRequest())
			}
			if err == nil {
				t.Fatal("got no error")
			}
			for _, kind := range []error{ce.ErrNotFound, ce.ErrConflict, ce.ErrInvalid, ce.ErrUnauthorized} {
				if got, want := errors.Is(err, kind), kind == tt.wantKind; got != want {
					t.Errorf("errors.Is(%v, %v) = %v, want %v", err, kind, got, want)
				}
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("got error %q, want it to contain %q", err, tt.wantText)
			}
			if strings.Contains(err.Error(), secretKey) {
				t.Errorf("error %q shows the secret key", err)
			}
		})
	}
}

// Two Payments with different keys and URLs share nothing: each request
// goes to its own instance's URL with its own key.
func TestInstancesAreIndependent(t *testing.T) {
	t.Parallel()
	base := stripetest.Start(t)
	recA, recB := stripetest.Record(t, base), stripetest.Record(t, base)
	pA, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_A", WebhookSecret: "whsec_A", APIBaseURL: recA.URL})
	if err != nil {
		t.Fatal(err)
	}
	pB, err := stripepay.New(stripepay.Config{SecretKey: "sk_test_B", WebhookSecret: "whsec_B", APIBaseURL: recB.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pA.CreateCheckout(t.Context(), validRequest()); err != nil {
		t.Fatal(err)
	}
	if _, err := pB.Refund(t.Context(), "cs_test_1", "k"); err != nil {
		t.Fatal(err)
	}
	auth := func(rec *stripetest.Recorder) []string {
		var out []string
		for _, r := range rec.Requests() {
			out = append(out, r.Method+" "+r.Path+" "+r.Header.Get("Authorization"))
		}
		return out
	}
	if diff := cmp.Diff([]string{"POST /v1/checkout/sessions Bearer sk_test_A"}, auth(recA)); diff != "" {
		t.Errorf("instance A's requests (-want +got):\n%s", diff)
	}
	want := []string{"GET /v1/checkout/sessions/cs_test_1 Bearer sk_test_B", "POST /v1/refunds Bearer sk_test_B"}
	if diff := cmp.Diff(want, auth(recB)); diff != "" {
		t.Errorf("instance B's requests (-want +got):\n%s", diff)
	}
}

func TestContextCancelled(t *testing.T) {
	t.Parallel()
	p := newPayments(t, stripetest.Start(t))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := p.CreateCheckout(ctx, validRequest()); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateCheckout: got %v, want context.Canceled", err)
	}
	if _, err := p.Refund(ctx, "cs_1", "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Refund: got %v, want context.Canceled", err)
	}
}
