package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/uptrace/bun"

	"github.com/completeevent/completeevent-go/internal/testadapters"
	"github.com/completeevent/completeevent-go/storage"
	"github.com/completeevent/completeevent-go/storage/pgstore"
	"github.com/completeevent/completeevent-go/storage/sqlitestore"
)

// TestRegistrationStatements counts the SQL statements of one registration
// through the public route, on each SQL store, so that a change that adds
// one fails here: the first registration of a tier and a later one, and
// with two endpoints subscribed as with one (the fan-out is one INSERT).
//
// The count is of what bun's query hook sees: every statement, and BEGIN,
// COMMIT, SAVEPOINT and RELEASE, each a round trip on PostgreSQL. The two
// reads before the transaction run outside it.
func TestRegistrationStatements(t *testing.T) {
	t.Parallel()
	// The statements both stores run, in order.
	common := []string{
		"SELECT", // the event (ce_events), outside the transaction
		"SELECT", // the tier (ce_tiers), outside the transaction
		"BEGIN",
		"SELECT",    // the subscribed endpoints (FOR KEY SHARE on PostgreSQL)
		"INSERT",    // the webhook message (ce_webhook_messages)
		"INSERT",    // its deliveries, one row per endpoint (ce_webhook_deliveries)
		"SAVEPOINT", // the registration and its seats stand or fall together
		"INSERT",    // the registration (ce_registrations)
		"INSERT",    // a seat of the tier: upsert of ce_tier_seats, locked until COMMIT
		"INSERT",    // a seat of the event: upsert of ce_event_seats, locked until COMMIT
		"RELEASE",
	}
	tests := []struct {
		name string
		open func(t *testing.T) (storage.Store, *bun.DB)
		want []string
	}{
		{"sqlitestore", func(t *testing.T) (storage.Store, *bun.DB) {
			s := testadapters.All()[1].Open(t).(*sqlitestore.Store)
			return s, s.DB()
		}, slices.Concat(common, []string{
			"INSERT", // the confirmation e-mail (ce_emails)
			"COMMIT",
		})}, // 13
		// PostgreSQL runs the e-mail's INSERT in a savepoint too, as it
		// does every statement that may violate a constraint in a
		// transaction (see internal/bunstore): a violation would abort the
		// whole transaction.
		{"pgstore", func(t *testing.T) (storage.Store, *bun.DB) {
			s := testadapters.All()[2].Open(t).(*pgstore.Store)
			return s, s.DB().(*bun.DB)
		}, slices.Concat(common, []string{
			"SAVEPOINT",
			"INSERT", // the confirmation e-mail (ce_emails)
			"RELEASE",
			"COMMIT",
		})}, // 15
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			store, db := tt.open(t)
			log := &testadapters.StatementLog{}
			db.AddQueryHook(log)
			f := newRegistrationFixture(t, store)
			for i, what := range []string{"first registration", "second registration", "registration with two endpoints"} {
				if i == 2 {
					setUp(t, f.api, http.StatusCreated, "POST", "/v1/webhook-endpoints", `{"url":"https://erp.example.com/hooks","eventTypes":["registration.confirmed"]}`, nil)
				}
				var rec *httptest.ResponseRecorder
				got := log.During(func() {
					rec = serve(f.api, newRequest("POST", f.path, registrationBodyFor(f.tierID, fmt.Sprintf("guest%d@example.org", i))))
				})
				if rec.Code != http.StatusCreated {
					t.Fatalf("%s: got status %d, want %d; body %s", what, rec.Code, http.StatusCreated, rec.Body)
				}
				t.Logf("%s: %d statements: %s", what, len(got), strings.Join(got, " "))
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("%s: got %d statements, want %d (-want +got):\n%s", what, len(got), len(tt.want), diff)
				}
			}
		})
	}
}
