package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/completeevent/completeevent-go/completeevent"
)

// ErrorClass names why a delivery attempt failed; it is "" on success. The
// delivery log shows it, and the outbox decides from it what to do next.
type ErrorClass string

// The error classes of [Result.ErrorClass].
const (
	// ErrorTimeout: no response status within the attempt's timeout
	// (connecting, the TLS handshake, writing the request and waiting for
	// the status all count), or the caller's context deadline passed. A
	// response whose body is still arriving at the timeout is not a
	// timeout: its status decides, and the excerpt holds what arrived.
	ErrorTimeout ErrorClass = "timeout"
	// ErrorRefused: the connection was refused or reset.
	ErrorRefused ErrorClass = "refused"
	// ErrorTLS: the TLS handshake failed, for instance on a certificate
	// that does not verify.
	ErrorTLS ErrorClass = "tls"
	// ErrorRedirect: the receiver answered 3xx. Redirects are never
	// followed.
	ErrorRedirect ErrorClass = "redirect"
	// ErrorNon2xx: the receiver answered with any other status that is
	// not 2xx (410 Gone included: the outbox disables the endpoint on it).
	ErrorNon2xx ErrorClass = "non_2xx"
	// ErrorBlockedAddress: the URL, or an address its host resolved to,
	// is refused by the SSRF rules. Nothing was sent to it.
	ErrorBlockedAddress ErrorClass = "blocked_address"
	// ErrorDNS: the host name did not resolve.
	ErrorDNS ErrorClass = "dns"
	// ErrorNetwork: anything else on the way, such as a connection closed
	// without a response, an unreachable network, or the caller's context
	// canceled (then Result.Err matches context.Canceled).
	ErrorNetwork ErrorClass = "network"
	// ErrorInvalid: the delivery could not be sent as given (a URL that is
	// not absolute http or https, a body that is not an envelope, no
	// signer, a secret that cannot sign); Result.Err matches
	// ErrInvalidDelivery. Nothing was sent.
	ErrorInvalid ErrorClass = "invalid"
)

// The defaults of [SenderOptions].
const (
	// DefaultTimeout bounds one delivery attempt.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxResponseBytes is how much of a response body a Result
	// keeps as its excerpt.
	DefaultMaxResponseBytes = 4 << 10
	// DefaultMaxIdleConnsPerHost is how many idle connections a Sender
	// keeps open to one receiver, for reuse.
	DefaultMaxIdleConnsPerHost = 64
)

// MaxRetryAfter bounds [Result.RetryAfter]: a longer Retry-After counts as
// this long.
const MaxRetryAfter = 24 * time.Hour

const (
	// maxDrainBytes is how much of a response body past the excerpt a
	// Sender reads and discards so that the connection can be reused;
	// past that, it closes the connection instead.
	maxDrainBytes = 64 << 10
	// maxExcerptBytes bounds SenderOptions.MaxResponseBytes.
	maxExcerptBytes = 1 << 20
	// maxResponseHeaderBytes bounds the response headers.
	maxResponseHeaderBytes = 64 << 10
	// maxLocationInError bounds the Location quoted in a redirect error.
	maxLocationInError = 512
	// maxURLLength bounds endpoint URLs, as completeevent bounds the URLs
	// it stores.
	maxURLLength = 2048
	// idleConnTimeout is how long an idle connection stays open.
	idleConnTimeout = 90 * time.Second
)

