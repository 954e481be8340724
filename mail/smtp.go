package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// DefaultSMTPTimeout is the default of [SMTPOptions.Timeout].
const DefaultSMTPTimeout = 30 * time.Second

// SMTPOptions tunes an [SMTPMailer]. The zero value, or nil, means every
// default.
type SMTPOptions struct {
	// From is the default sender, used when Message.From is empty, e.g.
	// "CompleteEvent <tickets@example.org>". It takes precedence over the
	// URL's from parameter. A default sender is required: here or in the
	// URL.
	From string

	// TLSConfig configures TLS, for STARTTLS and for smtps: set RootCAs to
	// trust a private certificate authority. Nil means the system's roots.
	// ServerName defaults to the URL's host and MinVersion to TLS 1.2. The
	// mailer uses a copy.
	TLSConfig *tls.Config

	// Timeout bounds one Send as a whole: dialing, TLS, authentication and
	// the SMTP dialogue. Defaults to DefaultSMTPTimeout (30 seconds).
	Timeout time.Duration

	// Now returns the time written in the Date header. Defaults to
	// time.Now.
	Now func() time.Time
}

// SMTPMailer sends messages to an SMTP server, one connection per Send. It
// is safe for concurrent use: concurrent Sends use separate connections.
type SMTPMailer struct {
	host      string
	port      int
	implicit  bool // smtps: TLS from the first byte
	policy    gomail.TLSPolicy
	user      string
	password  string
	auth      gomail.SMTPAuthType // "" means PLAIN if offered, else LOGIN
	from      string
	tlsConfig *tls.Config
	timeout   time.Duration
	now       func() time.Time
}

var _ Mailer = (*SMTPMailer)(nil)

// NewSMTPMailer returns a mailer for the SMTP server rawURL names:
//
//	smtp://[user:password@]host[:port][?param=value&…]   port 587 by default
//	smtps://[user:password@]host[:port][?param=value&…]  port 465 by default, implicit TLS
//
// Percent-encode special characters of the user and password. Parameters:
//
//   - starttls (smtp only): required (the default) refuses a server that
//     does not offer STARTTLS; opportunistic uses it when offered; none
//     never uses it (a local development relay).
//   - from: the default sender, e.g. from=tickets%40example.org, unless
//     opts.From is set.
//   - auth: the SASL mechanism for the user and password, plain or login.
//     By default PLAIN when the server offers it, else LOGIN. Credentials
//     are only sent over TLS, or in clear to a server on the loopback
//     interface.
//
// A default sender, in opts or the URL, is required. The error matches
// [ErrInvalidConfig]; it never contains the password. NewSMTPMailer does
// not connect.
func NewSMTPMailer(rawURL string, opts *SMTPOptions) (*SMTPMailer, error) {
	if opts == nil {
		opts = &SMTPOptions{}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the URL, and its cause may quote a piece of
		// it: with credentials in the URL, keep neither.
		if strings.Contains(rawURL, "@") {
			return nil, configError("SMTP URL does not parse: percent-encode the special characters of the user and password")
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, configError("SMTP URL: %v", err)
	}
	s := &SMTPMailer{
		policy:  gomail.TLSMandatory,
		timeout: DefaultSMTPTimeout,
		now:     time.Now,
	}
	switch u.Scheme {
	case "smtp":
		s.port = gomail.DefaultPortTLS
	case "smtps":
		s.port = gomail.DefaultPortSSL
		s.implicit = true
	default:
		return nil, configError("SMTP URL: unknown scheme %q: want smtp or smtps", u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, configError("SMTP URL: no host: want %s://host[:port]", u.Scheme)
	}
	s.host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, configError("SMTP URL: invalid port %q", p)
		}
		s.port = n
	}
	if u.Path != "" && u.Path != "/" {
		// The path is not quoted: it may be the end of a password whose
		// "/" was not percent-encoded.
		return nil, configError("SMTP URL: unexpected path after the host: percent-encode the special characters of the user and password")
	}
	if u.Fragment != "" {
		return nil, configError("SMTP URL: unexpected fragment: percent-encode '#' as %%23")
	}
	if u.User != nil {
		s.user = u.User.Username()
		password, ok := u.User.Password()
		if s.user == "" || !ok {
			return nil, configError("SMTP URL: credentials need a user and a password: user:password@host")
		}
		s.password = password
	}

	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, configError("SMTP URL: query: %v", err)
	}
	for key, values := range query {
		if len(values) != 1 {
			return nil, configError("SMTP URL: parameter %q given %d times", key, len(values))
		}
		value := values[0]
		switch key {
		case "starttls":
			if s.implicit {
				return nil, configError("SMTP URL: starttls does not apply to smtps, which uses TLS from the start")
			}
			switch value {
			case "required":
				s.policy = gomail.TLSMandatory
			case "opportunistic":
				s.policy = gomail.TLSOpportunistic
			case "none":
				s.policy = gomail.NoTLS
			default:
				return nil, configError("SMTP URL: starttls=%q: want required, opportunistic or none", value)
			}
		case "from":
			s.from = value
		case "auth":
			switch value {
			case "plain":
				s.auth = gomail.SMTPAuthPlain
			case "login":
				s.auth = gomail.SMTPAuthLogin
			default:
				return nil, configError("SMTP URL: auth=%q: want plain or login", value)
			}
		default:
			return nil, configError("SMTP URL: unknown parameter %q: want starttls, from or auth", key)
		}
	}
	if s.auth != "" && s.user == "" {
		return nil, configError("SMTP URL: auth=%s without user and password", query.Get("auth"))
	}
	if s.user != "" && !s.implicit && s.policy == gomail.NoTLS && !isLoopback(s.host) {
		return nil, configError("SMTP URL: starttls=none would send the password in clear to %s: use STARTTLS or smtps", s.host)
	}

	if opts.From != "" {
		s.from = opts.From
	}
	if s.from == "" {
		return nil, configError("no default sender: set SMTPOptions.From or the URL's from parameter")
	}
	if _, err := parseAddress(s.from); err != nil {
		return nil, configError("default sender %q: %v", s.from, err)
	}

	if opts.Timeout < 0 {
		return nil, configError("negative timeout %v", opts.Timeout)
	}
	if opts.Timeout > 0 {
		s.timeout = opts.Timeout
	}
	if opts.Now != nil {
		s.now = opts.Now
	}
	s.tlsConfig = &tls.Config{}
	if opts.TLSConfig != nil {
		s.tlsConfig = opts.TLSConfig.Clone()
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	if s.tlsConfig.MinVersion == 0 {
		s.tlsConfig.MinVersion = tls.VersionTLS12
	}
	return s, nil
}

