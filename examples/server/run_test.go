package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/pgtest"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want config
	}{
		{"defaults", nil, nil, config{addr: ":8080", db: "completeevent.db", mailDir: "mail-out"}},
		{"environment", nil, map[string]string{
			"ADDR": "127.0.0.1:9000", "DATABASE_URL": "postgres://u@db/ce", "BASE_URL": "https://events.example.org/",
			"SMTP_URL": "smtp://u:p@mail.example.org", "MAIL_DIR": "/var/mail/ce", "MAIL_FROM": "tickets@example.org",
		}, config{
			addr: "127.0.0.1:9000", db: "postgres://u@db/ce", baseURL: "https://events.example.org",
			smtpURL: "smtp://u:p@mail.example.org", mailDir: "/var/mail/ce", mailFrom: "tickets@example.org",
		}},
		{"flags over environment", []string{
			"-addr", ":9001", "-db", "memory", "-base-url", "http://localhost:9001", "-smtp-url", "smtps://mail.example.org",
			"-mail-dir", "out", "-mail-from", "Events <e@example.org>",
		}, map[string]string{"ADDR": ":9000", "DATABASE_URL": "x.db", "BASE_URL": "https://x.example.org", "MAIL_DIR": "x", "SMTP_URL": "smtp://x", "MAIL_FROM": "x@example.org"}, config{
			addr: ":9001", db: "memory", baseURL: "http://localhost:9001", smtpURL: "smtps://mail.example.org",
			mailDir: "out", mailFrom: "Events <e@example.org>",
		}},
		{"stripe from the environment", nil, map[string]string{
			"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1", "STRIPE_API_URL": "http://127.0.0.1:12111",
		}, config{
			addr: ":8080", db: "completeevent.db", mailDir: "mail-out",
			stripeSecretKey: "sk_test_1", stripeWebhookSecret: "whsec_1", stripeAPIURL: "http://127.0.0.1:12111",
		}},
		{"stripe flags over environment", []string{
			"-stripe-secret-key", "sk_test_2", "-stripe-webhook-secret", "whsec_2", "-stripe-api-url", "https://stripe.internal",
		}, map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "whsec_1"}, config{
			addr: ":8080", db: "completeevent.db", mailDir: "mail-out",
			stripeSecretKey: "sk_test_2", stripeWebhookSecret: "whsec_2", stripeAPIURL: "https://stripe.internal",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseConfig(tt.args, io.Discard, func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatalf("parseConfig: got error %v, want nil", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseConfigRefusesBadBaseURL(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"events.example.org", "ftp://events.example.org", "https://", "https://events.example.org/?x=1", "https://u:p@events.example.org", "https://events.example.org/#top"} {
		if _, err := parseConfig([]string{"-base-url", bad}, io.Discard, noEnv); err == nil {
			t.Errorf("-base-url %q: got no error, want one", bad)
		}
	}
}

// TestParseConfigRefusesBadStripe refuses Stripe settings that cannot
// work, with a message naming what is missing, and never the key.
func TestParseConfigRefusesBadStripe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"key without webhook secret", map[string]string{"STRIPE_SECRET_KEY": "sk_test_secret"}, "needs -stripe-webhook-secret"},
		{"webhook secret without key", map[string]string{"STRIPE_WEBHOOK_SECRET": "whsec_1"}, "-stripe-secret-key (STRIPE_SECRET_KEY) is not"},
		{"API URL without key", map[string]string{"STRIPE_API_URL": "http://127.0.0.1:12111"}, "-stripe-secret-key (STRIPE_SECRET_KEY) is not"},
		{"relative API URL", map[string]string{"STRIPE_SECRET_KEY": "sk_test_secret", "STRIPE_WEBHOOK_SECRET": "whsec_1", "STRIPE_API_URL": "127.0.0.1:12111"}, "-stripe-api-url"},
		{"API URL with a password", map[string]string{"STRIPE_SECRET_KEY": "sk_test_secret", "STRIPE_WEBHOOK_SECRET": "whsec_1", "STRIPE_API_URL": "https://u:p@stripe.internal"}, "-stripe-api-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseConfig(nil, io.Discard, func(k string) string { return tt.env[k] })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "sk_test_secret") {
				t.Errorf("the error %q holds the secret key", err)
			}
		})
	}
}

