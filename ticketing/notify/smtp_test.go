package notify_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	ce "github.com/completeevent/completeevent-go/completeevent"
	"github.com/completeevent/completeevent-go/mail"
	"github.com/completeevent/completeevent-go/storage/memstore"
	"github.com/completeevent/completeevent-go/ticketing/notify"
)

// smtpServer is a real SMTP server (github.com/emersion/go-smtp) on the
// loopback interface. It refuses the first DATA commands it is told to
// with 451, as a server in trouble, and records the Message-ID of every
// DATA and every message it accepts.
type smtpServer struct {
	addr string

	mu       sync.Mutex
	refuse   int
	attempts []string
	accepted [][]byte
}

func startSMTPServer(t *testing.T, refuse int) *smtpServer {
	t.Helper()
	srv := &smtpServer{refuse: refuse}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.addr = l.Addr().String()
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: srv}, nil }))
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(l)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		_ = l.Close()
		<-done
	})
	return srv
}

// Accepted returns the messages accepted so far.
func (srv *smtpServer) Accepted() [][]byte {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return append([][]byte(nil), srv.accepted...)
}

// Attempts returns the Message-ID of every DATA so far.
func (srv *smtpServer) Attempts() []string {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return append([]string(nil), srv.attempts...)
}

type smtpSession struct{ srv *smtpServer }

func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *smtpSession) Reset()                               {}
func (s *smtpSession) Logout() error                        { return nil }

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	id := ""
	if msg, err := netmail.ReadMessage(bytes.NewReader(data)); err == nil {
		id = msg.Header.Get("Message-Id")
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.attempts = append(s.srv.attempts, id)
	if s.srv.refuse > 0 {
		s.srv.refuse--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.srv.accepted = append(s.srv.accepted, data)
	return nil
}

// received is a message as a mail program reads it.
type received struct {
	Subject, MessageID string
	Text, HTML         string
	// Inline maps content ids, without angle brackets, to data.
	Inline map[string][]byte
}

func parseReceived(t *testing.T, raw []byte) received {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	got := received{Subject: subject, MessageID: msg.Header.Get("Message-Id"), Inline: map[string][]byte{}}
	walkMIME(t, textproto.MIMEHeader(msg.Header), msg.Body, &got)
	return got
}

func walkMIME(t *testing.T, h textproto.MIMEHeader, body io.Reader, got *received) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type %q: %v", h.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			part, err := r.NextPart()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", mediaType, err)
			}
			walkMIME(t, part.Header, part, got)
		}
	}
	// multipart.Reader decodes quoted-printable itself.
	if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "base64") {
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("%s: %v", mediaType, err)
	}
	switch mediaType {
	case "text/plain":
		got.Text = strings.ReplaceAll(string(data), "\r\n", "\n")
	case "text/html":
		got.HTML = strings.ReplaceAll(string(data), "\r\n", "\n")
	default:
		got.Inline[strings.Trim(h.Get("Content-Id"), "<>")] = data
	}
}

// TestSMTPEndToEnd registers two attendees and lets a worker send their
// confirmations to a real SMTP server that refuses the first attempt: both
// arrive once, with both parts, the links and the ticket, and the retried
// one with the Message-ID of its first attempt.
func TestSMTPEndToEnd(t *testing.T) {
	t.Parallel()
	srv := startSMTPServer(t, 1)
	mailer, err := mail.NewSMTPMailer("smtp://"+srv.addr+"?starttls=none", &mail.SMTPOptions{From: "Acme Events <tickets@example.org>"})
	if err != nil {
		t.Fatalf("NewSMTPMailer: %v", err)
	}
	store := memstore.New()
	t.Cleanup(func() { store.Close() })
	f := newFixture(t, store)
	startWorker(t, f.newWorker(mailer, &notify.WorkerOptions{
		PollInterval: 10 * time.Millisecond,
		Retry:        notify.RetryPolicy{InitialBackoff: 50 * time.Millisecond},
	}))
	inPerson := f.register(t, f.inPerson)
	online := f.register(t, f.virtual)

	// Wait until both outcomes are recorded: the server has the messages
	// a moment before.
	deadline := time.Now().Add(10 * time.Second)
	for f.email(t, inPerson.ID).Status == ce.EmailPending || f.email(t, online.ID).Status == ce.EmailPending {
		if time.Now().After(deadline) {
			t.Fatalf("e-mails still pending after 10 s; messages accepted: %d, want 2", len(srv.Accepted()))
		}
		time.Sleep(10 * time.Millisecond)
	}

	byID := map[string]received{}
	for _, raw := range srv.Accepted() {
		m := parseReceived(t, raw)
		byID[m.MessageID] = m
	}
	if len(byID) != 2 {
		t.Fatalf("distinct Message-IDs accepted: got %d, want 2", len(byID))
	}
	attempts := srv.Attempts()
	if len(attempts) != 3 {
		t.Errorf("DATA commands: got %d (%q), want 3: one refused, two accepted", len(attempts), attempts)
	} else if _, ok := byID[attempts[0]]; !ok {
		t.Errorf("refused attempt's Message-ID %q: want it to be that of an accepted message", attempts[0])
	}

	attemptsByReg := map[string]int{}
	for _, r := range []*ce.Registration{inPerson, online} {
		e := f.email(t, r.ID)
		if e.Status != ce.EmailSent {
			t.Errorf("e-mail of %s: got %s, want sent", r.ID, e.Status)
		}
		attemptsByReg[r.ID] = e.Attempts
		m, ok := byID["<"+e.ID+"@events.example.org>"]
		if !ok {
			t.Fatalf("no message accepted with the Message-ID of e-mail %s", e.ID)
		}
		if m.Subject != "Your registration for Spring meetup" {
			t.Errorf("subject: got %q, want %q", m.Subject, "Your registration for Spring meetup")
		}
		if m.Text == "" || m.HTML == "" {
			t.Errorf("parts: got text %d bytes, HTML %d bytes; want both", len(m.Text), len(m.HTML))
		}
		guide := testBaseURL + "/guide/" + r.GuideToken
		join := testBaseURL + "/join/" + r.JoinToken
		for part, body := range map[string]string{"text": m.Text, "HTML": m.HTML} {
			if !strings.Contains(body, guide) {
				t.Errorf("%s part of %s: want the guide link %s, got:\n%s", part, r.ID, guide, body)
			}
			if r == online && !strings.Contains(body, join) {
				t.Errorf("%s part of %s: want the join link %s, got:\n%s", part, r.ID, join, body)
			}
			if r == inPerson && (strings.Contains(body, "/join/") || !strings.Contains(body, r.TicketCode)) {
				t.Errorf("%s part of %s: want the ticket code and no join link, got:\n%s", part, r.ID, body)
			}
		}
		qr, hasQR := m.Inline[notify.QRContentID]
		switch {
		case r == online && hasQR:
			t.Errorf("virtual tier: got a QR code, want none")
		case r == inPerson && !hasQR:
			t.Errorf("in-person tier: got %d inline parts, want the QR code %q", len(m.Inline), notify.QRContentID)
		case r == inPerson:
			if got := scanQR(t, qr); got != r.TicketCode {
				t.Errorf("QR code: got %q, want the ticket code %q", got, r.TicketCode)
			}
		}
	}
	if n := attemptsByReg[inPerson.ID] + attemptsByReg[online.ID]; n != 3 {
		t.Errorf("recorded attempts: got %v, want 3 in all", attemptsByReg)
	}
}
