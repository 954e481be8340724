package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/completeevent/completeevent-go/webhook"
)

// signedAt returns a canonical ping body for message id signed at t, and
// its signature.
func signedAt(id string, t time.Time) ([]byte, string) {
	body := []byte(`{"id":"` + id + `","event":"ping","timestamp":"` + t.UTC().Format(time.RFC3339) + `","data":{"endpointId":"whe_test"}}`)
	return body, sign(testSecret, body)
}

func TestMiddlewareStatuses(t *testing.T) {
	t.Parallel()
	body, sig := signedAt("msg_test1", testNow())
	stale, staleSig := signedAt("msg_test1", testNow().Add(-6*time.Minute))
	notObject := []byte(`"ping"`)
	tests := []struct {
		name       string
		req        func() *http.Request
		wantStatus int
		wantApp    bool
	}{
		{"verified", func() *http.Request { return signedRequest(body, sig) }, http.StatusAccepted, true},
		{"missing signature", func() *http.Request { return signedRequest(body, "") }, http.StatusUnauthorized, false},
		{"signature mismatch", func() *http.Request { return signedRequest(body, sign(otherSecret, body)) }, http.StatusUnauthorized, false},
		{"stale timestamp", func() *http.Request { return signedRequest(stale, staleSig) }, http.StatusUnauthorized, false},
		{"malformed payload", func() *http.Request { return signedRequest(notObject, sign(testSecret, notObject)) }, http.StatusBadRequest, false},
		{"body too large", func() *http.Request {
			big := bytes.Repeat([]byte{' '}, webhook.DefaultMaxBodyBytes+1)
			return signedRequest(big, sign(testSecret, big))
		}, http.StatusRequestEntityTooLarge, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var called atomic.Bool
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called.Store(true)
				w.WriteHeader(http.StatusAccepted)
			})
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, nil))
			h := webhook.Middleware(newVerifier(testSecret), &webhook.MiddlewareOptions{Logger: logger})(app)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, tt.req())
			if rec.Code != tt.wantStatus {
				t.Errorf("got status %d, want %d (body %q)", rec.Code, tt.wantStatus, rec.Body)
			}
			if called.Load() != tt.wantApp {
				t.Errorf("got application called %v, want %v", called.Load(), tt.wantApp)
			}
			if refused := strings.Contains(logs.String(), "refused"); refused == tt.wantApp {
				t.Errorf("got log %q, want a refusal logged: %v", logs.String(), !tt.wantApp)
			}
		})
	}
}

func TestMiddlewarePassesEventAndBody(t *testing.T) {
	t.Parallel()
	body, sig := signedAt("msg_test1", testNow())
	var gotEvent webhook.Event
	var gotCtxBody, gotReqBody []byte
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ok bool
		if gotEvent, ok = webhook.EventFromContext(r.Context()); !ok {
			t.Error("EventFromContext: got no event, want one")
		}
		if gotCtxBody, ok = webhook.BodyFromContext(r.Context()); !ok {
			t.Error("BodyFromContext: got no body, want one")
		}
		var err error
		if gotReqBody, err = io.ReadAll(r.Body); err != nil {
			t.Errorf("reading r.Body: got error %v, want nil", err)
		}
		if r.ContentLength != int64(len(body)) {
			t.Errorf("got ContentLength %d, want %d", r.ContentLength, len(body))
		}
	})
	rec := httptest.NewRecorder()
	webhook.Middleware(newVerifier(testSecret), nil)(app).ServeHTTP(rec, signedRequest(body, sig))
	if rec.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200", rec.Code)
	}
	want := webhook.Event{ID: "msg_test1", Type: webhook.EventTypePing, Timestamp: testNow(), Data: []byte(`{"endpointId":"whe_test"}`)}
	if diff := cmp.Diff(want, gotEvent); diff != "" {
		t.Errorf("event mismatch (-want +got):\n%s", diff)
	}
	if !bytes.Equal(gotCtxBody, body) {
		t.Errorf("context body: got %q, want %q", gotCtxBody, body)
	}
	if !bytes.Equal(gotReqBody, body) {
		t.Errorf("request body: got %q, want %q", gotReqBody, body)
	}
}

func TestContextAccessorsWithoutMiddleware(t *testing.T) {
	t.Parallel()
	if _, ok := webhook.EventFromContext(context.Background()); ok {
		t.Error("EventFromContext: got an event, want none")
	}
	if _, ok := webhook.BodyFromContext(context.Background()); ok {
		t.Error("BodyFromContext: got a body, want none")
	}
}

func TestMiddlewarePanicsOnNilVerifier(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("got no panic, want one")
		}
	}()
	webhook.Middleware(nil, nil)
}

