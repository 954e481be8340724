package storagetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// testWebhookClaims checks the claim and lease rules. Claim takes the due
// deliveries of every organization, so these tests run one after the
// other, each in a day of its own after base, and first lease away for two
// hundred years whatever earlier ones left due (see drainDue). The other
// webhook tests keep their deliveries due in the far future.
func testWebhookClaims(t *testing.T, s storage.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s storage.Store, day time.Time)
	}{
		{"LeaseHeldUntilExpiry", testClaimLease},
		{"OrderAndLimit", testClaimOrder},
		{"ConcurrentClaimers", testClaimConcurrent},
		{"ExcludedAndDisabledEndpoints", testClaimEndpoints},
		{"FinishBatch", testClaimFinishBatch},
		{"Release", testClaimRelease},
		{"Resend", testClaimResend},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			day := base.Add(time.Duration(i+1) * 24 * time.Hour)
			drainDue(t, s, day.Add(23*time.Hour))
			tc.run(t, s, day)
		})
	}
}

// drainDue claims, for two hundred years (until long before the far-future times
// of the other webhook tests), everything due at until.
func drainDue(t *testing.T, s storage.Store, until time.Time) {
	t.Helper()
	for {
		got, err := s.WebhookDeliveries().Claim(ctx(t), until, 200*365*24*time.Hour, storage.MaxPageLimit, "drain")
		if err != nil {
			t.Fatalf("drain: %v", err)
		}
		if len(got) == 0 {
			return
		}
	}
}

// claim claims at most limit deliveries due at now for an hour.
func claim(t *testing.T, s storage.Repositories, now time.Time, limit int, exclude ...string) []storage.ClaimedDelivery {
	t.Helper()
	got, err := s.WebhookDeliveries().Claim(ctx(t), now, time.Hour, limit, "storagetest", exclude...)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return got
}

// claimedIDs returns the delivery ids of claims, sorted.
func claimedIDs(claims []storage.ClaimedDelivery) []string {
	out := make([]string, len(claims))
	for i, c := range claims {
		out[i] = c.Lease.DeliveryID
	}
	slices.Sort(out)
	return out
}

// deliveryIDs returns the ids of deliveries, sorted.
func deliveryIDs(ds ...[]*ce.WebhookDelivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, ids(d, deliveryID)...)
	}
	slices.Sort(out)
	return out
}

func testClaimLease(t *testing.T, s storage.Store, day time.Time) {
	org := newOrg(t, s)
	e := createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	m := newMessage(org, ce.EventTypeCheckinCompleted, day)
	published := publish(t, s, m)

	if got := claim(t, s, day.Add(-time.Microsecond), 10); len(got) != 0 {
		t.Errorf("claim before due: got %d deliveries, want none", len(got))
	}
	const lease = 10 * time.Minute
	now := day.Add(time.Second)
	got, err := s.WebhookDeliveries().Claim(ctx(t), now, lease, 10, "worker-1")
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("claim: got %d deliveries, want 1", len(got))
	}
	c := got[0]
	want := *published[0]
	want.NextAttemptAt, want.LeasedBy, want.UpdatedAt = storage.NormalizeTime(now.Add(lease)), "worker-1", storage.NormalizeTime(now)
	wantEqual(t, "claimed delivery", c.Delivery, want)
	wantEqual(t, "claimed message", c.Message, *m)
	wantEqual(t, "claimed endpoint", c.Endpoint, ce.WebhookEndpoint{
		ID: e.ID, OrganizationID: org.ID, URL: e.URL, Enabled: true, Secret: e.Secret, Timeout: e.Timeout,
	})
	wantEqual(t, "stored claimed delivery", getDelivery(t, s, org.ID, c.Delivery.ID).NextAttemptAt, want.NextAttemptAt)

	// Not claimed again while the lease holds, up to its last instant.
	if got := claim(t, s, now.Add(lease-time.Microsecond), 10); len(got) != 0 {
		t.Errorf("claim during the lease: got %d deliveries, want none", len(got))
	}
	// Claimed again once it expires, under a new lease.
	again, err := s.WebhookDeliveries().Claim(ctx(t), now.Add(lease), lease, 10, "worker-2")
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	if len(again) != 1 || again[0].Lease.DeliveryID != c.Lease.DeliveryID || again[0].Lease.Seq == c.Lease.Seq || again[0].Delivery.LeasedBy != "worker-2" {
		t.Fatalf("claim after the lease expired: got %+v, want the delivery under a new lease of worker-2", again)
	}
	// The first worker's late outcome is logged but changes nothing; the
	// second worker's applies.
	at := now.Add(lease + time.Second)
	finish(t, s, at, outcome(c, at, 200))
	if d := getDelivery(t, s, org.ID, c.Delivery.ID); d.Status != ce.DeliveryPending || d.AttemptCount != 0 || len(d.Attempts) != 1 {
		t.Errorf("after the expired lease's outcome: got status %s, %d attempts counted, %d logged; want pending, 0, 1", d.Status, d.AttemptCount, len(d.Attempts))
	}
	finish(t, s, at, outcome(again[0], at, 200))
	d := getDelivery(t, s, org.ID, c.Delivery.ID)
	if d.Status != ce.DeliverySucceeded || d.AttemptCount != 1 || len(d.Attempts) != 2 || !d.NextAttemptAt.IsZero() || d.LeasedBy != "" {
		t.Errorf("after the current lease's outcome: got %+v, want succeeded with 1 attempt counted and 2 logged", d)
	}
	if got := claim(t, s, day.Add(12*time.Hour), 10); len(got) != 0 {
		t.Errorf("claim after success: got %d deliveries, want none", len(got))
	}
}

func testClaimOrder(t *testing.T, s storage.Store, day time.Time) {
	org := newOrg(t, s)
	createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	var byDue [][]*ce.WebhookDelivery
	for _, off := range []time.Duration{3 * time.Second, time.Second, 2 * time.Second} {
		byDue = append(byDue, publish(t, s, newMessage(org, ce.EventTypeCheckinCompleted, day.Add(off))))
	}
	slices.SortFunc(byDue, func(a, b []*ce.WebhookDelivery) int { return a[0].NextAttemptAt.Compare(b[0].NextAttemptAt) })
	now := day.Add(time.Minute)

	for _, limit := range []int{0, -1} {
		if got := claim(t, s, now, limit); len(got) != 0 {
			t.Errorf("claim with limit %d: got %d deliveries, want none", limit, len(got))
		}
	}
	// Earliest due first, then by id: the two deliveries of one message
	// are due together.
	earliest := deliveryIDs(byDue[0])
	first := claim(t, s, now, 1)
	wantEqual(t, "first claim", claimedIDs(first), earliest[:1])
	next := claim(t, s, now, 3)
	wantEqual(t, "next claim", claimedIDs(next), slices.Sorted(slices.Values(append(earliest[1:], deliveryIDs(byDue[1])...))))
	rest := claim(t, s, now, 10)
	wantEqual(t, "last claim", claimedIDs(rest), deliveryIDs(byDue[2]))
	if got := claim(t, s, now, 10); len(got) != 0 {
		t.Errorf("claim with nothing due: got %d deliveries, want none", len(got))
	}
}

func testClaimConcurrent(t *testing.T, s storage.Store, day time.Time) {
	org := newOrg(t, s)
	const endpoints, messages = 3, 20
	for range endpoints {
		createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	}
	var published []*ce.WebhookDelivery
	for i := range messages {
		published = append(published, publish(t, s, newMessage(org, ce.EventTypeCheckinCompleted, day.Add(time.Duration(i)*time.Millisecond)))...)
	}
	now := day.Add(time.Minute)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		claims = map[string]int{}
	)
	for w := range concurrency {
		wg.Go(func() {
			for {
				got, err := s.WebhookDeliveries().Claim(ctx(t), now, time.Hour, 1+w%4, "storagetest")
				if err != nil {
					t.Errorf("claimer %d: %v", w, err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, c := range got {
					claims[c.Lease.DeliveryID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for id, n := range claims {
		if n != 1 {
			t.Errorf("delivery %s: claimed %d times during one lease, want once", id, n)
		}
	}
	if len(claims) != len(published) {
		t.Errorf("concurrent claimers took %d deliveries, want all %d", len(claims), len(published))
	}
}

func testClaimEndpoints(t *testing.T, s storage.Store, day time.Time) {
	org := newOrg(t, s)
	busy := createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	idle := createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	off := createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	published := publish(t, s, newMessage(org, ce.EventTypeCheckinCompleted, day))
	byEndpoint := map[string]string{}
	for _, d := range published {
		byEndpoint[d.EndpointID] = d.ID
	}
	if err := s.WebhookEndpoints().Disable(ctx(t), org.ID, off.ID, "410 Gone", day); err != nil {
		t.Fatalf("disable: %v", err)
	}
	now := day.Add(time.Minute)
	// Excluded endpoints and disabled ones are left out.
	got := claim(t, s, now, 10, busy.ID, "whe_unknown")
	wantEqual(t, "claim excluding an endpoint", claimedIDs(got), []string{byEndpoint[idle.ID]})
	got = claim(t, s, now, 10)
	wantEqual(t, "claim without exclusion", claimedIDs(got), []string{byEndpoint[busy.ID]})
	// Enabling the endpoint makes its delivery claimable again.
	e, err := s.WebhookEndpoints().Get(ctx(t), org.ID, off.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	e.Enabled, e.DisabledReason = true, ""
	if err := s.WebhookEndpoints().Update(ctx(t), e); err != nil {
		t.Fatalf("update: %v", err)
	}
	got = claim(t, s, now, 10)
	wantEqual(t, "claim after enabling the endpoint", claimedIDs(got), []string{byEndpoint[off.ID]})
}

func testClaimFinishBatch(t *testing.T, s storage.Store, day time.Time) {
	org := newOrg(t, s)
	for range 4 {
		createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	}
	publish(t, s, newMessage(org, ce.EventTypeCheckinCompleted, day))
	now := day.Add(time.Second)
	claims := claim(t, s, now, 10)
	if len(claims) != 4 {
		t.Fatalf("claim: got %d deliveries, want 4", len(claims))
	}
	retryAt := day.Add(time.Hour)
	outcomes := []storage.Outcome{
		outcome(claims[0], now, 200),
		outcome(claims[1], now, 500),
		{Lease: claims[2].Lease, Attempt: newAttempt(claims[2].Lease.DeliveryID, now, 503), Status: ce.DeliveryPending, NextAttemptAt: retryAt},
		{Lease: claims[3].Lease, Attempt: newAttempt(claims[3].Lease.DeliveryID, now, 429), Status: ce.DeliveryPending, NextAttemptAt: retryAt},
	}
	finishAt := now.Add(time.Second)
	finish(t, s, finishAt, outcomes...)
	for i, o := range outcomes {
		got := getDelivery(t, s, org.ID, o.Lease.DeliveryID)
		want := claims[i].Delivery
		want.Status, want.AttemptCount, want.LeasedBy, want.UpdatedAt = o.Status, 1, "", storage.NormalizeTime(finishAt)
		want.NextAttemptAt = storage.NormalizeTime(o.NextAttemptAt)
		a := o.Attempt
		a.At = storage.NormalizeTime(a.At)
		want.Attempts = []ce.WebhookAttempt{a}
		wantEqual(t, "finished delivery", got, &want)
	}
	if got := claim(t, s, retryAt.Add(-time.Microsecond), 10); len(got) != 0 {
		t.Errorf("claim before the retry is due: got %d deliveries, want none", len(got))
	}
	got := claim(t, s, retryAt, 10)
	wantEqual(t, "claim when the retries are due", claimedIDs(got), claimedIDs(claims[2:]))
	if got[0].Delivery.AttemptCount != 1 {
		t.Errorf("claimed retry: got attempt count %d, want 1", got[0].Delivery.AttemptCount)
	}
}

func testClaimRelease(t *testing.T, s storage.Store, day time.Time) {
	org := newOrg(t, s)
	createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	publish(t, s, newMessage(org, ce.EventTypeCheckinCompleted, day))
	now := day.Add(time.Second)
	claims := claim(t, s, now, 10)
	if len(claims) != 2 {
		t.Fatalf("claim: got %d deliveries, want 2", len(claims))
	}
	releaseAt := now.Add(time.Second)
	if err := s.WebhookDeliveries().Release(ctx(t), releaseAt, []storage.Lease{claims[0].Lease}); err != nil {
		t.Fatalf("release: %v", err)
	}
	got := getDelivery(t, s, org.ID, claims[0].Lease.DeliveryID)
	if got.AttemptCount != 0 || len(got.Attempts) != 0 || got.LeasedBy != "" || !got.NextAttemptAt.Equal(storage.NormalizeTime(releaseAt)) {
		t.Errorf("released delivery: got %+v, want it due at %v without attempts", got, releaseAt)
	}
	again := claim(t, s, releaseAt, 10)
	wantEqual(t, "claim after release", claimedIDs(again), []string{claims[0].Lease.DeliveryID})
	// The released lease no longer finishes it.
	finish(t, s, releaseAt, outcome(claims[0], releaseAt, 200))
	if got := getDelivery(t, s, org.ID, claims[0].Lease.DeliveryID); got.Status != ce.DeliveryPending {
		t.Errorf("finished under a released lease: got status %s, want pending", got.Status)
	}
}

func testClaimResend(t *testing.T, s storage.Store, day time.Time) {
	org := newOrg(t, s)
	createEndpoint(t, s, org, ce.EventTypeCheckinCompleted)
	publish(t, s, newMessage(org, ce.EventTypeCheckinCompleted, day))
	now := day.Add(time.Second)
	claims := claim(t, s, now, 10)
	if len(claims) != 1 {
		t.Fatalf("claim: got %d deliveries, want 1", len(claims))
	}
	finish(t, s, now, outcome(claims[0], now, 500))
	if got := claim(t, s, day.Add(12*time.Hour), 10); len(got) != 0 {
		t.Errorf("claim of a failed delivery: got %d, want none", len(got))
	}
	resendAt := now.Add(time.Minute)
	if _, err := s.WebhookDeliveries().Resend(ctx(t), org.ID, claims[0].Lease.DeliveryID, resendAt); err != nil {
		t.Fatalf("resend: %v", err)
	}
	got := claim(t, s, resendAt, 10)
	if len(got) != 1 || got[0].Lease.DeliveryID != claims[0].Lease.DeliveryID || got[0].Message.ID != claims[0].Message.ID {
		t.Fatalf("claim after resend: got %+v, want the delivery with the same message", got)
	}
	// Resending a delivery under a lease hands it to the next claimer.
	if _, err := s.WebhookDeliveries().Resend(ctx(t), org.ID, claims[0].Lease.DeliveryID, resendAt); err != nil {
		t.Fatalf("resend: %v", err)
	}
	if again := claim(t, s, resendAt, 10); len(again) != 1 || again[0].Lease.Seq == got[0].Lease.Seq {
		t.Errorf("claim of a delivery resent under a lease: got %+v, want it under a new lease", again)
	}
}
