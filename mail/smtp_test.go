package mail_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/google/go-cmp/cmp"

	"github.com/completeevent/completeevent-go/mail"
)

// newSMTPMailer builds a mailer for rawURL that trusts pool (when not nil)
// and dates messages with sendTime.
func newSMTPMailer(t *testing.T, rawURL string, pool *tlsPool) *mail.SMTPMailer {
	t.Helper()
	opts := &mail.SMTPOptions{From: "CompleteEvent <noreply@example.org>", Now: fixedNow, Timeout: 10 * time.Second}
	if pool != nil {
		opts.TLSConfig = &tls.Config{RootCAs: pool.srv.Pool}
	}
	m, err := mail.NewSMTPMailer(rawURL, opts)
	if err != nil {
		t.Fatalf("NewSMTPMailer(%q): %v", rawURL, err)
	}
	return m
}

// tlsPool says "trust this server's certificate".
type tlsPool struct{ srv *testServer }

func trust(srv *testServer) *tlsPool { return &tlsPool{srv} }

func TestSMTPMailerDelivers(t *testing.T) {
	t.Parallel()
	const user, password = "ada", "p@ss:w/rd#1 %é" // every character a URL must escape
	tests := []struct {
		name     string
		server   serverConfig
		url      func(srv *testServer) string
		trust    bool
		wantTLS  bool
		wantAuth string
	}{
		{
			name:   "plain text to a development relay, starttls=none",
			server: serverConfig{tls: plainText},
			url:    func(srv *testServer) string { return srv.URL("smtp", "", "", "starttls=none") },
		},
		{
			name:   "opportunistic STARTTLS, server without it",
			server: serverConfig{tls: plainText},
			url:    func(srv *testServer) string { return srv.URL("smtp", "", "", "starttls=opportunistic") },
		},
		{
			name:    "STARTTLS required by default",
			server:  serverConfig{tls: startTLS},
			url:     func(srv *testServer) string { return srv.URL("smtp", "", "", "") },
			trust:   true,
			wantTLS: true,
		},
		{
			name:    "opportunistic STARTTLS, server with it",
			server:  serverConfig{tls: startTLS},
			url:     func(srv *testServer) string { return srv.URL("smtp", "", "", "starttls=opportunistic") },
			trust:   true,
			wantTLS: true,
		},
		{
			name:    "implicit TLS (smtps)",
			server:  serverConfig{tls: implicitTLS},
			url:     func(srv *testServer) string { return srv.URL("smtps", "", "", "") },
			trust:   true,
			wantTLS: true,
		},
		{
			name:     "STARTTLS and AUTH PLAIN, preferred when offered",
			server:   serverConfig{tls: startTLS, user: user, password: password},
			url:      func(srv *testServer) string { return srv.URL("smtp", user, password, "") },
			trust:    true,
			wantTLS:  true,
			wantAuth: sasl.Plain,
		},
		{
			name:     "smtps and AUTH LOGIN when PLAIN is not offered",
			server:   serverConfig{tls: implicitTLS, user: user, password: password, mechs: []string{sasl.Login}},
			url:      func(srv *testServer) string { return srv.URL("smtps", user, password, "") },
			trust:    true,
			wantTLS:  true,
			wantAuth: sasl.Login,
		},
		{
			name:     "auth=login chosen although PLAIN is offered",
			server:   serverConfig{tls: startTLS, user: user, password: password},
			url:      func(srv *testServer) string { return srv.URL("smtp", user, password, "auth=login") },
			trust:    true,
			wantTLS:  true,
			wantAuth: sasl.Login,
		},
		{
			name:     "AUTH PLAIN in clear to a loopback relay",
			server:   serverConfig{tls: plainText, user: user, password: password, insecureAuth: true},
			url:      func(srv *testServer) string { return srv.URL("smtp", user, password, "starttls=none") },
			wantAuth: sasl.Plain,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, tt.server)
			var pool *tlsPool
			if tt.trust {
				pool = trust(srv)
			}
			m := newSMTPMailer(t, tt.url(srv), pool)
			if err := m.Send(t.Context(), testMessage()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got := srv.Deliveries()
			if len(got) != 1 {
				t.Fatalf("deliveries: got %d, want 1", len(got))
			}
			d := got[0]
			if d.From != "tickets@example.org" || !cmp.Equal(d.To, []string{"zoe@example.net"}) {
				t.Errorf("envelope: got MAIL FROM %q RCPT TO %q, want tickets@example.org and [zoe@example.net]", d.From, d.To)
			}
			if d.TLS != tt.wantTLS {
				t.Errorf("TLS: got %v, want %v", d.TLS, tt.wantTLS)
			}
			if d.Auth != tt.wantAuth {
				t.Errorf("AUTH mechanism: got %q, want %q", d.Auth, tt.wantAuth)
			}
			checkParsed(t, parseMessage(t, d.Data))
		})
	}
}

func TestSMTPMailerErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		server        *serverConfig // nil: nothing listens
		url           func(srv *testServer, closedPort string) string
		trust         bool
		timeout       time.Duration
		cancelled     bool
		wantPermanent bool
		wantCode      int
		wantEnhanced  string
		wantIs        error
	}{
		{
			name:          "wrong password",
			server:        &serverConfig{tls: startTLS, user: "ada", password: "right"},
			url:           func(srv *testServer, _ string) string { return srv.URL("smtp", "ada", "wrong", "") },
			trust:         true,
			wantPermanent: true,
			wantCode:      535,
			wantEnhanced:  "5.7.8",
		},
		{
			name: "recipient refused: 550",
			server: &serverConfig{tls: plainText, rcpt: func(string) error {
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
			}},
			url:           func(srv *testServer, _ string) string { return srv.URL("smtp", "", "", "starttls=none") },
			wantPermanent: true,
			wantCode:      550,
			wantEnhanced:  "5.1.1",
		},
		{
			name: "recipient deferred: 451",
			server: &serverConfig{tls: plainText, rcpt: func(string) error {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
			}},
			url:          func(srv *testServer, _ string) string { return srv.URL("smtp", "", "", "starttls=none") },
			wantCode:     451,
			wantEnhanced: "4.3.0",
		},
		{
			name: "sender refused: 553",
			server: &serverConfig{tls: plainText, mail: func(string) error {
				return &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Sender not allowed"}
			}},
			url:           func(srv *testServer, _ string) string { return srv.URL("smtp", "", "", "starttls=none") },
			wantPermanent: true,
			wantCode:      553,
			wantEnhanced:  "5.7.1",
		},
		{
			name: "sender deferred: 421",
			server: &serverConfig{tls: plainText, mail: func(string) error {
				return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "Too many connections"}
			}},
			url:          func(srv *testServer, _ string) string { return srv.URL("smtp", "", "", "starttls=none") },
			wantCode:     421,
			wantEnhanced: "4.7.0",
		},
		{
			name: "message refused after DATA: 554",
			server: &serverConfig{tls: plainText, data: func(int) error {
				return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "Content rejected"}
			}},
			url:           func(srv *testServer, _ string) string { return srv.URL("smtp", "", "", "starttls=none") },
			wantPermanent: true,
			wantCode:      554,
			wantEnhanced:  "5.6.0",
		},
		{
			name:   "connection refused",
			server: nil,
			url: func(_ *testServer, closedPort string) string {
				return "smtp://127.0.0.1:" + closedPort + "?starttls=none&from=a%40example.org"
			},
		},
		{
			name:   "STARTTLS required, server does not offer it",
			server: &serverConfig{tls: plainText},
			url:    func(srv *testServer, _ string) string { return srv.URL("smtp", "", "", "") },
		},
		{
			name:   "certificate not trusted",
			server: &serverConfig{tls: startTLS},
			url:    func(srv *testServer, _ string) string { return srv.URL("smtp", "", "", "") },
			trust:  false,
		},
		{
			name:   "smtps certificate not trusted",
			server: &serverConfig{tls: implicitTLS},
			url:    func(srv *testServer, _ string) string { return srv.URL("smtps", "", "", "") },
			trust:  false,
		},
		{
			name:      "context cancelled",
			server:    &serverConfig{tls: plainText},
			url:       func(srv *testServer, _ string) string { return srv.URL("smtp", "", "", "starttls=none") },
			cancelled: true,
			wantIs:    context.Canceled,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var srv *testServer
			if tt.server != nil {
				srv = startServer(t, *tt.server)
			}
			opts := &mail.SMTPOptions{From: "tickets@example.org", Now: fixedNow, Timeout: 10 * time.Second}
			if tt.trust {
				opts.TLSConfig = &tls.Config{RootCAs: srv.Pool}
			}
			m, err := mail.NewSMTPMailer(tt.url(srv, closedPort(t)), opts)
			if err != nil {
				t.Fatalf("NewSMTPMailer: %v", err)
			}
			ctx := t.Context()
			if tt.cancelled {
				c, cancel := context.WithCancel(ctx)
				cancel()
				ctx = c
			}
			err = m.Send(ctx, testMessage())
			checkSendError(t, err, tt.wantPermanent, tt.wantCode, tt.wantEnhanced)
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v): got false, want true", err, tt.wantIs)
			}
			if errors.Is(err, mail.ErrInvalidMessage) {
				t.Errorf("errors.Is(%v, ErrInvalidMessage): got true, want false", err)
			}
			if srv != nil {
				if n := len(srv.Deliveries()); n != 0 {
					t.Errorf("deliveries: got %d, want 0", n)
				}
			}
		})
	}
}

// checkSendError checks err is a *mail.SendError of the given class.
func checkSendError(t *testing.T, err error, permanent bool, code int, enhanced string) {
	t.Helper()
	if err == nil {
		t.Fatal("Send: got nil error, want a failure")
	}
	t.Logf("Send: %v", err)
	if got := errors.Is(err, mail.ErrPermanent); got != permanent {
		t.Errorf("errors.Is(err, ErrPermanent): got %v, want %v", got, permanent)
	}
	se, ok := errors.AsType[*mail.SendError](err)
	if !ok {
		t.Fatalf("Send: got %T, want a *mail.SendError", err)
	}
	if se.Permanent != permanent || se.Code != code || se.EnhancedCode != enhanced {
		t.Errorf("SendError: got permanent %v, code %d, enhanced %q; want %v, %d, %q",
			se.Permanent, se.Code, se.EnhancedCode, permanent, code, enhanced)
	}
	kind := "temporary"
	if permanent {
		kind = "permanent"
	}
	if !strings.Contains(err.Error(), kind) {
		t.Errorf("error text %q: want it to say %q", err, kind)
	}
}

// closedPort returns a loopback port on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return port
}

// TestSMTPMailerTimeout sends to a server that accepts the connection and
// never greets: Send gives up after Timeout with a temporary error.
func TestSMTPMailerTimeout(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // runs after l.Close: cleanups run last first
	t.Cleanup(func() { _ = l.Close() })
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				_, _ = c.Read(make([]byte, 1)) // until the client hangs up
			})
		}
	})
	m, err := mail.NewSMTPMailer("smtp://"+l.Addr().String()+"?starttls=none",
		&mail.SMTPOptions{From: "tickets@example.org", Timeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = m.Send(t.Context(), testMessage())
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Send took %v, want about the 300ms timeout", elapsed)
	}
	checkSendError(t, err, false, 0, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(%v, context.DeadlineExceeded): got false, want true", err)
	}
}

// TestSMTPMailerCancelDuringDialogue cancels the context while the server
// stalls in the middle of the dialogue: Send returns at once.
func TestSMTPMailerCancelDuringDialogue(t *testing.T) {
	t.Parallel()
	stalled := make(chan struct{})
	release := make(chan struct{})
	srv := startServer(t, serverConfig{tls: plainText, rcpt: func(string) error {
		close(stalled)
		<-release
		return nil
	}})
	t.Cleanup(func() { close(release) })
	m := newSMTPMailer(t, srv.URL("smtp", "", "", "starttls=none"), nil)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-stalled
		cancel()
	}()
	err := m.Send(ctx, testMessage())
	checkSendError(t, err, false, 0, "")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled): got false, want true", err)
	}
}

// TestSMTPMailerRetryKeepsMessageID fails the first DATA with 451 and
// accepts the second: both attempts carry the same Message-ID.
func TestSMTPMailerRetryKeepsMessageID(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverConfig{tls: plainText, data: func(attempt int) error {
		if attempt == 1 {
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Queue full"}
		}
		return nil
	}})
	m := newSMTPMailer(t, srv.URL("smtp", "", "", "starttls=none"), nil)
	msg := testMessage()
	err := m.Send(t.Context(), msg)
	checkSendError(t, err, false, 451, "4.3.0")
	if err := m.Send(t.Context(), msg); err != nil {
		t.Fatalf("second Send: %v", err)
	}
	want := []string{"<reg_123.confirmation@events.example.org>", "<reg_123.confirmation@events.example.org>"}
	if diff := cmp.Diff(want, srv.AttemptIDs()); diff != "" {
		t.Errorf("Message-ID of each attempt (-want +got):\n%s", diff)
	}
	if n := len(srv.Deliveries()); n != 1 {
		t.Errorf("deliveries: got %d, want 1", n)
	}
	if diff := cmp.Diff(testMessage(), msg); diff != "" {
		t.Errorf("Send changed the message (-before +after):\n%s", diff)
	}
}