// SenderOptions configure a Sender. The zero value, or a nil
// *SenderOptions, is the production configuration.
type SenderOptions struct {
	// Timeout bounds each attempt: connecting, the TLS handshake, writing
	// the request and reading the response headers and excerpt.
	// Delivery.Timeout overrides it for one delivery. Zero or negative
	// means DefaultTimeout (10 s). It also bounds every TLS handshake on
	// its own, since net/http may finish one in the background after its
	// attempt gave up, for a later request: a longer Delivery.Timeout does
	// not lengthen the handshake.
	Timeout time.Duration

	// AllowPrivateNetworks turns the SSRF rules off: plain http URLs and
	// loopback, private, link-local and any other addresses are allowed.
	// For development and tests only; it defaults to false.
	AllowPrivateNetworks bool

	// MaxResponseBytes is how much of a response body a Result keeps as
	// its excerpt. At most 64 KiB more is read and discarded so that the
	// connection can be reused; a longer body closes the connection
	// instead. Zero means DefaultMaxResponseBytes (4 KiB); negative keeps
	// no excerpt; more than 1 MiB counts as 1 MiB.
	MaxResponseBytes int

	// MaxIdleConnsPerHost is how many idle connections the Sender keeps
	// open to one receiver; size it to the delivery concurrency per
	// endpoint. Zero or negative means DefaultMaxIdleConnsPerHost (64).
	MaxIdleConnsPerHost int

	// Resolver resolves host names. Nil means net.DefaultResolver. Tests
	// inject one, for instance a &net.Resolver{PreferGo: true, Dial: …}
	// whose Dial returns a connection to a fake DNS server. Whatever it
	// answers, the SSRF rules judge the address actually connected to.
	Resolver *net.Resolver

	// TLSConfig is the TLS client configuration; the Sender uses a clone.
	// Nil means the system's roots and Go's defaults. Tests pass one whose
	// RootCAs hold their test server's certificate.
	TLSConfig *tls.Config
}

// Sender sends signed webhook deliveries, one HTTP POST per attempt, with
// the SSRF rules of DESIGN §5: only https URLs, and no connection to
// loopback, private (RFC 1918), link-local, CGNAT, multicast, unspecified,
// reserved, documentation or cloud metadata addresses, nor to their
// IPv4-mapped IPv6 forms. The address is checked when the socket is about
// to connect, after name resolution, so that DNS rebinding cannot get past
// the check; [SenderOptions.AllowPrivateNetworks] turns the rules off for
// development and tests.
//
// A Sender never uses a proxy (HTTP_PROXY and the like are ignored: a proxy
// would connect on the Sender's behalf, past the check), never follows a
// redirect, reads at most a bounded excerpt of each response and keeps
// idle connections for reuse. It uses its own transport, never
// http.DefaultTransport.
//
// Make it with NewSender. A Sender is safe for concurrent use, and meant to
// be shared by every worker of a process.
type Sender struct {
	// transport sends each request itself, without an http.Client: a
	// client's work is following redirects (it would copy the headers of
	// every request for them) and cookies, neither of which a Sender does.
	transport    *http.Transport
	timeout      time.Duration
	maxResponse  int
	allowPrivate bool
	bufs         sync.Pool // of *[]byte of maxResponse bytes, for the excerpt
}

