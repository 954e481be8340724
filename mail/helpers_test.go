package mail_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"github.com/completeevent/completeevent-go/mail"
)

// sendTime is the Now of the mailers under test.
var sendTime = time.Date(2026, 4, 15, 14, 32, 0, 0, time.UTC)

func fixedNow() time.Time { return sendTime }

// binaryData holds every byte value, to prove attachments are carried
// byte for byte.
func binaryData() []byte {
	b := make([]byte, 0, 1024)
	for i := range 1024 {
		b = append(b, byte(i*7))
	}
	return b
}

// testMessage is a confirmation e-mail with every feature: display names
// and a subject beyond ASCII, text and HTML, an inline image, an
// attachment, a stable Message-ID.
func testMessage() *mail.Message {
	return &mail.Message{
		From:    "CompleteEvent Tickets <tickets@example.org>",
		To:      "Zoë Müller <zoe@example.net>",
		Subject: "Your ticket for GopherCon: Café & Co ☕",
		Text: "Hello Zoë,\n\nyour ticket for GopherCon, Wednesday 15 April 2026 at 16:32 (Europe/Paris), " +
			"is confirmed.\nEvent guide: https://events.example.org/guide/q8HkT2vN5xWc7LmP3rYs9BdF\n",
		HTML: `<p>Hello Zoë,</p><p>your ticket is confirmed.</p>` +
			`<p><img src="cid:ticket-qr" alt="Ticket TKT-3F7Q" width="200" height="200"></p>`,
		Inline: []mail.Attachment{{
			Filename: "ticket.png", ContentType: "image/png", ContentID: "ticket-qr", Data: binaryData(),
		}},
		Attachments: []mail.Attachment{{
			Filename: "gophercon.ics", ContentType: "text/calendar",
			Data: []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"),
		}},
		MessageID: "reg_123.confirmation@events.example.org",
	}
}

// parsedPart is a leaf of a parsed message other than its bodies.
type parsedPart struct {
	ContentType string
	Disposition string
	Filename    string
	ContentID   string
	Data        []byte
}

// parsed is a message read back with net/mail and mime/multipart only.
type parsed struct {
	From        []*netmail.Address
	To          []*netmail.Address
	Subject     string
	MessageID   string
	Date        time.Time
	Structure   string
	Text        string
	HTML        string
	Inline      []parsedPart
	Attachments []parsedPart
}

// wantParsed is what testMessage reads back as.
func wantParsed() parsed {
	m := testMessage()
	return parsed{
		From:      []*netmail.Address{{Name: "CompleteEvent Tickets", Address: "tickets@example.org"}},
		To:        []*netmail.Address{{Name: "Zoë Müller", Address: "zoe@example.net"}},
		Subject:   m.Subject,
		MessageID: "<reg_123.confirmation@events.example.org>",
		Date:      sendTime,
		Structure: "multipart/mixed[multipart/related[multipart/alternative[text/plain,text/html],image/png],text/calendar]",
		Text:      m.Text,
		HTML:      m.HTML,
		Inline: []parsedPart{{
			ContentType: "image/png", Disposition: "inline", Filename: "ticket.png",
			ContentID: "<ticket-qr>", Data: binaryData(),
		}},
		Attachments: []parsedPart{{
			ContentType: "text/calendar", Disposition: "attachment", Filename: "gophercon.ics",
			Data: m.Attachments[0].Data,
		}},
	}
}

