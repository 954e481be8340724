package stripepay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
	stripe "github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/checkout/session"
	"github.com/stripe/stripe-go/v76/refund"
	"github.com/stripe/stripe-go/v76/webhook"
)

// The metadata keys under which a Checkout Session keeps our ids, on the
// session and on its PaymentIntent.
const (
	MetadataPurpose        = "purpose"
	MetadataOrganizationID = "organization_id"
	MetadataEventID        = "event_id"
	MetadataRegistrationID = "registration_id"
	MetadataItemID         = "item_id"
)

// Config configures a Payments. SecretKey and WebhookSecret are required.
type Config struct {
	// SecretKey is the Stripe API secret key (sk_live_…, sk_test_… or a
	// restricted rk_… key allowed to create Checkout Sessions and refunds).
	SecretKey string
	// WebhookSecret is the signing secret (whsec_…) of the Stripe webhook
	// endpoint that receives the callbacks ParseEvent verifies.
	WebhookSecret string
	// APIBaseURL replaces Stripe's API URL, e.g. with a stripe-mock's.
	// Defaults to https://api.stripe.com.
	APIBaseURL string
	// HTTPClient sends the API requests. Defaults to stripe-go's client,
	// which times out after 80 seconds. stripe-go retries a request that
	// fails on the network or with a status Stripe marks retryable up to
	// twice, with the same idempotency key.
	HTTPClient *http.Client
	// Tolerance is how far a callback's signed timestamp may lie from the
	// current time, to refuse replayed callbacks. Defaults to stripe-go's
	// webhook.DefaultTolerance, 5 minutes; it cannot be turned off.
	Tolerance time.Duration
}

// Payments takes payments with Stripe Checkout. It implements
// ticketing.Payments and is safe for concurrent use.
type Payments struct {
	sessions      session.Client
	refunds       refund.Client
	secretKey     string
	webhookSecret string
	tolerance     time.Duration
}

var _ ticketing.Payments = (*Payments)(nil)

// New returns a Payments for the Stripe account of cfg.SecretKey. It
// makes no request. It returns an error if cfg lacks a secret, has a
// negative Tolerance or an APIBaseURL that is not an absolute http(s) URL.
func New(cfg Config) (*Payments, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("stripepay: Config.SecretKey is required")
	}
	if strings.ContainsFunc(cfg.SecretKey, isSpace) {
		return nil, errors.New("stripepay: Config.SecretKey contains white space")
	}
	if cfg.WebhookSecret == "" {
		return nil, errors.New("stripepay: Config.WebhookSecret is required")
	}
	if cfg.Tolerance < 0 {
		return nil, errors.New("stripepay: Config.Tolerance must not be negative")
	}
	tolerance := cfg.Tolerance
	if tolerance == 0 {
		tolerance = webhook.DefaultTolerance
	}
	bc := &stripe.BackendConfig{
		HTTPClient: cfg.HTTPClient,
		// Errors are returned, never logged; stripe-go's default logger
		// is a package-level one that writes to stderr.
		LeveledLogger:   &stripe.LeveledLogger{Level: stripe.LevelNull},
		EnableTelemetry: stripe.Bool(false),
	}
	if cfg.APIBaseURL != "" {
		if !absoluteHTTP(cfg.APIBaseURL) {
			return nil, fmt.Errorf("stripepay: Config.APIBaseURL %q is not an absolute http(s) URL", cfg.APIBaseURL)
		}
		bc.URL = stripe.String(cfg.APIBaseURL)
	}
	// A backend of our own: stripe.SetBackend and stripe.Key stay untouched.
	b := stripe.GetBackendWithConfig(stripe.APIBackend, bc)
	return &Payments{
		sessions:      session.Client{B: b, Key: cfg.SecretKey},
		refunds:       refund.Client{B: b, Key: cfg.SecretKey},
		secretKey:     cfg.SecretKey,
		webhookSecret: cfg.WebhookSecret,
		tolerance:     tolerance,
	}, nil
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// CreateCheckout creates a Checkout Session in payment mode for one line
// item of req.Amount named req.Description, with the ids of req in the
// metadata of the session and of its PaymentIntent (under the Metadata…
// keys), the registration id as its client_reference_id, and
// req.IdempotencyKey as the request's Idempotency-Key. A zero req.ExpiresAt leaves Stripe's default of 24
// hours; Stripe accepts 30 minutes to 24 hours from now.
//
// An incomplete or invalid req is an ErrInvalid error naming the field;
// reusing an idempotency key with other parameters is ErrConflict. Other
// errors are Stripe's or the network's.
func (p *Payments) CreateCheckout(ctx context.Context, req ticketing.CheckoutRequest) (*ticketing.Checkout, error) {
	if err := validateRequest(req); err != nil {
		return nil, err
	}
	amount, currency, err := toStripe(req.Amount, "amount")
	if err != nil {
		return nil, err
	}
	md := metadata(req)
	params := &stripe.CheckoutSessionParams{
		Mode: stripe.String(string(stripe.CheckoutSessionModePayment)),
		LineItems: []*stripe.CheckoutSessionLineItemParams{{
			PriceData: &stripe.CheckoutSessionLineItemPriceDataParams{
				Currency:    stripe.String(currency),
				UnitAmount:  stripe.Int64(amount),
				ProductData: &stripe.CheckoutSessionLineItemPriceDataProductDataParams{Name: stripe.String(req.Description)},
			},
			Quantity: stripe.Int64(1),
		}},
		SuccessURL:        stripe.String(req.SuccessURL),
		ClientReferenceID: stripe.String(req.RegistrationID),
		Metadata:          md,
		PaymentIntentData: &stripe.CheckoutSessionPaymentIntentDataParams{Metadata: md},
	}
	if req.CancelURL != "" {
		params.CancelURL = stripe.String(req.CancelURL)
	}
	if req.Email != "" {
		params.CustomerEmail = stripe.String(req.Email)
	}
	if !req.ExpiresAt.IsZero() {
		params.ExpiresAt = stripe.Int64(req.ExpiresAt.Unix())
	}
	params.Context = ctx
	if req.IdempotencyKey != "" {
		params.SetIdempotencyKey(req.IdempotencyKey)
	}
	s, err := p.sessions.New(params)
	if err != nil {
		return nil, p.apiError("create checkout session", err)
	}
	if s.ID == "" || s.URL == "" {
		return nil, errors.New("stripepay: create checkout session: Stripe returned a session without id or url")
	}
	c := &ticketing.Checkout{ID: s.ID, URL: s.URL}
	if s.ExpiresAt > 0 {
		c.ExpiresAt = time.Unix(s.ExpiresAt, 0).UTC()
	}
	return c, nil
}

