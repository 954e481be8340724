package storagetest

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// The webhook tests that run in parallel with the rest keep every delivery
// they make due in the far future, so that the claim tests, which run one
// after the other with times near base (webhooks_claim.go), never see
// them: Claim takes due deliveries of every organization.
var future = time.Date(2500, time.March, 1, 9, 30, 0, 987654321, time.FixedZone("CET", 60*60))

// newEndpoint returns an unsaved, enabled endpoint of org subscribed to
// the event types.
func newEndpoint(org *ce.Organization, types ...string) *ce.WebhookEndpoint {
	return &ce.WebhookEndpoint{
		ID:             ce.NewID(ce.PrefixWebhookEndpoint, time.Now()),
		OrganizationID: org.ID,
		URL:            "https://crm.example.com/hooks/completeevent?team=7",
		EventTypes:     types,
		Description:    "CRM sync — ünïcode",
		Enabled:        true,
		Secret:         "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		Timeout:        2500 * time.Millisecond,
		CreatedAt:      base,
		UpdatedAt:      base,
	}
}

// createEndpoint stores a new endpoint of org subscribed to the types.
func createEndpoint(t *testing.T, s storage.Repositories, org *ce.Organization, types ...string) *ce.WebhookEndpoint {
	t.Helper()
	e := newEndpoint(org, types...)
	if err := s.WebhookEndpoints().Create(ctx(t), e); err != nil {
		t.Fatalf("create webhook endpoint: %v", err)
	}
	return e
}

// messageData is the data of the test messages: not compact, so that a
// store that re-encodes it fails.
const messageData = `{"registrationId": "reg_1",  "email":"a@example.com", "name":"Zoë"}`

// newMessage returns an unsaved message of org with the event type, made
// at the time.
func newMessage(org *ce.Organization, eventType string, at time.Time) *ce.WebhookMessage {
	return &ce.WebhookMessage{
		ID:             ce.NewID(ce.PrefixWebhookMessage, at),
		OrganizationID: org.ID,
		EventType:      eventType,
		Data:           json.RawMessage(messageData),
		CreatedAt:      at,
	}
}

// publish publishes m in a transaction of its own.
func publish(t *testing.T, s storage.Store, m *ce.WebhookMessage) []*ce.WebhookDelivery {
	t.Helper()
	var out []*ce.WebhookDelivery
	err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		var err error
		out, err = tx.WebhookDeliveries().Publish(c, m)
		return err
	})
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	return out
}

// publishClaimed publishes m to the endpoint, claimed for an hour.
func publishClaimed(t *testing.T, s storage.Repositories, m *ce.WebhookMessage, endpointID string) storage.ClaimedDelivery {
	t.Helper()
	c, err := s.WebhookDeliveries().PublishClaimed(ctx(t), m, endpointID, time.Hour, "storagetest")
	if err != nil {
		t.Fatalf("publish claimed: %v", err)
	}
	return c
}

// newAttempt returns an attempt of the delivery at the time, with every
// field set.
func newAttempt(deliveryID string, at time.Time, status int) ce.WebhookAttempt {
	a := ce.WebhookAttempt{
		ID:         ce.NewID(ce.PrefixWebhookAttempt, at),
		DeliveryID: deliveryID,
		At:         at,
		StatusCode: status,
		Duration:   123456789 * time.Nanosecond,
		Timings: ce.AttemptTimings{
			DNS: 1100 * time.Microsecond, Connect: 2200 * time.Microsecond,
			TLS: 3300 * time.Microsecond, FirstByte: 44 * time.Millisecond,
		},
		ResponseExcerpt: `{"ok":true} ✓`,
	}
	if status >= 300 {
		a.ErrorClass, a.Error = "non_2xx", "status 500 Internal Server Error"
	}
	return a
}

// outcome returns the outcome of an attempt of c at the time with the
// status code: succeeded below 300, else failed.
func outcome(c storage.ClaimedDelivery, at time.Time, status int) storage.Outcome {
	o := storage.Outcome{Lease: c.Lease, Attempt: newAttempt(c.Lease.DeliveryID, at, status), Status: ce.DeliverySucceeded}
	if status >= 300 {
		o.Status = ce.DeliveryFailed
	}
	return o
}

// finish records outcomes.
func finish(t *testing.T, s storage.Repositories, now time.Time, outcomes ...storage.Outcome) {
	t.Helper()
	if err := s.WebhookDeliveries().Finish(ctx(t), now, outcomes); err != nil {
		t.Fatalf("finish: %v", err)
	}
}

