package outbox_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/webhook"
	"github.com/completeevent/completeevent-go/webhook/outbox"
	"github.com/completeevent/completeevent-go/webhook/webhooktest"
)

// devService returns a service on a new memstore that accepts loopback
// URLs, with a new organization.
func devService(t *testing.T, opts *outbox.Options) (*outbox.Service, storage.Store, *ce.Organization) {
	t.Helper()
	s := memstore.New()
	o := outbox.Options{}
	if opts != nil {
		o = *opts
	}
	o.AllowPrivateNetworks = true
	return outbox.NewService(s, newSender(t, 2*time.Second), &o), s, newOrg(t, s)
}

// createFor creates an endpoint subscribed to check-ins whose URL is a new
// receiver's, answering with handler, and returns both.
func createFor(t *testing.T, svc *outbox.Service, org *ce.Organization, handler http.Handler) (*ce.WebhookEndpoint, *webhooktest.Receiver) {
	t.Helper()
	// The receiver needs the secret, which the endpoint gets when made.
	e, err := svc.CreateEndpoint(t.Context(), org.ID, outbox.EndpointInput{URL: "http://127.0.0.1:9/", EventTypes: []string{ce.EventTypeCheckinCompleted}})
	if err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	rc := newReceiver(t, e.Secret, handler)
	url := rc.URL() + "/hooks"
	if _, err := svc.UpdateEndpoint(t.Context(), org.ID, e.ID, outbox.EndpointUpdate{URL: &url}); err != nil {
		t.Fatalf("update endpoint: %v", err)
	}
	e.URL = url
	return e, rc
}

func TestCreateEndpointBadInput(t *testing.T) {
	t.Parallel()
	s := memstore.New()
	svc := outbox.NewService(s, newSender(t, time.Second), nil) // production rules
	org := newOrg(t, s)
	valid := outbox.EndpointInput{URL: "https://crm.example.com/hooks", EventTypes: []string{ce.EventTypeRegistrationConfirmed}}
	tests := []struct {
		name   string
		change func(in *outbox.EndpointInput)
		field  string
	}{
		{"valid", func(*outbox.EndpointInput) {}, ""},
		{"http URL", func(in *outbox.EndpointInput) { in.URL = "http://crm.example.com/hooks" }, "url"},
		{"relative URL", func(in *outbox.EndpointInput) { in.URL = "/hooks" }, "url"},
		{"user information", func(in *outbox.EndpointInput) { in.URL = "https://user:pw@crm.example.com/" }, "url"},
		{"fragment", func(in *outbox.EndpointInput) { in.URL = "https://crm.example.com/#x" }, "url"},
		{"ftp scheme", func(in *outbox.EndpointInput) { in.URL = "ftp://crm.example.com/" }, "url"},
		{"loopback", func(in *outbox.EndpointInput) { in.URL = "https://127.0.0.1/hooks" }, "url"},
		{"private", func(in *outbox.EndpointInput) { in.URL = "https://10.0.0.1/hooks" }, "url"},
		{"cloud metadata", func(in *outbox.EndpointInput) { in.URL = "https://169.254.169.254/latest/meta-data" }, "url"},
		{"IPv6 loopback", func(in *outbox.EndpointInput) { in.URL = "https://[::1]/hooks" }, "url"},
		{"localhost", func(in *outbox.EndpointInput) { in.URL = "https://localhost/hooks" }, "url"},
		{"unknown event type", func(in *outbox.EndpointInput) { in.EventTypes = []string{"registration.exploded"} }, "eventTypes"},
		{"ping is not subscribable", func(in *outbox.EndpointInput) { in.EventTypes = []string{ce.EventTypePing} }, "eventTypes"},
		{"empty event list", func(in *outbox.EndpointInput) { in.EventTypes = nil }, "eventTypes"},
		{"event type twice", func(in *outbox.EndpointInput) { in.EventTypes = append(in.EventTypes, in.EventTypes[0]) }, "eventTypes"},
		{"overlong description", func(in *outbox.EndpointInput) { in.Description = strings.Repeat("x", 501) }, "description"},
		{"negative timeout", func(in *outbox.EndpointInput) { in.Timeout = -time.Second }, "timeoutMs"},
		{"timeout over the maximum", func(in *outbox.EndpointInput) { in.Timeout = outbox.MaxEndpointTimeout + 1 }, "timeoutMs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := valid
			in.EventTypes = slices.Clone(valid.EventTypes)
			tt.change(&in)
			_, err := svc.CreateEndpoint(t.Context(), org.ID, in)
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("got error %v, want none", err)
			case tt.field != "" && (!errors.Is(err, ce.ErrInvalid) || ce.ErrorField(err) != tt.field):
				t.Errorf("got error %v, want ErrInvalid naming %q", err, tt.field)
			}
		})
	}
}