// TestSMTPMailerGeneratesMessageID sends a message without MessageID: the
// mailer makes a random one at the sender's domain, different each time.
func TestSMTPMailerGeneratesMessageID(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverConfig{tls: plainText})
	m := newSMTPMailer(t, srv.URL("smtp", "", "", "starttls=none"), nil)
	msg := testMessage()
	msg.MessageID = ""
	for range 2 {
		if err := m.Send(t.Context(), msg); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	ids := srv.AttemptIDs()
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("Message-IDs: got %q, want two different ones", ids)
	}
	for _, id := range ids {
		if !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.org>") {
			t.Errorf("Message-ID: got %q, want <random@example.org>", id)
		}
	}
}

// TestSMTPMailerAcceptedThenConnectionLost: the server accepts the message
// and drops the connection before answering QUIT. The message was accepted,
// so Send reports success: a retry would send it twice.
func TestSMTPMailerAcceptedThenConnectionLost(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan string, 1)
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // runs after l.Close: cleanups run last first
	t.Cleanup(func() { _ = l.Close() })
	wg.Go(func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		scriptedServer(c, accepted)
	})
	m, err := mail.NewSMTPMailer("smtp://"+l.Addr().String()+"?starttls=none",
		&mail.SMTPOptions{From: "tickets@example.org", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Send(t.Context(), testMessage()); err != nil {
		t.Fatalf("Send: got %v, want nil: the server accepted the message", err)
	}
	select {
	case data := <-accepted:
		if !strings.Contains(data, "Message-ID: <reg_123.confirmation@events.example.org>") {
			t.Errorf("accepted data has no Message-ID header:\n%s", data)
		}
	default:
		t.Error("the scripted server accepted nothing")
	}
}

// scriptedServer speaks just enough SMTP to accept one message, then hangs
// up instead of answering the next command.
func scriptedServer(c net.Conn, accepted chan<- string) {
	tc := textproto.NewConn(c)
	_ = tc.PrintfLine("220 localhost ESMTP scripted")
	for {
		line, err := tc.ReadLine()
		if err != nil {
			return
		}
		verb, _, _ := strings.Cut(strings.ToUpper(line), " ")
		switch verb {
		case "EHLO", "HELO":
			_ = tc.PrintfLine("250 localhost")
		case "MAIL", "RCPT", "NOOP", "RSET":
			_ = tc.PrintfLine("250 2.0.0 OK")
		case "DATA":
			_ = tc.PrintfLine("354 Go ahead")
			data, err := tc.ReadDotBytes()
			if err != nil {
				return
			}
			_ = tc.PrintfLine("250 2.0.0 Queued")
			accepted <- string(data)
			return // hang up before QUIT
		default:
			_ = tc.PrintfLine("502 5.5.1 Unknown command")
		}
	}
}

func TestSMTPMailerConcurrentSends(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverConfig{tls: startTLS, user: "ada", password: "secret"})
	m := newSMTPMailer(t, srv.URL("smtp", "ada", "secret", ""), trust(srv))
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			msg := testMessage()
			msg.MessageID = fmt.Sprintf("msg-%d@example.org", i)
			errs[i] = m.Send(t.Context(), msg)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Send %d: %v", i, err)
		}
	}
	got := map[string]bool{}
	for _, d := range srv.Deliveries() {
		got[parseMessage(t, d.Data).MessageID] = true
	}
	if len(got) != n {
		t.Errorf("distinct messages delivered: got %d, want %d", len(got), n)
	}
}

func TestNewSMTPMailerAccepts(t *testing.T) {
	t.Parallel()
	for _, rawURL := range []string{
		"smtp://smtp.example.org?from=tickets%40example.org",
		"smtp://user:pass@smtp.example.org:587?from=tickets%40example.org",
		"smtps://user:pass@smtp.example.org?from=CompleteEvent+%3Ctickets%40example.org%3E",
		"smtp://localhost:1025?starttls=none&from=dev%40localhost",
		"smtp://dev:dev@127.0.0.1:1025/?starttls=none&from=dev%40localhost&auth=plain",
		"smtp://user:pass@[::1]:25?starttls=opportunistic&from=a%40example.org&auth=login",
	} {
		if _, err := mail.NewSMTPMailer(rawURL, nil); err != nil {
			t.Errorf("NewSMTPMailer(%q): %v", rawURL, err)
		}
	}
	if _, err := mail.NewSMTPMailer("smtp://smtp.example.org", &mail.SMTPOptions{From: "tickets@example.org"}); err != nil {
		t.Errorf("NewSMTPMailer with SMTPOptions.From: %v", err)
	}
}

func TestNewSMTPMailerRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
		opts *mail.SMTPOptions
		want string // a part of the error text
	}{
		{"unknown scheme", "http://s3cret:s3cret@smtp.example.org", nil, `unknown scheme "http"`},
		{"no scheme", "smtp.example.org:587", nil, "unknown scheme"},
		{"no host", "smtp://", nil, "no host"},
		{"port without host", "smtp://:25", nil, "no host"},
		{"opaque", "smtp:smtp.example.org", nil, "no host"},
		{"port zero", "smtp://smtp.example.org:0", nil, "invalid port"},
		{"port too large", "smtp://smtp.example.org:70000", nil, "invalid port"},
		{"port not a number", "smtp://smtp.example.org:abc", nil, "invalid port"},
		{"bad escape", "smtp://u:s3cret%zz@smtp.example.org", nil, "SMTP URL"},
		{"path", "smtp://smtp.example.org/inbox?from=a%40example.org", nil, "unexpected path"},
		{"fragment", "smtp://smtp.example.org?from=a%40example.org#top", nil, "fragment"},
		{"unescaped # in password", "smtp://u:s3c#ret@smtp.example.org", nil, "percent-encode"},
		{"unescaped / in password", "smtp://u:12/s3cret@smtp.example.org?from=a%40example.org", nil, "unexpected path"},
		{"user without password", "smtp://ada@smtp.example.org?from=a%40example.org", nil, "user and a password"},
		{"unknown starttls", "smtp://smtp.example.org?starttls=maybe&from=a%40example.org", nil, "starttls"},
		{"starttls with smtps", "smtps://smtp.example.org?starttls=none&from=a%40example.org", nil, "smtps"},
		{"unknown parameter", "smtp://smtp.example.org?startls=none&from=a%40example.org", nil, `unknown parameter "startls"`},
		{"repeated parameter", "smtp://smtp.example.org?from=a%40example.org&from=b%40example.org", nil, "2 times"},
		{"unknown auth", "smtp://u:s3cret@smtp.example.org?auth=cram-md5&from=a%40example.org", nil, "auth"},
		{"auth without credentials", "smtp://smtp.example.org?auth=plain&from=a%40example.org", nil, "without user"},
		{"password in clear to a remote host", "smtp://u:s3cret@smtp.example.org?starttls=none&from=a%40example.org", nil, "in clear"},
		{"no sender", "smtp://smtp.example.org", nil, "no default sender"},
		{"invalid sender in URL", "smtp://smtp.example.org?from=not-an-address", nil, "default sender"},
		{"invalid sender in options", "smtp://smtp.example.org", &mail.SMTPOptions{From: "Ada <ada@>"}, "default sender"},
		{"negative timeout", "smtp://smtp.example.org?from=a%40example.org", &mail.SMTPOptions{Timeout: -time.Second}, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := mail.NewSMTPMailer(tt.url, tt.opts)
			if !errors.Is(err, mail.ErrInvalidConfig) {
				t.Fatalf("NewSMTPMailer(%q): got %v, want ErrInvalidConfig", tt.url, err)
			}
			if m != nil {
				t.Errorf("got a mailer with the error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q: want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3c") {
				t.Errorf("error %q: reveals the password", err)
			}
		})
	}
}

// TestSMTPMailerDotStuffing checks a body with lines that start with "."
// arrives intact through SMTP's dot-stuffing.
func TestSMTPMailerDotStuffing(t *testing.T) {
	t.Parallel()
	srv := startServer(t, serverConfig{tls: plainText})
	m := newSMTPMailer(t, srv.URL("smtp", "", "", "starttls=none"), nil)
	msg := &mail.Message{From: "a@example.org", To: "b@example.org", Subject: "dots",
		Text: "line one\n.\n..two dots\n.end\n"}
	if err := m.Send(t.Context(), msg); err != nil {
		t.Fatal(err)
	}
	d := srv.Deliveries()
	if len(d) != 1 {
		t.Fatalf("deliveries: got %d, want 1", len(d))
	}
	p := parseMessage(t, d[0].Data)
	if p.Text != msg.Text {
		t.Errorf("text: got %q, want %q", p.Text, msg.Text)
	}
}
