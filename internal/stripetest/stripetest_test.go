package stripetest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/completeevent/completeevent-go/internal/stripetest"
	"github.com/stripe/stripe-go/v76/webhook"
)

func TestStartAnswers(t *testing.T) {
	t.Parallel()
	base := stripetest.Start(t)
	rec := stripetest.Record(t, base)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, rec.URL+"/v1/customers?expand[]=tax",
		strings.NewReader("email=ada%40example.com&metadata[k]=v"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+stripetest.SecretKey)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Idempotency-Key", "key-1")
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("got status %d, want 200", resp.StatusCode)
	}

	got := rec.Requests()
	if len(got) != 1 {
		t.Fatalf("got %d recorded requests, want 1", len(got))
	}
	r := got[0]
	for _, c := range []struct{ name, got, want string }{
		{"method", r.Method, http.MethodPost},
		{"path", r.Path, "/v1/customers"},
		{"email", r.Form.Get("email"), "ada@example.com"},
		{"metadata[k]", r.Form.Get("metadata[k]"), "v"},
		{"expand[]", r.Form.Get("expand[]"), "tax"},
		{"Idempotency-Key", r.Header.Get("Idempotency-Key"), "key-1"},
	} {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

// Two stripe-mocks run side by side: each test gets free ports of its own.
func TestStartTwice(t *testing.T) {
	t.Parallel()
	a, b := stripetest.Start(t), stripetest.Start(t)
	if a == b {
		t.Fatalf("got the same URL %s twice, want two stripe-mocks", a)
	}
}

func TestStartUsesStripeMockURL(t *testing.T) {
	t.Setenv("STRIPE_MOCK_URL", "http://127.0.0.1:12111/")
	if got, want := stripetest.Start(t), "http://127.0.0.1:12111"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestSignVerifies(t *testing.T) {
	t.Parallel()
	body := stripetest.Event(t, "evt_1", "checkout.session.completed", time.Now(),
		map[string]any{"id": "cs_test_1", "object": "checkout.session"})
	h := stripetest.Sign(body, "whsec_test", time.Time{})
	ev, err := webhook.ConstructEvent(body, h.Get("Stripe-Signature"), "whsec_test")
	if err != nil {
		t.Fatalf("ConstructEvent: %v", err)
	}
	if ev.ID != "evt_1" || ev.Type != "checkout.session.completed" || ev.Data.Object["id"] != "cs_test_1" {
		t.Fatalf("got event %s %s %v, want evt_1 checkout.session.completed cs_test_1", ev.ID, ev.Type, ev.Data.Object["id"])
	}
}
