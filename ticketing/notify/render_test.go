package notify_test

import (
	"bytes"
	"errors"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/makiuchi-d/gozxing"
	zxqr "github.com/makiuchi-d/gozxing/qrcode"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/mail"
	"github.com/completeevent/completeevent-go/ticketing"
	"github.com/completeevent/completeevent-go/ticketing/notify"
)

const (
	testBaseURL    = "https://events.example.org"
	testGuideToken = "q8hkt2vn5xwc7lmp3rys9bdf0a1b2c3d"
	testTicketCode = "t1ck3tc0d3t1ck3tc0d3t1ck3tc0d3aa"
	testJoinToken  = "j01nt0k3nj01nt0k3nj01nt0k3nj01nz"
)

// testGuide returns the guide of a confirmed registration for an
// in-person tier of an evening event in Amsterdam.
func testGuide() *ticketing.Guide {
	return &ticketing.Guide{
		Registration: &ce.Registration{
			ID: "reg_1", OrganizationID: "org_1", EventID: "evt_1", TierID: "tier_1",
			Email: "ada@example.org", FirstName: "Ada", LastName: "Lovelace",
			Status:     ce.RegistrationConfirmed,
			GuideToken: testGuideToken, TicketCode: testTicketCode,
		},
		Event: &ce.Event{
			ID: "evt_1", OrganizationID: "org_1", Title: "Spring meetup",
			Venue: "De Kleine Komedie, Amsterdam", TimeZone: "Europe/Amsterdam",
			StartsAt: time.Date(2026, 5, 1, 16, 0, 0, 0, time.UTC),
			EndsAt:   time.Date(2026, 5, 1, 19, 0, 0, 0, time.UTC),
			Status:   ce.EventPublished,
			Settings: ce.Settings{ConfirmationMessage: "Doors open at 17:30.\nBring a friend!"},
		},
		Tier: &ce.Tier{ID: "tier_1", EventID: "evt_1", OrganizationID: "org_1", Name: "Regular", Price: ce.Money{Currency: "EUR"}},
	}
}

// virtual makes g's tier virtual and its event online, with a join token.
func virtual(g *ticketing.Guide) {
	g.Tier.Name = "Livestream"
	g.Tier.JoinURL = "https://meet.example.com/spring"
	g.Event.Venue = ""
	g.Registration.JoinToken = testJoinToken
}

// cancelled cancels g's registration for reason.
func cancelled(g *ticketing.Guide, reason string) {
	g.Registration.Status = ce.RegistrationCancelled
	g.Registration.CancelReason = reason
	g.Registration.CancelledAt = g.Event.StartsAt.Add(-24 * time.Hour)
}

func newRenderer(t *testing.T) *notify.Renderer {
	t.Helper()
	r, err := notify.NewRenderer(testBaseURL, &notify.RenderOptions{From: "Acme Events <tickets@example.org>"})
	if err != nil {
		t.Fatalf("NewRenderer: %v", err)
	}
	return r
}

func render(t *testing.T, r *notify.Renderer, kind ce.EmailKind, g *ticketing.Guide) *mail.Message {
	t.Helper()
	m, err := r.Render(&notify.Content{
		Email:        &ce.Email{ID: "eml_1", Kind: kind},
		Guide:        g,
		Organization: &ce.Organization{ID: "org_1", Name: "Acme Events"},
	})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return m
}

// scanQR decodes the QR code of a PNG image of one code on white, the
// image internal/qrcode makes. It tells ZXing so (PURE_BARCODE): without
// the hint, ZXing's finder-pattern search misses about 1% of random ticket
// codes as internal/qrcode draws them, at every size from 145 pixels up,
// which is internal/qrcode's concern, not this package's.
func scanQR(t *testing.T, b []byte) string {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatalf("NewBinaryBitmapFromImage: %v", err)
	}
	res, err := zxqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("decode QR code: %v", err)
	}
	return res.GetText()
}

// TestRenderConfirmationText pins the plain-text part of a confirmation
// for an in-person tier as a whole.
func TestRenderConfirmationText(t *testing.T) {
	t.Parallel()
	m := render(t, newRenderer(t), ce.EmailConfirmation, testGuide())
	want := `Hello Ada,

you are registered for Spring meetup.

When:   Friday 1 May 2026, 18:00–21:00 CEST (Europe/Amsterdam)
Where:  De Kleine Komedie, Amsterdam
Ticket: Regular

Doors open at 17:30.
Bring a friend!

Your ticket: show the QR code of this e-mail or of your event guide at the
entrance. Ticket code: ` + testTicketCode + `

Your event guide, with the details and your ticket, at any time:
` + testBaseURL + `/guide/` + testGuideToken + `

-- 
Acme Events
`
	if diff := cmp.Diff(want, m.Text); diff != "" {
		t.Errorf("text part (-want +got):\n%s", diff)
	}
}

