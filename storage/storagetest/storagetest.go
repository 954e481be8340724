package storagetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/storage"
)

// Run checks that the adapter h makes meets every obligation of the storage
// contract. It runs its subtests in parallel.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.NewStore == nil {
		t.Fatal("storagetest: Harness.NewStore is nil")
	}
	s := h.NewStore(t)
	tests := []struct {
		name string
		run  func(t *testing.T, s storage.Store)
	}{
		{"Organizations", testOrganizations},
		{"APIKeys", testAPIKeys},
		{"EventRoundTrip", testEventRoundTrip},
		{"EventErrors", testEventErrors},
		{"EventUpdate", testEventUpdate},
		{"EventListOrderAndPaging", testEventList},
		{"TierRoundTrip", testTierRoundTrip},
		{"TierErrors", testTierErrors},
		{"TierListOrder", testTierList},
		{"TierUpdateAndDelete", testTierUpdateDelete},
		{"EventCreateMany", testEventCreateMany},
		{"EventCreateManyAllOrNone", testEventCreateManyAllOrNone},
		{"EventListSeries", testEventListSeries},
		{"TierCreateMany", testTierCreateMany},
		{"TierCreateManyAllOrNone", testTierCreateManyAllOrNone},
		{"TierCountByEvents", testTierCountByEvents},
		{"TimeRoundTrip", testTimeRoundTrip},
		{"TextAndMoneyRoundTrip", testTextAndMoney},
		{"TxCommit", testTxCommit},
		{"TxRollbackOnError", testTxRollbackOnError},
		{"TxRollbackOnPanic", testTxRollbackOnPanic},
		{"TxUsableAfterError", testTxUsableAfterError},
		{"ConcurrentUpdatesOfOneVersion", testConcurrentSameVersion},
		{"ConcurrentReadModifyWrite", testConcurrentReadModifyWrite},
		{"CanceledContext", testCanceledContext},
		{"WebhookEndpoints", testWebhookEndpoints},
		{"WebhookPublishFanOut", testWebhookPublishFanOut},
		{"WebhookPublishRollback", testWebhookPublishRollback},
		{"WebhookLogOrderAndPaging", testWebhookLog},
		{"WebhookFinishAndResend", testWebhookFinishAndResend},
		{"WebhookClaims", testWebhookClaims},
		{"TxAfterCommit", testWebhookAfterCommit},
		{"RegistrationRoundTrip", testRegistrationRoundTrip},
		{"RegistrationErrors", testRegistrationErrors},
		{"RegistrationTokens", testRegistrationTokens},
		{"RegistrationListOrderAndPaging", testRegistrationList},
		{"RegistrationUpdate", testRegistrationUpdate},
		{"RegistrationCounts", testRegistrationCounts},
		{"RegistrationTierCapacity", testRegistrationSeats},
		{"RegistrationEventCapacity", testRegistrationEventCapacity},
		{"RegistrationSeatsKeptByUpdates", testRegistrationSeatsKeptByUpdates},
		{"RegistrationRollback", testRegistrationRollback},
		{"RegistrationSoldOutInTx", testRegistrationSoldOutInTx},
		{"RegistrationRaceForTier", testRegistrationRaceForTier},
		{"RegistrationRaceForEvent", testRegistrationRaceForEvent},
		{"RegistrationRaceToCheckIn", testRegistrationRaceToCheckIn},
		{"RegistrationPendingPayment", testRegistrationPendingPayment},
		{"EmailEnqueueAndList", testEmailEnqueue},
		{"EmailEnqueueRollback", testEmailEnqueueRollback},
		{"EmailClaims", testEmailClaims},
		{"AuctionItemRoundTrip", testAuctionItemRoundTrip},
		{"AuctionItemErrors", testAuctionItemErrors},
		{"AuctionItemCreateMany", testAuctionItemCreateMany},
		{"AuctionItemListOrder", testAuctionItemList},
		{"AuctionItemsDue", testAuctionItemsDue},
		{"AuctionItemUpdate", testAuctionItemUpdate},
		{"AuctionBids", testAuctionBids},
		{"AuctionBidRollback", testAuctionBidRollback},
		{"AuctionConcurrentBids", testAuctionConcurrentBids},
		{"PaymentEvents", testPaymentEvents},
		{"PaymentEventsRace", testPaymentEventsRace},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, s)
		})
	}
}