// Send sends m through one new connection: dial, TLS, authentication, one
// mail transaction, QUIT. It returns nil once the server accepted the
// message, even if closing the connection then fails. It returns an error
// matching [ErrInvalidMessage] (and [ErrPermanent]) before connecting when m
// is invalid, and otherwise a [*SendError]: permanent for a 5xx reply,
// temporary for anything else. When ctx ends first, the connection is
// closed and the error also matches ctx's error.
func (s *SMTPMailer) Send(ctx context.Context, m *Message) error {
	b, err := build(m, s.from, s.now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()

	// The connection is closed when ctx ends, so that a cancelled or
	// overdue Send returns at once, whatever step it is in.
	var conn net.Conn
	stop := func() bool { return false }
	defer func() {
		stop()
		if conn != nil {
			_ = conn.Close()
		}
	}()
	dial := func(dialCtx context.Context, network, addr string) (net.Conn, error) {
		var c net.Conn
		var err error
		if s.implicit {
			d := &tls.Dialer{Config: s.tlsConfig}
			c, err = d.DialContext(dialCtx, network, addr)
		} else {
			var d net.Dialer
			c, err = d.DialContext(dialCtx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		conn = c
		stop = context.AfterFunc(ctx, func() { _ = c.Close() })
		return c, nil
	}

	client, err := gomail.NewClient(s.host, s.clientOptions(dial)...)
	if err != nil {
		return classify(ctx, err)
	}
	smtpClient, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return classify(ctx, err)
	}
	err = client.SendWithSMTPClient(smtpClient, b.msg)
	_ = client.CloseWithSMTPClient(smtpClient)
	if err != nil && !b.msg.IsDelivered() {
		return classify(ctx, err)
	}
	return nil
}

// clientOptions returns the go-mail options of one Send's client.
func (s *SMTPMailer) clientOptions(dial gomail.DialContextFunc) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(s.tlsConfig),
		gomail.WithTLSPolicy(s.policy),
		gomail.WithDialContextFunc(dial),
		// One message per connection: no NOOP before it, no RSET after it.
		gomail.WithoutNoop(),
		gomail.WithoutRset(),
	}
	if s.implicit {
		opts = append(opts, gomail.WithSSL())
	}
	if s.user != "" {
		opts = append(opts, gomail.WithUsername(s.user), gomail.WithPassword(s.password))
		if s.auth != "" {
			opts = append(opts, gomail.WithSMTPAuth(s.auth))
		} else {
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
		}
	}
	return opts
}

// enhancedCode finds an RFC 3463 status code at the start of a reply text.
var enhancedCode = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}\b`)

// classify turns an error of go-mail into a *SendError: permanent for a 5xx
// reply or a message go-mail refuses, temporary otherwise.
func classify(ctx context.Context, err error) error {
	se := &SendError{Err: err}
	if ge, ok := errors.AsType[*gomail.SendError](err); ok {
		se.Code = ge.ErrorCode()
		se.EnhancedCode = ge.EnhancedStatusCode()
		switch ge.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			se.Permanent = true
		}
	} else if te, ok := errors.AsType[*textproto.Error](err); ok {
		se.Code = te.Code
		se.EnhancedCode = enhancedCode.FindString(te.Msg)
	}
	if se.Code >= 500 && se.Code <= 599 {
		se.Permanent = true
	}
	if se.Code == 0 {
		// When ctx has ended, the connection was most likely closed
		// because of it. Its deadline may have passed an instant before
		// its timer marks it done, while the connection's own deadline
		// (set later, so never earlier) already failed a read.
		cause := context.Cause(ctx)
		if deadline, ok := ctx.Deadline(); cause == nil && ok && !time.Now().Before(deadline) {
			cause = context.DeadlineExceeded
		}
		if cause != nil {
			se.Err = fmt.Errorf("%w (%w)", cause, err)
		}
	}
	return se
}

// configError returns an error matching ErrInvalidConfig.
func configError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