// getDelivery returns the organization's delivery, failing the test if
// there is none.
func getDelivery(t *testing.T, s storage.Repositories, organizationID, id string) *ce.WebhookDelivery {
	t.Helper()
	d, err := s.WebhookDeliveries().Get(ctx(t), organizationID, id)
	if err != nil {
		t.Fatalf("get delivery %s: %v", id, err)
	}
	return d
}

// listDeliveries returns the whole log of the endpoint, in pages of size.
func listDeliveries(t *testing.T, s storage.Repositories, organizationID, endpointID string, size int) []*ce.WebhookDelivery {
	t.Helper()
	var all []*ce.WebhookDelivery
	after := ""
	for {
		page, err := s.WebhookDeliveries().List(ctx(t), organizationID, endpointID, storage.DeliveryFilter{After: after, Limit: size})
		if err != nil {
			t.Fatalf("list deliveries: %v", err)
		}
		if len(page) > size {
			t.Fatalf("list deliveries: got a page of %d, want at most %d", len(page), size)
		}
		all = append(all, page...)
		if len(page) < size {
			return all
		}
		after = page[len(page)-1].ID
	}
}

func endpointID(e *ce.WebhookEndpoint) string { return e.ID }
func deliveryID(d *ce.WebhookDelivery) string { return d.ID }
func deliveryEndpoint(d *ce.WebhookDelivery) string {
	return d.EndpointID
}