func TestDefaultBaseURL(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"[::]:8080":      "http://localhost:8080",
		"0.0.0.0:8080":   "http://localhost:8080",
		"127.0.0.1:8080": "http://127.0.0.1:8080",
		"[::1]:8080":     "http://[::1]:8080",
		"10.1.2.3:80":    "http://10.1.2.3:80",
	} {
		tcp, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := defaultBaseURL(tcp); got != want {
			t.Errorf("defaultBaseURL(%s): got %q, want %q", addr, got, want)
		}
	}
}

func TestStoreKind(t *testing.T) {
	t.Parallel()
	for db, want := range map[string]string{
		"memory":                  kindMemory,
		"postgres://u:p@host/db":  kindPostgres,
		"postgresql://u@host/db":  kindPostgres,
		"completeevent.db":        kindSQLite,
		"/var/lib/ce/data.sqlite": kindSQLite,
		"./memory":                kindSQLite,
	} {
		if got := storeKind(db); got != want {
			t.Errorf("storeKind(%q): got %q, want %q", db, got, want)
		}
	}
}

func TestRunRefusesBadConfiguration(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
	}{
		{"unknown flag", []string{"-port", "80"}},
		{"extra argument", []string{"serve"}},
		{"unopenable database", []string{"-db", filepath.Join(dir, "missing", "dir", "ce.db")}},
		{"bad address", []string{"-db", "memory", "-addr", "not an address"}},
		{"bad SMTP URL", []string{"-db", "memory", "-smtp-url", "smtp://mail.example.org?starttls=maybe"}},
		{"SMTP without a sender", []string{"-db", "memory", "-smtp-url", "smtp://mail.example.org"}},
		{"unwritable mail folder", []string{"-db", "memory", "-mail-dir", "/proc/completeevent-mail"}},
		{"Stripe key with white space", []string{"-db", "memory", "-stripe-secret-key", "sk_test_ 1", "-stripe-webhook-secret", "whsec_1"}},
		{"Stripe key without webhook secret", []string{"-db", "memory", "-stripe-secret-key", "sk_test_1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := run(context.Background(), tt.args, io.Discard, io.Discard, noEnv)
			if err == nil {
				t.Error("got nil error, want one")
			}
		})
	}
	if err := run(context.Background(), []string{"-h"}, io.Discard, io.Discard, noEnv); err != nil {
		t.Errorf("-h: got error %v, want nil", err)
	}
}

// noEnv is an empty environment.
func noEnv(string) string { return "" }