// NewSender returns a Sender configured by opts, which may be nil for the
// production configuration. It starts no goroutines; call
// CloseIdleConnections when done with it.
func NewSender(opts *SenderOptions) *Sender {
	var o SenderOptions
	if opts != nil {
		o = *opts
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	switch {
	case o.MaxResponseBytes == 0:
		o.MaxResponseBytes = DefaultMaxResponseBytes
	case o.MaxResponseBytes < 0:
		o.MaxResponseBytes = 0
	case o.MaxResponseBytes > maxExcerptBytes:
		o.MaxResponseBytes = maxExcerptBytes
	}
	if o.MaxIdleConnsPerHost <= 0 {
		o.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
	var tlsConfig *tls.Config
	if o.TLSConfig != nil {
		tlsConfig = o.TLSConfig.Clone()
	}
	d := newDialer(o.Resolver, o.AllowPrivateNetworks, o.Timeout)
	t := &http.Transport{
		Proxy:                  nil, // a proxy would connect past the address check
		DialContext:            d.dialContext,
		TLSClientConfig:        tlsConfig,
		TLSHandshakeTimeout:    o.Timeout,
		ForceAttemptHTTP2:      true,
		MaxIdleConnsPerHost:    o.MaxIdleConnsPerHost,
		IdleConnTimeout:        idleConnTimeout,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		DisableCompression:     true, // the excerpt is the bytes sent, and no gzip bomb
	}
	s := &Sender{
		transport:    t,
		timeout:      o.Timeout,
		maxResponse:  o.MaxResponseBytes,
		allowPrivate: o.AllowPrivateNetworks,
	}
	s.bufs.New = func() any {
		b := make([]byte, s.maxResponse)
		return &b
	}
	return s
}

// Delivery is one signed POST.
type Delivery struct {
	// URL is the endpoint's URL; it must pass ValidateEndpointURL under
	// the Sender's AllowPrivateNetworks.
	URL string
	// Body is the canonical envelope from Encode, sent as is.
	Body []byte
	// Signer signs X-CompleteEvent-Signature and the first
	// webhook-signature entry. Required.
	Signer *HMACSigner
	// Others add webhook-signature entries, for instance the previous
	// secret while a rotation overlaps.
	Others []*HMACSigner
	// Timeout bounds this attempt; zero or negative means the Sender's.
	Timeout time.Duration
}

// Timings are the phases of one attempt. A phase that did not happen, such
// as DNS, Connect and TLS on a reused connection, is zero.
type Timings struct {
	// DNS is the name lookup.
	DNS time.Duration
	// Connect is the TCP connection, from the first connection attempt
	// to the one that succeeded.
	Connect time.Duration
	// TLS is the TLS handshake.
	TLS time.Duration
	// FirstByte is from the request fully written to the first byte of
	// the response: the receiver's processing time.
	FirstByte time.Duration
}

// Result is the outcome of one attempt.
type Result struct {
	// StatusCode is the response status, or 0 if no response came.
	StatusCode int
	// Duration is the whole attempt, the excerpt's read included.
	Duration time.Duration
	// Timings are its phases.
	Timings Timings
	// ErrorClass says why the attempt failed, or "" if it succeeded.
	ErrorClass ErrorClass
	// Err says what went wrong, in a lowercase message starting with
	// "webhook: ", or nil on a 2xx. It matches ErrBlockedAddress,
	// ErrRedirect, ErrUnexpectedStatus or ErrInvalidDelivery for those
	// classes, and wraps the network error otherwise (context.Canceled or
	// context.DeadlineExceeded among them).
	Err error
	// ResponseExcerpt is the start of the response body, at most
	// MaxResponseBytes bytes of valid UTF-8: cut at a rune boundary, and
	// with invalid bytes and NUL bytes (which PostgreSQL text cannot hold)
	// replaced by U+FFFD.
	ResponseExcerpt string
	// RetryAfter is the receiver's Retry-After on a 429 or 503, in
	// delta-seconds or as an HTTP date (counted from the response's Date
	// header when it has one), at most MaxRetryAfter; otherwise 0.
	RetryAfter time.Duration
}

// OK reports whether the attempt succeeded: a 2xx response.
func (r Result) OK() bool {
	return r.ErrorClass == "" && r.StatusCode >= 200 && r.StatusCode < 300
}

// Send makes one attempt at d: it sets every header of the wire format with
// SetHeaders, POSTs d.Body to d.URL within the timeout, reads at most a
// bounded excerpt of the response, and reports the outcome. It never
// follows a redirect and never panics; ctx cancels the attempt. It leaves
// no goroutine of its own behind (net/http may finish a dial or TLS
// handshake in the background, within the timeout, for a later reuse).
//
// Send is safe for concurrent use.
func (s *Sender) Send(ctx context.Context, d Delivery) Result {
	start := time.Now()
	res := s.send(ctx, d)
	res.Duration = time.Since(start)
	return res
}

// send is Send but for the duration.
func (s *Sender) send(ctx context.Context, d Delivery) Result {
	if s == nil || s.transport == nil {
		return invalid("the Sender was not made by NewSender")
	}
	if d.Signer == nil {
		return invalid("no signer")
	}
	for _, o := range d.Others {
		if o == nil {
			return invalid("a nil signer in Others")
		}
	}
	if len(d.URL) > maxURLLength {
		return invalid(fmt.Sprintf("url must be at most %d bytes", maxURLLength))
	}

	timeout := d.Timeout
	if timeout <= 0 {
		timeout = s.timeout
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := actx.Deadline()
	rec := new(traceRecorder)
	actx = httptrace.WithClientTrace(context.WithValue(actx, attemptDeadlineKey{}, deadline), rec.clientTrace())

	// The URL is parsed once, here, and checked as ValidateEndpointURL
	// checks it.
	req, err := http.NewRequestWithContext(actx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return invalid("url " + parseProblem(err, s.allowPrivate))
	}
	switch blocked, msg := checkParsedURL(req.URL, d.URL, s.allowPrivate); {
	case blocked != "":
		return Result{ErrorClass: ErrorBlockedAddress, Err: fmt.Errorf("%w: %s", ErrBlockedAddress, blocked)}
	case msg != "":
		return invalid("url " + msg)
	}
	if err := SetHeaders(req.Header, d.Body, d.Signer, d.Others...); err != nil {
		return Result{ErrorClass: ErrorInvalid, Err: fmt.Errorf("%w: %w", ErrInvalidDelivery, err)}
	}

	// A redirect is a response like any other here: it is never followed.
	resp, err := s.transport.RoundTrip(req)
	if err != nil {
		res := Result{Timings: rec.snapshot()}
		res.ErrorClass, res.Err = classify(ctx, actx, timeout, req.URL.Host, rec, err)
		return res
	}
	res := Result{StatusCode: resp.StatusCode}
	res.ResponseExcerpt = s.readExcerpt(resp)
	res.Timings = rec.snapshot()
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
	case code >= 300 && code < 400:
		loc := resp.Header.Get("Location")
		if len(loc) > maxLocationInError {
			loc = strings.ToValidUTF8(loc[:maxLocationInError], "") + "…"
		}
		res.ErrorClass = ErrorRedirect
		if loc == "" {
			res.Err = fmt.Errorf("%w: %s without a Location", ErrRedirect, statusText(code))
		} else {
			res.Err = fmt.Errorf("%w: %s to %q", ErrRedirect, statusText(code), loc)
		}
	default:
		res.ErrorClass = ErrorNon2xx
		res.Err = fmt.Errorf("%w: %s", ErrUnexpectedStatus, statusText(code))
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			res.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), resp.Header.Get("Date"), time.Now())
		}
	}
	return res
}

// CloseIdleConnections closes the connections the Sender keeps for reuse
// and cancels dials that no attempt waits for any more. It does not
// interrupt attempts in flight; the Sender stays usable. It is safe for
// concurrent use.
func (s *Sender) CloseIdleConnections() {
	if s != nil && s.transport != nil {
		s.transport.CloseIdleConnections()
	}
}

// invalid returns the Result of a delivery that cannot be sent as given.
func invalid(msg string) Result {
	return Result{ErrorClass: ErrorInvalid, Err: fmt.Errorf("%w: %s", ErrInvalidDelivery, msg)}
}

// statusText returns code with its standard text, e.g. "404 Not Found".
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}

// readExcerpt reads the excerpt of resp's body, discards at most
// maxDrainBytes more so that the connection can be reused, and closes the
// body, which closes the connection if the body was not read to its end.
// Reading stops at the attempt's deadline. An error reading the body does
// not change the outcome: the status has been received.
func (s *Sender) readExcerpt(resp *http.Response) string {
	defer resp.Body.Close()
	var n int
	atEOF := false
	var excerpt string
	if s.maxResponse > 0 {
		bp := s.bufs.Get().(*[]byte)
		buf := *bp
		var err error
		n, err = io.ReadFull(resp.Body, buf)
		atEOF = err != nil // io.EOF, io.ErrUnexpectedEOF, or a failed read: nothing more to get
		excerpt = validExcerpt(buf[:n], !atEOF, s.maxResponse)
		s.bufs.Put(bp)
	}
	if atEOF {
		return excerpt
	}
	// A body known to be longer than the drain bound costs the connection
	// anyway: do not read any of it.
	if resp.ContentLength < 0 || resp.ContentLength-int64(n) <= maxDrainBytes {
		_, _ = io.CopyN(io.Discard, resp.Body, maxDrainBytes)
	}
	return excerpt
}