func testWebhookEndpoints(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e := newEndpoint(org, ce.EventTypeCheckinCompleted, ce.EventTypeRegistrationConfirmed)
	e.PreviousSecret = "whsec_old"
	e.PreviousSecretExpiresAt = base.Add(24 * time.Hour)
	if err := s.WebhookEndpoints().Create(ctx(t), e); err != nil {
		t.Fatalf("create: %v", err)
	}
	if e.Version != 1 || e.CreatedAt != storage.NormalizeTime(base) || e.PreviousSecretExpiresAt != storage.NormalizeTime(base.Add(24*time.Hour)) {
		t.Errorf("created endpoint: got version %d, times %v and %v; want version 1 and normalized times", e.Version, e.CreatedAt, e.PreviousSecretExpiresAt)
	}
	got, err := s.WebhookEndpoints().Get(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "endpoint", got, e)

	dup := newEndpoint(org, ce.EventTypeCheckinCompleted)
	dup.ID = e.ID
	wantKind(t, "create with an existing id", s.WebhookEndpoints().Create(ctx(t), dup), ce.ErrConflict)
	orphan := newEndpoint(&ce.Organization{ID: "org_missing"}, ce.EventTypeCheckinCompleted)
	wantKind(t, "create for a missing organization", s.WebhookEndpoints().Create(ctx(t), orphan), ce.ErrNotFound)
	_, err = s.WebhookEndpoints().Get(ctx(t), other.ID, e.ID)
	wantKind(t, "get another organization's endpoint", err, ce.ErrNotFound)

	// Listing: by CreatedAt, then id; only the organization's own.
	later := newEndpoint(org, ce.EventTypeAuctionItemPaid)
	later.CreatedAt = base.Add(time.Hour)
	earlier := newEndpoint(org, ce.EventTypeAuctionItemPaid)
	earlier.CreatedAt = base.Add(-time.Hour)
	for _, x := range []*ce.WebhookEndpoint{later, earlier} {
		if err := s.WebhookEndpoints().Create(ctx(t), x); err != nil {
			t.Fatalf("create: %v", err)
		}
	}
	createEndpoint(t, s, other, ce.EventTypeAuctionItemPaid)
	list, err := s.WebhookEndpoints().List(ctx(t), org.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "endpoint listing", ids(list, endpointID), []string{earlier.ID, e.ID, later.ID})
	wantEqual(t, "listed endpoint", list[1], e)

	// Update: replaces the record, version-checked.
	changed := *got
	changed.URL = "https://crm.example.com/v2"
	changed.EventTypes = []string{ce.EventTypeRegistrationCancelled}
	changed.Enabled = false
	changed.Secret, changed.PreviousSecret, changed.PreviousSecretExpiresAt = "whsec_new", "", time.Time{}
	changed.UpdatedAt = base.Add(2 * time.Hour)
	changed.CreatedAt = base.Add(99 * time.Hour) // never changed
	if err := s.WebhookEndpoints().Update(ctx(t), &changed); err != nil {
		t.Fatalf("update: %v", err)
	}
	if changed.Version != 2 || changed.CreatedAt != e.CreatedAt {
		t.Errorf("updated endpoint: got version %d created %v, want 2 and %v", changed.Version, changed.CreatedAt, e.CreatedAt)
	}
	got, err = s.WebhookEndpoints().Get(ctx(t), org.ID, e.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	wantEqual(t, "updated endpoint", got, &changed)
	stale := *e // version 1
	wantKind(t, "update of a stale version", s.WebhookEndpoints().Update(ctx(t), &stale), ce.ErrConflict)
	foreign := changed
	foreign.OrganizationID = other.ID
	wantKind(t, "update of another organization's endpoint", s.WebhookEndpoints().Update(ctx(t), &foreign), ce.ErrNotFound)

	// Disable: whatever the version.
	if err := s.WebhookEndpoints().Disable(ctx(t), org.ID, later.ID, "410 Gone", base.Add(3*time.Hour)); err != nil {
		t.Fatalf("disable: %v", err)
	}
	got, err = s.WebhookEndpoints().Get(ctx(t), org.ID, later.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Enabled || got.DisabledReason != "410 Gone" || got.Version != 2 || got.UpdatedAt != storage.NormalizeTime(base.Add(3*time.Hour)) {
		t.Errorf("disabled endpoint: got enabled %v reason %q version %d updated %v", got.Enabled, got.DisabledReason, got.Version, got.UpdatedAt)
	}
	wantKind(t, "disable another organization's endpoint", s.WebhookEndpoints().Disable(ctx(t), other.ID, later.ID, "x", base), ce.ErrNotFound)

	// Delete.
	wantKind(t, "delete another organization's endpoint", s.WebhookEndpoints().Delete(ctx(t), other.ID, e.ID), ce.ErrNotFound)
	if err := s.WebhookEndpoints().Delete(ctx(t), org.ID, e.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = s.WebhookEndpoints().Get(ctx(t), org.ID, e.ID)
	wantKind(t, "get a deleted endpoint", err, ce.ErrNotFound)
	wantKind(t, "delete a deleted endpoint", s.WebhookEndpoints().Delete(ctx(t), org.ID, e.ID), ce.ErrNotFound)
}

func testWebhookPublishFanOut(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	typ := ce.EventTypeRegistrationConfirmed
	a := createEndpoint(t, s, org, typ)
	b := createEndpoint(t, s, org, ce.EventTypeCheckinCompleted, typ)
	onlyOther := createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	disabled := newEndpoint(org, typ)
	disabled.Enabled = false
	if err := s.WebhookEndpoints().Create(ctx(t), disabled); err != nil {
		t.Fatalf("create: %v", err)
	}
	foreign := createEndpoint(t, s, other, typ)

	m := newMessage(org, typ, future)
	got := publish(t, s, m)
	want := []string{a.ID, b.ID}
	slices.Sort(want)
	wantEqual(t, "endpoints of the deliveries", ids(got, deliveryEndpoint), want)
	for _, d := range got {
		wantEqual(t, "published delivery", d, &ce.WebhookDelivery{
			ID: d.ID, OrganizationID: org.ID, MessageID: m.ID, EndpointID: d.EndpointID, EventType: typ,
			Status: ce.DeliveryPending, NextAttemptAt: storage.NormalizeTime(future),
			CreatedAt: storage.NormalizeTime(future), UpdatedAt: storage.NormalizeTime(future),
		})
		if !ce.ValidID(ce.PrefixWebhookDelivery, d.ID) {
			t.Errorf("delivery id %q is not a valid %s id", d.ID, ce.PrefixWebhookDelivery)
		}
		stored := getDelivery(t, s, org.ID, d.ID)
		d.Attempts = []ce.WebhookAttempt{}
		wantEqual(t, "stored delivery", stored, d)
	}
	if m.CreatedAt != storage.NormalizeTime(future) {
		t.Errorf("published message: got CreatedAt %v, want it normalized", m.CreatedAt)
	}
	for _, e := range []*ce.WebhookEndpoint{onlyOther, disabled} {
		if log := listDeliveries(t, s, org.ID, e.ID, 10); len(log) != 0 {
			t.Errorf("endpoint not subscribed or disabled: got %d deliveries, want none", len(log))
		}
	}
	if log := listDeliveries(t, s, other.ID, foreign.ID, 10); len(log) != 0 {
		t.Errorf("another organization's endpoint: got %d deliveries, want none", len(log))
	}

	// Subscriptions count at publish time: a later change leaves the
	// delivery, and a later endpoint gets none.
	b.EventTypes = []string{ce.EventTypeCheckinCompleted}
	if err := s.WebhookEndpoints().Update(ctx(t), b); err != nil {
		t.Fatalf("update: %v", err)
	}
	late := createEndpoint(t, s, org, typ)
	if log := listDeliveries(t, s, org.ID, b.ID, 10); len(log) != 1 {
		t.Errorf("endpoint unsubscribed after publishing: got %d deliveries, want 1", len(log))
	}
	if log := listDeliveries(t, s, org.ID, late.ID, 10); len(log) != 0 {
		t.Errorf("endpoint created after publishing: got %d deliveries, want none", len(log))
	}

	// No subscriber: nothing stored.
	if got := publish(t, s, newMessage(org, ce.EventTypeAuctionItemPaid, future)); len(got) != 0 {
		t.Errorf("publish without subscribers: got %d deliveries, want none", len(got))
	}

	// A message id given twice.
	err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		dup := newMessage(org, typ, future)
		dup.ID = m.ID
		_, err := tx.WebhookDeliveries().Publish(c, dup)
		wantKind(t, "publish an existing message id", err, ce.ErrConflict)
		// The transaction goes on.
		publishInTx(t, c, tx, newMessage(org, typ, future))
		return nil
	})
	if err != nil {
		t.Fatalf("RunInTx: %v", err)
	}
	if log := listDeliveries(t, s, org.ID, a.ID, 10); len(log) != 2 {
		t.Errorf("after a refused and an accepted publish: got %d deliveries, want 2", len(log))
	}
}

// publishInTx publishes m in tx.
func publishInTx(t *testing.T, c context.Context, tx storage.Tx, m *ce.WebhookMessage) []*ce.WebhookDelivery {
	t.Helper()
	out, err := tx.WebhookDeliveries().Publish(c, m)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	return out
}

func testWebhookPublishRollback(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	var published []*ce.WebhookDelivery
	err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		createEvent(t, tx, org, base)
		published = publishInTx(t, c, tx, newMessage(org, ce.EventTypeCheckinCompleted, future))
		if log := listDeliveries(t, tx, org.ID, e.ID, 10); len(log) != 1 {
			t.Errorf("delivery in its transaction: got %d, want 1", len(log))
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx: got %v, want the function's error", err)
	}
	if log := listDeliveries(t, s, org.ID, e.ID, 10); len(log) != 0 {
		t.Errorf("after rollback: got %d deliveries, want none", len(log))
	}
	if len(published) == 1 {
		_, err := s.WebhookDeliveries().Get(ctx(t), org.ID, published[0].ID)
		wantKind(t, "get a rolled-back delivery", err, ce.ErrNotFound)
	}
}

func testWebhookAfterCommit(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	var calls []string
	var e *ce.Event
	err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		e = createEvent(t, tx, org, base)
		tx.AfterCommit(func() {
			// The commit is visible outside the transaction.
			if _, err := s.Events().Get(ctx(t), org.ID, e.ID); err != nil {
				t.Errorf("read the committed event after commit: %v", err)
			}
			calls = append(calls, "first")
		})
		tx.AfterCommit(func() { calls = append(calls, "second") })
		if len(calls) != 0 {
			t.Errorf("after-commit functions ran before the commit")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("RunInTx: %v", err)
	}
	wantEqual(t, "after-commit calls", calls, []string{"first", "second"})

	calls = nil
	err = s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		tx.AfterCommit(func() { calls = append(calls, "rolled back") })
		return errBoom
	})
	if !errors.Is(err, errBoom) || len(calls) != 0 {
		t.Errorf("rolled-back transaction: got error %v and calls %q, want errBoom and none", err, calls)
	}
	func() {
		defer func() { _ = recover() }()
		_ = s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
			tx.AfterCommit(func() { calls = append(calls, "panicked") })
			panic(errBoom)
		})
	}()
	if len(calls) != 0 {
		t.Errorf("panicked transaction: got calls %q, want none", calls)
	}
}