// running is a run in progress.
type running struct {
	base   string
	stdout *syncBuffer
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

var listeningPattern = regexp.MustCompile(`listening on (http://\S+)`)

// startRun runs the server with args on a loopback port and waits until it
// listens.
func startRun(t *testing.T, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{stdout: &syncBuffer{}, logs: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	// E-mails go to a folder of the test's, unless args say otherwise.
	args = append([]string{"-addr", "127.0.0.1:0", "-mail-dir", filepath.Join(t.TempDir(), "mail")}, args...)
	go func() { r.done <- run(ctx, args, r.stdout, r.logs, noEnv) }()
	t.Cleanup(func() {
		cancel()
		<-r.done
	})
	deadline := time.After(10 * time.Second)
	for {
		if m := listeningPattern.FindStringSubmatch(r.stdout.String()); m != nil {
			r.base = m[1]
			return r
		}
		select {
		case err := <-r.done:
			r.done <- err
			t.Fatalf("run ended before listening: %v; output %q", err, r.stdout)
		case <-deadline:
			t.Fatalf("run did not listen within 10s; output %q", r.stdout)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop cancels the run's context and fails the test unless run returns
// nil soon.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		r.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("run: got error %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return within 15s of cancel")
	}
}

// call sends a request to the running server and decodes the JSON answer
// into out, if not nil. It returns the status.
func (r *running) call(t *testing.T, method, path, token, body string, out any) int {
	t.Helper()
	req, err := http.NewRequest(method, r.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func TestRunServesAndStops(t *testing.T) {
	t.Parallel()
	r := startRun(t, "-db", "memory")
	if !strings.HasPrefix(r.base, "http://127.0.0.1:") {
		t.Errorf("got address %q, want a loopback one", r.base)
	}
	var h health
	if status := r.call(t, "GET", "/healthz", "", "", &h); status != http.StatusOK || h.Status != "ok" {
		t.Errorf("healthz: got %d %q, want 200 ok", status, h.Status)
	}
	token := apiKeyPattern.FindString(r.stdout.String())
	var e ce.Event
	if status := r.call(t, "POST", "/v1/events", token, validEvent, &e); status != http.StatusCreated {
		t.Errorf("create event with the printed key: got status %d, want 201", status)
	}
	r.stop(t)

	if _, err := http.Get(r.base + "/healthz"); err == nil {
		t.Error("the server still answers after run returned")
	}
}

// TestRunKeepsDataAcrossRestarts runs the server twice on one database:
// the first run prints the demo key, the second does not, and the data the
// first made is still there.
func TestRunKeepsDataAcrossRestarts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		db   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "completeevent.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.DSN(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db := tt.db(t)

			first := startRun(t, "-db", db)
			token := apiKeyPattern.FindString(first.stdout.String())
			if token == "" {
				t.Fatalf("first run: got output %q, want the demo API key", first.stdout)
			}
			var e ce.Event
			if status := first.call(t, "POST", "/v1/events", token, validEvent, &e); status != http.StatusCreated {
				t.Fatalf("create event: got status %d, want 201", status)
			}
			var tier tierJSON
			if status := first.call(t, "POST", "/v1/events/"+e.ID+"/tiers", token, validTier, &tier); status != http.StatusCreated {
				t.Fatalf("create tier: got status %d, want 201", status)
			}
			if status := first.call(t, "POST", "/v1/events/"+e.ID+"/publish", token, "", nil); status != http.StatusOK {
				t.Fatalf("publish: got status %d, want 200", status)
			}
			first.stop(t)

			second := startRun(t, "-db", db)
			if out := second.stdout.String(); apiKeyPattern.MatchString(out) || strings.Contains(out, "demo organization") {
				t.Errorf("second run: got output %q, want no new demo organization or key", out)
			}
			var list eventList
			if status := second.call(t, "GET", "/v1/events", token, "", &list); status != http.StatusOK {
				t.Fatalf("list events after restart: got status %d, want 200", status)
			}
			if len(list.Events) != 1 || list.Events[0].ID != e.ID || list.Events[0].Status != ce.EventPublished {
				t.Errorf("after restart: got events %+v, want the published event %s", list.Events, e.ID)
			}
			var gotTier tierJSON
			if status := second.call(t, "GET", "/v1/tiers/"+tier.ID, token, "", &gotTier); status != http.StatusOK || !gotTier.Virtual {
				t.Errorf("after restart: got tier status %d virtual %v, want 200 and a virtual tier", status, gotTier.Virtual)
			}
			second.stop(t)
		})
	}
}

// TestRunDrainsInFlightRequests stops the server while a handler waits
// for a request's body: the request still completes, then run returns.
func TestRunDrainsInFlightRequests(t *testing.T) {
	t.Parallel()
	r := startRun(t, "-db", "memory")
	token := apiKeyPattern.FindString(r.stdout.String())

	// With "Expect: 100-continue" the server says "100 Continue" when the
	// handler starts reading the body: then the request is in flight.
	body, sendBody := io.Pipe()
	reading := make(chan struct{})
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{
		Got100Continue: func() { close(reading) },
	})
	req, err := http.NewRequestWithContext(ctx, "POST", r.base+"/v1/events", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Expect", "100-continue")
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.ExpectContinueTimeout = time.Minute
	defer transport.CloseIdleConnections()
	status := make(chan int, 1)
	go func() {
		resp, err := (&http.Client{Transport: transport}).Do(req)
		if err != nil {
			t.Errorf("in-flight request: %v", err)
			status <- 0
			return
		}
		resp.Body.Close()
		status <- resp.StatusCode
	}()

	select {
	case <-reading:
	case got := <-status:
		t.Fatalf("the request ended with status %d before the server read its body", got)
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not start reading the body within 10s")
	}
	r.cancel()
	waitFor(t, r.logs, "shutting down")
	if _, err := sendBody.Write([]byte(validEvent)); err != nil {
		t.Fatal(err)
	}
	sendBody.Close()
	if got := <-status; got != http.StatusCreated {
		t.Errorf("in-flight request: got status %d, want 201; log %s", got, r.logs)
	}
	r.stop(t)
}

// waitFor waits until buf contains s.
func waitFor(t *testing.T, buf *syncBuffer, s string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(buf.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("got %q, want it to contain %q within 10s", buf, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