// parseMessage reads raw as a mail program would.
func parseMessage(t *testing.T, raw []byte) parsed {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail.ReadMessage: %v", err)
	}
	for _, h := range []string{"Subject", "From", "To"} {
		if v := msg.Header.Get(h); hasNonASCII(v) {
			t.Errorf("header %s: got raw non-ASCII %q, want RFC 2047 encoded words", h, v)
		}
	}
	var p parsed
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Errorf("decode Subject: %v", err)
	}
	if p.From, err = msg.Header.AddressList("From"); err != nil {
		t.Errorf("From: %v", err)
	}
	if p.To, err = msg.Header.AddressList("To"); err != nil {
		t.Errorf("To: %v", err)
	}
	p.MessageID = msg.Header.Get("Message-Id")
	if p.Date, err = msg.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	p.Date = p.Date.UTC()
	if got := msg.Header.Get("Mime-Version"); got != "1.0" {
		t.Errorf("MIME-Version: got %q, want 1.0", got)
	}
	p.Structure = walkPart(t, textproto.MIMEHeader(msg.Header), msg.Body, &p)
	return p
}

// walkPart reads one MIME entity into p and returns its structure.
func walkPart(t *testing.T, h textproto.MIMEHeader, body io.Reader, p *parsed) string {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", h.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		var children []string
		for {
			part, err := r.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: next part: %v", mediaType, err)
			}
			children = append(children, walkPart(t, part.Header, part, p))
		}
		return mediaType + "[" + strings.Join(children, ",") + "]"
	}

	// multipart.Reader decodes quoted-printable itself and drops the
	// header; base64 is left to the reader.
	switch strings.ToLower(h.Get("Content-Transfer-Encoding")) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("%s: read body: %v", mediaType, err)
	}
	disposition, dparams, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	isBody := (mediaType == "text/plain" || mediaType == "text/html") && disposition != "attachment"
	if isBody && !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("%s: charset %q, want UTF-8", mediaType, params["charset"])
	}
	switch {
	case mediaType == "text/plain" && disposition != "attachment":
		p.Text = strings.ReplaceAll(string(data), "\r\n", "\n")
	case mediaType == "text/html" && disposition != "attachment":
		p.HTML = strings.ReplaceAll(string(data), "\r\n", "\n")
	default:
		filename, err := new(mime.WordDecoder).DecodeHeader(dparams["filename"])
		if err != nil {
			t.Errorf("filename %q: %v", dparams["filename"], err)
		}
		pp := parsedPart{
			ContentType: mediaType, Disposition: disposition, Filename: filename,
			ContentID: h.Get("Content-Id"), Data: data,
		}
		if disposition == "inline" {
			p.Inline = append(p.Inline, pp)
		} else {
			p.Attachments = append(p.Attachments, pp)
		}
	}
	return mediaType
}

func hasNonASCII(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r > 0x7e })
}

// checkParsed compares a parsed message with what testMessage must give.
func checkParsed(t *testing.T, got parsed) {
	t.Helper()
	if diff := cmp.Diff(wantParsed(), got); diff != "" {
		t.Errorf("message read back (-want +got):\n%s", diff)
	}
}

// testCert returns a self-signed certificate for 127.0.0.1, ::1 and
// localhost, and a pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "CompleteEvent test SMTP server"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// tlsMode is how the test server offers TLS.
type tlsMode int

const (
	plainText   tlsMode = iota // no TLS at all
	startTLS                   // STARTTLS offered
	implicitTLS                // TLS from the first byte (smtps)
)

// serverConfig configures a test SMTP server.
type serverConfig struct {
	tls tlsMode
	// user and password, when set, make AUTH mandatory.
	user, password string
	// mechs are the SASL mechanisms offered; default PLAIN and LOGIN.
	mechs []string
	// insecureAuth allows AUTH without TLS.
	insecureAuth bool
	// mail, rcpt and data, when set, may refuse a command; data gets the
	// 1-based number of the DATA attempt.
	mail func(from string) error
	rcpt func(to string) error
	data func(attempt int) error
}

// delivery is a message the test server accepted.
type delivery struct {
	From string
	To   []string
	TLS  bool
	Auth string // the SASL mechanism used, "" without AUTH
	Data []byte
}

// testServer is a real SMTP server (github.com/emersion/go-smtp) on the
// loopback interface that records what it accepts.
type testServer struct {
	Host, Port string
	Pool       *x509.CertPool // trusts the server's certificate

	cfg serverConfig

	mu         sync.Mutex
	deliveries []delivery
	attemptIDs []string // Message-ID of every DATA, accepted or not
}

