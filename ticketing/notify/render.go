package notify

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	netmail "net/mail"
	"net/url"
	"strings"
	texttemplate "text/template"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/internal/qrcode"
	"github.com/completeevent/completeevent-go/mail"
	"github.com/completeevent/completeevent-go/ticketing"
)

// The sentinel errors of Render, matched with [errors.Is].
var (
	// ErrUnsupportedKind means the Renderer has no template for the
	// e-mail's kind.
	ErrUnsupportedKind = errors.New("notify: unsupported e-mail kind")

	// ErrStale means the e-mail no longer applies to its registration: a
	// confirmation of a registration that is no longer confirmed (it was
	// cancelled before the confirmation went out), or a cancellation of
	// one that is not cancelled.
	ErrStale = errors.New("notify: e-mail no longer applies")
)

// QRContentID is the content id of the ticket's QR code, the inline image
// of a confirmation for an in-person tier: its HTML shows it as
// <img src="cid:ticket-qr">.
const QRContentID = "ticket-qr"

// qrSize is the width and height of the ticket's QR code, in pixels: large
// enough for a scanner to read from a phone's screen.
const qrSize = 240

//go:embed templates
var templateFS embed.FS

// RenderOptions tune a Renderer. The zero value, like a nil *RenderOptions,
// is a valid configuration.
type RenderOptions struct {
	// From is the sender of the e-mails, an address with an optional
	// display name, such as "Acme Events <tickets@example.org>". Defaults
	// to the mailer's default sender.
	From string
}

// Renderer renders the e-mails to attendees as mail messages, with a
// plain-text and an HTML part. Make it with NewRenderer. It is safe for
// concurrent use.
type Renderer struct {
	base string // the base URL without a trailing slash
	host string // the right side of Message-IDs
	from string
	text map[ce.EmailKind]*texttemplate.Template
	html map[ce.EmailKind]*htmltemplate.Template
}