func TestRenderConfirmation(t *testing.T) {
	t.Parallel()
	guideURL := testBaseURL + "/guide/" + testGuideToken
	joinURL := testBaseURL + "/join/" + testJoinToken
	tests := []struct {
		name   string
		change func(g *ticketing.Guide)
		// want are in both parts, notWant in neither.
		want, notWant []string
		wantQR        bool
	}{
		{
			name:    "in person",
			change:  func(*ticketing.Guide) {},
			want:    []string{"Friday 1 May 2026, 18:00–21:00 CEST (Europe/Amsterdam)", "De Kleine Komedie, Amsterdam", "Regular", "Doors open at 17:30.", guideURL, testTicketCode},
			notWant: []string{"/join/", "Online", "meet.example.com"},
			wantQR:  true,
		},
		{
			name:    "virtual tier of an online event",
			change:  virtual,
			want:    []string{"Friday 1 May 2026, 18:00–21:00 CEST", "Online", "Livestream", guideURL, joinURL, "yours alone"},
			notWant: []string{testTicketCode, "QR code", "meet.example.com"},
		},
		{
			name: "virtual tier of an event with a venue: the attendee joins online",
			change: func(g *ticketing.Guide) {
				virtual(g)
				g.Event.Venue = "De Kleine Komedie, Amsterdam"
			},
			want:    []string{"Online", joinURL},
			notWant: []string{"De Kleine Komedie", testTicketCode},
		},
		{
			name: "virtual tier that shares its join URL",
			change: func(g *ticketing.Guide) {
				virtual(g)
				g.Tier.ShareJoinURL = true
			},
			want:    []string{"Online", "https://meet.example.com/spring"},
			notWant: []string{"/join/", "yours alone", testTicketCode},
		},
		{
			name: "event spanning two days",
			change: func(g *ticketing.Guide) {
				g.Event.StartsAt = time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)
				g.Event.EndsAt = time.Date(2026, 5, 2, 0, 30, 0, 0, time.UTC)
			},
			want:   []string{"Friday 1 May 2026, 20:00 – Saturday 2 May 2026, 02:30 CEST (Europe/Amsterdam)"},
			wantQR: true,
		},
		{
			name: "clocks go back during the event",
			change: func(g *ticketing.Guide) {
				g.Event.StartsAt = time.Date(2026, 10, 24, 22, 0, 0, 0, time.UTC)
				g.Event.EndsAt = time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC)
			},
			want:   []string{"Sunday 25 October 2026, 00:00 CEST – 04:00 CET (Europe/Amsterdam)"},
			wantQR: true,
		},
		{
			name: "another time zone",
			change: func(g *ticketing.Guide) {
				g.Event.TimeZone = "America/New_York"
			},
			want:   []string{"Friday 1 May 2026, 12:00–15:00 EDT (America/New_York)"},
			wantQR: true,
		},
		{
			name:    "a zone unknown here is shown in UTC",
			change:  func(g *ticketing.Guide) { g.Event.TimeZone = "Mars/Olympus_Mons" },
			want:    []string{"Friday 1 May 2026, 16:00–19:00 UTC"},
			notWant: []string{"(UTC)", "Mars"},
			wantQR:  true,
		},
		{
			name:    "no confirmation message",
			change:  func(g *ticketing.Guide) { g.Event.Settings.ConfirmationMessage = "" },
			want:    []string{guideURL},
			notWant: []string{"Doors open"},
			wantQR:  true,
		},
	}
	r := newRenderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := testGuide()
			tt.change(g)
			m := render(t, r, ce.EmailConfirmation, g)
			if got, want := m.Subject, "Your registration for Spring meetup"; got != want {
				t.Errorf("subject: got %q, want %q", got, want)
			}
			if got, want := m.To, `"Ada Lovelace" <ada@example.org>`; got != want {
				t.Errorf("to: got %q, want %q", got, want)
			}
			if got, want := m.From, "Acme Events <tickets@example.org>"; got != want {
				t.Errorf("from: got %q, want %q", got, want)
			}
			if got, want := m.MessageID, "eml_1@events.example.org"; got != want {
				t.Errorf("message id: got %q, want %q", got, want)
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
			if !strings.Contains(m.HTML, `href="`+guideURL+`"`) {
				t.Errorf("HTML part: want a link to %s, got:\n%s", guideURL, m.HTML)
			}
			hasQR := strings.Contains(m.HTML, `src="cid:`+notify.QRContentID+`"`)
			if !tt.wantQR {
				if hasQR || len(m.Inline) > 0 {
					t.Errorf("got a QR code (%d inline parts), want none", len(m.Inline))
				}
				return
			}
			if !hasQR {
				t.Errorf("HTML part: want <img src=\"cid:%s\">, got:\n%s", notify.QRContentID, m.HTML)
			}
			if len(m.Inline) != 1 {
				t.Fatalf("inline parts: got %d, want 1", len(m.Inline))
			}
			qr := m.Inline[0]
			if qr.ContentID != notify.QRContentID || qr.ContentType != "image/png" {
				t.Errorf("inline part: got content id %q, type %q, want %q, image/png", qr.ContentID, qr.ContentType, notify.QRContentID)
			}
			if got := scanQR(t, qr.Data); got != testTicketCode {
				t.Errorf("QR code: got %q, want the ticket code %q", got, testTicketCode)
			}
		})
	}
}

func TestRenderCancellation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		change  func(g *ticketing.Guide)
		want    []string
		notWant []string
	}{
		{
			name:    "in person, with a reason",
			change:  func(g *ticketing.Guide) { cancelled(g, "Duplicate registration.\nYour other ticket stays valid.") },
			want:    []string{"Spring meetup", "was cancelled", "Regular", "Duplicate registration.", "Your other ticket stays valid.", "no longer works"},
			notWant: []string{"/guide/", testTicketCode, "/join/"},
		},
		{
			name: "virtual, without a reason",
			change: func(g *ticketing.Guide) {
				virtual(g)
				cancelled(g, "")
			},
			want:    []string{"Livestream", "Online", "join link no longer work"},
			notWant: []string{"Reason", "/join/", "meet.example.com", testTicketCode},
		},
	}
	r := newRenderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := testGuide()
			tt.change(g)
			m := render(t, r, ce.EmailCancellation, g)
			if got, want := m.Subject, "Your registration for Spring meetup was cancelled"; got != want {
				t.Errorf("subject: got %q, want %q", got, want)
			}
			if len(m.Inline) != 0 || strings.Contains(m.HTML, "cid:") {
				t.Errorf("got a QR code (%d inline parts), want none", len(m.Inline))
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
		})
	}
}

// TestRenderEscapes shows that what organizers and attendees type is text
// in the HTML part, never markup, and one line in the subject.
func TestRenderEscapes(t *testing.T) {
	t.Parallel()
	g := testGuide()
	g.Event.Title = "<script>alert(1)</script> & Co\nBcc: x@example.com"
	g.Event.Venue = `"><img src=x onerror=alert(2)>`
	g.Event.Settings.ConfirmationMessage = "<b>bold</b>"
	g.Registration.FirstName = "<i>Ada</i>"
	g.Tier.Name = "VIP <3"
	m := render(t, newRenderer(t), ce.EmailConfirmation, g)

	for _, bad := range []string{"<script>", "<img src=x", "<b>", "<i>", "VIP <3"} {
		if strings.Contains(m.HTML, bad) {
			t.Errorf("HTML part: got unescaped %q, want it escaped:\n%s", bad, m.HTML)
		}
	}
	for _, escaped := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", "&lt;b&gt;bold&lt;/b&gt;", "&lt;i&gt;Ada&lt;/i&gt;", "VIP &lt;3"} {
		if !strings.Contains(m.HTML, escaped) {
			t.Errorf("HTML part: want %q in it, got:\n%s", escaped, m.HTML)
		}
	}
	if !strings.Contains(m.Text, "<script>alert(1)</script> & Co") {
		t.Errorf("text part: want the title as typed, got:\n%s", m.Text)
	}
	if want := "Your registration for <script>alert(1)</script> & Co Bcc: x@example.com"; m.Subject != want {
		t.Errorf("subject: got %q, want %q", m.Subject, want)
	}
}

func TestRenderErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content func() *notify.Content
		want    error
	}{
		{
			name: "auction win of another registration",
			content: func() *notify.Content {
				item := testItem()
				item.WinnerRegistrationID = "reg_2"
				return &notify.Content{Email: &ce.Email{ID: "eml_1", Kind: ce.EmailAuctionWon, SubjectID: item.ID}, Guide: testGuide(), Item: item}
			},
			want: notify.ErrStale,
		},
		{
			name: "auction win of an item still open",
			content: func() *notify.Content {
				item := testItem()
				item.Status, item.WinnerRegistrationID = ce.AuctionItemOpen, ""
				return &notify.Content{Email: &ce.Email{ID: "eml_1", Kind: ce.EmailAuctionWon, SubjectID: item.ID}, Guide: testGuide(), Item: item}
			},
			want: notify.ErrStale,
		},
		{
			name: "unknown kind",
			content: func() *notify.Content {
				return &notify.Content{Email: &ce.Email{ID: "eml_1", Kind: "reminder"}, Guide: testGuide()}
			},
			want: notify.ErrUnsupportedKind,
		},
		{
			name: "confirmation of a cancelled registration",
			content: func() *notify.Content {
				g := testGuide()
				cancelled(g, "")
				return &notify.Content{Email: &ce.Email{ID: "eml_1", Kind: ce.EmailConfirmation}, Guide: g}
			},
			want: notify.ErrStale,
		},
		{
			name: "cancellation of a confirmed registration",
			content: func() *notify.Content {
				return &notify.Content{Email: &ce.Email{ID: "eml_1", Kind: ce.EmailCancellation}, Guide: testGuide()}
			},
			want: notify.ErrStale,
		},
	}
	r := newRenderer(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := r.Render(tt.content())
			if !errors.Is(err, tt.want) {
				t.Fatalf("Render: got error %v, want %v", err, tt.want)
			}
			if m != nil {
				t.Errorf("Render: got a message with the error, want none")
			}
		})
	}
	if _, err := r.Render(&notify.Content{Email: &ce.Email{Kind: ce.EmailConfirmation}}); err == nil {
		t.Error("Render without a guide: got no error, want one")
	}
	if _, err := r.Render(&notify.Content{Email: &ce.Email{Kind: ce.EmailAuctionWon, SubjectID: "itm_1"}, Guide: testGuide()}); err == nil {
		t.Error("Render of an auction win without its item: got no error, want one")
	}
}

func TestNewRenderer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		baseURL       string
		from          string
		wantGuide     string // the guide link's prefix; empty: want an error
		wantMessageID string
	}{
		{baseURL: "https://events.example.org", wantGuide: "https://events.example.org/guide/", wantMessageID: "eml_1@events.example.org"},
		{baseURL: "https://events.example.org/", wantGuide: "https://events.example.org/guide/", wantMessageID: "eml_1@events.example.org"},
		{baseURL: "https://example.org/events/", wantGuide: "https://example.org/events/guide/", wantMessageID: "eml_1@example.org"},
		{baseURL: "http://localhost:8080", wantGuide: "http://localhost:8080/guide/", wantMessageID: "eml_1@localhost"},
		{baseURL: "http://[::1]:8080", wantGuide: "http://[::1]:8080/guide/", wantMessageID: "eml_1@localhost"},
		{baseURL: "https://Events.Example.org", from: "tickets@example.org", wantGuide: "https://Events.Example.org/guide/", wantMessageID: "eml_1@Events.Example.org"},
		{baseURL: ""},
		{baseURL: "events.example.org"},
		{baseURL: "/guide"},
		{baseURL: "ftp://events.example.org"},
		{baseURL: "https://"},
		{baseURL: "https://events.example.org?x=1"},
		{baseURL: "https://events.example.org/#top"},
		{baseURL: "https://user:pass@events.example.org"},
		{baseURL: "https://events.example.org", from: "not an address"},
	}
	for _, tt := range tests {
		t.Run(tt.baseURL+" "+tt.from, func(t *testing.T) {
			t.Parallel()
			r, err := notify.NewRenderer(tt.baseURL, &notify.RenderOptions{From: tt.from})
			if tt.wantGuide == "" {
				if err == nil {
					t.Fatalf("NewRenderer(%q, from %q): got no error, want one", tt.baseURL, tt.from)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewRenderer(%q): %v", tt.baseURL, err)
			}
			m := render(t, r, ce.EmailConfirmation, testGuide())
			if want := tt.wantGuide + testGuideToken; !strings.Contains(m.Text, want) {
				t.Errorf("text part: want the guide link %s, got:\n%s", want, m.Text)
			}
			if m.MessageID != tt.wantMessageID {
				t.Errorf("message id: got %q, want %q", m.MessageID, tt.wantMessageID)
			}
		})
	}
	if _, err := notify.NewRenderer(testBaseURL, nil); err != nil {
		t.Errorf("NewRenderer with nil options: %v", err)
	}
}