// validExcerpt returns b, of at most max bytes, as valid UTF-8 of at most
// max bytes: without a final rune that the excerpt's bound split if cut,
// and with each run of invalid bytes, and each NUL, replaced by U+FFFD as
// long as room remains.
func validExcerpt(b []byte, cut bool, max int) string {
	if cut {
		b = trimSplitRune(b)
	}
	if utf8.Valid(b) && bytes.IndexByte(b, 0) < 0 {
		return string(b)
	}
	const repl = "\uFFFD"
	var sb strings.Builder
	sb.Grow(min(max, len(b)+2*len(repl)))
	inBad := false
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == 0 || (r == utf8.RuneError && size == 1) {
			if !inBad {
				if sb.Len()+len(repl) > max {
					break
				}
				sb.WriteString(repl)
			}
			inBad = r != 0 // a NUL is replaced alone; invalid bytes by runs
			b = b[size:]
			continue
		}
		inBad = false
		if sb.Len()+size > max {
			break
		}
		sb.Write(b[:size])
		b = b[size:]
	}
	return sb.String()
}

// trimSplitRune returns b without a final incomplete UTF-8 sequence.
func trimSplitRune(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return b[:i]
			}
			break
		}
	}
	return b
}

// parseRetryAfter returns the delay that a Retry-After value v asks for:
// delta-seconds, or an HTTP date counted from the response's Date header
// date when it parses, else from now. It returns 0 for an empty, malformed
// or past value, and at most MaxRetryAfter.
func parseRetryAfter(v, date string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if '0' <= v[0] && v[0] <= '9' {
		const maxSeconds = int64(MaxRetryAfter / time.Second)
		var secs int64
		for i := 0; i < len(v); i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return 0
			}
			if secs <= maxSeconds {
				secs = secs*10 + int64(c-'0')
			}
		}
		return min(time.Duration(secs)*time.Second, MaxRetryAfter)
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0
	}
	if d, err := http.ParseTime(date); err == nil {
		now = d
	}
	delay := at.Sub(now)
	if delay <= 0 {
		return 0
	}
	return min(delay, MaxRetryAfter)
}

// classify returns the class and the error of an attempt whose request
// failed with err. ctx is the caller's context, actx the attempt's, host
// the URL's host.
func classify(ctx, actx context.Context, timeout time.Duration, host string, rec *traceRecorder, err error) (ErrorClass, error) {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err // drop `Post "https://…":`: the URL may hold a token
	}
	var opErr *net.OpError
	if errors.As(cause, &opErr) && errors.Is(opErr.Err, ErrBlockedAddress) {
		return ErrorBlockedAddress, fmt.Errorf("%w (url host %s)", opErr.Err, host)
	}
	if errors.Is(cause, ErrBlockedAddress) {
		return ErrorBlockedAddress, cause
	}
	switch {
	case ctx.Err() == context.Canceled:
		return ErrorNetwork, fmt.Errorf("webhook: attempt canceled: %w", cause)
	case actx.Err() == context.DeadlineExceeded || errors.Is(cause, context.DeadlineExceeded):
		if !errors.Is(cause, context.DeadlineExceeded) {
			cause = fmt.Errorf("%w: %w", context.DeadlineExceeded, cause)
		}
		return ErrorTimeout, fmt.Errorf("webhook: timeout: no complete response within %v: %w", timeout, cause)
	}
	var dnsErr *net.DNSError
	if errors.As(cause, &dnsErr) {
		return ErrorDNS, fmt.Errorf("webhook: dns lookup failed: %w", cause)
	}
	if tlsError(cause) || rec.handshakeFailed() {
		return ErrorTLS, fmt.Errorf("webhook: tls handshake failed: %w", cause)
	}
	if errors.Is(cause, syscall.ECONNREFUSED) || errors.Is(cause, syscall.ECONNRESET) || errors.Is(cause, syscall.EPIPE) {
		return ErrorRefused, fmt.Errorf("webhook: connection refused or reset: %w", cause)
	}
	var ne net.Error
	if errors.As(cause, &ne) && ne.Timeout() {
		return ErrorTimeout, fmt.Errorf("webhook: timeout: %w", cause)
	}
	return ErrorNetwork, fmt.Errorf("webhook: network error: %w", cause)
}

