package storagetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// Like the webhook tests, the e-mail tests that run in parallel with the
// rest keep their e-mails due in the far future, so that the claim tests,
// which run one after the other with times near base, never see them:
// Claim takes due e-mails of every organization.

// newEmail returns an unsaved, pending confirmation e-mail to r, made and
// due at the time.
func newEmail(r *ce.Registration, at time.Time) *ce.Email {
	return &ce.Email{
		ID:             ce.NewID(ce.PrefixEmail, time.Now()),
		OrganizationID: r.OrganizationID,
		RegistrationID: r.ID,
		Kind:           ce.EmailConfirmation,
		Status:         ce.EmailPending,
		NextAttemptAt:  at,
		CreatedAt:      at,
		UpdatedAt:      at,
	}
}

// enqueue queues a new e-mail to r, made and due at the time.
func enqueue(t *testing.T, s storage.Repositories, r *ce.Registration, at time.Time) *ce.Email {
	t.Helper()
	e := newEmail(r, at)
	if err := s.Emails().Enqueue(ctx(t), e); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return e
}

// newAttendee stores a new registration of a new organization.
func newAttendee(t *testing.T, s storage.Store) *ce.Registration {
	t.Helper()
	org := newOrg(t, s)
	return createRegistration(t, s, createTier(t, s, createEvent(t, s, org, base), "Regular", 0))
}

// getEmail returns the stored e-mail, failing the test if there is none.
func getEmail(t *testing.T, s storage.Repositories, e *ce.Email) *ce.Email {
	t.Helper()
	list, err := s.Emails().ListByRegistration(ctx(t), e.OrganizationID, e.RegistrationID)
	if err != nil {
		t.Fatalf("list e-mails: %v", err)
	}
	for _, got := range list {
		if got.ID == e.ID {
			return got
		}
	}
	t.Fatalf("e-mail %s not stored", e.ID)
	return nil
}

func emailID(e *ce.Email) string { return e.ID }

func testEmailEnqueue(t *testing.T, s storage.Store) {
	r := newAttendee(t, s)
	other := newOrg(t, s)
	e := newEmail(r, future)
	e.Kind, e.SubjectID = ce.EmailAuctionWon, "itm_1"
	if err := s.Emails().Enqueue(ctx(t), e); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	if e.NextAttemptAt != storage.NormalizeTime(future) || e.CreatedAt != storage.NormalizeTime(future) {
		t.Errorf("times written back by enqueue: got %v and %v, want %v", e.NextAttemptAt, e.CreatedAt, storage.NormalizeTime(future))
	}
	wantEqual(t, "enqueued e-mail", getEmail(t, s, e), e)

	dup := newEmail(r, future)
	dup.ID = e.ID
	wantKind(t, "enqueue a duplicate id", s.Emails().Enqueue(ctx(t), dup), ce.ErrConflict)
	orphan := newEmail(r, future)
	orphan.RegistrationID = ce.NewID(ce.PrefixRegistration, base)
	wantKind(t, "enqueue to a missing registration", s.Emails().Enqueue(ctx(t), orphan), ce.ErrNotFound)
	foreign := newEmail(r, future)
	foreign.OrganizationID = other.ID
	wantKind(t, "enqueue to another organization's registration", s.Emails().Enqueue(ctx(t), foreign), ce.ErrNotFound)

	// Oldest first, then by id.
	earlier, later := enqueue(t, s, r, future.Add(-time.Hour)), enqueue(t, s, r, future.Add(time.Hour))
	tied := enqueue(t, s, r, future)
	want := []string{e.ID, tied.ID}
	slices.Sort(want)
	want = append(append([]string{earlier.ID}, want...), later.ID)
	list, err := s.Emails().ListByRegistration(ctx(t), r.OrganizationID, r.ID)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	wantEqual(t, "e-mail order", ids(list, emailID), want)
	if list, err := s.Emails().ListByRegistration(ctx(t), other.ID, r.ID); err != nil || len(list) != 0 {
		t.Errorf("list as another organization: got %d e-mails, error %v; want none", len(list), err)
	}
}

func testEmailEnqueueRollback(t *testing.T, s storage.Store) {
	tier := createTier(t, s, createEvent(t, s, newOrg(t, s), base), "Regular", 0)
	r := createRegistration(t, s, tier)
	var fresh *ce.Registration
	err := s.RunInTx(ctx(t), func(c context.Context, tx storage.Tx) error {
		enqueue(t, tx, r, future)
		fresh = createRegistration(t, tx, tier)
		enqueue(t, tx, fresh, future)
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx: got %v, want the function's error", err)
	}
	for _, reg := range []*ce.Registration{r, fresh} {
		if list, err := s.Emails().ListByRegistration(ctx(t), reg.OrganizationID, reg.ID); err != nil || len(list) != 0 {
			t.Errorf("e-mails enqueued in a rolled-back transaction: got %d, error %v; want none", len(list), err)
		}
	}
}

// testEmailClaims checks the claim and lease rules, each case in a day of
// its own after base, one after the other (see testWebhookClaims).
func testEmailClaims(t *testing.T, s storage.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s storage.Store, day time.Time)
	}{
		{"LeaseHeldUntilExpiry", testEmailLease},
		{"OrderAndLimit", testEmailClaimOrder},
		{"Outcomes", testEmailOutcomes},
		{"ConcurrentClaimers", testEmailConcurrentClaimers},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			day := base.Add(time.Duration(i+1) * 24 * time.Hour)
			drainEmails(t, s, day.Add(23*time.Hour))
			tc.run(t, s, day)
		})
	}
}