// validateRequest reports an ErrInvalid error for the first field of req
// Stripe cannot take. The amount is checked by toStripe.
func validateRequest(req ticketing.CheckoutRequest) error {
	switch req.Purpose {
	case ticketing.PurposeRegistration:
	case ticketing.PurposeAuctionItem:
		if req.ItemID == "" {
			return ce.Invalid("itemId", "is required to pay for an auction item")
		}
	default:
		return ce.Invalid("purpose", "%q is not a payment purpose", req.Purpose)
	}
	if req.RegistrationID == "" {
		return ce.Invalid("registrationId", "is required")
	}
	if strings.TrimSpace(req.Description) == "" {
		return ce.Invalid("description", "is required")
	}
	if err := checkURL("successUrl", req.SuccessURL); err != nil {
		return err
	}
	if req.CancelURL != "" {
		if err := checkURL("cancelUrl", req.CancelURL); err != nil {
			return err
		}
	}
	return nil
}

// checkURL reports ErrInvalid naming field unless s is an absolute
// http(s) URL.
func checkURL(field, s string) error {
	if !absoluteHTTP(s) {
		return ce.Invalid(field, "must be an absolute http(s) URL")
	}
	return nil
}

// absoluteHTTP reports whether s is an absolute http or https URL.
func absoluteHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// metadata returns the ids of req to keep on the session, leaving out
// the empty ones.
func metadata(req ticketing.CheckoutRequest) map[string]string {
	md := map[string]string{}
	for k, v := range map[string]string{
		MetadataPurpose:        string(req.Purpose),
		MetadataOrganizationID: req.OrganizationID,
		MetadataEventID:        req.EventID,
		MetadataRegistrationID: req.RegistrationID,
		MetadataItemID:         req.ItemID,
	} {
		if v != "" {
			md[k] = v
		}
	}
	return md
}

// Refund retrieves the Checkout Session checkoutID, refunds its
// PaymentIntent in full with idempotencyKey as the refund request's
// Idempotency-Key, and returns the refund's id (re_…).
//
// An unknown session is ErrNotFound; a session without a payment, or a
// payment already refunded, is ErrConflict. Other errors are Stripe's or
// the network's.
func (p *Payments) Refund(ctx context.Context, checkoutID, idempotencyKey string) (string, error) {
	if checkoutID == "" {
		return "", ce.Invalid("checkoutId", "is required")
	}
	get := &stripe.CheckoutSessionParams{}
	get.Context = ctx
	s, err := p.sessions.Get(checkoutID, get)
	if err != nil {
		return "", p.apiError("retrieve checkout session", err)
	}
	if s.PaymentIntent == nil || s.PaymentIntent.ID == "" {
		return "", ce.Conflict("checkout %s has no payment to refund", checkoutID)
	}
	params := &stripe.RefundParams{
		PaymentIntent: stripe.String(s.PaymentIntent.ID),
		Metadata:      map[string]string{"checkout_session_id": checkoutID},
	}
	params.Context = ctx
	if idempotencyKey != "" {
		params.SetIdempotencyKey(idempotencyKey)
	}
	r, err := p.refunds.New(params)
	if err != nil {
		return "", p.apiError("refund", err)
	}
	if r.ID == "" {
		return "", errors.New("stripepay: refund: Stripe returned a refund without id")
	}
	return r.ID, nil
}

// apiError describes a failed API call: a completeevent error kind where
// the caller can act on it, with the Stripe error as its cause. The secret
// key never appears in the message.
func (p *Payments) apiError(op string, err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		return &scrubbed{msg: p.scrub(fmt.Sprintf("stripepay: %s: %v", op, err)), err: err}
	}
	msg := fmt.Sprintf("%s: stripe %s", op, se.Type)
	if se.Code != "" {
		msg += " " + string(se.Code)
	}
	if se.HTTPStatusCode != 0 {
		msg += fmt.Sprintf(" (status %d)", se.HTTPStatusCode)
	}
	if se.Msg != "" {
		msg += ": " + se.Msg
	}
	if se.RequestID != "" {
		msg += " [request " + se.RequestID + "]"
	}
	msg = p.scrub(msg)
	switch {
	case se.Code == stripe.ErrorCodeResourceMissing:
		return &ce.Error{Kind: ce.ErrNotFound, Message: msg, Err: err}
	case se.Code == stripe.ErrorCodeChargeAlreadyRefunded, se.Type == stripe.ErrorTypeIdempotency:
		return &ce.Error{Kind: ce.ErrConflict, Message: msg, Err: err}
	}
	return &scrubbed{msg: "stripepay: " + msg, err: err}
}

func (p *Payments) scrub(s string) string {
	return strings.ReplaceAll(s, p.secretKey, "[secret key]")
}

// scrubbed is an error whose message was cleaned of the secret key; its
// cause is still there for errors.Is and errors.As.
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }
