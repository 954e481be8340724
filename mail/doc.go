// Package mail sends e-mail: the confirmation and cancellation messages of
// CompleteEvent, with a plain-text part, an HTML part, inline images (the
// ticket's QR code, referenced from the HTML as "cid:…") and attachments.
//
// A [Message] says what to send; a [Mailer] sends it. Two mailers ship.
// [SMTPMailer] hands the message to an SMTP server, configured by one URL
// (the server's SMTP_URL):
//
//	smtp://user:password@smtp.example.org:587   STARTTLS, required (the default)
//	smtps://user:password@smtp.example.org:465  implicit TLS
//	smtp://localhost:1025?starttls=none         a local development relay, no TLS
//
// [DirMailer] writes each message as an .eml file into a folder: the
// development default, so what was "sent" can be opened in any mail program.
//
// Both render the message the same way, through github.com/wneessen/go-mail
// (MIME structure, encodings, Message-ID, Date), so an .eml file holds the
// bytes an SMTP server would have received.
//
// # Errors and retries
//
// A nil error from [Mailer.Send] means the message was accepted: by the SMTP
// server, or written to its file. Any error means it was not, and the caller
// may send it again later. Errors that another attempt cannot fix match
// [ErrPermanent] (the server refused the sender, the recipient or the message
// with a 5xx reply, the credentials were refused, or the message itself is
// invalid, which also matches [ErrInvalidMessage]); everything else
// (connection refused, timeout, TLS failure, a 4xx reply) is temporary.
// [*SendError] carries the SMTP reply code.
//
// Give each message a stable [Message.MessageID] (for example derived from the
// queued row's id) so every attempt carries the same Message-ID header.
package mail