// drainEmails claims, for two hundred years, every e-mail due at until.
func drainEmails(t *testing.T, s storage.Store, until time.Time) {
	t.Helper()
	for {
		got, err := s.Emails().Claim(ctx(t), until, 200*365*24*time.Hour, storage.MaxPageLimit, "drain")
		if err != nil {
			t.Fatalf("drain: %v", err)
		}
		if len(got) == 0 {
			return
		}
	}
}

// claimEmails claims at most limit e-mails due at now for an hour.
func claimEmails(t *testing.T, s storage.Repositories, now time.Time, limit int) []storage.ClaimedEmail {
	t.Helper()
	got, err := s.Emails().Claim(ctx(t), now, time.Hour, limit, "storagetest")
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	return got
}

// claimedEmailIDs returns the ids of the claimed e-mails, sorted.
func claimedEmailIDs(claims []storage.ClaimedEmail) []string {
	out := make([]string, len(claims))
	for i, c := range claims {
		out[i] = c.Email.ID
	}
	slices.Sort(out)
	return out
}

// finishEmail records the outcome and returns whether it applied.
func finishEmail(t *testing.T, s storage.Repositories, now time.Time, o storage.EmailOutcome) bool {
	t.Helper()
	done, err := s.Emails().Finish(ctx(t), now, o)
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	return done
}

func testEmailLease(t *testing.T, s storage.Store, day time.Time) {
	e := enqueue(t, s, newAttendee(t, s), day)
	if got := claimEmails(t, s, day.Add(-time.Microsecond), 10); len(got) != 0 {
		t.Errorf("claim before due: got %d e-mails, want none", len(got))
	}
	const lease = 10 * time.Minute
	now := day.Add(time.Second)
	got, err := s.Emails().Claim(ctx(t), now, lease, 10, "worker-1")
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("claim: got %d e-mails, want 1", len(got))
	}
	c := got[0]
	want := *e
	want.NextAttemptAt, want.UpdatedAt = storage.NormalizeTime(now.Add(lease)), storage.NormalizeTime(now)
	wantEqual(t, "claimed e-mail", c.Email, want)
	wantEqual(t, "stored claimed e-mail", getEmail(t, s, e), &want)

	// Not claimed again while the lease holds, up to its last instant.
	if got := claimEmails(t, s, now.Add(lease-time.Microsecond), 10); len(got) != 0 {
		t.Errorf("claim during the lease: got %d e-mails, want none", len(got))
	}
	// Claimed again once it expires, under a new lease.
	again, err := s.Emails().Claim(ctx(t), now.Add(lease), lease, 10, "worker-2")
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	if len(again) != 1 || again[0].Email.ID != e.ID || again[0].Seq == c.Seq {
		t.Fatalf("claim after the lease expired: got %+v, want the e-mail under a new lease", again)
	}
	// The first worker's late outcome changes nothing; the second's
	// applies, once.
	at := now.Add(lease + time.Second)
	before := getEmail(t, s, e)
	if finishEmail(t, s, at, storage.EmailOutcome{EmailID: e.ID, Seq: c.Seq, Status: ce.EmailSent}) {
		t.Errorf("finish under an expired lease: got true, want false")
	}
	wantEqual(t, "e-mail after a finish under an expired lease", getEmail(t, s, e), before)
	sent := storage.EmailOutcome{EmailID: e.ID, Seq: again[0].Seq, Status: ce.EmailSent}
	if !finishEmail(t, s, at, sent) {
		t.Fatalf("finish under the current lease: got false, want true")
	}
	want = *e
	want.Status, want.Attempts = ce.EmailSent, 1
	want.NextAttemptAt, want.SentAt, want.UpdatedAt = time.Time{}, storage.NormalizeTime(at), storage.NormalizeTime(at)
	wantEqual(t, "sent e-mail", getEmail(t, s, e), &want)
	if finishEmail(t, s, at.Add(time.Second), sent) {
		t.Errorf("finish twice under one lease: got true, want false")
	}
	if got := claimEmails(t, s, day.Add(12*time.Hour), 10); len(got) != 0 {
		t.Errorf("claim after sending: got %d e-mails, want none", len(got))
	}
	missing := storage.EmailOutcome{EmailID: ce.NewID(ce.PrefixEmail, base), Seq: 1, Status: ce.EmailSent}
	if finishEmail(t, s, at, missing) {
		t.Errorf("finish a missing e-mail: got true, want false")
	}
}