func testWebhookLog(t *testing.T, s storage.Store) {
	org, other := newOrg(t, s), newOrg(t, s)
	e := createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	sibling := createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	// Deliveries made at distinct times, some in one transaction (one
	// time), published out of order.
	offsets := []time.Duration{3 * time.Second, time.Second, 2 * time.Second, 2 * time.Second, 0, time.Microsecond}
	var want []*ce.WebhookDelivery
	for _, off := range offsets {
		c := publishClaimed(t, s, newMessage(org, ce.EventTypeCheckinCompleted, future.Add(off)), e.ID)
		want = append(want, &c.Delivery)
	}
	publish(t, s, newMessage(org, ce.EventTypeCheckinCompleted, future.Add(time.Minute))) // to both endpoints
	slices.SortFunc(want, func(a, b *ce.WebhookDelivery) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return 1
		}
		return -1
	})
	for _, size := range []int{1, 2, 5, 50} {
		got := listDeliveries(t, s, org.ID, e.ID, size)
		if len(got) != len(want)+1 {
			t.Fatalf("log in pages of %d: got %d deliveries, want %d", size, len(got), len(want)+1)
		}
		wantEqual(t, "log order", ids(got[1:], deliveryID), ids(want, deliveryID))
	}
	if got := listDeliveries(t, s, org.ID, sibling.ID, 10); len(got) != 1 {
		t.Errorf("sibling endpoint's log: got %d deliveries, want 1", len(got))
	}
	_, err := s.WebhookDeliveries().List(ctx(t), other.ID, e.ID, storage.DeliveryFilter{})
	wantKind(t, "list another organization's endpoint", err, ce.ErrNotFound)
	_, err = s.WebhookDeliveries().List(ctx(t), org.ID, "whe_missing", storage.DeliveryFilter{})
	wantKind(t, "list a missing endpoint", err, ce.ErrNotFound)
	_, err = s.WebhookDeliveries().List(ctx(t), org.ID, sibling.ID, storage.DeliveryFilter{After: want[0].ID})
	wantKind(t, "list after another endpoint's delivery", err, ce.ErrNotFound)
	_, err = s.WebhookDeliveries().List(ctx(t), org.ID, e.ID, storage.DeliveryFilter{After: "dlv_missing"})
	wantKind(t, "list after a missing delivery", err, ce.ErrNotFound)
	_, err = s.WebhookDeliveries().Get(ctx(t), other.ID, want[0].ID)
	wantKind(t, "get another organization's delivery", err, ce.ErrNotFound)
	_, err = s.WebhookDeliveries().Resend(ctx(t), other.ID, want[0].ID, future)
	wantKind(t, "resend another organization's delivery", err, ce.ErrNotFound)
	_, err = s.WebhookDeliveries().PublishClaimed(ctx(t), newMessage(other, ce.EventTypePing, future), e.ID, time.Hour, "storagetest")
	wantKind(t, "publish to another organization's endpoint", err, ce.ErrNotFound)

	// Deleting the endpoint takes its log along.
	if err := s.WebhookEndpoints().Delete(ctx(t), org.ID, e.ID); err != nil {
		t.Fatalf("delete endpoint: %v", err)
	}
	_, err = s.WebhookDeliveries().Get(ctx(t), org.ID, want[0].ID)
	wantKind(t, "get a delivery of a deleted endpoint", err, ce.ErrNotFound)
	// Finishing it now logs nothing and fails nothing.
	finish(t, s, future, storage.Outcome{Lease: storage.Lease{DeliveryID: want[0].ID, Seq: 1},
		Attempt: newAttempt(want[0].ID, future, 200), Status: ce.DeliverySucceeded})
}

