package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/notify"
)

// testItem returns an auction item of testGuide's event, closed and won
// by its registration with a bid of EUR 125.50.
func testItem() *ce.AuctionItem {
	return &ce.AuctionItem{
		ID: "itm_1", OrganizationID: "org_1", EventID: "evt_1",
		Title: "Signed poster", StartingBid: ce.Money{Amount: 5000, Currency: "EUR"}, MinIncrement: 100,
		Status: ce.AuctionItemClosed, HighestBidID: "bid_1", HighestAmount: 12550, WinnerRegistrationID: "reg_1",
	}
}

// TestRenderAuctionWonText pins the plain-text part of the e-mail to an
// auction's winner as a whole.
func TestRenderAuctionWonText(t *testing.T) {
	t.Parallel()
	m, err := newRenderer(t).Render(&notify.Content{
		Email:        &ce.Email{ID: "eml_1", Kind: ce.EmailAuctionWon, SubjectID: "itm_1"},
		Guide:        testGuide(),
		Organization: &ce.Organization{ID: "org_1", Name: "Acme Events"},
		Item:         testItem(),
	})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if want := "You won Signed poster"; m.Subject != want {
		t.Errorf("subject: got %q, want %q", m.Subject, want)
	}
	want := `Hello Ada,

you won Signed poster in the silent auction of Spring meetup, with the highest bid: EUR 125.50.

Please pay for it on your event guide: its "Pay" button takes you to the payment page.
` + testBaseURL + `/guide/` + testGuideToken + `

When:   Friday 1 May 2026, 18:00–21:00 CEST (Europe/Amsterdam)
Where:  De Kleine Komedie, Amsterdam
Ticket: Regular

-- 
Acme Events
`
	if diff := cmp.Diff(want, m.Text); diff != "" {
		t.Errorf("text part (-want +got):\n%s", diff)
	}
	for _, s := range []string{"You won Signed poster", "EUR 125.50", `href="` + testBaseURL + `/guide/` + testGuideToken + `"`, "Pay on your event guide"} {
		if !strings.Contains(m.HTML, s) {
			t.Errorf("HTML part: want %q in it, got:\n%s", s, m.HTML)
		}
	}
	if len(m.Inline) != 0 || strings.Contains(m.Text, testTicketCode) {
		t.Errorf("got the ticket (%d inline parts), want none", len(m.Inline))
	}
}

// TestRenderAuctionWon covers the variants: a paid item asks for no
// payment, and what the organizer typed is text in the HTML part and one
// line in the subject.
func TestRenderAuctionWon(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		change      func(item *ce.AuctionItem)
		wantSubject string
		want        []string
		notWant     []string
		wantHTML    []string
		notWantHTML []string
	}{
		{
			name:        "paid already",
			change:      func(item *ce.AuctionItem) { item.Status = ce.AuctionItemPaid },
			wantSubject: "You won Signed poster",
			want:        []string{"EUR 125.50", "Your payment is received"},
			notWant:     []string{"Pay"},
		},
		{
			name:        "yen, no decimals",
			change:      func(item *ce.AuctionItem) { item.StartingBid.Currency, item.HighestAmount = "JPY", 12000 },
			wantSubject: "You won Signed poster",
			want:        []string{"JPY 12000"},
		},
		{
			name:        "markup in the title",
			change:      func(item *ce.AuctionItem) { item.Title = "<b>Poster</b>\nBcc: x@example.com" },
			wantSubject: "You won <b>Poster</b> Bcc: x@example.com",
			wantHTML:    []string{"&lt;b&gt;Poster&lt;/b&gt;"},
			notWantHTML: []string{"<b>Poster"},
		},
	}
	r := newRenderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			item := testItem()
			tt.change(item)
			m, err := r.Render(&notify.Content{Email: &ce.Email{ID: "eml_1", Kind: ce.EmailAuctionWon, SubjectID: item.ID}, Guide: testGuide(), Item: item})
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			if m.Subject != tt.wantSubject {
				t.Errorf("subject: got %q, want %q", m.Subject, tt.wantSubject)
			}
			for part, body := range map[string]string{"text": m.Text, "HTML": m.HTML} {
				for _, s := range tt.want {
					if !strings.Contains(body, s) {
						t.Errorf("%s part: want %q in it, got:\n%s", part, s, body)
					}
				}
				for _, s := range tt.notWant {
					if strings.Contains(body, s) {
						t.Errorf("%s part: got %q in it, want it absent:\n%s", part, s, body)
					}
				}
			}
			for _, s := range tt.wantHTML {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML part: want %q in it, got:\n%s", s, m.HTML)
				}
			}
			for _, s := range tt.notWantHTML {
				if strings.Contains(m.HTML, s) {
					t.Errorf("HTML part: got %q in it, want it escaped:\n%s", s, m.HTML)
				}
			}
		})
	}
}

