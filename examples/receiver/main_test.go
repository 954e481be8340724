package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/webhooktest"
)

const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

func TestHandler(t *testing.T) {
	t.Parallel()
	at := time.Now()
	confirmed := webhooktest.Message{ID: "msg_1", Timestamp: at, Data: webhook.RegistrationConfirmed{
		Attendee: webhook.Attendee{FirstName: "Alex", LastName: "Smith", Email: "alex@example.com", TierName: "Early bird"},
		Amount:   2500,
		Currency: "EUR",
	}}.Body()
	tests := []struct {
		name       string
		req        func() *http.Request
		wantStatus int
		wantOut    string // a substring of the output, or "" for none
	}{
		{"registration", func() *http.Request { return webhooktest.NewRequest("/webhook", secret, confirmed) },
			http.StatusNoContent, `Alex Smith <alex@example.com> confirmed for "Early bird" (virtual: false), paid 2500 EUR`},
		{"check-in", func() *http.Request {
			return webhooktest.NewRequest("/webhook", secret, webhooktest.Message{Data: webhook.CheckinCompleted{Attendee: webhook.Attendee{FirstName: "Alex"}, Method: "qr"}}.Body())
		}, http.StatusNoContent, "checked in (qr)"},
		{"cancellation", func() *http.Request {
			return webhooktest.NewRequest("/webhook", secret, webhooktest.Message{Data: webhook.RegistrationCancelled{Attendee: webhook.Attendee{FirstName: "Alex"}}}.Body())
		}, http.StatusNoContent, "cancelled from"},
		{"auction", func() *http.Request {
			return webhooktest.NewRequest("/webhook", secret, webhooktest.Message{Data: webhook.AuctionItemPaid{ItemTitle: "Painting", Amount: 100, Currency: "EUR"}}.Body())
		}, http.StatusNoContent, `paid 100 EUR in minor units for "Painting"`},
		{"ping", func() *http.Request { return webhooktest.NewRequest("/webhook", secret, webhooktest.Message{}.Body()) },
			http.StatusNoContent, "ping from endpoint whe_test"},
		{"other secret", func() *http.Request { return webhooktest.NewRequest("/webhook", "whsec_b3RoZXI=", confirmed) },
			http.StatusUnauthorized, ""},
		{"wrong method", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/webhook", nil) },
			http.StatusMethodNotAllowed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			h := newHandler(secret, "", &out, slog.New(slog.DiscardHandler))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tt.req())
			if rec.Code != tt.wantStatus {
				t.Errorf("got status %d, want %d (%s)", rec.Code, tt.wantStatus, rec.Body)
			}
			if tt.wantOut == "" {
				if out.Len() != 0 {
					t.Errorf("got output %q, want none", out.String())
				}
				return
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("got output %q, want it to contain %q", out.String(), tt.wantOut)
			}
		})
	}
}

func TestHandlerDuplicateAndRotation(t *testing.T) {
	t.Parallel()
	const previous = "whsec_c2Vjb25kIHNlY3JldCBmb3IgdGVzdGluZyE="
	var out bytes.Buffer
	h := newHandler(secret, previous, &out, slog.New(slog.DiscardHandler))
	body := webhooktest.Message{ID: "msg_dup"}.Body()
	for i, want := range []int{http.StatusNoContent, http.StatusOK} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, webhooktest.NewRequest("/webhook", previous, body))
		if rec.Code != want {
			t.Errorf("delivery %d: got status %d, want %d", i, rec.Code, want)
		}
	}
	if got := strings.Count(out.String(), "msg_dup"); got != 1 {
		t.Errorf("got the event printed %d times, want once", got)
	}
}

func TestRunUsage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"no secret", nil},
		{"unknown flag", []string{"-secret", secret, "-port", "1"}},
		{"extra argument", []string{"-secret", secret, "extra"}},
		{"bad address", []string{"-secret", secret, "-addr", "256.0.0.1:bad"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := run(context.Background(), tt.args, io.Discard, io.Discard); err == nil {
				t.Error("got nil error, want one")
			}
		})
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	logR, logW := io.Pipe()
	var out lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-secret", secret, "-addr", "127.0.0.1:0"}, &out, logW)
		logW.Close()
	}()

	lines := bufio.NewScanner(logR)
	if !lines.Scan() {
		t.Fatalf("got no log line, want the listening address (run: %v)", <-done)
	}
	m := regexp.MustCompile(`url=(\S+)`).FindStringSubmatch(lines.Text())
	if m == nil {
		t.Fatalf("got log line %q, want the URL", lines.Text())
	}
	go io.Copy(io.Discard, logR)

	body := webhooktest.Message{ID: "msg_run"}.Body()
	req, err := http.NewRequest(http.MethodPost, m[1], bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = webhooktest.Header(secret, body)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("got status %d, want 204", resp.StatusCode)
	}
	if !strings.Contains(out.String(), "msg_run") {
		t.Errorf("got output %q, want the event", out.String())
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: got error %v, want nil", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