// tlsError reports whether err comes from a failed TLS handshake or a
// certificate that does not verify.
func tlsError(err error) bool {
	var (
		recordHeader tls.RecordHeaderError
		verification *tls.CertificateVerificationError
		alert        tls.AlertError
		ech          *tls.ECHRejectionError
		authority    x509.UnknownAuthorityError
		hostname     x509.HostnameError
		invalid      x509.CertificateInvalidError
		roots        x509.SystemRootsError
	)
	return errors.As(err, &recordHeader) || errors.As(err, &verification) ||
		errors.As(err, &alert) || errors.As(err, &ech) ||
		errors.As(err, &authority) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &roots)
}

// traceRecorder records the phases of one attempt from httptrace hooks.
// net/http may call them from several goroutines, even after the attempt
// gave up (a dial it finishes for a later request), hence the mutex.
type traceRecorder struct {
	mu                                         sync.Mutex
	dnsStart, connectStart, tlsStart           time.Time
	gotConn, wroteRequest                      time.Time
	t                                          Timings
	tlsFailed                                  bool
	connected, handshaken, dnsDone, firstByted bool
}

// clientTrace returns the hooks that feed r.
func (r *traceRecorder) clientTrace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		DNSStart: func(httptrace.DNSStartInfo) {
			r.mu.Lock()
			r.dnsStart = time.Now()
			r.mu.Unlock()
		},
		DNSDone: func(httptrace.DNSDoneInfo) {
			r.mu.Lock()
			if !r.dnsDone && !r.dnsStart.IsZero() {
				r.t.DNS, r.dnsDone = time.Since(r.dnsStart), true
			}
			r.mu.Unlock()
		},
		ConnectStart: func(string, string) {
			r.mu.Lock()
			if r.connectStart.IsZero() {
				r.connectStart = time.Now()
			}
			r.mu.Unlock()
		},
		ConnectDone: func(_, _ string, err error) {
			r.mu.Lock()
			if err == nil && !r.connected && !r.connectStart.IsZero() {
				r.t.Connect, r.connected = time.Since(r.connectStart), true
			}
			r.mu.Unlock()
		},
		TLSHandshakeStart: func() {
			r.mu.Lock()
			r.tlsStart = time.Now()
			r.mu.Unlock()
		},
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			r.mu.Lock()
			switch {
			case err != nil:
				var ne net.Error
				timedOut := errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
					(errors.As(err, &ne) && ne.Timeout())
				r.tlsFailed = r.tlsFailed || !timedOut
			case !r.handshaken && !r.tlsStart.IsZero():
				r.t.TLS, r.handshaken = time.Since(r.tlsStart), true
			}
			r.mu.Unlock()
		},
		GotConn: func(httptrace.GotConnInfo) {
			r.mu.Lock()
			r.gotConn = time.Now()
			r.mu.Unlock()
		},
		WroteRequest: func(httptrace.WroteRequestInfo) {
			r.mu.Lock()
			r.wroteRequest = time.Now()
			r.mu.Unlock()
		},
		GotFirstResponseByte: func() {
			r.mu.Lock()
			from := r.wroteRequest
			if from.IsZero() {
				from = r.gotConn // the receiver answered before reading it all
			}
			if !r.firstByted && !from.IsZero() {
				r.t.FirstByte, r.firstByted = time.Since(from), true
			}
			r.mu.Unlock()
		},
	}
}

// snapshot returns the timings recorded so far.
func (r *traceRecorder) snapshot() Timings {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.t
}

// handshakeFailed reports whether a TLS handshake failed for a reason other
// than a timeout or a cancellation.
func (r *traceRecorder) handshakeFailed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tlsFailed
}

