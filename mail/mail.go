package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"mime"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail to one recipient. Mailers only read it: one Message
// may be sent again, or by several goroutines at once.
type Message struct {
	// From is the sender, an address with an optional display name, such
	// as "CompleteEvent <tickets@example.org>". Empty means the mailer's
	// default sender.
	From string

	// To is the recipient, an address with an optional display name, such
	// as "Ada Lovelace <ada@example.org>". Required; one address only.
	To string

	// Subject is the subject line, any UTF-8 text: it is encoded as RFC 2047
	// encoded words when it is not plain ASCII.
	Subject string

	// Text is the plain-text body. A message needs Text, HTML or both; with
	// both, mail programs show the HTML and fall back to the text.
	Text string

	// HTML is the HTML body. It refers to an image of Inline by its content
	// id, as in <img src="cid:ticket-qr">.
	HTML string

	// Inline holds the images the HTML shows (multipart/related). A message
	// with Inline parts needs HTML.
	Inline []Attachment

	// Attachments holds files attached to the message (multipart/mixed).
	Attachments []Attachment

	// MessageID is the Message-ID header's value without the angle
	// brackets, "left@right", e.g. "reg_123.confirmation@events.example.org".
	// Set it from something stored with the queued message so that every
	// attempt to send it carries the same id. Empty means a new random id,
	// at the sender's domain, on every Send.
	MessageID string
}

// Attachment is a file carried by a [Message], inline or attached.
type Attachment struct {
	// Filename is the file's name as shown to the reader, e.g.
	// "ticket.png". Required.
	Filename string

	// ContentType is the MIME type, e.g. "image/png". Empty means the type
	// registered for Filename's extension, or application/octet-stream.
	ContentType string

	// ContentID is the id by which the HTML refers to an inline part
	// ("cid:" followed by it), without angle brackets. Empty means Filename.
	// Attachments ignore it.
	ContentID string

	// Data is the file's content.
	Data []byte
}

// Mailer sends messages.
type Mailer interface {
	// Send sends m. A nil error means the message was accepted (by the SMTP
	// server, or written in full): the caller must not send it again. An
	// error means it was not accepted; the caller may retry later, unless
	// errors.Is(err, ErrPermanent), in which case another attempt fails the
	// same way. Send reads m and never changes it.
	Send(ctx context.Context, m *Message) error
}

// The sentinel errors of package mail, matched with [errors.Is].
var (
	// ErrPermanent is matched by the errors of Send that another attempt
	// cannot fix: the server refused the sender, a recipient, the message or
	// the credentials with a 5xx reply, or the message is invalid. Do not
	// retry; record the failure. Errors that do not match it are temporary.
	ErrPermanent = errors.New("mail: permanent failure")

	// ErrInvalidMessage means the message cannot be sent as it is: a
	// missing or malformed address, no body, an inline part without HTML, a
	// malformed Message-ID, content type, file name or content id. Nothing
	// was sent. Errors that match it also match ErrPermanent.
	ErrInvalidMessage = errors.New("mail: invalid message")

	// ErrInvalidConfig means a mailer cannot be built from its
	// configuration: an SMTP URL that is malformed, of an unknown scheme,
	// without a host, or with an unknown or invalid parameter, a missing or
	// invalid sender address, or an unusable folder.
	ErrInvalidConfig = errors.New("mail: invalid configuration")
)

// SendError is the error of a failed Send, with what the server said. It
// wraps the underlying error and matches [ErrPermanent] when Permanent is
// true.
type SendError struct {
	// Code is the SMTP reply code that refused the message, e.g. 550 or 451,
	// or 0 when there was no reply: connection refused, timeout, TLS
	// failure, an invalid message, a failed write.
	Code int

	// EnhancedCode is the RFC 3463 enhanced status code of the reply, e.g.
	// "5.1.1", when the server sent one.
	EnhancedCode string

	// Permanent reports that another attempt cannot succeed: a 5xx reply or
	// an invalid message.
	Permanent bool

	// Err is the underlying error.
	Err error
}

// Error returns the underlying error's text, saying whether the failure is
// permanent or temporary.
func (e *SendError) Error() string {
	if errors.Is(e.Err, ErrInvalidMessage) {
		return e.Err.Error()
	}
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	return fmt.Sprintf("mail: send failed (%s): %v", kind, e.Err)
}

// Unwrap returns the underlying error.
func (e *SendError) Unwrap() error { return e.Err }