// NewRenderer returns a Renderer whose links start with baseURL, the
// public root of the server that serves the event guide (/guide/{token})
// and the join links (/join/{token}), such as "https://events.example.org".
// opts may be nil. It returns an error if baseURL is not an absolute http
// or https URL without user information, query or fragment, or if
// opts.From is not an address.
func NewRenderer(baseURL string, opts *RenderOptions) (*Renderer, error) {
	u, err := url.Parse(baseURL)
	switch {
	case err != nil:
		return nil, fmt.Errorf("notify: base URL %q: %v", baseURL, err)
	case u.Scheme != "https" && u.Scheme != "http", u.Hostname() == "", u.Opaque != "":
		return nil, fmt.Errorf("notify: base URL %q: want an absolute http or https URL", baseURL)
	case u.User != nil, u.RawQuery != "", u.ForceQuery, u.Fragment != "", strings.Contains(baseURL, "#"):
		return nil, fmt.Errorf("notify: base URL %q: want no user information, query or fragment", baseURL)
	}
	r := &Renderer{
		base: strings.TrimSuffix(u.String(), "/"),
		host: u.Hostname(),
		text: map[ce.EmailKind]*texttemplate.Template{},
		html: map[ce.EmailKind]*htmltemplate.Template{},
	}
	if strings.Contains(r.host, ":") {
		// An IPv6 literal: Message-IDs allow no colon.
		r.host = "localhost"
	}
	if opts != nil && opts.From != "" {
		if _, err := netmail.ParseAddress(opts.From); err != nil {
			return nil, fmt.Errorf("notify: sender %q: %v", opts.From, err)
		}
		r.from = opts.From
	}
	funcs := map[string]any{"paragraphs": paragraphs}
	for _, kind := range []ce.EmailKind{ce.EmailConfirmation, ce.EmailCancellation, ce.EmailAuctionWon} {
		// The templates are compiled in: an error is a bug of this
		// package, which its tests catch.
		r.text[kind] = texttemplate.Must(texttemplate.New("").Funcs(funcs).ParseFS(templateFS,
			"templates/layout.txt", "templates/"+string(kind)+".txt"))
		r.html[kind] = htmltemplate.Must(htmltemplate.New("").Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/"+string(kind)+".html"))
	}
	return r, nil
}

// Content is what an e-mail is rendered from.
type Content struct {
	// Email is the queued e-mail: its Kind says what to render and its ID
	// makes the Message-ID. Required.
	Email *ce.Email
	// Guide is the registration the e-mail is about, with its event and
	// tier, as they are now. Required.
	Guide *ticketing.Guide
	// Organization, if set, signs the e-mail with its name.
	Organization *ce.Organization
	// Item is the auction item the e-mail is about, the one its SubjectID
	// names: required for an e-mail of kind completeevent.EmailAuctionWon.
	Item *ce.AuctionItem
}

// view is what the templates show.
type view struct {
	Subject   string
	FirstName string
	Title     string
	When      string
	// Where is the venue, or "Online" for an event without one or a
	// virtual tier.
	Where  string
	Online bool
	Tier   string
	// Message is the organizer's confirmation message.
	Message  string
	GuideURL string
	// JoinURL is the link that joins the online session, PersonalJoin
	// whether it is the attendee's own.
	JoinURL      string
	PersonalJoin bool
	// TicketCode is set when the e-mail carries the ticket's QR code,
	// which QRImage shows, QRSize pixels wide and high.
	TicketCode string
	QRImage    htmltemplate.URL
	QRSize     int
	// Reason is the organizer's reason for a cancellation.
	Reason string
	// Item is the title of the auction item won, Amount the winning bid,
	// and Paid whether the winner has paid for it already.
	Item      string
	Amount    string
	Paid      bool
	Organizer string
}

// Render renders c's e-mail to the attendee of c's registration. Every
// call for one queued e-mail gives the same Message-ID, "<e-mail
// id>@<base URL's host>", so that mail programs can recognize a message
// sent twice.
//
// A confirmation shows the join link of a virtual tier (the personal link
// /join/{token}), or the ticket's QR code, an inline PNG with content id
// QRContentID, and its code for an in-person tier. A cancellation shows
// the reason, and neither link nor code.
//
// It returns ErrUnsupportedKind for a kind it has no template for, and
// ErrStale for an e-mail that no longer applies to the registration.
func (r *Renderer) Render(c *Content) (*mail.Message, error) {
	if c == nil || c.Email == nil || c.Guide == nil || c.Guide.Registration == nil || c.Guide.Event == nil || c.Guide.Tier == nil {
		return nil, errors.New("notify: render: incomplete content: an e-mail and a guide with registration, event and tier are required")
	}
	g, reg, ev := c.Guide, c.Guide.Registration, c.Guide.Event
	v := &view{
		FirstName: reg.FirstName,
		Title:     ev.Title,
		When:      g.When(),
		Where:     g.Where(),
		Online:    g.Online(),
		Tier:      g.Tier.Name,
		GuideURL:  r.base + "/guide/" + url.PathEscape(reg.GuideToken),
	}
	if c.Organization != nil {
		v.Organizer = c.Organization.Name
	}
	var inline []mail.Attachment
	switch c.Email.Kind {
	case ce.EmailConfirmation:
		if reg.Status != ce.RegistrationConfirmed {
			return nil, fmt.Errorf("%w: a confirmation of registration %s, which is %s", ErrStale, reg.ID, reg.Status)
		}
		v.Subject = "Your registration for " + ev.Title
		v.Message = ev.Settings.ConfirmationMessage
		if g.HasJoinLink() {
			v.JoinURL, v.PersonalJoin = r.joinLink(g)
		}
		if g.HasTicket() {
			png, err := qrcode.PNG(reg.TicketCode, qrSize)
			if err != nil {
				return nil, fmt.Errorf("notify: ticket QR code of registration %s: %w", reg.ID, err)
			}
			v.TicketCode, v.QRImage, v.QRSize = reg.TicketCode, htmltemplate.URL("cid:"+QRContentID), qrSize
			inline = []mail.Attachment{{Filename: "ticket.png", ContentType: "image/png", ContentID: QRContentID, Data: png}}
		}
	case ce.EmailCancellation:
		if reg.Status != ce.RegistrationCancelled {
			return nil, fmt.Errorf("%w: a cancellation of registration %s, which is %s", ErrStale, reg.ID, reg.Status)
		}
		v.Subject = "Your registration for " + ev.Title + " was cancelled"
		v.Reason = reg.CancelReason
	case ce.EmailAuctionWon:
		item := c.Item
		if item == nil {
			return nil, errors.New("notify: render: incomplete content: an auction_won e-mail needs its auction item")
		}
		if item.WinnerRegistrationID != reg.ID || item.Status == ce.AuctionItemOpen {
			return nil, fmt.Errorf("%w: auction item %s is %s and not won by registration %s", ErrStale, item.ID, item.Status, reg.ID)
		}
		v.Subject = "You won " + item.Title
		v.Item = item.Title
		v.Amount = ce.Money{Amount: item.HighestAmount, Currency: item.StartingBid.Currency}.String()
		v.Paid = item.Status == ce.AuctionItemPaid
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedKind, c.Email.Kind)
	}
	v.Subject = strings.Join(strings.Fields(v.Subject), " ") // one line, whatever the title holds

	var text, html bytes.Buffer
	if err := r.text[c.Email.Kind].ExecuteTemplate(&text, "body", v); err != nil {
		return nil, fmt.Errorf("notify: render %s text: %w", c.Email.Kind, err)
	}
	if err := r.html[c.Email.Kind].ExecuteTemplate(&html, "body", v); err != nil {
		return nil, fmt.Errorf("notify: render %s HTML: %w", c.Email.Kind, err)
	}
	to := netmail.Address{Name: strings.TrimSpace(reg.FirstName + " " + reg.LastName), Address: reg.Email}
	return &mail.Message{
		From:      r.from,
		To:        to.String(),
		Subject:   v.Subject,
		Text:      text.String(),
		HTML:      html.String(),
		Inline:    inline,
		MessageID: c.Email.ID + "@" + r.host,
	}, nil
}

// joinLink returns the join link g's attendee is sent, and whether it is
// personal: the attendee's own /join/{token}, which follows the tier's
// current join URL and stops working once the registration is cancelled,
// unless the tier shares its join URL itself (Tier.ShareJoinURL).
func (r *Renderer) joinLink(g *ticketing.Guide) (link string, personal bool) {
	if g.Tier.ShareJoinURL {
		return g.Tier.JoinURL, false
	}
	return r.base + "/join/" + url.PathEscape(g.Registration.JoinToken), true
}

// paragraphs splits free text into paragraphs at blank lines, and each
// paragraph into its lines, for the HTML part.
func paragraphs(s string) [][]string {
	var out [][]string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		p = strings.Trim(p, "\n")
		if strings.TrimSpace(p) != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}