// ValidateEndpointURL reports whether raw may be a webhook endpoint's URL:
// the static check made when an endpoint is created or updated. raw must be
// an absolute https URL (http too if allowPrivate) of at most 2048 bytes,
// with a host, a port (if any) from 1 to 65535, no user information and no
// fragment. The host must be an IP literal or an ASCII host name (write an
// internationalized name in its "xn--" form) that does not end in a number.
// Unless allowPrivate, an IP literal must not be in a blocked range (the
// Sender's: loopback, private, link-local, CGNAT, cloud metadata, their
// IPv4-mapped forms…), and the name must not be "localhost" or end in
// ".localhost".
//
// A name that passes may still resolve to a blocked address: the Sender
// checks the resolved address when it connects. ValidateEndpointURL returns
// a *completeevent.Error of kind completeevent.ErrInvalid naming the field
// "url". It is safe for concurrent use.
func ValidateEndpointURL(raw string, allowPrivate bool) error {
	if _, msg := checkURL(raw, allowPrivate); msg != "" {
		return completeevent.Invalid("url", "%s", msg)
	}
	return nil
}

// checkURL parses raw and applies the rules of ValidateEndpointURL. It
// returns a message saying what is wrong (to follow "url"), or "",
// and, if that is the SSRF rules refusing it rather than a malformed URL,
// what they refuse (to follow "blocked address").
func checkURL(raw string, allowPrivate bool) (blocked, msg string) {
	if len(raw) > maxURLLength {
		return "", fmt.Sprintf("must be at most %d bytes", maxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", parseProblem(err, allowPrivate)
	}
	return checkParsedURL(u, raw, allowPrivate)
}

// wantURL says what an endpoint URL must be.
func wantURL(allowPrivate bool) string {
	if allowPrivate {
		return "an absolute http or https URL"
	}
	return "an absolute https URL"
}

// parseProblem returns checkURL's message for a URL that url.Parse refused
// with err.
func parseProblem(err error, allowPrivate bool) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // without the raw URL, which may be long
	}
	return "must be " + wantURL(allowPrivate) + ": " + err.Error()
}

// checkParsedURL is checkURL for u, parsed from raw.
func checkParsedURL(u *url.URL, raw string, allowPrivate bool) (blocked, msg string) {
	want := wantURL(allowPrivate)
	switch {
	case u.Scheme == "":
		return "", "must be " + want + ", not a relative reference"
	case u.Scheme == "http" && !allowPrivate:
		return "url must use https, not http", "must use https, not http"
	case u.Scheme != "https" && u.Scheme != "http":
		return "", fmt.Sprintf("must be %s, not scheme %q", want, u.Scheme)
	case u.Opaque != "":
		return "", "must be " + want + " with a host"
	case u.User != nil:
		return "", "must not contain user information"
	case strings.Contains(raw, "#"):
		return "", "must not contain a fragment"
	case u.Hostname() == "":
		return "", "must have a host"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", "must have a port from 1 to 65535"
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return "", "must have a port after its colon"
	}
	host := u.Hostname()
	if addr, err := netip.ParseAddr(host); err == nil {
		if addr.Is6() && !strings.HasPrefix(u.Host, "[") {
			return "", "must put an IPv6 address in brackets"
		}
		if !allowPrivate {
			if r := blockedReason(addr); r != "" {
				detail := fmt.Sprintf("%s is %s", addr, r)
				return detail, "must not point at a blocked address: " + detail
			}
		}
		return "", ""
	}
	switch {
	case strings.HasPrefix(u.Host, "["):
		return "", "must hold an IPv6 address between brackets"
	case !validHostName(host):
		return "", "must have a valid ASCII host name (letters, digits, '-', '_' and dots; an internationalized name in its xn-- form)"
	case numericHostName(host):
		return "", "must not have a host name that ends in a number: write an IP address in standard form"
	case !allowPrivate && localhostName(host):
		return fmt.Sprintf("url host %q is the local host", host), "must not point at the local host"
	}
	return "", ""
}

// validHostName reports whether host is a DNS name in ASCII: labels of
// letters, digits, '-' and '_' of at most 63 bytes, separated by dots, and
// at most 253 bytes without a final dot.
func validHostName(host string) bool {
	h := strings.TrimSuffix(host, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	label := 0
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c == '.':
			if label == 0 {
				return false
			}
			label = 0
			continue
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
		label++
		if label > 63 {
			return false
		}
	}
	return label > 0
}