// Is reports whether target is ErrPermanent and the failure is permanent.
func (e *SendError) Is(target error) bool { return target == ErrPermanent && e.Permanent }

// invalid returns the error of an invalid message: a permanent SendError
// wrapping ErrInvalidMessage.
func invalid(format string, args ...any) error {
	return &SendError{Permanent: true, Err: fmt.Errorf("%w: "+format, append([]any{ErrInvalidMessage}, args...)...)}
}

// built is a message rendered by go-mail, ready to be written or sent.
type built struct {
	msg       *gomail.Msg
	messageID string // without angle brackets
}

// build validates m and renders it with go-mail. defaultFrom is used when
// m.From is empty. The errors are invalid(…).
func build(m *Message, defaultFrom string, now time.Time) (*built, error) {
	if m == nil {
		return nil, invalid("nil message")
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())

	from := m.From
	if from == "" {
		from = defaultFrom
	}
	if from == "" {
		return nil, invalid("no sender: set Message.From or the mailer's default sender")
	}
	fromAddr, err := parseAddress(from)
	if err != nil {
		return nil, invalid("from %q: %v", from, err)
	}
	msg.FromMailAddress(fromAddr)

	if m.To == "" {
		return nil, invalid("no recipient")
	}
	toAddr, err := parseAddress(m.To)
	if err != nil {
		return nil, invalid("to %q: %v", m.To, err)
	}
	msg.ToMailAddress(toAddr)

	msg.Subject(m.Subject)
	msg.SetDateWithValue(now)

	id := strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">")
	if m.MessageID == "" {
		_, domain, _ := strings.Cut(fromAddr.Address, "@")
		id = strings.ToLower(rand.Text()) + "@" + domain
	}
	if err := checkMessageID(id); err != nil {
		return nil, invalid("message id %q: %v", m.MessageID, err)
	}
	msg.SetMessageIDWithValue(id)

	switch {
	case m.Text != "" && m.HTML != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	case m.Text != "":
		msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	case m.HTML != "":
		msg.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		return nil, invalid("no body: set Text, HTML or both")
	}

	if len(m.Inline) > 0 && m.HTML == "" {
		return nil, invalid("inline parts need an HTML body that refers to them")
	}
	for i, a := range m.Inline {
		opts, err := fileOptions(a, true)
		if err != nil {
			return nil, invalid("inline part %d: %v", i, err)
		}
		msg.EmbedReadSeeker(a.Filename, bytes.NewReader(a.Data), opts...)
	}
	for i, a := range m.Attachments {
		opts, err := fileOptions(a, false)
		if err != nil {
			return nil, invalid("attachment %d: %v", i, err)
		}
		msg.AttachReadSeeker(a.Filename, bytes.NewReader(a.Data), opts...)
	}
	return &built{msg: msg, messageID: id}, nil
}

// parseAddress parses one address, with an optional display name.
func parseAddress(s string) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return nil, err
	}
	if hasControl(a.Address) || hasControl(a.Name) {
		return nil, errors.New("control character")
	}
	return a, nil
}

// checkMessageID accepts "left@right" without spaces, angle brackets or
// control characters.
func checkMessageID(id string) error {
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return errors.New(`want "left@right"`)
	}
	if strings.ContainsAny(id, " \t<>\"\\(),;:") || hasControl(id) {
		return errors.New("forbidden character")
	}
	return nil
}

// fileOptions validates a and returns the go-mail options that carry it.
func fileOptions(a Attachment, inline bool) ([]gomail.FileOption, error) {
	if a.Filename == "" {
		return nil, errors.New("no file name")
	}
	if hasControl(a.Filename) {
		return nil, errors.New("control character in file name")
	}
	var opts []gomail.FileOption
	if a.ContentType != "" {
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil || hasControl(a.ContentType) {
			return nil, fmt.Errorf("content type %q: not a MIME type", a.ContentType)
		}
		opts = append(opts, gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
	}
	if inline {
		cid := a.ContentID
		if cid == "" {
			cid = a.Filename
		}
		if strings.ContainsAny(cid, " \t<>\"") || hasControl(cid) {
			return nil, fmt.Errorf("content id %q: spaces, quotes and angle brackets are not allowed", cid)
		}
		// go-mail writes this value as the Content-ID header as it is:
		// RFC 2392 wants it in angle brackets.
		opts = append(opts, gomail.WithFileContentID("<"+cid+">"))
	}
	return opts, nil
}

// hasControl reports whether s holds an ASCII control character, which
// could break a header.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}