func testEmailClaimOrder(t *testing.T, s storage.Store, day time.Time) {
	r := newAttendee(t, s)
	third := enqueue(t, s, r, day.Add(3*time.Second))
	tied := []string{enqueue(t, s, r, day.Add(time.Second)).ID, enqueue(t, s, r, day.Add(time.Second)).ID}
	slices.Sort(tied)
	second := enqueue(t, s, r, day.Add(2*time.Second))
	enqueue(t, s, newAttendee(t, s), day.Add(time.Hour)) // not due yet
	now := day.Add(time.Minute)

	for _, limit := range []int{0, -1} {
		if got := claimEmails(t, s, now, limit); len(got) != 0 {
			t.Errorf("claim with limit %d: got %d e-mails, want none", limit, len(got))
		}
	}
	// Earliest due first, then by id.
	wantEqual(t, "first claim", claimedEmailIDs(claimEmails(t, s, now, 1)), tied[:1])
	wantEqual(t, "second claim", claimedEmailIDs(claimEmails(t, s, now, 2)), slices.Sorted(slices.Values([]string{tied[1], second.ID})))
	wantEqual(t, "last claim", claimedEmailIDs(claimEmails(t, s, now, 10)), []string{third.ID})
	if got := claimEmails(t, s, now, 10); len(got) != 0 {
		t.Errorf("claim with nothing due: got %d e-mails, want none", len(got))
	}
}

func testEmailOutcomes(t *testing.T, s storage.Store, day time.Time) {
	r := newAttendee(t, s)
	retried, failed := enqueue(t, s, r, day), enqueue(t, s, r, day)
	now := day.Add(time.Second)
	claims := claimEmails(t, s, now, 10)
	wantEqual(t, "claim", claimedEmailIDs(claims), slices.Sorted(slices.Values([]string{retried.ID, failed.ID})))
	seq := map[string]int64{}
	for _, c := range claims {
		seq[c.Email.ID] = c.Seq
	}
	retryAt, finishAt := day.Add(time.Hour), now.Add(time.Second)
	for _, tc := range []struct {
		e       *ce.Email
		outcome storage.EmailOutcome
		want    func(*ce.Email)
	}{
		{
			retried,
			storage.EmailOutcome{Status: ce.EmailPending, NextAttemptAt: retryAt, Error: "421 try again later"},
			func(e *ce.Email) {
				e.Attempts, e.NextAttemptAt, e.LastError = 1, storage.NormalizeTime(retryAt), "421 try again later"
			},
		},
		{
			failed,
			storage.EmailOutcome{Status: ce.EmailFailed, NextAttemptAt: retryAt, Error: "550 no such user"},
			func(e *ce.Email) {
				e.Status, e.Attempts, e.NextAttemptAt, e.LastError = ce.EmailFailed, 1, time.Time{}, "550 no such user"
			},
		},
	} {
		tc.outcome.EmailID, tc.outcome.Seq = tc.e.ID, seq[tc.e.ID]
		if !finishEmail(t, s, finishAt, tc.outcome) {
			t.Fatalf("finish %s: got false, want true", tc.outcome.Status)
		}
		want := *tc.e
		want.UpdatedAt = storage.NormalizeTime(finishAt)
		tc.want(&want)
		wantEqual(t, "e-mail finished "+string(tc.outcome.Status), getEmail(t, s, tc.e), &want)
	}
	if got := claimEmails(t, s, retryAt.Add(-time.Microsecond), 10); len(got) != 0 {
		t.Errorf("claim before the retry is due: got %d e-mails, want none", len(got))
	}
	got := claimEmails(t, s, retryAt, 10)
	if len(got) != 1 || got[0].Email.ID != retried.ID || got[0].Email.Attempts != 1 {
		t.Errorf("claim when the retry is due: got %+v, want the retried e-mail with 1 attempt", got)
	}
}

func testEmailConcurrentClaimers(t *testing.T, s storage.Store, day time.Time) {
	r := newAttendee(t, s)
	const emails = 100
	for i := range emails {
		enqueue(t, s, r, day.Add(time.Duration(i)*time.Millisecond))
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
				got, err := s.Emails().Claim(ctx(t), now, time.Hour, 1+w%4, "storagetest")
				if err != nil {
					t.Errorf("claimer %d: %v", w, err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, c := range got {
					claims[c.Email.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for id, n := range claims {
		if n != 1 {
			t.Errorf("e-mail %s: claimed %d times during one lease, want once", id, n)
		}
	}
	if len(claims) != emails {
		t.Errorf("concurrent claimers took %d e-mails, want all %d", len(claims), emails)
	}
}