// startServer starts a test SMTP server, closed when the test ends.
func startServer(t *testing.T, cfg serverConfig) *testServer {
	t.Helper()
	srv := &testServer{cfg: cfg}
	cert, pool := testCert(t)
	srv.Pool = pool
	tlsConfig := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Host, srv.Port, _ = net.SplitHostPort(l.Addr().String())

	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: srv, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	s.ErrorLog = log.New(io.Discard, "", 0)
	s.AllowInsecureAuth = cfg.insecureAuth
	switch cfg.tls {
	case startTLS:
		s.TLSConfig = tlsConfig
	case implicitTLS:
		l = tls.NewListener(l, tlsConfig)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.Serve(l)
	}()
	t.Cleanup(func() {
		_ = s.Close()
		// Close again: Serve may have registered l after Close ran.
		_ = l.Close()
		<-done
	})
	return srv
}

// Deliveries returns the messages accepted so far.
func (srv *testServer) Deliveries() []delivery {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return append([]delivery(nil), srv.deliveries...)
}

// AttemptIDs returns the Message-ID of every message received with DATA.
func (srv *testServer) AttemptIDs() []string {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return append([]string(nil), srv.attemptIDs...)
}

// session is one SMTP connection to the test server.
type session struct {
	srv  *testServer
	conn *smtp.Conn
	auth string
	from string
	to   []string
}

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string {
	if s.srv.cfg.user == "" {
		return nil
	}
	if s.srv.cfg.mechs != nil {
		return s.srv.cfg.mechs
	}
	return []string{sasl.Plain, sasl.Login}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	check := func(user, password string) error {
		if user != s.srv.cfg.user || password != s.srv.cfg.password {
			return smtp.ErrAuthFailed
		}
		s.auth = mech
		return nil
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, password string) error { return check(user, password) }), nil
	case sasl.Login:
		return &loginServer{check: check}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.cfg.user != "" && s.auth == "" {
		return smtp.ErrAuthRequired
	}
	if f := s.srv.cfg.mail; f != nil {
		if err := f(from); err != nil {
			return err
		}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if f := s.srv.cfg.rcpt; f != nil {
		if err := f(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	id := ""
	if msg, err := netmail.ReadMessage(bytes.NewReader(data)); err == nil {
		id = msg.Header.Get("Message-Id")
	}
	s.srv.mu.Lock()
	s.srv.attemptIDs = append(s.srv.attemptIDs, id)
	attempt := len(s.srv.attemptIDs)
	s.srv.mu.Unlock()
	if f := s.srv.cfg.data; f != nil {
		if err := f(attempt); err != nil {
			return err
		}
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	s.srv.deliveries = append(s.srv.deliveries, delivery{From: s.from, To: s.to, TLS: isTLS, Auth: s.auth, Data: data})
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }

// loginServer is the server side of the LOGIN mechanism, which
// github.com/emersion/go-sasl does not provide: ask for the user name, then
// the password.
type loginServer struct {
	check func(user, password string) error
	step  int
	user  string
}

func (l *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	l.step++
	switch l.step {
	case 1:
		if len(response) > 0 { // initial response: the user name
			l.user = string(response)
			l.step++
			return []byte("Password:"), false, nil
		}
		return []byte("Username:"), false, nil
	case 2:
		l.user = string(response)
		return []byte("Password:"), false, nil
	case 3:
		return nil, true, l.check(l.user, string(response))
	}
	return nil, false, errors.New("unexpected LOGIN response")
}

// URL returns the URL of srv with the given scheme, credentials (none when
// user is empty) and query.
func (srv *testServer) URL(scheme, user, password, query string) string {
	u := &url.URL{Scheme: scheme, Host: net.JoinHostPort(srv.Host, srv.Port), RawQuery: query}
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}