// TestWorkerSendsAuctionWon closes an item with two bidders: the worker
// loads the item the e-mail names and sends the winner "You won …" with
// the winning bid and the guide link, and the other bidder nothing.
func TestWorkerSendsAuctionWon(t *testing.T) {
	t.Parallel()
	for _, a := range adapters() {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				ctx := context.Background()
				f := newFixture(t, a.open(t))
				mailer := &fakeMailer{}
				startWorker(t, f.newWorker(mailer, &notify.WorkerOptions{PollInterval: time.Hour}))
				ada := f.register(t, f.inPerson)
				res, err := f.svc.Register(ctx, f.event.ID, ticketing.RegistrationInput{
					TierID: f.inPerson.ID, Email: "grace@example.org", FirstName: "Grace", LastName: "Hopper",
				})
				if err != nil {
					t.Fatalf("Register: %v", err)
				}
				grace := res.Registration
				item, err := f.svc.CreateAuctionItem(ctx, f.orgID, f.event.ID, ticketing.AuctionItemInput{
					Title: "Signed poster", StartingBid: ce.Money{Amount: 5000, Currency: "EUR"}, MinIncrement: 100,
					ClosesAt: f.event.StartsAt,
				})
				if err != nil {
					t.Fatalf("CreateAuctionItem: %v", err)
				}
				if _, err := f.svc.PlaceBid(ctx, ada.GuideToken, item.ID, 5000); err != nil {
					t.Fatalf("PlaceBid: %v", err)
				}
				if _, err := f.svc.PlaceBid(ctx, grace.GuideToken, item.ID, 12550); err != nil {
					t.Fatalf("PlaceBid: %v", err)
				}
				synctest.Wait() // the two confirmations
				if _, err := f.svc.CloseAuctionItem(ctx, f.orgID, item.ID); err != nil {
					t.Fatalf("CloseAuctionItem: %v", err)
				}
				synctest.Wait()

				var won []string
				for _, m := range mailer.Accepted() {
					if strings.HasPrefix(m.Subject, "You won") {
						won = append(won, m.To+": "+m.Subject)
						for _, s := range []string{"EUR 125.50", testBaseURL + "/guide/" + grace.GuideToken} {
							if !strings.Contains(m.Text, s) {
								t.Errorf("text: want %q in it, got:\n%s", s, m.Text)
							}
						}
					}
				}
				if want := []string{`"Grace Hopper" <grace@example.org>: You won Signed poster`}; !cmp.Equal(won, want) {
					t.Errorf("auction e-mails sent: got %q, want %q", won, want)
				}
				// Sorted by kind: under synctest every e-mail has the same
				// creation time.
				var got []string
				for _, e := range f.emails(t, grace.ID) {
					got = append(got, string(e.Kind)+" "+e.SubjectID+" "+string(e.Status))
				}
				slices.Sort(got)
				if want := []string{"auction_won " + item.ID + " sent", "confirmation  sent"}; !cmp.Equal(got, want) {
					t.Errorf("Grace's e-mails: got %q, want %q", got, want)
				}
			})
		})
	}
}
