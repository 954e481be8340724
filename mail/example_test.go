package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"mime"
	netmail "net/mail"
	"os"
	"path/filepath"

	"github.com/completeevent/completeevent-go/mail"
)

// A development server writes its mail into a folder; open the .eml files
// with any mail program.
func ExampleNewDirMailer() {
	dir, err := os.MkdirTemp("", "completeevent-mail")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	mailer, err := mail.NewDirMailer(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	err = mailer.Send(context.Background(), &mail.Message{
		To:        "Zoë Müller <zoe@example.net>",
		Subject:   "Your ticket for GopherCon ☕",
		Text:      "Your ticket is confirmed.",
		HTML:      `<p>Your ticket is confirmed.</p><img src="cid:ticket-qr" alt="ticket">`,
		Inline:    []mail.Attachment{{Filename: "ticket.png", ContentType: "image/png", ContentID: "ticket-qr", Data: []byte("…PNG bytes…")}},
		MessageID: "reg_123.confirmation@events.example.org",
	})
	if err != nil {
		log.Fatal(err)
	}

	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	fmt.Println(len(files), "file")
	f, err := os.Open(files[0])
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	msg, err := netmail.ReadMessage(f)
	if err != nil {
		log.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	fmt.Println("Subject:", subject)
	fmt.Println("Message-ID:", msg.Header.Get("Message-ID"))
	// Output:
	// 1 file
	// Subject: Your ticket for GopherCon ☕
	// Message-ID: <reg_123.confirmation@events.example.org>
}

// A production server sends through its provider's SMTP server, configured
// by one URL.
func ExampleNewSMTPMailer() {
	// e.g. SMTP_URL=smtps://apikey:s3cret@smtp.example.org:465?from=CompleteEvent+%3Ctickets%40example.org%3E
	mailer, err := mail.NewSMTPMailer(os.Getenv("SMTP_URL"), nil)
	if err != nil {
		log.Fatal(err)
	}
	err = mailer.Send(context.Background(), &mail.Message{
		To:        "ada@example.org",
		Subject:   "Your ticket",
		Text:      "Your ticket is confirmed.",
		MessageID: "reg_123.confirmation@events.example.org",
	})
	switch {
	case err == nil:
		// Accepted: mark the queued message as sent.
	case errors.Is(err, mail.ErrPermanent):
		// Refused for good (unknown recipient, invalid message…): record
		// the failure, do not retry.
	default:
		// Temporary (server down, timeout, 4xx): retry later with the same
		// MessageID.
	}
}

// SendError tells why a message was not sent, and whether to try again.
func ExampleSendError() {
	dir, err := os.MkdirTemp("", "completeevent-mail")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	mailer, err := mail.NewDirMailer(dir, nil)
	if err != nil {
		log.Fatal(err)
	}
	err = mailer.Send(context.Background(), &mail.Message{To: "not an address", Text: "Hello"})

	var se *mail.SendError
	if errors.As(err, &se) {
		fmt.Println("permanent:", se.Permanent, errors.Is(err, mail.ErrPermanent))
		fmt.Println("invalid message:", errors.Is(err, mail.ErrInvalidMessage))
		fmt.Println("SMTP reply code:", se.Code)
	}
	// Output:
	// permanent: true true
	// invalid message: true
	// SMTP reply code: 0
}