func testWebhookFinishAndResend(t *testing.T, s storage.Store) {
	org := newOrg(t, s)
	e := createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	ping := newMessage(org, ce.EventTypePing, future)
	c := publishClaimed(t, s, ping, e.ID)
	until := storage.NormalizeTime(future.Add(time.Hour))
	if c.Lease.DeliveryID != c.Delivery.ID || c.Delivery.NextAttemptAt != until || c.Delivery.LeasedBy != "storagetest" ||
		c.Delivery.Status != ce.DeliveryPending || c.Delivery.EventType != ce.EventTypePing {
		t.Errorf("claimed ping: got lease %+v, delivery %+v", c.Lease, c.Delivery)
	}
	wantEqual(t, "claimed message", c.Message, *ping)
	wantEqual(t, "claimed endpoint", c.Endpoint, ce.WebhookEndpoint{
		ID: e.ID, OrganizationID: org.ID, URL: e.URL, Enabled: true, Secret: e.Secret, Timeout: e.Timeout,
	})
	if string(c.Message.Data) != messageData {
		t.Errorf("message data: got %s, want the bytes published, %s", c.Message.Data, messageData)
	}

	// A retry: the attempt is logged, the delivery due again.
	at := future.Add(time.Second)
	retryAt := future.Add(time.Minute)
	first := storage.Outcome{Lease: c.Lease, Attempt: newAttempt(c.Delivery.ID, at, 503), Status: ce.DeliveryPending, NextAttemptAt: retryAt}
	finish(t, s, at, first)
	got := getDelivery(t, s, org.ID, c.Delivery.ID)
	first.Attempt.At = storage.NormalizeTime(first.Attempt.At)
	want := c.Delivery
	want.AttemptCount, want.NextAttemptAt, want.LeasedBy, want.UpdatedAt = 1, storage.NormalizeTime(retryAt), "", storage.NormalizeTime(at)
	want.Attempts = []ce.WebhookAttempt{first.Attempt}
	wantEqual(t, "delivery after a retried attempt", got, &want)

	// The ended lease finishes nothing more, but its attempt is logged.
	late := storage.Outcome{Lease: c.Lease, Attempt: newAttempt(c.Delivery.ID, at.Add(time.Second), 200), Status: ce.DeliverySucceeded}
	finish(t, s, at.Add(time.Second), late)
	got = getDelivery(t, s, org.ID, c.Delivery.ID)
	if got.Status != ce.DeliveryPending || got.AttemptCount != 1 || len(got.Attempts) != 2 {
		t.Errorf("after finishing an ended lease: got status %s, %d attempts counted and %d logged; want pending, 1 and 2",
			got.Status, got.AttemptCount, len(got.Attempts))
	}

	// Resend: pending and due at once, same message; an earlier lease
	// no longer finishes it.
	c2 := publishClaimed(t, s, newMessage(org, ce.EventTypeCheckinCompleted, future), e.ID)
	finish(t, s, at, outcome(c2, at, 500))
	if got := getDelivery(t, s, org.ID, c2.Delivery.ID); got.Status != ce.DeliveryFailed || !got.NextAttemptAt.IsZero() {
		t.Errorf("failed delivery: got status %s next %v, want failed and zero", got.Status, got.NextAttemptAt)
	}
	resendAt := future.Add(time.Hour)
	resent, err := s.WebhookDeliveries().Resend(ctx(t), org.ID, c2.Delivery.ID, resendAt)
	if err != nil {
		t.Fatalf("resend: %v", err)
	}
	if resent.Status != ce.DeliveryPending || resent.NextAttemptAt != storage.NormalizeTime(resendAt) ||
		resent.MessageID != c2.Delivery.MessageID || resent.AttemptCount != 1 || len(resent.Attempts) != 1 {
		t.Errorf("resent delivery: got %+v", resent)
	}
	wantEqual(t, "resent delivery as stored", getDelivery(t, s, org.ID, c2.Delivery.ID), resent)
	_, err = s.WebhookDeliveries().Resend(ctx(t), org.ID, "dlv_missing", resendAt)
	wantKind(t, "resend a missing delivery", err, ce.ErrNotFound)

	c3 := publishClaimed(t, s, newMessage(org, ce.EventTypeCheckinCompleted, future), e.ID)
	if _, err := s.WebhookDeliveries().Resend(ctx(t), org.ID, c3.Delivery.ID, resendAt); err != nil {
		t.Fatalf("resend: %v", err)
	}
	finish(t, s, at, outcome(c3, at, 200))
	if got := getDelivery(t, s, org.ID, c3.Delivery.ID); got.Status != ce.DeliveryPending || got.AttemptCount != 0 {
		t.Errorf("finished after a resend: got status %s, %d attempts; want pending and 0", got.Status, got.AttemptCount)
	}

	// Release of an ended lease changes nothing.
	if err := s.WebhookDeliveries().Release(ctx(t), at, []storage.Lease{c3.Lease}); err != nil {
		t.Fatalf("release: %v", err)
	}
	if got := getDelivery(t, s, org.ID, c3.Delivery.ID); got.NextAttemptAt != storage.NormalizeTime(resendAt) {
		t.Errorf("after releasing an ended lease: got next attempt %v, want %v", got.NextAttemptAt, resendAt)
	}
	// Empty batches.
	if err := s.WebhookDeliveries().Finish(ctx(t), at, nil); err != nil {
		t.Errorf("finish nothing: %v", err)
	}
	if err := s.WebhookDeliveries().Release(ctx(t), at, nil); err != nil {
		t.Errorf("release nothing: %v", err)
	}
}