func TestMiddlewareDeduplication(t *testing.T) {
	t.Parallel()
	type delivery struct {
		id        string
		appStatus int // what the application answers
	}
	tests := []struct {
		name        string
		deliveries  []delivery
		wantStatus  []int
		wantApp     []bool
		noDedup     bool
		failingDedu bool
	}{
		{
			name:       "duplicate id suppressed",
			deliveries: []delivery{{"msg_a", 200}, {"msg_a", 200}},
			wantStatus: []int{200, 200},
			wantApp:    []bool{true, false},
		},
		{
			name:       "distinct ids pass",
			deliveries: []delivery{{"msg_a", 200}, {"msg_b", 200}},
			wantStatus: []int{200, 200},
			wantApp:    []bool{true, true},
		},
		{
			name:       "failed delivery is processed again",
			deliveries: []delivery{{"msg_a", 500}, {"msg_a", 204}, {"msg_a", 204}},
			wantStatus: []int{500, 204, 200},
			wantApp:    []bool{true, true, false},
		},
		{
			name:       "without deduplicator every delivery passes",
			deliveries: []delivery{{"msg_a", 200}, {"msg_a", 200}},
			wantStatus: []int{200, 200},
			wantApp:    []bool{true, true},
			noDedup:    true,
		},
		{
			name:        "failing deduplicator lets deliveries pass",
			deliveries:  []delivery{{"msg_a", 200}, {"msg_a", 200}},
			wantStatus:  []int{200, 200},
			wantApp:     []bool{true, true},
			failingDedu: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts webhook.MiddlewareOptions
			switch {
			case tt.failingDedu:
				opts.Deduplicator = failingDeduplicator{}
			case !tt.noDedup:
				opts.Deduplicator = &webhook.MemoryDeduplicator{Now: testNow}
			}
			var logs bytes.Buffer
			opts.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			var status int
			var called bool
			app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				w.WriteHeader(status)
			})
			h := webhook.Middleware(newVerifier(testSecret), &opts)(app)
			for i, d := range tt.deliveries {
				// Each retry is signed anew, with a later timestamp.
				body, sig := signedAt(d.id, testNow().Add(time.Duration(i)*time.Second))
				status, called = d.appStatus, false
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, signedRequest(body, sig))
				if rec.Code != tt.wantStatus[i] {
					t.Errorf("delivery %d: got status %d, want %d", i, rec.Code, tt.wantStatus[i])
				}
				if called != tt.wantApp[i] {
					t.Errorf("delivery %d: got application called %v, want %v", i, called, tt.wantApp[i])
				}
			}
			if got := strings.Contains(logs.String(), "deduplicator failed"); got != tt.failingDedu {
				t.Errorf("got log %q, want deduplicator failure logged: %v", logs.String(), tt.failingDedu)
			}
		})
	}
}

// failingDeduplicator fails every call.
type failingDeduplicator struct{}

func (failingDeduplicator) Seen(context.Context, string) (bool, error) {
	return false, errors.New("store down")
}

func (failingDeduplicator) Remember(context.Context, string) error {
	return errors.New("store down")
}

func TestMiddlewareConcurrent(t *testing.T) {
	t.Parallel()
	dedup := &webhook.MemoryDeduplicator{Now: testNow}
	var calls atomic.Int64
	h := webhook.Middleware(newVerifier(testSecret), &webhook.MiddlewareOptions{Deduplicator: dedup})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	srv := httptest.NewServer(h)
	defer srv.Close()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			body, sig := signedAt("msg_c"+string(rune('a'+i%5)), testNow())
			req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set(webhook.HeaderSignature, sig)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("got status %d, want 200", resp.StatusCode)
			}
		})
	}
	wg.Wait()
	if n := calls.Load(); n < 5 || n > 20 {
		t.Errorf("got %d application calls, want between 5 and 20", n)
	}
	if got := dedup.Len(); got != 5 {
		t.Errorf("got %d ids remembered, want 5", got)
	}
}

func TestStatusCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want int
	}{
		{nil, 200},
		{webhook.ErrMissingSignature, 401},
		{webhook.ErrSignatureMismatch, 401},
		{webhook.ErrTimestampOutsideTolerance, 401},
		{webhook.ErrMalformedPayload, 400},
		{webhook.ErrBodyTooLarge, 413},
		{errors.New("webhook: reading body: connection reset"), 400},
	}
	for _, tt := range tests {
		if got := webhook.StatusCode(tt.err); got != tt.want {
			t.Errorf("StatusCode(%v): got %d, want %d", tt.err, got, tt.want)
		}
	}
}