func TestEndpointLifecycle(t *testing.T) {
	t.Parallel()
	svc, _, org := devService(t, nil)
	other := "org_other"
	e, err := svc.CreateEndpoint(t.Context(), org.ID, outbox.EndpointInput{
		URL: "https://crm.example.com/hooks", EventTypes: []string{ce.EventTypeCheckinCompleted}, Description: "CRM",
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if !strings.HasPrefix(e.Secret, webhook.SecretPrefix) || !e.Enabled || e.Version != 1 {
		t.Errorf("created endpoint: got %+v, want enabled, version 1, with a whsec_ secret", e)
	}
	if _, err := svc.GetEndpoint(t.Context(), other, e.ID); !errors.Is(err, ce.ErrNotFound) {
		t.Errorf("get from another organization: got %v, want ErrNotFound", err)
	}
	off := false
	changed, err := svc.UpdateEndpoint(t.Context(), org.ID, e.ID, outbox.EndpointUpdate{
		EventTypes: []string{ce.EventTypeRegistrationCancelled, ce.EventTypeAuctionItemPaid}, Enabled: &off, Version: 1,
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	if changed.Enabled || changed.Version != 2 || changed.Description != "CRM" || changed.Secret != e.Secret || len(changed.EventTypes) != 2 {
		t.Errorf("updated endpoint: got %+v", changed)
	}
	if _, err := svc.UpdateEndpoint(t.Context(), org.ID, e.ID, outbox.EndpointUpdate{Enabled: &off, Version: 1}); !errors.Is(err, ce.ErrConflict) {
		t.Errorf("update of a stale version: got %v, want ErrConflict", err)
	}
	bad := "http://crm.example.com/"
	if _, err := svc.UpdateEndpoint(t.Context(), org.ID, e.ID, outbox.EndpointUpdate{URL: &bad}); err != nil {
		t.Errorf("update to http in development mode: got %v, want it accepted", err)
	}
	empty := []string{}
	if _, err := svc.UpdateEndpoint(t.Context(), org.ID, e.ID, outbox.EndpointUpdate{EventTypes: empty}); ce.ErrorField(err) != "eventTypes" {
		t.Errorf("update to no event types: got %v, want ErrInvalid naming eventTypes", err)
	}
	list, err := svc.ListEndpoints(t.Context(), org.ID)
	if err != nil || len(list) != 1 {
		t.Errorf("list: got %d endpoints and error %v, want 1", len(list), err)
	}
	if err := svc.DeleteEndpoint(t.Context(), other, e.ID); !errors.Is(err, ce.ErrNotFound) {
		t.Errorf("delete from another organization: got %v, want ErrNotFound", err)
	}
	if err := svc.DeleteEndpoint(t.Context(), org.ID, e.ID); err != nil {
		t.Errorf("delete: %v", err)
	}
	if _, err := svc.GetEndpoint(t.Context(), org.ID, e.ID); !errors.Is(err, ce.ErrNotFound) {
		t.Errorf("get after delete: got %v, want ErrNotFound", err)
	}
}

// TestEnableNotifies checks that a change that enables an endpoint, and
// only such a change, wakes the worker once it commits.
func TestEnableNotifies(t *testing.T) {
	t.Parallel()
	var notified atomic.Int32
	svc, _, org := devService(t, &outbox.Options{Notify: func() { notified.Add(1) }})
	e, err := svc.CreateEndpoint(t.Context(), org.ID, outbox.EndpointInput{
		URL: "https://crm.example.com/hooks", EventTypes: []string{ce.EventTypeCheckinCompleted},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	on, off, desc := true, false, "CRM"
	tests := []struct {
		name     string
		update   outbox.EndpointUpdate
		invalid  bool
		notified int32
	}{
		{"disable", outbox.EndpointUpdate{Enabled: &off}, false, 0},
		{"enable with an invalid change", outbox.EndpointUpdate{Enabled: &on, EventTypes: []string{}}, true, 0},
		{"enable", outbox.EndpointUpdate{Enabled: &on}, false, 1},
		{"enable while enabled", outbox.EndpointUpdate{Enabled: &on}, false, 1},
		{"other change", outbox.EndpointUpdate{Description: &desc}, false, 1},
	}
	for _, tt := range tests {
		_, err := svc.UpdateEndpoint(t.Context(), org.ID, e.ID, tt.update)
		if (err != nil) != tt.invalid {
			t.Fatalf("%s: got error %v, want invalid %v", tt.name, err, tt.invalid)
		}
		if got := notified.Load(); got != tt.notified {
			t.Errorf("%s: got %d notifications in all, want %d", tt.name, got, tt.notified)
		}
	}
}

// TestRotation checks that during the overlap X-CompleteEvent-Signature
// is signed with the old secret and webhook-signature carries both, and
// that afterwards only the new secret signs.
func TestRotation(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := func() time.Time { return now }
	svc, s, org := devService(t, &outbox.Options{Now: clock, RotationOverlap: time.Hour})
	e, oldRC := createFor(t, svc, org, nil)
	oldSecret := e.Secret
	rotated, err := svc.RotateSecret(t.Context(), org.ID, e.ID)
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	if rotated.Secret == oldSecret || rotated.PreviousSecret != oldSecret || !rotated.PreviousSecretExpiresAt.Equal(storage.NormalizeTime(now.Add(time.Hour))) {
		t.Fatalf("rotated endpoint: got secret %q previous %q until %v", rotated.Secret, rotated.PreviousSecret, rotated.PreviousSecretExpiresAt)
	}
	// A receiver that holds only the old secret still verifies.
	attempt, err := svc.SendTest(t.Context(), org.ID, e.ID)
	if err != nil || attempt.StatusCode != http.StatusOK {
		t.Fatalf("send test during the overlap: got %+v, %v; want 200 from the receiver holding the old secret", attempt, err)
	}
	got := oldRC.Deliveries()[0]
	ev, err := webhook.Decode(got.Body)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	entries := strings.Fields(got.Header.Get(webhook.HeaderWebhookSignature))
	newSig, err := webhook.NewSigner(rotated.Secret).SignStandard(ev.ID, ev.Timestamp, got.Body)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	if len(entries) != 2 || !slices.Contains(entries, newSig) {
		t.Errorf("webhook-signature during the overlap: got %q, want two entries, one of the new secret", entries)
	}

	// After the overlap: only the new secret.
	now = now.Add(time.Hour)
	newRC := webhooktest.NewReceiver(rotated.Secret, &webhooktest.ReceiverOptions{Now: clock})
	t.Cleanup(newRC.Close)
	url := newRC.URL() + "/hooks"
	if _, err := svc.UpdateEndpoint(t.Context(), org.ID, e.ID, outbox.EndpointUpdate{URL: &url}); err != nil {
		t.Fatalf("update: %v", err)
	}
	if attempt, err := svc.SendTest(t.Context(), org.ID, e.ID); err != nil || attempt.StatusCode != http.StatusOK {
		t.Fatalf("send test after the overlap: got %+v, %v; want 200 from the receiver holding the new secret", attempt, err)
	}
	got = newRC.Deliveries()[0]
	if entries := strings.Fields(got.Header.Get(webhook.HeaderWebhookSignature)); len(entries) != 1 {
		t.Errorf("webhook-signature after the overlap: got %q, want one entry", entries)
	}

	// A second rotation drops the secret still overlapping.
	svcNoOverlap := outbox.NewService(s, newSender(t, time.Second), &outbox.Options{RotationOverlap: -1})
	again, err := svcNoOverlap.RotateSecret(t.Context(), org.ID, e.ID)
	if err != nil {
		t.Fatalf("rotate: %v", err)
	}
	if again.PreviousSecret != "" || !again.PreviousSecretExpiresAt.IsZero() || len(again.Secrets(time.Now())) != 1 {
		t.Errorf("rotation without overlap: got previous %q until %v", again.PreviousSecret, again.PreviousSecretExpiresAt)
	}
}

func TestSendTest(t *testing.T) {
	t.Parallel()
	svc, s, org := devService(t, nil)
	var status atomic.Int32
	status.Store(http.StatusOK)
	e, rc := createFor(t, svc, org, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(int(status.Load()))
		_, _ = w.Write([]byte("pong"))
	}))
	attempt, err := svc.SendTest(t.Context(), org.ID, e.ID)
	if err != nil {
		t.Fatalf("send test: %v", err)
	}
	if attempt.StatusCode != http.StatusOK || attempt.ErrorClass != "" || attempt.ResponseExcerpt != "pong" || attempt.Duration <= 0 {
		t.Errorf("test attempt: got %+v, want 200 with the excerpt", attempt)
	}
	var ping webhook.Ping
	if got := rc.Deliveries(); len(got) != 1 || got[0].Err != nil || got[0].Event.Type != webhook.EventTypePing ||
		got[0].Event.DecodeData(&ping) != nil || ping.EndpointID != e.ID {
		t.Errorf("receiver: got %+v, want one verified ping naming the endpoint", got)
	}

	// Failures are results, and disabled endpoints are tested too.
	off := false
	if _, err := svc.UpdateEndpoint(t.Context(), org.ID, e.ID, outbox.EndpointUpdate{Enabled: &off}); err != nil {
		t.Fatalf("disable: %v", err)
	}
	status.Store(http.StatusInternalServerError)
	attempt, err = svc.SendTest(t.Context(), org.ID, e.ID)
	if err != nil || attempt.StatusCode != http.StatusInternalServerError || attempt.ErrorClass != string(webhook.ErrorNon2xx) {
		t.Errorf("failed test: got %+v, %v; want a 500 attempt and no error", attempt, err)
	}
	status.Store(http.StatusGone)
	if _, err := svc.SendTest(t.Context(), org.ID, e.ID); err != nil {
		t.Fatalf("send test: %v", err)
	}
	got, err := svc.GetEndpoint(t.Context(), org.ID, e.ID)
	if err != nil || got.Enabled || !strings.Contains(got.DisabledReason, "410") {
		t.Errorf("after a test answered 410: got %+v, %v; want it disabled saying why", got, err)
	}
	// Logged like any attempt, newest first.
	log, err := svc.ListDeliveries(t.Context(), org.ID, e.ID, storage.DeliveryFilter{})
	if err != nil || len(log.Deliveries) != 3 {
		t.Fatalf("log: got %+v, %v; want 3 deliveries", log, err)
	}
	wantStatus := []ce.DeliveryStatus{ce.DeliveryFailed, ce.DeliveryFailed, ce.DeliverySucceeded}
	for i, d := range log.Deliveries {
		if d.EventType != webhook.EventTypePing || d.Status != wantStatus[i] || len(d.Attempts) != 1 {
			t.Errorf("log entry %d: got %+v, want a %s ping with one attempt", i, d, wantStatus[i])
		}
	}
	if _, err := svc.SendTest(t.Context(), "org_other", e.ID); !errors.Is(err, ce.ErrNotFound) {
		t.Errorf("test another organization's endpoint: got %v, want ErrNotFound", err)
	}
	if ds, _ := s.WebhookDeliveries().Claim(t.Context(), time.Now().Add(time.Second), time.Minute, 10, "x"); len(ds) != 0 {
		t.Errorf("test pings left for a worker: got %d, want none", len(ds))
	}
}

// TestResend resends a delivered message: the receiver gets it again with
// the same message id and a new signature, and the log shows both
// attempts.
func TestResend(t *testing.T) {
	t.Parallel()
	svc, s, org := devService(t, nil)
	e, rc := createFor(t, svc, org, nil)
	w := outbox.NewWorker(s, newSender(t, time.Second), &outbox.WorkerOptions{PollInterval: time.Hour})
	d := outbox.NewDispatcher(&outbox.DispatcherOptions{Notify: w.Notify})
	startWorker(t, w)
	publish(t, s, d, org, 1)
	first := waitFor(t, rc, 1, 5*time.Second)[0]
	log := waitLog(t, s, org, e.ID, settled, 5*time.Second)

	resendSvc := outbox.NewService(s, newSender(t, time.Second), &outbox.Options{Notify: w.Notify})
	resent, err := resendSvc.Resend(t.Context(), org.ID, log[0].ID)
	if err != nil {
		t.Fatalf("resend: %v", err)
	}
	if resent.Status != ce.DeliveryPending || resent.MessageID != log[0].MessageID {
		t.Errorf("resent delivery: got %+v, want pending with the same message", resent)
	}
	second := waitFor(t, rc, 2, 5*time.Second)[1] // woken by the resend
	if second.Err != nil || second.Header.Get(webhook.HeaderID) != first.Header.Get(webhook.HeaderID) {
		t.Errorf("resent delivery: got id %q (error %v), want %q", second.Header.Get(webhook.HeaderID), second.Err, first.Header.Get(webhook.HeaderID))
	}
	log = waitLog(t, s, org, e.ID, settled, 5*time.Second)
	if log[0].Status != ce.DeliverySucceeded || log[0].AttemptCount != 2 || len(log[0].Attempts) != 2 {
		t.Errorf("log after resend: got %+v, want succeeded with 2 attempts", log[0])
	}
	if _, err := svc.Resend(t.Context(), "org_other", log[0].ID); !errors.Is(err, ce.ErrNotFound) {
		t.Errorf("resend another organization's delivery: got %v, want ErrNotFound", err)
	}
}

func TestListDeliveries(t *testing.T) {
	t.Parallel()
	svc, s, org := devService(t, nil)
	e, _ := createFor(t, svc, org, nil)
	const n = 5
	publish(t, s, outbox.NewDispatcher(nil), org, n)
	var all []string
	f := storage.DeliveryFilter{Limit: 2}
	for {
		page, err := svc.ListDeliveries(t.Context(), org.ID, e.ID, f)
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		for _, d := range page.Deliveries {
			all = append(all, d.ID)
		}
		if page.Next == "" {
			break
		}
		f.After = page.Next
	}
	if len(all) != n || len(slices.Compact(slices.Sorted(slices.Values(all)))) != n {
		t.Errorf("log in pages: got %q, want %d distinct deliveries", all, n)
	}
	if _, err := svc.ListDeliveries(t.Context(), org.ID, e.ID, storage.DeliveryFilter{After: "dlv_nope"}); ce.ErrorField(err) != "after" {
		t.Errorf("bad cursor: got %v, want ErrInvalid naming after", err)
	}
	if _, err := svc.ListDeliveries(t.Context(), "org_other", e.ID, storage.DeliveryFilter{}); !errors.Is(err, ce.ErrNotFound) {
		t.Errorf("another organization's log: got %v, want ErrNotFound", err)
	}
	if d, err := svc.GetDelivery(context.Background(), org.ID, all[0]); err != nil || d.EndpointID != e.ID {
		t.Errorf("get delivery: got %+v, %v", d, err)
	}
}