// base is a fixed instant with nanoseconds, in a zone that is not UTC, so
// that round trips show normalization.
var base = time.Date(2026, time.April, 15, 14, 32, 7, 123456789, time.FixedZone("CEST", 2*60*60))

// ctx returns a context that ends with the test.
func ctx(t *testing.T) context.Context {
	return t.Context()
}

// newOrg stores a new organization for one test.
func newOrg(t *testing.T, s storage.Store) *ce.Organization {
	t.Helper()
	org := &ce.Organization{ID: ce.NewID(ce.PrefixOrganization, time.Now()), Name: "Org " + t.Name(), CreatedAt: base}
	if err := s.Organizations().Create(ctx(t), org); err != nil {
		t.Fatalf("create organization: %v", err)
	}
	return org
}

// newEvent returns an unsaved, valid event of org starting at start.
func newEvent(org *ce.Organization, start time.Time) *ce.Event {
	return &ce.Event{
		ID:             ce.NewID(ce.PrefixEvent, time.Now()),
		OrganizationID: org.ID,
		Title:          "Monthly meetup",
		Description:    "Talks and drinks.",
		Venue:          "Pakhuis de Zwijger, Amsterdam",
		TimeZone:       "Europe/Amsterdam",
		StartsAt:       start,
		EndsAt:         start.Add(3 * time.Hour),
		Status:         ce.EventDraft,
		Settings: ce.Settings{
			Capacity:             120,
			RegistrationOpensAt:  start.Add(-30 * 24 * time.Hour),
			RegistrationClosesAt: start.Add(-time.Hour),
			ConfirmationMessage:  "See you there!",
			Visibility:           ce.VisibilityUnlisted,
		},
		CreatedAt: base,
		UpdatedAt: base,
	}
}

// createEvent stores a new event of org starting at start.
func createEvent(t *testing.T, s storage.Repositories, org *ce.Organization, start time.Time) *ce.Event {
	t.Helper()
	e := newEvent(org, start)
	if err := s.Events().Create(ctx(t), e); err != nil {
		t.Fatalf("create event: %v", err)
	}
	return e
}

// newTier returns an unsaved, valid tier of e.
func newTier(e *ce.Event, name string, position int) *ce.Tier {
	return &ce.Tier{
		ID:             ce.NewID(ce.PrefixTier, time.Now()),
		EventID:        e.ID,
		OrganizationID: e.OrganizationID,
		Name:           name,
		Description:    "A seat.",
		Price:          ce.Money{Amount: 1250, Currency: "EUR"},
		Capacity:       50,
		SalesStartAt:   e.StartsAt.Add(-7 * 24 * time.Hour),
		SalesEndAt:     e.StartsAt,
		Position:       position,
		CreatedAt:      base,
		UpdatedAt:      base,
	}
}

// createTier stores a new tier of e.
func createTier(t *testing.T, s storage.Repositories, e *ce.Event, name string, position int) *ce.Tier {
	t.Helper()
	tier := newTier(e, name, position)
	if err := s.Tiers().Create(ctx(t), tier); err != nil {
		t.Fatalf("create tier: %v", err)
	}
	return tier
}

// wantKind fails the test unless err matches kind.
func wantKind(t *testing.T, what string, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: got error %v, want %v", what, err, kind)
	}
}

// wantEqual fails the test with a diff unless got equals want.
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, diff)
	}
}

// ids returns the ids of records, for comparing listings.
func ids[T any](records []*T, id func(*T) string) []string {
	out := make([]string, len(records))
	for i, r := range records {
		out[i] = id(r)
	}
	return out
}

func eventID(e *ce.Event) string { return e.ID }
func tierID(t *ce.Tier) string   { return t.ID }

// errBoom is the error test transactions fail with.
var errBoom = fmt.Errorf("storagetest: boom")
